// Which 4-lane dot product of packed 8-bit words an integer shader calls: the WGSL builtins where
// the implementation has packed_4x8_integer_dot_product (OpContext.integerDotProduct), else
// quant.wgsl's plain forms (same values). Named through template placeholders, so a module never
// mentions a builtin its implementation lacks.
import type { OpContext } from '../program.js';

/** The DOT_I8 / DOT_U8 template constants. */
export function dotConstants(ctx: OpContext): { DOT_I8: string; DOT_U8: string } {
  return ctx.integerDotProduct ? { DOT_I8: 'dot4I8Packed', DOT_U8: 'dot4U8Packed' } : { DOT_I8: 'dot4_i8_plain', DOT_U8: 'dot4_u8_plain' };
}

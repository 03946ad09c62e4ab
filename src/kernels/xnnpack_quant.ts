// XNNPACK's quantized elementwise arithmetic, for the nodes TFLite's XNNPACK delegate takes when
// the interpreter is told it runs (KernelConfig.integerRounding 'xnnpack'): which 8-bit ADD / SUB
// / MUL it accepts (VisitAddNode, VisitSubNode, VisitMulNode), the qs8 / qu8 vadd and vmul
// requantization.
import { f32 } from '../quant/index.js';
import type { ElementFn, Operands } from './binary_int.js';
import { roundHalfEven, xnnpackActivationOk, xnnpackOutputRange } from './int/xnnpack_rounding.js';
import { type NodeContext, output, xnnpackRuns } from './kernel.js';

/**
 * Whether TFLite's XNNPACK delegate takes an 8-bit ADD / SUB (VisitAddNode / VisitSubNode):
 * per-tensor 8-bit operands with valid scales, each input_scale / output_scale (float) in
 * [2^-10, 2^8), rank <= 6. Returns the two float ratios, or null.
 */
export function xnnpackTakesAddSub(ctx: NodeContext, ops: Operands): [number, number] | null {
  if (!xnnpackRuns(ctx) || ops.type === 'int16') return null;
  const y = output(ctx, 0);
  if (![ops.a, ops.b, y].every(xnnpackActivationOk)) return null;
  if (y.shape.length > 6) return null;
  const ra = f32(ops.qa.scale / ops.qo.scale);
  const rb = f32(ops.qb.scale / ops.qo.scale);
  const ok = (r: number) => r >= 2 ** -10 && r < 256;
  return ok(ra) && ok(rb) ? [ra, rb] : null;
}

/**
 * XNNPACK's qs8 / qu8 vadd (SUB negates b's scale): each input_scale / output_scale becomes an
 * integer multiplier with 20 bits for the larger one (lrintf of the float times 2^shift, shift =
 * 20 - its exponent); the sum of the offset inputs times their multipliers is shifted right with
 * rounding half up, plus the output zero point, clamped to the quantized activation bounds.
 * (TFLite's reference path rescales in 31-bit fixed point and rounds half away from zero: the two
 * differ by one near ties.)
 */
export function xnnpackAddSub(ops: Operands, activation: number, ratios: [number, number], isSub: boolean): ElementFn {
  const [ra, rb] = ratios;
  const larger = Math.max(ra, rb);
  // The float's binary exponent (larger is a normal float32 in [2^-10, 2^8)).
  let exponent = Math.floor(Math.log2(larger));
  if (2 ** exponent > larger) exponent--;
  else if (2 ** (exponent + 1) <= larger) exponent++;
  const shift = 20 - exponent;
  const scaleUp = 2 ** shift;
  const am = roundHalfEven(ra * scaleUp);
  const bm = roundHalfEven((isSub ? -rb : rb) * scaleUp);
  const rounding = 2 ** (shift - 1);
  const zo = ops.qo.zeroPoint;
  const [lo, hi] = xnnpackOutputRange(activation, ops.qo.scale, zo, ops.type);
  const za = ops.qa.zeroPoint;
  const zb = ops.qb.zeroPoint;
  return (a, b) => {
    // |acc| < 2^30: exact in doubles; floor of an exact quotient by 2^shift is the arithmetic shift.
    const acc = (a - za) * am + (b - zb) * bm + rounding;
    const v = Math.floor(acc / scaleUp) + zo;
    return v < lo ? lo : Math.min(v, hi);
  };
}

/**
 * Whether TFLite's XNNPACK delegate takes an 8-bit MUL (VisitMulNode): per-tensor 8-bit operands
 * with valid scales and input1_scale * input2_scale / output_scale in [2^-16, 2^8), rank <= 6.
 */
export function xnnpackTakesMul(ctx: NodeContext, ops: Operands): number | null {
  if (!xnnpackRuns(ctx) || ops.type === 'int16') return null;
  const y = output(ctx, 0);
  if (![ops.a, ops.b, y].every(xnnpackActivationOk)) return null;
  if (y.shape.length > 6) return null;
  const scale = f32(f32(ops.qa.scale * ops.qb.scale) / ops.qo.scale);
  return scale >= 2 ** -16 && scale < 256 ? scale : null;
}

/**
 * XNNPACK's qs8 / qu8 vmul (fp32 requantization): the integer product times the float scale,
 * clamped, rounded to nearest even, plus the output zero point.
 */
export function xnnpackMul(ops: Operands, activation: number, scale: number): ElementFn {
  const zo = ops.qo.zeroPoint;
  const [lo, hi] = xnnpackOutputRange(activation, ops.qo.scale, zo, ops.type).map((q) => q - zo) as [number, number];
  const za = ops.qa.zeroPoint;
  const zb = ops.qb.zeroPoint;
  return (a, b) => {
    const acc = f32((a - za) * (b - zb) * scale);
    const c = acc < lo ? lo : Math.min(acc, hi);
    return roundHalfEven(c) + zo;
  };
}

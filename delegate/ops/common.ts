// Helpers shared by the op implementations: support checks that return a reason (or
// null when fine), fused activations and dispatch dimension helpers.
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { Activation } from '../../src/kernels/util.js';
import { sliceLayout } from '../layout.js';

/** Input i, or null when the model omits it. */
export function inputAt(node: DelegateNode, i: number): RuntimeTensor | null {
  return node.inputs[i] ?? null;
}

/** The first reason among the checks, or true. */
export function verdict(...reasons: (string | null)[]): true | string {
  for (const r of reasons) if (r) return r;
  return true;
}

export function inputCount(node: DelegateNode, min: number, max = min): string | null {
  const n = node.inputs.length;
  if (n < min || n > max) return `expected ${min === max ? min : `${min} to ${max}`} inputs, got ${n}`;
  return null;
}

/** The input must be present and have this rank (or one of these ranks). */
export function rankOf(t: RuntimeTensor | null, ranks: number | readonly number[], what: string): string | null {
  if (!t) return `${what} is missing`;
  const ok = typeof ranks === 'number' ? [ranks] : ranks;
  return ok.includes(t.shape.length) ? null : `${what} must have rank ${ok.join(' or ')}, got shape [${t.shape}]`;
}

/** The tensor must be known at prepare time (a constant or folded tensor). */
export function constant(t: RuntimeTensor | null, what: string): string | null {
  if (!t) return `${what} is missing`;
  return isKnown(t) ? null : `${what} must be a constant (it is computed at run time)`;
}

export function float32(t: RuntimeTensor | null, what: string): string | null {
  if (!t) return `${what} is missing`;
  return t.dtype === 'float32' ? null : `${what} has dtype ${t.dtype}; only float32 is supported`;
}

/**
 * The shader constant of a prepared fused activation (only the RELU family clamps). `none` is what
 * no clamp means for the op: ACT_NONE, or ACT_FINITE where TFLite clamps float results to
 * +-FLT_MAX anyway (binary ops, pooling).
 */
export function activationConstant(activation: number, none: 'ACT_NONE' | 'ACT_FINITE' = 'ACT_NONE'): string {
  switch (activation) {
    case Activation.RELU:
      return 'ACT_RELU';
    case Activation.RELU_N1_TO_1:
      return 'ACT_RELU_N1_TO_1';
    case Activation.RELU6:
      return 'ACT_RELU6';
    default:
      return none;
  }
}

/** 1-D, 2-D-folded dispatch helpers need 32-bit indices: every tensor below 2^31 slices. */
export function sliceCount(t: RuntimeTensor): number {
  return sliceLayout(t.shape).sliceCount;
}

/**
 * Splits a dispatch's outer dimensions for shaders that walk them (binary, pad, reduce): drops
 * size-1 dimensions and merges neighbours whose strides continue each other in every stride
 * list. Returns [size, ...strides] per dimension, innermost first.
 */
export function collapseDims(sizes: readonly number[], strides: readonly (readonly number[])[]): number[][] {
  const dims: number[][] = [];
  for (let d = 0; d < sizes.length; d++) {
    const size = sizes[d] as number;
    if (size === 1) continue;
    const own = strides.map((s) => s[d] as number);
    const last = dims[dims.length - 1];
    if (last && own.every((s, k) => (last[k + 1] as number) === s * size)) {
      last[0] = (last[0] as number) * size;
      own.forEach((s, k) => {
        last[k + 1] = s;
      });
    } else dims.push([size, ...own]);
  }
  return dims.reverse();
}

/** Row-major strides of a shape (the CPU kernels' helper). */
export { stridesOf } from '../../src/kernels/util.js';

/** vec4 uniform rows from collapsed dims (each padded to 4 numbers), flattened. */
export function dimRows(dims: readonly (readonly number[])[]): number[] {
  return dims.flatMap((d) => [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0]);
}

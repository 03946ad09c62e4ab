// Small shared helpers for CPU kernels: padding, activations, shapes and broadcasting.
// Semantics follow tensorflow/lite/kernels/padding.h and kernel_util.h.
import type { NodeContext } from './kernel.js';
import { fail } from './kernel.js';

/** Padding enum of the schema. */
export const Padding = { SAME: 0, VALID: 1 } as const;

/** ActivationFunctionType of the schema. */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** Output size of a windowed op (padding.h ComputeOutSize). */
export function computeOutSize(padding: number, inSize: number, filterSize: number, stride: number, dilation = 1): number {
  const effective = (filterSize - 1) * dilation + 1;
  if (stride === 0) return 0;
  if (padding === Padding.SAME) return Math.floor((inSize + stride - 1) / stride);
  return Math.max(0, Math.floor((inSize + stride - effective) / stride));
}

/**
 * Leading padding of a windowed op (padding.h ComputePaddingWithOffset): TFLite puts the odd
 * extra pixel at the end, so `before` = floor(total / 2).
 */
export function computePadding(stride: number, dilation: number, inSize: number, filterSize: number, outSize: number): number {
  const effective = (filterSize - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effective - inSize);
  return Math.floor(total / 2);
}

/** [min, max] clamp of a fused activation on float outputs (CalculateActivationRange). */
export function floatActivationRange(ctx: NodeContext, activation: number): [number, number] {
  switch (activation) {
    case Activation.NONE:
      return [-Infinity, Infinity];
    case Activation.RELU:
      return [0, Infinity];
    case Activation.RELU_N1_TO_1:
      return [-1, 1];
    case Activation.RELU6:
      return [0, 6];
    default:
      fail(ctx, `fused activation ${activation} is not supported here`);
  }
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i] as number;
  }
  return s;
}

/** NumPy broadcast of two shapes, or a clear error. */
export function broadcastShapes(ctx: NodeContext, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(ctx, `shapes [${a}] and [${b}] cannot be broadcast`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading `shape` as if broadcast to `outShape` (0 along broadcast dimensions),
 * aligned to outShape's rank.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const own = stridesOf(shape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = rank - shape.length + i;
    out[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : (own[i] as number);
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank, or fails. */
export function normalizeAxis(ctx: NodeContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(ctx, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Checks two shapes are equal, or fails naming both. */
export function expectSameShape(ctx: NodeContext, a: readonly number[], b: readonly number[], what: string): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) fail(ctx, `${what}: shapes [${a}] and [${b}] differ`);
}

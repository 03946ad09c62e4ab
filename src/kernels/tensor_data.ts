// Helpers for the data-movement kernels (reshape, slice, pad, gather, ...): dtype-generic element
// access, reading small index tensors (shapes, axes, paddings) at prepare, and strided copies.
import { type DType, hasTypedView, numElements } from '../model/dtype.js';
import type { NodeContext, RuntimeTensor } from './kernel.js';
import { fail, isKnown } from './kernel.js';

/** The common surface of every typed array, so one code path moves numbers and bigints alike. */
export interface ElementArray {
  readonly length: number;
  [index: number]: number | bigint;
  set(source: ElementArray, offset?: number): void;
  subarray(begin?: number, end?: number): ElementArray;
  fill(value: number | bigint, start?: number, end?: number): ElementArray;
  copyWithin(target: number, start: number, end?: number): ElementArray;
}

/** A tensor's elements as a dtype-agnostic array. */
export function elements(t: RuntimeTensor): ElementArray {
  return t.data as unknown as ElementArray;
}

/** Fails unless the tensor's dtype has a typed-array view (int4, string and the like do not). */
export function requireElementDtype(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  if (!hasTypedView(t.dtype)) fail(ctx, `${what} has dtype ${t.dtype}, which this kernel cannot move`);
}

/** Fails unless input and output dtypes agree. */
export function requireSameDtype(ctx: NodeContext, a: RuntimeTensor, b: RuntimeTensor, what: string): void {
  if (a.dtype !== b.dtype) fail(ctx, `${what}: dtypes ${a.dtype} and ${b.dtype} differ`);
}

/**
 * Fails when a tensor that decides an output shape is only computed at run time.
 * An empty tensor carries no values, so it counts as known.
 */
export function requireKnown(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  if (!isKnown(t) && numElements(t.shape) > 0) {
    fail(ctx, `${what} is computed at run time, so the output shape depends on runtime data (dynamic shapes are not supported yet)`);
  }
}

/** Values of an integer tensor (int32, int64, int16, int8, uint8) as JS numbers. */
export function intValues(ctx: NodeContext, t: RuntimeTensor, what: string): number[] {
  const n = numElements(t.shape);
  switch (t.dtype) {
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint8': {
      const d = t.data as Int32Array | Int16Array | Int8Array | Uint8Array;
      return Array.from(d.subarray(0, n));
    }
    case 'int64': {
      const d = t.data as BigInt64Array;
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const v = d[i] as bigint;
        if (v > 2147483647n || v < -2147483648n) fail(ctx, `${what} value ${v} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    default:
      fail(ctx, `${what} must be an integer tensor, got ${t.dtype}`);
  }
}

/** Fails unless `t` has one of the given dtypes. */
export function requireDtype(ctx: NodeContext, t: RuntimeTensor, allowed: readonly DType[], what: string): void {
  if (!allowed.includes(t.dtype)) fail(ctx, `${what} must be ${allowed.join(' or ')}, got ${t.dtype}`);
}

/** TFLite's per-tensor params.scale / zero_point (0 when the tensor is not quantized). */
export function tensorScale(t: RuntimeTensor): number {
  return t.quantization?.scale[0] ?? 0;
}
export function tensorZeroPoint(t: RuntimeTensor): number {
  return t.quantization?.zeroPoint[0] ?? 0;
}

/** Fails unless two tensors share scale and zero point, as TFLite demands of ops that only move bytes. */
export function requireSameQuantization(ctx: NodeContext, a: RuntimeTensor, b: RuntimeTensor, what: string): void {
  if (tensorScale(a) !== tensorScale(b) || tensorZeroPoint(a) !== tensorZeroPoint(b)) {
    fail(
      ctx,
      `${what}: quantization differs (scale ${tensorScale(a)} zero point ${tensorZeroPoint(a)} vs scale ${tensorScale(b)} zero point ${tensorZeroPoint(b)}); this op does not rescale`,
    );
  }
}

/** The zero of a dtype's element type (0n for 64-bit integers). */
export function zeroOf(dtype: DType): number | bigint {
  return dtype === 'int64' || dtype === 'uint64' ? 0n : 0;
}

/**
 * A strided read pattern: visit `shape` in row-major order, reading the source at
 * `base + Σ index[d] * strides[d]`. Produced in prepare by `simplifyStrided`.
 */
export interface StridedPlan {
  base: number;
  shape: number[];
  strides: number[];
  count: number;
}

/**
 * Drops size-1 dimensions and merges neighbours that are contiguous in the source, so
 * copies run over as few, as long rows as possible.
 */
export function simplifyStrided(base: number, shape: readonly number[], strides: readonly number[]): StridedPlan {
  const count = numElements(shape);
  const outShape: number[] = [];
  const outStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] as number;
    const s = strides[d] as number;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && (outStrides[last] as number) === s * n) {
      outShape[last] = (outShape[last] as number) * n;
      outStrides[last] = s;
    } else {
      outShape.push(n);
      outStrides.push(s);
    }
  }
  return { base, shape: outShape, strides: outStrides, count };
}

/** Writes the elements a StridedPlan reads from `src` into `dst`, sequentially from `dstOffset`. */
export function stridedCopy(src: ElementArray, plan: StridedPlan, dst: ElementArray, dstOffset = 0): void {
  if (plan.count === 0) return;
  const { shape, strides } = plan;
  const rank = shape.length;
  if (rank === 0) {
    dst[dstOffset] = src[plan.base];
    return;
  }
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const idx = new Int32Array(rank);
  let srcRow = plan.base;
  let o = dstOffset;
  const end = dstOffset + plan.count;
  while (o < end) {
    if (innerStride === 1) {
      dst.set(src.subarray(srcRow, srcRow + inner), o);
      o += inner;
    } else {
      for (let i = 0, s = srcRow; i < inner; i++, s += innerStride) dst[o++] = src[s];
    }
    // Advance the odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        srcRow += strides[d];
        break;
      }
      srcRow -= strides[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
}

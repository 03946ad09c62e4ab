// The integer dot-product core shared by CONV_2D, FULLY_CONNECTED and BATCH_MATMUL, and the
// offset weights it multiplies.
//
// Exactness: every product of (input + offset) and (weight + offset) is a small integer, and the
// sums stay far below 2^53, so they are exact in doubles. TFLite's 32-bit accumulators wrap; the
// exact sum wrapped once with `| 0` is the same value. The identity
// sum((x + off) * w) = sum(x * w) + off * sum(w) lets the hot loops multiply raw values.
import type { RuntimeTensor } from '../kernel.js';
import { isKnown } from '../kernel.js';
import type { IntArray } from './int_array.js';

/**
 * acc[accOff + r*accStride + n] = sum_k a[aOff + r*aStride + k] * w[wOff + n*K + k] for r < rows,
 * n < count: rows of `a` against `count` contiguous rows of `w`, two rows by four weight rows at a
 * time. Integer products, exact sums.
 */
export function dotRows(
  a: Int16Array,
  aOff: number,
  aStride: number,
  rows: number,
  K: number,
  w: Int16Array,
  wOff: number,
  count: number,
  acc: Float64Array,
  accOff: number,
  accStride: number,
): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const a0 = aOff + r * aStride;
    const a1 = a0 + aStride;
    const o0 = accOff + r * accStride;
    const o1 = o0 + accStride;
    let n = 0;
    for (; n + 4 <= count; n += 4) {
      const w0 = wOff + n * K;
      const w1 = w0 + K;
      const w2 = w1 + K;
      const w3 = w2 + K;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k] as number;
        const x1 = a[a1 + k] as number;
        const v0 = w[w0 + k] as number;
        const v1 = w[w1 + k] as number;
        const v2 = w[w2 + k] as number;
        const v3 = w[w3 + k] as number;
        s00 += x0 * v0;
        s01 += x0 * v1;
        s02 += x0 * v2;
        s03 += x0 * v3;
        s10 += x1 * v0;
        s11 += x1 * v1;
        s12 += x1 * v2;
        s13 += x1 * v3;
      }
      acc[o0 + n] = s00;
      acc[o0 + n + 1] = s01;
      acc[o0 + n + 2] = s02;
      acc[o0 + n + 3] = s03;
      acc[o1 + n] = s10;
      acc[o1 + n + 1] = s11;
      acc[o1 + n + 2] = s12;
      acc[o1 + n + 3] = s13;
    }
    for (; n < count; n++) {
      const w0 = wOff + n * K;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < K; k++) {
        const v = w[w0 + k] as number;
        s0 += (a[a0 + k] as number) * v;
        s1 += (a[a1 + k] as number) * v;
      }
      acc[o0 + n] = s0;
      acc[o1 + n] = s1;
    }
  }
  if (r < rows) {
    const a0 = aOff + r * aStride;
    const o0 = accOff + r * accStride;
    let n = 0;
    for (; n + 4 <= count; n += 4) {
      const w0 = wOff + n * K;
      const w1 = w0 + K;
      const w2 = w1 + K;
      const w3 = w2 + K;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = a[a0 + k] as number;
        s0 += x * (w[w0 + k] as number);
        s1 += x * (w[w1 + k] as number);
        s2 += x * (w[w2 + k] as number);
        s3 += x * (w[w3 + k] as number);
      }
      acc[o0 + n] = s0;
      acc[o0 + n + 1] = s1;
      acc[o0 + n + 2] = s2;
      acc[o0 + n + 3] = s3;
    }
    for (; n < count; n++) {
      const w0 = wOff + n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += (a[a0 + k] as number) * (w[w0 + k] as number);
      acc[o0 + n] = s;
    }
  }
}

/**
 * Weights as Int16 with their offset added (w - zero point), plus the sum of each row of `K`
 * (for the input-offset term). Refreshed each eval when the weights are not constant.
 */
export interface OffsetWeights {
  values: Int16Array;
  rowSums: Float64Array;
  offset: number;
  rowLength: number;
  constant: boolean;
}

export function offsetWeights(t: RuntimeTensor, offset: number, rows: number, rowLength: number): OffsetWeights {
  const w: OffsetWeights = {
    values: new Int16Array(rows * rowLength),
    rowSums: new Float64Array(rows),
    offset,
    rowLength,
    constant: isKnown(t),
  };
  if (w.constant) fillOffsetWeights(t.data as IntArray, w);
  return w;
}

export function fillOffsetWeights(src: IntArray, w: OffsetWeights): void {
  const { values, rowSums, offset, rowLength } = w;
  for (let r = 0; r < rowSums.length; r++) {
    let s = 0;
    for (let k = r * rowLength, end = k + rowLength; k < end; k++) {
      const v = (src[k] as number) + offset;
      values[k] = v;
      s += v;
    }
    rowSums[r] = s;
  }
}

/** The weights for this eval (re-read when they are not constant). */
export function currentWeights(t: RuntimeTensor, w: OffsetWeights): OffsetWeights {
  if (!w.constant) fillOffsetWeights(t.data as IntArray, w);
  return w;
}

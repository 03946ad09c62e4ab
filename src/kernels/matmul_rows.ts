// The float dot-product core of CONV_2D and FULLY_CONNECTED (also run on hybrid inputs already
// quantized to integers): rows of an input matrix against contiguous weight rows, plus bias,
// clamped. Sums run in doubles.

/**
 * out[outOff + n] = clamp(sum_k a[aOff + k] * w[wOff + n*K + k] + bias[biasOff + n]) for n < count:
 * one row of `a` against `count` contiguous rows of `w`. Four weight rows at a time so each
 * element of `a` is loaded once per four outputs. Sums run in doubles.
 */
export function rowTimesRows(
  a: Float32Array,
  aOff: number,
  K: number,
  w: Float32Array,
  wOff: number,
  count: number,
  bias: Float32Array | null,
  biasOff: number,
  out: Float32Array,
  outOff: number,
  lo: number,
  hi: number,
): void {
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
      const x = a[aOff + k] as number;
      s0 += x * (w[w0 + k] as number);
      s1 += x * (w[w1 + k] as number);
      s2 += x * (w[w2 + k] as number);
      s3 += x * (w[w3 + k] as number);
    }
    if (bias !== null) {
      s0 += bias[biasOff + n] as number;
      s1 += bias[biasOff + n + 1] as number;
      s2 += bias[biasOff + n + 2] as number;
      s3 += bias[biasOff + n + 3] as number;
    }
    out[outOff + n] = s0 < lo ? lo : Math.min(s0, hi);
    out[outOff + n + 1] = s1 < lo ? lo : Math.min(s1, hi);
    out[outOff + n + 2] = s2 < lo ? lo : Math.min(s2, hi);
    out[outOff + n + 3] = s3 < lo ? lo : Math.min(s3, hi);
  }
  for (; n < count; n++) {
    const w0 = wOff + n * K;
    let s = 0;
    for (let k = 0; k < K; k++) s += (a[aOff + k] as number) * (w[w0 + k] as number);
    if (bias !== null) s += bias[biasOff + n] as number;
    out[outOff + n] = s < lo ? lo : Math.min(s, hi);
  }
}

/**
 * out[outOff + r*outStride + n] = clamp(sum_k a[aOff + r*aStride + k] * w[wOff + n*K + k] + bias[biasOff + n])
 * for r < rows, n < count: rows of `a` against `count` contiguous rows of `w`, two rows by four
 * weight rows at a time (eight independent sums, each load used twice or four times).
 */
export function matmulRows(
  a: Float32Array,
  aOff: number,
  aStride: number,
  rows: number,
  K: number,
  w: Float32Array,
  wOff: number,
  count: number,
  bias: Float32Array | null,
  biasOff: number,
  out: Float32Array,
  outOff: number,
  outStride: number,
  lo: number,
  hi: number,
): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const a0 = aOff + r * aStride;
    const a1 = a0 + aStride;
    const o0 = outOff + r * outStride;
    const o1 = o0 + outStride;
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
      if (bias !== null) {
        const b0 = bias[biasOff + n] as number;
        const b1 = bias[biasOff + n + 1] as number;
        const b2 = bias[biasOff + n + 2] as number;
        const b3 = bias[biasOff + n + 3] as number;
        s00 += b0;
        s01 += b1;
        s02 += b2;
        s03 += b3;
        s10 += b0;
        s11 += b1;
        s12 += b2;
        s13 += b3;
      }
      out[o0 + n] = s00 < lo ? lo : Math.min(s00, hi);
      out[o0 + n + 1] = s01 < lo ? lo : Math.min(s01, hi);
      out[o0 + n + 2] = s02 < lo ? lo : Math.min(s02, hi);
      out[o0 + n + 3] = s03 < lo ? lo : Math.min(s03, hi);
      out[o1 + n] = s10 < lo ? lo : Math.min(s10, hi);
      out[o1 + n + 1] = s11 < lo ? lo : Math.min(s11, hi);
      out[o1 + n + 2] = s12 < lo ? lo : Math.min(s12, hi);
      out[o1 + n + 3] = s13 < lo ? lo : Math.min(s13, hi);
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
      if (bias !== null) {
        s0 += bias[biasOff + n] as number;
        s1 += bias[biasOff + n] as number;
      }
      out[o0 + n] = s0 < lo ? lo : Math.min(s0, hi);
      out[o1 + n] = s1 < lo ? lo : Math.min(s1, hi);
    }
  }
  if (r < rows) rowTimesRows(a, aOff + r * aStride, K, w, wOff, count, bias, biasOff, out, outOff + r * outStride, lo, hi);
}

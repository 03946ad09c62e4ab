// Floating-point helpers that TFLite's quantization code relies on: std::round (TfLiteRound),
// std::frexp, and float32 rounding of intermediate results.

/**
 * std::round / roundf (TfLiteRound): nearest integer, ties away from zero. Math.round would
 * send -2.5 to -2; TFLite gets -3. Exact for every double: x - trunc(x) is computed exactly.
 */
export function tfliteRound(x: number): number {
  const t = Math.trunc(x);
  const frac = x - t;
  if (frac >= 0.5) return t + 1;
  if (frac <= -0.5) return t - 1;
  return t;
}

const frexpView = new DataView(new ArrayBuffer(8));

/**
 * std::frexp: x = fraction * 2^exponent with |fraction| in [0.5, 1). Works on the bit pattern,
 * so it is exact for every finite double, subnormals included. 0, ±Infinity and NaN come back
 * unchanged with exponent 0.
 */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  let scaleExponent = 0;
  frexpView.setFloat64(0, x);
  let high = frexpView.getUint32(0);
  let biased = (high >>> 20) & 0x7ff;
  if (biased === 0) {
    // Subnormal: bring it into the normal range first (a power-of-two scaling is exact).
    frexpView.setFloat64(0, x * 2 ** 64);
    high = frexpView.getUint32(0);
    biased = (high >>> 20) & 0x7ff;
    scaleExponent = -64;
  }
  // Replace the exponent field by that of 0.5 (biased 1022) to get the fraction.
  frexpView.setUint32(0, ((high & 0x800fffff) | (1022 << 20)) >>> 0);
  return { fraction: frexpView.getFloat64(0), exponent: biased - 1022 + scaleExponent };
}

/** Math.fround under a shorter name: rounds a double to the nearest float32. */
export const f32 = Math.fround;

// Independent references for the quantized arithmetic: TFLite's / gemmlowp's formulas written
// out with BigInt, which has the 64-bit products and C++ integer division semantics natively
// (BigInt division truncates toward zero, >> is an arithmetic floor shift). Slow, exact, and
// structurally unlike the number-based code under test.

export const I32_MIN = -(2n ** 31n);
export const I32_MAX = 2n ** 31n - 1n;

/** gemmlowp SaturatingRoundingDoublingHighMul<int32>, literally. */
export function srdhmRef(a: bigint, b: bigint): bigint {
  if (a === b && a === I32_MIN) return I32_MAX;
  const ab = a * b;
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return BigInt.asIntN(32, (ab + nudge) / (1n << 31n));
}

/** gemmlowp SaturatingRoundingDoublingHighMul<int16>, literally. */
export function srdhm16Ref(a: bigint, b: bigint): bigint {
  if (a === b && a === -32768n) return 32767n;
  const ab = a * b;
  const nudge = ab >= 0n ? 1n << 14n : 1n - (1n << 14n);
  return BigInt.asIntN(16, (ab + nudge) / (1n << 15n));
}

/** gemmlowp RoundingDivideByPOT, literally (mask, remainder, threshold). */
export function rdbpotRef(x: bigint, exponent: bigint): bigint {
  const mask = (1n << exponent) - 1n;
  const remainder = x & mask;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> exponent) + (remainder > threshold ? 1n : 0n);
}

/** x / 2^e rounded to nearest with ties away from zero, from the definition. */
export function roundHalfAwayDivPow2(x: bigint, exponent: bigint): bigint {
  if (exponent === 0n) return x;
  const half = 1n << (exponent - 1n);
  const magnitude = ((x < 0n ? -x : x) + half) >> exponent;
  return x < 0n ? -magnitude : magnitude;
}

/** TFLite MultiplyByQuantizedMultiplier(int32), double rounding; the left shift wraps to int32. */
export function mbqmRef(x: bigint, m: bigint, shift: number): bigint {
  const left = BigInt(Math.max(shift, 0));
  const right = BigInt(Math.max(-shift, 0));
  return rdbpotRef(srdhmRef(BigInt.asIntN(32, x << left), m), right);
}

/** TFLite MultiplyByQuantizedMultiplier(int64), double-rounding build, literally. */
export function mbqm64Ref(x: bigint, m: bigint, shift: number): bigint {
  const reduced = m < 0x7fff0000n ? (m + (1n << 15n)) >> 16n : 0x7fffn;
  const totalShift = BigInt(15 - shift);
  return BigInt.asIntN(32, (x * reduced + (1n << (totalShift - 1n))) >> totalShift);
}

/** Deterministic 32-bit PRNG (mulberry32), so failures reproduce. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Random int32 values mixing uniform draws, small magnitudes and values near powers of two. */
export function int32Source(seed: number): () => number {
  const next = prng(seed);
  return () => {
    const kind = next() % 4;
    if (kind === 0) return next() | 0;
    if (kind === 1) return (next() | 0) >> (next() % 32);
    if (kind === 2) {
      const p = 2 ** (next() % 31);
      const v = p + ((next() % 9) - 4);
      return (next() & 1 ? -v : v) | 0;
    }
    return (next() % 2001) - 1000;
  };
}

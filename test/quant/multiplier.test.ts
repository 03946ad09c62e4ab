import { describe, expect, it } from 'vitest';
import {
  biasScaleMatches,
  calculateInputRadius,
  downScaleInt32ToInt16Multiplier,
  frexp,
  INT32_MAX,
  INT32_MIN,
  legacyConvolutionMultiplier,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  multiplyByQuantizedMultiplierInt64,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  perChannelMultipliers,
  preprocessLogSoftmaxScalingExp,
  preprocessSoftmaxScaling,
  quantizeMultiplier,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  tfliteRound,
} from '../../src/quant/index.js';
import { int32Source, mbqm64Ref, mbqmRef, prng, rdbpotRef, srdhmRef } from './bigint_reference.js';

const N = 1_000_000;

describe('multiplyByQuantizedMultiplier (int32)', () => {
  it('matches the BigInt reference on 1e6 random (x, multiplier, shift)', () => {
    const nextX = int32Source(11);
    const next = prng(12);
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < N; i++) {
      let x = nextX();
      const m = i % 4 === 3 ? next() | 0 : 0x40000000 + (next() % 0x40000000);
      const shift = (next() % 40) - 31; // [-31, 8]
      if (i & 1 && shift > 0) x >>= shift; // half the left-shift cases without wrapping
      const got = multiplyByQuantizedMultiplier(x, m, shift);
      const want = Number(mbqmRef(BigInt(x), BigInt(m), shift));
      if (got !== want && mismatches++ === 0) first = `mbqm(${x}, ${m}, ${shift}) = ${got}, want ${want}`;
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
  });

  it('the SmallerThanOneExp / GreaterThanOne forms agree with the reference', () => {
    const nextX = int32Source(13);
    const next = prng(14);
    for (let i = 0; i < 100_000; i++) {
      const x = nextX();
      const m = 0x40000000 + (next() % 0x40000000);
      const right = next() % 32;
      expect(multiplyByQuantizedMultiplierSmallerThanOneExp(x, m, -right)).toBe(
        Number(rdbpotRef(srdhmRef(BigInt(x), BigInt(m)), BigInt(right))),
      );
      const left = next() % 32;
      expect(multiplyByQuantizedMultiplierGreaterThanOne(x, m, left)).toBe(
        Number(srdhmRef(BigInt.asIntN(32, BigInt(x) << BigInt(left)), BigInt(m))),
      );
    }
  });

  it('reproduces TFLite quantization_util_test expectations', () => {
    const qm = (x: number, real: number) => {
      const q = quantizeMultiplier(real);
      return multiplyByQuantizedMultiplier(x, q.multiplier, q.shift);
    };
    expect(qm(0, 0.1)).toBe(0);
    expect(qm(1, 0)).toBe(0);
    expect(qm(10000, 0.00097656)).toBe(10);
    expect(qm(-10000, 0.00097656)).toBe(-10);
    expect(qm(INT32_MIN, 0.00001)).toBe(-21475);
    expect(qm(INT32_MAX, 0.00001)).toBe(21475);
    expect(qm(10000, -0.00097656)).toBe(-10);
    expect(qm(-10000, -0.00097656)).toBe(10);
    expect(qm(INT32_MIN, -0.00001)).toBe(21475);
    expect(qm(INT32_MAX, -0.00001)).toBe(-21475);
    expect(multiplyByQuantizedMultiplier(INT32_MAX, INT32_MAX, -3)).toBe(268435456);
    expect(multiplyByQuantizedMultiplier(-INT32_MAX, INT32_MAX, -3)).toBe(-268435456);
  });

  it('double rounding: ties of the final shift round away from zero', () => {
    // 2^30 multiplier = 0.5: SRDHM(x, 2^30) = x/2 rounded, then the shift rounds again.
    expect(multiplyByQuantizedMultiplier(3, 1 << 30, -1)).toBe(1); // 3*0.5 = 1.5 -> 2 (up), 2/2 = 1
    expect(multiplyByQuantizedMultiplier(-3, 1 << 30, -1)).toBe(-1); // -1.5 -> -1 (SRDHM), -1/2 -> -1 (away)
    expect(multiplyByQuantizedMultiplier(6, 1 << 30, -1)).toBe(2); // 3/2 -> 2
    expect(multiplyByQuantizedMultiplier(-6, 1 << 30, -1)).toBe(-2); // -3/2 -> -2
    expect(multiplyByQuantizedMultiplier(5, 1 << 30, 0)).toBe(3);
    expect(multiplyByQuantizedMultiplier(-5, 1 << 30, 0)).toBe(-2);
    expect(multiplyByQuantizedMultiplier(7, INT32_MAX, 0)).toBe(7);
    expect(multiplyByQuantizedMultiplier(1, INT32_MAX, 31)).toBe(-INT32_MAX); // 1 << 31 wraps to INT32_MIN
  });
});

describe('multiplyByQuantizedMultiplierInt64 (16x8 accumulators)', () => {
  it('matches the BigInt reference on 1e6 random cases within +-2^47', () => {
    const next = prng(21);
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < N; i++) {
      const bits = next() % 48;
      const magnitude = (next() * 2 ** 16 + (next() & 0xffff)) % 2 ** bits; // < 2^bits <= 2^47
      const x = next() & 1 ? -magnitude : magnitude;
      const m = i % 5 === 0 ? 0x7ffe0000 + (next() % 0x20000) : 0x40000000 + (next() % 0x40000000);
      const shift = (next() % 39) - 31; // [-31, 7]
      const got = multiplyByQuantizedMultiplierInt64(x, m, shift);
      const want = Number(mbqm64Ref(BigInt(x), BigInt(m), shift));
      if (got !== want && mismatches++ === 0) first = `mbqm64(${x}, ${m}, ${shift}) = ${got}, want ${want}`;
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
  });

  it('stays exact (with the int32 wrap) for |x| up to 2^53', () => {
    const next = prng(22);
    for (let i = 0; i < 200_000; i++) {
      const magnitude = (next() % 2 ** 21) * 2 ** 32 + next(); // < 2^53
      const x = next() & 1 ? -magnitude : magnitude;
      const m = next() >>> 1;
      const shift = (next() % 39) - 31;
      expect(multiplyByQuantizedMultiplierInt64(x, m, shift)).toBe(Number(mbqm64Ref(BigInt(x), BigInt(m), shift)));
    }
  });

  it('hand-picked edges', () => {
    const edgesX = [
      0,
      1,
      -1,
      2 ** 47 - 1,
      -(2 ** 47),
      2 ** 47,
      -(2 ** 47) + 1,
      2 ** 31,
      -(2 ** 31),
      12345,
      -12345,
      2 ** 52,
      -(2 ** 53) + 1,
    ];
    const edgesM = [0, 1, 0x7fff, 0x8000, 1 << 30, 0x7ffeffff, 0x7fff0000, 0x7fff8000, INT32_MAX];
    for (const x of edgesX) {
      for (const m of edgesM) {
        for (let shift = -31; shift <= 7; shift++) {
          expect(multiplyByQuantizedMultiplierInt64(x, m, shift), `${x} ${m} ${shift}`).toBe(
            Number(mbqm64Ref(BigInt(x), BigInt(m), shift)),
          );
        }
      }
    }
    // TFLite quantization_util_test expectations.
    const qm = (x: number, real: number) => {
      const q = quantizeMultiplier(real);
      return multiplyByQuantizedMultiplierInt64(x, q.multiplier, q.shift);
    };
    expect(qm(0, 0.1)).toBe(0);
    expect(qm(1, 0)).toBe(0);
    expect(qm(10000, 0.00097656)).toBe(10);
    expect(qm(-10000, 0.00097656)).toBe(-10);
    expect(qm(-(2 ** 47), 0.00001)).toBe(-1407385600);
    expect(qm(2 ** 47 - 1, 0.00001)).toBe(1407385600);
    expect(multiplyByQuantizedMultiplierInt64(2 ** 47 - 1, INT32_MAX, -31)).toBe(65534);
    expect(multiplyByQuantizedMultiplierInt64(-(2 ** 47 - 1), INT32_MAX, -31)).toBe(-65534);
    // Rounding is half up (+infinity): -0.5 -> 0, 0.5 -> 1. m = 2^30 reduces to 2^14; shift 0 divides by 2^15.
    expect(multiplyByQuantizedMultiplierInt64(1, 1 << 30, 0)).toBe(1);
    expect(multiplyByQuantizedMultiplierInt64(-1, 1 << 30, 0)).toBe(0);
    expect(multiplyByQuantizedMultiplierInt64(-3, 1 << 30, 0)).toBe(-1);
  });
});

describe('frexp and tfliteRound', () => {
  it('frexp decomposes exactly, subnormals included', () => {
    expect(frexp(1)).toEqual({ fraction: 0.5, exponent: 1 });
    expect(frexp(0.25)).toEqual({ fraction: 0.5, exponent: -1 });
    expect(frexp(-1)).toEqual({ fraction: -0.5, exponent: 1 });
    expect(frexp(123.45)).toEqual({ fraction: 123.45 / 128, exponent: 7 });
    expect(frexp(Number.MIN_VALUE)).toEqual({ fraction: 0.5, exponent: -1073 });
    expect(frexp(Number.MAX_VALUE)).toEqual({ fraction: 1 - 2 ** -53, exponent: 1024 });
    expect(frexp(0)).toEqual({ fraction: 0, exponent: 0 });
    const next = prng(31);
    for (let i = 0; i < 100_000; i++) {
      const x = (next() / 2 ** 32 + 1e-9) * 2 ** ((next() % 2098) - 1075) * (next() & 1 ? -1 : 1);
      if (x === 0) continue;
      const { fraction, exponent } = frexp(x);
      expect(Math.abs(fraction) >= 0.5 && Math.abs(fraction) < 1).toBe(true);
      // Scale back in two steps so that neither overflows nor underflows on the way.
      const half = Math.trunc(exponent / 2);
      expect(fraction * 2 ** half * 2 ** (exponent - half)).toBe(x);
    }
  });

  it('tfliteRound rounds half away from zero', () => {
    expect(tfliteRound(2.5)).toBe(3);
    expect(tfliteRound(-2.5)).toBe(-3);
    expect(tfliteRound(0.49999999999999994)).toBe(0);
    expect(tfliteRound(-0.49999999999999994)).toBe(-0);
    expect(tfliteRound(1.5)).toBe(2);
    expect(tfliteRound(-1.4)).toBe(-1);
    expect(tfliteRound(2 ** 52 + 1)).toBe(2 ** 52 + 1);
    expect(tfliteRound(4503599627370495.5)).toBe(4503599627370496);
    expect(tfliteRound(-4503599627370495.5)).toBe(-4503599627370496);
  });
});

describe('quantizeMultiplier', () => {
  it('hand-computed values', () => {
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 3 << 29, shift: 0 });
    expect(quantizeMultiplier(2 ** -31)).toEqual({ multiplier: 1 << 30, shift: -30 });
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 1 << 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 }); // flushed
    expect(quantizeMultiplier(Math.fround(0.99) * 2 ** -32)).toEqual({ multiplier: 0, shift: 0 });
    // 1 - 2^-40: q * 2^31 = 2^31 - 2^-9 rounds to 2^31, halved, shift incremented.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(1 - 2 ** -31)).toEqual({ multiplier: INT32_MAX, shift: 0 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(-0.5)).toEqual({ multiplier: -(1 << 30), shift: 0 });
    expect(quantizeMultiplier(-(1 - 2 ** -40))).toEqual({ multiplier: INT32_MIN, shift: 0 }); // no halving for -2^31
    expect(quantizeMultiplier(1e-300)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(Number.MIN_VALUE)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1e300)).toEqual({ multiplier: 1603334688, shift: 997 }); // from the TFLite golden run
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 3 << 29, shift: 2 });
    // Round half away from zero on q * 2^31: 0.5 + 2^-32 is 2^30 + 0.5 -> 2^30 + 1.
    expect(quantizeMultiplier(0.5 + 2 ** -32)).toEqual({ multiplier: (1 << 30) + 1, shift: 0 });
    expect(quantizeMultiplier(-(0.5 + 2 ** -32))).toEqual({ multiplier: -(1 << 30) - 1, shift: 0 });
    expect(() => quantizeMultiplier(Number.NaN)).toThrow();
    expect(() => quantizeMultiplier(Number.POSITIVE_INFINITY)).toThrow();
  });

  it('reproduces TFLite quantization_util_test expectations', () => {
    const small = (d: number) => {
      const q = quantizeMultiplierSmallerThanOneExp(d);
      return [q.multiplier, q.shift];
    };
    expect(() => small(-0.1)).toThrow();
    expect(() => small(0)).toThrow();
    expect(small(0.25)).toEqual([1073741824, -1]);
    expect(small(0.5 - 5e-9)).toEqual([2147483627, -1]);
    expect(small(0.5 - 1e-10)).toEqual([1073741824, 0]);
    expect(small(0.5)).toEqual([1073741824, 0]);
    expect(small(0.75)).toEqual([1610612736, 0]);
    expect(small(1 - 1e-9)).toEqual([2147483646, 0]);
    expect(() => small(1 - 1e-15)).toThrow();
    expect(() => small(1 - 1e-17)).toThrow();
    expect(() => small(1)).toThrow();

    const big = (d: number) => {
      const q = quantizeMultiplierGreaterThanOne(d);
      return [q.multiplier, q.shift];
    };
    expect(() => big(1 + 1e-16)).toThrow();
    expect(big(1 + 1e-11)).toEqual([1073741824, 1]);
    expect(big(1.25)).toEqual([1342177280, 1]);
    expect(big(1.5)).toEqual([1610612736, 1]);
    expect(big(1.75)).toEqual([1879048192, 1]);
    expect(big(2 - 1e-9)).toEqual([2147483647, 1]);
    expect(big(2 - 1e-11)).toEqual([1073741824, 2]);
    expect(big(2)).toEqual([1073741824, 2]);

    const weights = [-4, -2, -1, -0.5, -0.25, -0.125, 0, 0.125, 0.25, 0.5, 1, 2, 4];
    expect(weights.map((w) => quantizeMultiplier(w).multiplier)).toEqual([
      -1073741824, -1073741824, -1073741824, -1073741824, -1073741824, -1073741824, 0, 1073741824, 1073741824, 1073741824, 1073741824,
      1073741824, 1073741824,
    ]);
    expect(weights.map((w) => quantizeMultiplier(w).shift)).toEqual([3, 2, 1, 0, -1, -2, 0, -2, -1, 0, 1, 2, 3]);
  });

  it('is the nearest Q0.31 significand (ties away from zero) for random multipliers', () => {
    const next = prng(41);
    for (let i = 0; i < 200_000; i++) {
      const real = (next() / 2 ** 32 + 2 ** -33) * 2 ** ((next() % 60) - 40);
      const { multiplier, shift } = quantizeMultiplier(real);
      if (multiplier === 0) {
        expect(real < 2 ** -32).toBe(true);
        continue;
      }
      expect(multiplier >= 2 ** 30 && multiplier <= INT32_MAX).toBe(true);
      // Exact check with BigInt: real = M * 2^E exactly, and real * 2^(31 - shift) - multiplier
      // lies in [-1/2, 1/2): an exact half (positive values) rounds up.
      const { fraction, exponent } = frexp(real);
      const mantissa = BigInt(fraction * 2 ** 53); // exact integer
      const num = mantissa * 2n ** BigInt(Math.max(0, 31 - shift + exponent));
      const den = 2n ** BigInt(53 + Math.max(0, shift - 31 - exponent));
      const twiceDiff = 2n * (num - BigInt(multiplier) * den);
      expect(twiceDiff >= -den && twiceDiff < den).toBe(true);
    }
  });
});

describe('softmax scaling and input radius', () => {
  it('reproduces TFLite quantization_util_test expectations', () => {
    expect(preprocessSoftmaxScaling(1, 16, 4)).toEqual({ multiplier: 2147483647, shift: 31 });
    expect(preprocessSoftmaxScaling(1, 8, 4)).toEqual({ multiplier: 1073741824, shift: 31 });
    expect(preprocessSoftmaxScaling(2, 16, 5)).toEqual({ multiplier: 2147483647, shift: 31 });
    expect(preprocessSoftmaxScaling(2, 8, 5)).toEqual({ multiplier: 1073741824, shift: 31 });
    expect(calculateInputRadius(4, 27)).toBe(15);
    expect(calculateInputRadius(3, 27)).toBe(14);
    expect(calculateInputRadius(3, 28)).toBe(7);
    expect(calculateInputRadius(4, 2)).toBe(503316480);
  });

  it('hand-computed softmax scaling', () => {
    // beta * scale * 2^26 = 2^-8 * 2^26 = 2^18 -> q = 0.5 with exponent 19.
    expect(preprocessSoftmaxScaling(1, 2 ** -8, 5)).toEqual({ multiplier: 1 << 30, shift: 19 });
    // Radius for 5 integer bits: floor(31 * 2^26 / 2^19) = 3968.
    expect(calculateInputRadius(5, 19)).toBe(3968);
    const log = preprocessLogSoftmaxScalingExp(1, 2 ** -8, 5);
    expect(log.multiplier).toBe(1 << 30);
    expect(log.leftShift).toBe(19);
    // 2^(31-19) / 2^30 = 2^-18: multiplier 2^30 with shift -17.
    expect(log.reverseScalingDivisor).toBe(1 << 30);
    expect(log.reverseScalingLeftShift).toBe(-17);
  });
});

describe('convolution multipliers', () => {
  it('per-channel multipliers are double quotients of float32 scales', () => {
    const filterScales = new Float32Array([0.01, 0.02, 0.003]);
    const { multipliers, shifts } = perChannelMultipliers(0.5, filterScales, 0.1);
    for (let c = 0; c < 3; c++) {
      const real = (0.5 * (filterScales[c] as number)) / Math.fround(0.1);
      expect([multipliers[c], shifts[c]]).toEqual([quantizeMultiplier(real).multiplier, quantizeMultiplier(real).shift]);
    }
    // A single scale is broadcast.
    const one = perChannelMultipliers(0.5, [0.25], 0.5, 4);
    expect(Array.from(one.multipliers)).toEqual([1 << 30, 1 << 30, 1 << 30, 1 << 30]);
    expect(Array.from(one.shifts)).toEqual([-1, -1, -1, -1]);
  });

  it('the legacy per-tensor multiplier rounds input*filter to float32 first', () => {
    const a = Math.fround(0.1);
    const b = Math.fround(0.3);
    const out = Math.fround(0.7);
    expect(legacyConvolutionMultiplier(0.1, 0.3, 0.7)).toBe(Math.fround(a * b) / out);
    expect(Math.fround(a * b) / out).not.toBe((a * b) / out);
    expect(biasScaleMatches(0.1, 0.3, Math.fround(0.1) * Math.fround(0.3), 0.7)).toBe(true);
    expect(biasScaleMatches(0.1, 0.3, 0.05, 0.7)).toBe(false);
  });

  it('downScaleInt32ToInt16Multiplier rounds and saturates', () => {
    expect(downScaleInt32ToInt16Multiplier(1 << 30)).toBe(1 << 14);
    expect(downScaleInt32ToInt16Multiplier((1 << 30) + 0x7fff)).toBe(1 << 14);
    expect(downScaleInt32ToInt16Multiplier((1 << 30) + 0x8000)).toBe((1 << 14) + 1);
    expect(downScaleInt32ToInt16Multiplier(INT32_MAX - 0x8000)).toBe(32767);
    expect(downScaleInt32ToInt16Multiplier(INT32_MAX - 0x8001)).toBe(32767);
  });
});

import { describe, expect, it } from 'vitest';
import {
  countLeadingSignBits32,
  INT16_MAX,
  INT16_MIN,
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPOT,
  roundingDivideByPOTInt16,
  roundingHalfSum,
  saturatingAddInt16,
  saturatingAddInt32,
  saturatingDoublingHighMulInt16,
  saturatingLeftShiftInt16,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMulInt16,
  saturatingRoundingMultiplyByPOT,
  saturatingSubInt16,
  saturatingSubInt32,
} from '../../src/quant/index.js';
import { int32Source, prng, rdbpotRef, roundHalfAwayDivPow2, srdhm16Ref, srdhmRef } from './bigint_reference.js';

const N = 1_000_000;

describe('saturatingRoundingDoublingHighMul (int32)', () => {
  it('matches the BigInt reference on 1e6 random pairs', () => {
    const next = int32Source(1);
    const nextRaw = prng(2);
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < N; i++) {
      const a = next();
      // Half the multipliers in TFLite's usual range [2^30, 2^31 - 1].
      const b = i & 1 ? next() : 0x40000000 + (nextRaw() % 0x40000000);
      const got = saturatingRoundingDoublingHighMul(a, b);
      const want = Number(srdhmRef(BigInt(a), BigInt(b)));
      if (got !== want && mismatches++ === 0) first = `srdhm(${a}, ${b}) = ${got}, want ${want}`;
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
  });

  it('rounds exact ties toward +infinity (gemmlowp nudge), checked on 1e5 constructed ties', () => {
    const next = prng(3);
    for (let i = 0; i < 100_000; i++) {
      // a*b = odd * 2^30, i.e. an exact half in units of 2^31.
      const k = next() % 31;
      const b = (next() & 1 ? -1 : 1) * 2 ** k;
      const oddLimit = 2 ** (k + 1); // keeps |a| = odd * 2^(30-k) below 2^31
      const odd = 2 * (next() % (oddLimit / 2)) + 1;
      const a = (next() & 1 ? -odd : odd) * 2 ** (30 - k);
      if (b === INT32_MIN || a < INT32_MIN || a > INT32_MAX) continue;
      const got = saturatingRoundingDoublingHighMul(a, b);
      expect(got).toBe(Number(srdhmRef(BigInt(a), BigInt(b))));
      expect(got).toBe(Math.floor((a * b) / 2 ** 31) + 1); // x.5 -> x+1, -x.5 -> -x
    }
  });

  it('hand-picked edges', () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX); // the only saturation
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(INT32_MAX - 1);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, 1)).toBe(-1);
    expect(saturatingRoundingDoublingHighMul(1 << 30, 1)).toBe(1); // +0.5 -> 1
    expect(saturatingRoundingDoublingHighMul(-(1 << 30), 1)).toBe(0); // -0.5 -> 0
    expect(saturatingRoundingDoublingHighMul(-(3 << 29), 1)).toBe(-1); // -0.75 -> -1
    expect(saturatingRoundingDoublingHighMul(3 << 28, 2)).toBe(1); // 0.75 -> 1
    expect(saturatingRoundingDoublingHighMul(0, INT32_MIN)).toBe(0);
    expect(Object.is(saturatingRoundingDoublingHighMul(0, -5), 0)).toBe(true); // no -0
    expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)).toBe(1 << 29); // 0.5 * 0.5
    expect(saturatingRoundingDoublingHighMul(-(1 << 30), 1 << 30)).toBe(-(1 << 29));
  });
});

describe('saturatingRoundingDoublingHighMul (int16) and the truncating variant', () => {
  it('matches the BigInt reference on every 1/17th pair of int16 values', () => {
    let mismatches = 0;
    for (let a = INT16_MIN; a <= INT16_MAX; a += 17) {
      for (let b = INT16_MIN; b <= INT16_MAX; b += 13) {
        if (saturatingRoundingDoublingHighMulInt16(a, b) !== Number(srdhm16Ref(BigInt(a), BigInt(b)))) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(saturatingRoundingDoublingHighMulInt16(INT16_MIN, INT16_MIN)).toBe(INT16_MAX);
    expect(saturatingRoundingDoublingHighMulInt16(1 << 14, 1)).toBe(1);
    expect(saturatingRoundingDoublingHighMulInt16(-(1 << 14), 1)).toBe(0);
  });

  it('SaturatingDoublingHighMul truncates toward zero', () => {
    expect(saturatingDoublingHighMulInt16(1 << 14, 1)).toBe(0);
    expect(saturatingDoublingHighMulInt16(-(3 << 13), 1)).toBe(0);
    expect(saturatingDoublingHighMulInt16(-(1 << 14), 3)).toBe(-1); // -1.5 -> -1
    expect(saturatingDoublingHighMulInt16(INT16_MIN, INT16_MIN)).toBe(INT16_MAX);
    expect(saturatingDoublingHighMulInt16(INT16_MAX, INT16_MAX)).toBe(32766);
  });
});

describe('roundingDivideByPOT', () => {
  it('matches the literal BigInt reference and round-half-away-from-zero on 1e6 cases', () => {
    const next = int32Source(4);
    const nextRaw = prng(5);
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < N; i++) {
      const x = next();
      const e = nextRaw() % 32;
      const got = roundingDivideByPOT(x, e);
      const want = rdbpotRef(BigInt(x), BigInt(e));
      if ((got !== Number(want) || want !== roundHalfAwayDivPow2(BigInt(x), BigInt(e))) && mismatches++ === 0) {
        first = `rdbpot(${x}, ${e}) = ${got}, want ${want}`;
      }
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
  });

  it('hand-picked edges: ties, negatives, exponents 0 and 31', () => {
    expect(roundingDivideByPOT(3, 1)).toBe(2);
    expect(roundingDivideByPOT(-3, 1)).toBe(-2); // -1.5 -> -2 (away from zero)
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-5, 2)).toBe(-1); // -1.25
    expect(roundingDivideByPOT(-6, 2)).toBe(-2); // -1.5
    expect(roundingDivideByPOT(-7, 2)).toBe(-2); // -1.75
    expect(roundingDivideByPOT(6, 2)).toBe(2); // 1.5
    expect(roundingDivideByPOT(12345, 0)).toBe(12345);
    expect(roundingDivideByPOT(INT32_MIN, 0)).toBe(INT32_MIN);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(1 << 30, 31)).toBe(1); // 0.5
    expect(roundingDivideByPOT(-(1 << 30), 31)).toBe(-1); // -0.5
    expect(roundingDivideByPOT((1 << 30) - 1, 31)).toBe(0);
    expect(roundingDivideByPOT(-(1 << 30) + 1, 31)).toBe(0);
  });

  it('int16 instantiation degenerates to +-1 from exponent 16 on', () => {
    expect(roundingDivideByPOTInt16(-3, 1)).toBe(-2);
    expect(roundingDivideByPOTInt16(16384, 15)).toBe(1);
    expect(roundingDivideByPOTInt16(0, 16)).toBe(1);
    expect(roundingDivideByPOTInt16(100, 20)).toBe(1);
    expect(roundingDivideByPOTInt16(-100, 20)).toBe(-1);
  });
});

describe('saturating helpers', () => {
  it('saturatingRoundingMultiplyByPOT saturates left shifts and rounds right shifts', () => {
    expect(saturatingRoundingMultiplyByPOT(1 << 29, 1)).toBe(1 << 30);
    expect(saturatingRoundingMultiplyByPOT(1 << 30, 1)).toBe(INT32_MAX);
    expect(saturatingRoundingMultiplyByPOT(-(1 << 30), 1)).toBe(INT32_MIN);
    expect(saturatingRoundingMultiplyByPOT(-(1 << 30) - 1, 1)).toBe(INT32_MIN);
    expect(saturatingRoundingMultiplyByPOT(3, 30)).toBe(INT32_MAX);
    expect(saturatingRoundingMultiplyByPOT(-3, -1)).toBe(-2);
    expect(saturatingRoundingMultiplyByPOT(20000, 1, 16)).toBe(INT16_MAX);
    expect(saturatingRoundingMultiplyByPOT(-20000, 1, 16)).toBe(INT16_MIN);
    expect(saturatingRoundingMultiplyByPOT(-16384, 1, 16)).toBe(INT16_MIN);
    expect(saturatingLeftShiftInt16(100, 3)).toBe(800);
    expect(saturatingLeftShiftInt16(-5000, 3)).toBe(INT16_MIN);
  });

  it('roundingHalfSum rounds half away from zero', () => {
    expect(roundingHalfSum(1, 2)).toBe(2);
    expect(roundingHalfSum(-1, -2)).toBe(-2);
    expect(roundingHalfSum(-1, 0)).toBe(-1);
    expect(roundingHalfSum(1, 0)).toBe(1);
    expect(roundingHalfSum(INT32_MAX, INT32_MAX)).toBe(INT32_MAX);
    expect(roundingHalfSum(INT32_MIN, INT32_MIN)).toBe(INT32_MIN);
    expect(roundingHalfSum(INT32_MIN, INT32_MAX)).toBe(-1); // -0.5
    expect(roundingHalfSum(0x40000000, INT32_MAX)).toBe(1610612736); // (2^30 + 2^31 - 1) / 2 = ...5.5 -> up
  });

  it('saturating add/sub clamp to the type', () => {
    expect(saturatingAddInt32(INT32_MAX, 1)).toBe(INT32_MAX);
    expect(saturatingAddInt32(INT32_MIN, -1)).toBe(INT32_MIN);
    expect(saturatingSubInt32(INT32_MIN, 1)).toBe(INT32_MIN);
    expect(saturatingSubInt32(0, INT32_MIN)).toBe(INT32_MAX);
    expect(saturatingAddInt16(30000, 30000)).toBe(INT16_MAX);
    expect(saturatingSubInt16(-30000, 30000)).toBe(INT16_MIN);
    expect(saturatingAddInt16(-3, 5)).toBe(2);
  });

  it('countLeadingSignBits32', () => {
    expect(countLeadingSignBits32(0)).toBe(31);
    expect(countLeadingSignBits32(-1)).toBe(31);
    expect(countLeadingSignBits32(1)).toBe(30);
    expect(countLeadingSignBits32(INT32_MAX)).toBe(0);
    expect(countLeadingSignBits32(INT32_MIN)).toBe(0);
    expect(countLeadingSignBits32(-2)).toBe(30);
  });
});

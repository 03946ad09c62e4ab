import { describe, expect, it } from 'vitest';
import {
  checkedLog2,
  hardSwishQuantized,
  leakyReluQuantized,
  logisticInt16,
  logisticInt16Optimized,
  prepareHardSwish,
  prepareLeakyRelu,
  prepareLogisticInt16,
  prepareTanhInt16,
  tanhInt16,
  tanhInt16Optimized,
} from '../../src/quant/index.js';

describe('int16 LOGISTIC / TANH', () => {
  it('prepare: power-of-two scales keep multiplier 0, others get a 15-bit multiplier', () => {
    expect(checkedLog2(2 ** -12)).toEqual({ log2: -12, isPowerOfTwo: true });
    expect(checkedLog2(0.001).isPowerOfTwo).toBe(false);
    expect(prepareLogisticInt16(2 ** -12, 2 ** -15)).toEqual({ inputMultiplier: 0, inputLeftShift: 0 });
    expect(prepareTanhInt16(2 ** -12, 2 ** -15)).toEqual({ inputMultiplier: 0, inputLeftShift: 0 });
    expect(prepareTanhInt16(2 ** -11, 2 ** -15)).toEqual({ inputMultiplier: 0, inputLeftShift: 1 });
    // LOGISTIC accepts only 2^-12: 2^-11 * 4096 * 3 = 6, doubled 12 times to 24576.
    expect(prepareLogisticInt16(2 ** -11, 2 ** -15)).toEqual({ inputMultiplier: 24576, inputLeftShift: 12 });
    // float32(0.001) * 12288 = 12.2880006, doubled 11 times = 25165.8 -> 25165.
    expect(prepareTanhInt16(0.001, 2 ** -15)).toEqual({ inputMultiplier: 25165, inputLeftShift: 11 });
    expect(() => prepareLogisticInt16(2 ** -12, 1 / 256)).toThrow();
    expect(() => prepareTanhInt16(2 ** -12, 1 / 30000)).toThrow();
  });

  it('reference kernels: hand-computed points', () => {
    const pot = { inputMultiplier: 0, inputLeftShift: 0 };
    expect(logisticInt16(0, pot)).toBe(16384); // sigmoid(0) = 0.5 in Q0.15
    expect(tanhInt16(0, pot)).toBe(0);
    // Scale 2^-11: |x| >= 43520 / 2 reaches the saturated end of the table.
    const wide = { inputMultiplier: 24576, inputLeftShift: 12 };
    expect(logisticInt16(32767, wide)).toBe(32767); // ((0x7fff << 10) + 512) >> 10
    expect(logisticInt16(-32768, wide)).toBe(1); // (2^25 - (0x7fff << 10) + 511) >> 10
    expect(tanhInt16(32767, pot)).toBe(32767); // 98301 >> 8 = 383: saturated
    expect(tanhInt16(-32768, pot)).toBe(-32767); // (-(0xffff << 8) + 2^23 + 127) >> 8
    // x = 1.0 (4096 in Q3.12) -> 12288 after * 3: table index 24 (sigmoid(1)), no interpolation.
    // (47911 * 512 + 512) >> 10 = 23956.
    expect(logisticInt16(4096, pot)).toBe(23956);
    // Symmetry of the negative branch: 32768 - 23956 - 1 + rounding = 8812.
    expect(logisticInt16(-4096, pot)).toBe(8812);
  });

  it('optimized (gemmlowp) kernels track the functions', () => {
    for (let x = -32768; x <= 32767; x += 97) {
      const real = x / 4096;
      expect(Math.abs(logisticInt16Optimized(x) / 32768 - 1 / (1 + Math.exp(-real)))).toBeLessThan(2e-4);
      expect(Math.abs(tanhInt16Optimized(x, 0) / 32768 - Math.tanh(real))).toBeLessThan(4e-4);
      expect(Math.abs(tanhInt16Optimized(x, 1) / 32768 - Math.tanh(Math.max(-8, Math.min(8, 2 * real))))).toBeLessThan(4e-4);
    }
    expect(logisticInt16Optimized(0)).toBe(16384);
    expect(tanhInt16Optimized(0, 0)).toBe(0);
  });
});

describe('HARD_SWISH', () => {
  it('the zero point maps to the output zero point, and the output follows x * relu6(x + 3) / 6', () => {
    const p = prepareHardSwish(0.05, 3, 0.04, -20);
    expect(p.outputMultiplierExponent).toBeLessThanOrEqual(0);
    expect(hardSwishQuantized(3, p, -128, 127)).toBe(-20);
    for (let q = -128; q <= 127; q++) {
      const x = 0.05 * (q - 3);
      const want = (x * Math.min(6, Math.max(0, x + 3))) / 6 / 0.04 - 20;
      expect(Math.abs(hardSwishQuantized(q, p, -128, 127) - Math.max(-128, Math.min(127, want)))).toBeLessThanOrEqual(1.5);
    }
  });

  it('prepare rejects a multiplier that would need a left shift', () => {
    expect(() => prepareHardSwish(1, 0, 0.001, 0)).toThrow();
  });
});

describe('LEAKY_RELU', () => {
  it('identity and alpha branches', () => {
    const p = prepareLeakyRelu(0.5, 0, 0.5, 0, 0.25);
    expect([p.identityMultiplier, p.identityShift]).toEqual([1 << 30, 1]);
    expect([p.alphaMultiplier, p.alphaShift]).toEqual([1 << 30, -1]);
    expect(leakyReluQuantized(10, p, -128, 127)).toBe(10);
    expect(leakyReluQuantized(-8, p, -128, 127)).toBe(-2);
    expect(leakyReluQuantized(-6, p, -128, 127)).toBe(-2); // -1.5 -> -2 (SRDHM -3 is exact, shift rounds away)
    expect(leakyReluQuantized(127, prepareLeakyRelu(0.5, 0, 0.25, 0, 0.1), -128, 127)).toBe(127); // clamps
  });

  it('negative alpha applies -(x * |m|)', () => {
    const p = prepareLeakyRelu(0.5, 0, 0.5, 0, -0.5);
    expect(p.alphaMultiplier).toBe(-(1 << 30));
    expect(leakyReluQuantized(-8, p, -128, 127)).toBe(4);
    // -3 * 0.5 = -1.5 rounds to -1 in SRDHM (ties toward +inf), negated: 1 (passing -m through would give 2).
    expect(leakyReluQuantized(-3, p, -128, 127)).toBe(1);
  });

  it('the multipliers are float32 quotients', () => {
    const p = prepareLeakyRelu(0.1, 0, 0.3, 0, 0.2);
    const real = Math.fround(Math.fround(0.1) / Math.fround(0.3));
    expect(p.identityMultiplier).toBe(Math.round(Math.fround(real) * 2 ** 32)); // 0.333 = 0.666 * 2^-1
    expect(p.identityShift).toBe(-1);
  });
});

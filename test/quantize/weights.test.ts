// The quantization arithmetic against TFLite's rules, on cases worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  asymmetricInt8Params,
  quantizeBiasInt32,
  quantizeSymmetricInt8,
  roundHalfAway,
  symmetricInt16Params,
  toFloat16,
} from '../../src/index.js';

describe('symmetric int8 weights', () => {
  it('per tensor: scale = max|w| / 127, round half away from zero', () => {
    // max|w| = 2.54 → scale 0.02; 0.01 / 0.02 = 0.5 rounds away to 1, -0.03 / 0.02 = -1.5 to -2.
    const q = quantizeSymmetricInt8(new Float32Array([2.54, 0.01, -0.03, -2.54, 0]), [5], null);
    expect(q.scales).toEqual([Math.fround(2.54 / 127)]);
    expect(Array.from(q.values)).toEqual([127, 1, -2, -127, 0]);
  });

  it('clamps to ±127 (never -128) and uses |min| when it is the larger side', () => {
    const q = quantizeSymmetricInt8(new Float32Array([-1.27, 0.635, 1.0]), [3], null);
    expect(q.scales[0]).toBeCloseTo(0.01, 9);
    expect(Array.from(q.values)).toEqual([-127, 64, 100]); // 63.5 → 64 (half away)
    expect(Math.min(...q.values)).toBeGreaterThanOrEqual(-127);
  });

  it('per channel along axis 0 (CONV_2D [out, h, w, in]) and axis 3 (DEPTHWISE_CONV_2D [1, h, w, out])', () => {
    // Two output channels of two values each; channel 1 has 10x the range of channel 0.
    const w = new Float32Array([0.1, -0.05, 1.0, 0.5]);
    const conv = quantizeSymmetricInt8(w, [2, 1, 1, 2], 0);
    expect(conv.scales.map((s) => s * 127)).toEqual([expect.closeTo(0.1, 6), expect.closeTo(1.0, 6)]);
    expect(Array.from(conv.values)).toEqual([127, -64, 127, 64]); // -63.5 → -64, 63.5 → 64
    const dw = quantizeSymmetricInt8(w, [1, 1, 2, 2], 3); // channels interleave on the last axis
    expect(dw.scales.map((s) => s * 127)).toEqual([expect.closeTo(1.0, 6), expect.closeTo(0.5, 6)]);
    expect(Array.from(dw.values)).toEqual([13, -13, 127, 127]); // 0.1/(1/127) = 12.7 → 13
    expect(dw.axis).toBe(3);
  });

  it('an all-zero channel gets a tiny positive scale and zeros, never a division by zero', () => {
    const q = quantizeSymmetricInt8(new Float32Array([0, 0, 0.5, -0.25]), [2, 2], 0);
    expect(q.scales[0]).toBeGreaterThan(0);
    expect(q.scales[0]).toBeLessThan(1e-8);
    expect(Array.from(q.values)).toEqual([0, 0, 127, -64]);
  });
});

describe('activation parameters', () => {
  it('int8 asymmetric: range widened to hold 0, zero point nudged so 0.0 is exact', () => {
    // [-1, 3]: scale 4/255, zero point -128 + 1/(4/255) = -64.25 → -64.
    const a = asymmetricInt8Params(-1, 3);
    expect(a.scale).toBe(Math.fround(4 / 255));
    expect(a.zeroPoint).toBe(-64);
    // All positive [2, 6] becomes [0, 6]: zero point -128.
    expect(asymmetricInt8Params(2, 6)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: -128 });
    // All negative [-6, -2] becomes [-6, 0]: zero point 127.
    expect(asymmetricInt8Params(-6, -2)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: 127 });
  });

  it('int16 symmetric (16x8): scale max(|min|, |max|) / 32767, zero point 0', () => {
    expect(symmetricInt16Params(-2, 1)).toEqual({ scale: Math.fround(2 / 32767), zeroPoint: 0 });
  });

  it('int32 bias at input_scale × weight_scale per channel, clamped to ±(2^31 − 1)', () => {
    const b = quantizeBiasInt32(new Float32Array([1, -1, 1e9]), 0.5, [0.01, 0.02, 1e-6]);
    expect(b.scales).toEqual([Math.fround(0.005), Math.fround(0.01), Math.fround(5e-7)]);
    expect(Array.from(b.values)).toEqual([200, -100, 2 ** 31 - 1]);
  });

  it('rounds half away from zero, as TfLiteRound', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.4999].map(roundHalfAway)).toEqual([3, -3, 1, -1, 1]);
  });

  it('float16 saturates at ±65504 and rounds to nearest even', () => {
    expect(Array.from(toFloat16(new Float32Array([1e6, -1e6, 1, 1 + 2 ** -11])))).toEqual([0x7bff, 0xfbff, 0x3c00, 0x3c00]);
  });
});

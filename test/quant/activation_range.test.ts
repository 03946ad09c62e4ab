import { describe, expect, it } from 'vitest';
import {
  calculateActivationRangeQuantized,
  FusedActivation,
  quantizedReluRange,
  quantizedTypeRange,
  quantizeFloatToInt,
} from '../../src/quant/index.js';

describe('calculateActivationRangeQuantized', () => {
  it('NONE and non-clamping activations give the type range', () => {
    for (const act of [FusedActivation.NONE, FusedActivation.TANH, FusedActivation.SIGN_BIT]) {
      expect(calculateActivationRangeQuantized(act, 0.1, 3, 'int8')).toEqual([-128, 127]);
      expect(calculateActivationRangeQuantized(act, 0.1, 3, 'uint8')).toEqual([0, 255]);
      expect(calculateActivationRangeQuantized(act, 0.1, 0, 'int16')).toEqual([-32768, 32767]);
    }
  });

  it('RELU, RELU6 and RELU_N1_TO_1 quantize their bounds', () => {
    expect(calculateActivationRangeQuantized(FusedActivation.RELU, 0.5, 10, 'int8')).toEqual([10, 127]);
    // 6 / (float)0.1 = 59.99999911 -> 60
    expect(calculateActivationRangeQuantized(FusedActivation.RELU6, 0.1, -128, 'int8')).toEqual([-128, -68]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU6, 0.1, 0, 'uint8')).toEqual([0, 60]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU_N1_TO_1, 1 / 128, 0, 'int8')).toEqual([-128, 127]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU_N1_TO_1, 1 / 64, 5, 'int8')).toEqual([-59, 69]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU6, 1 / 32768, 0, 'int16')).toEqual([0, 32767]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU6, 6 / 32767, 0, 'int16')).toEqual([0, 32767]);
  });

  it('rounds half away from zero (-1 / 2 = -0.5 -> -1)', () => {
    expect(calculateActivationRangeQuantized(FusedActivation.RELU_N1_TO_1, 2, 0, 'int8')).toEqual([-1, 1]);
    expect(quantizeFloatToInt(-1, 2, 0)).toBe(-1);
    expect(quantizeFloatToInt(3, 2, 0)).toBe(2);
  });

  it('zero points at the type limits', () => {
    expect(calculateActivationRangeQuantized(FusedActivation.RELU, 0.1, 255, 'uint8')).toEqual([255, 255]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU, 0.1, 0, 'uint8')).toEqual([0, 255]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU6, 0.1, 127, 'int8')).toEqual([127, 127]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU, 0.1, -128, 'int8')).toEqual([-128, 127]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU_N1_TO_1, 0.001, -128, 'int8')).toEqual([-128, 127]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU_N1_TO_1, 0.001, 127, 'int8')).toEqual([-128, 127]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU6, 0.001, 32767, 'int16')).toEqual([32767, 32767]);
    expect(calculateActivationRangeQuantized(FusedActivation.RELU, 0.001, -32768, 'int16')).toEqual([-32768, 32767]);
  });

  it('fails like TFLite when a bound overflows int32', () => {
    expect(() => calculateActivationRangeQuantized(FusedActivation.RELU6, 1e-12, 0, 'int8')).toThrow();
    expect(() => quantizedTypeRange('int32' as never)).toThrow();
  });
});

describe('quantizedReluRange (standalone RELU ops)', () => {
  it('infinite upper bound is the type maximum', () => {
    expect(quantizedReluRange(0, Number.POSITIVE_INFINITY, 0.5, 3, 'int8')).toEqual([3, 127]);
    expect(quantizedReluRange(0, 6, 0.1, -128, 'int8')).toEqual([-128, -68]);
    expect(quantizedReluRange(-1, 1, 2, 0, 'int8')).toEqual([-1, 1]);
    expect(quantizedReluRange(0, 1, 1 / 256, 0, 'uint8')).toEqual([0, 255]);
    expect(quantizedReluRange(0, 6, 0.01, 0, 'int16')).toEqual([0, 600]);
  });
});

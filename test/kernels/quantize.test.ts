// QUANTIZE: float -> int (std::round of the float divided by the scale widened to double, as the
// builtin optimized AffineQuantize does; per-channel divides in float32) and requantization
// (MultiplyByQuantizedMultiplier of input_scale / output_scale). Expected values by hand.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

function quantize(inType: DType, data: number[], outType: DType, qo: [number, number], qi?: [number, number]) {
  return runOp({
    op: 'QUANTIZE',
    inputs: [{ dtype: inType, shape: [data.length], data, ...(qi ? { quantization: q(...qi) } : {}) }],
    outputs: [{ dtype: outType, quantization: q(...qo) }],
  })[0]!;
}

describe('QUANTIZE float32 ->', () => {
  it('int8: ties round away from zero, then the zero point and the clamp', () => {
    const r = quantize('float32', [0.125, -0.125, 0.375, -0.375, 100, -100, 0], 'int8', [0.25, -5]);
    // 0.5 -> 1, -0.5 -> -1, 1.5 -> 2, -1.5 -> -2; then -5; saturating
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-4, -6, -3, -7, 127, -128, -5]);
  });

  it('divides in double: 0.25 / 0.1f is 2.4999999627 -> 2 (a float32 division would give 2.5 -> 3)', () => {
    const r = quantize('float32', [0.25, -0.25], 'uint8', [0.1, 128]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([130, 126]);
  });

  it('int16 and NaN (0 before the zero point)', () => {
    const r = quantize('float32', [1, -1, 0.0005, Number.NaN], 'int16', [0.001, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1000, -1000, 1, 0]);
  });

  it('per-channel output scales along the quantized dimension', () => {
    const r = runOp({
      op: 'QUANTIZE',
      inputs: [{ dtype: 'float32', shape: [2, 2], data: [1, 1, -0.3, 0.3] }],
      outputs: [{ dtype: 'int8', quantization: { scale: [0.5, 0.2], zeroPoint: [0, 3], quantizedDimension: 1 } }],
    })[0]!;
    // channel 0: /0.5, zp 0; channel 1: /0.2, zp 3. -0.3/0.5 = -0.6 -> -1; 0.3/0.2 = 1.5 -> 2 (+3)
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([2, 8, -1, 5]);
  });
});

describe('QUANTIZE requantize', () => {
  it('int8 -> uint8 with the same scale shifts by 128', () => {
    const r = quantize('int8', [-128, -1, 0, 127], 'uint8', [0.004, 0], [0.004, -128]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0, 127, 128, 255]);
  });

  it('uint8 -> int8', () => {
    const r = quantize('uint8', [0, 128, 255], 'int8', [0.00390625, -128], [0.00390625, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-128, 0, 127]);
  });

  it('int8 -> int8 halving: ties round up (multiplier 2^30 with shift 0 is one SaturatingRoundingDoublingHighMul)', () => {
    const r = quantize('int8', [1, -1, 3, -3, 127, -128], 'int8', [0.04, 0], [0.02, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, 0, 2, -1, 64, -64]);
  });

  it('int16 -> int8 saturates; int16 -> int32 widens', () => {
    expect(Array.from(quantize('int16', [32767, -32768, 100], 'int8', [0.1, 3], [0.001, 0]).data as ArrayLike<number>)).toEqual([
      127, -128, 4,
    ]);
    expect(Array.from(quantize('int16', [32767, -32768, 3], 'int32', [0.0001, 0], [0.001, 0]).data as ArrayLike<number>)).toEqual([
      327670, -327680, 30,
    ]);
  });

  it('int16 -> int16 requires zero points of 0; unsupported pairs fail', () => {
    expect(() => quantize('int16', [0], 'int16', [0.001, 1], [0.001, 0])).toThrow(/zero point/);
    expect(() => quantize('int32', [0], 'uint8', [0.1, 0], [0.1, 0])).toThrow(/not supported/);
  });
});

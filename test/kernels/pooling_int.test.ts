// Quantized AVERAGE_POOL_2D / MAX_POOL_2D: hand-computed windows. The average divides the int32
// window sum by the in-bounds pixel count, rounding half away from zero; the clamp is the fused
// activation's range in output units.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

function pool(
  op: string,
  dtype: DType,
  shape: number[],
  data: number[],
  o: { filter: number; stride: number; padding: 0 | 1; act?: number },
  quant: [number, number] = [0.1, 0],
) {
  return runOp({
    op,
    options: {
      padding: o.padding,
      filterHeight: o.filter,
      filterWidth: o.filter,
      strideH: o.stride,
      strideW: o.stride,
      fusedActivationFunction: o.act ?? 0,
    },
    inputs: [{ dtype, shape, data, quantization: q(...quant) }],
    outputs: [{ dtype, quantization: q(...quant) }],
  })[0]!;
}

describe('AVERAGE_POOL_2D quantized', () => {
  it('int8 rounds half away from zero (VALID 1x2 windows)', () => {
    // pairs: (-1,-2) -> -1.5 -> -2; (1,2) -> 2; (-1,0) -> -0.5 -> -1; (3,4) -> 3.5 -> 4
    const r = pool('AVERAGE_POOL_2D', 'int8', [1, 2, 4, 1], [-1, -2, 1, 2, -1, 0, 3, 4], { filter: 2, stride: 2, padding: 1 });
    expect(r.shape).toEqual([1, 1, 2, 1]);
    // 2x2 windows: (-1 -2 -1 0) = -4/4 = -1; (1 2 3 4) = 10/4 = 2.5 -> 3
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-1, 3]);
  });

  it('SAME padding divides by the in-bounds count only (uint8, 2 channels)', () => {
    // 3x3 input, 3x3 filter, stride 2 SAME -> 2x2 outputs; channel 1 is 10 x channel 0.
    const c0 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const data = c0.flatMap((v) => [v, v * 10]);
    const r = pool('AVERAGE_POOL_2D', 'uint8', [1, 3, 3, 2], data, { filter: 3, stride: 2, padding: 0 });
    expect(r.shape).toEqual([1, 2, 2, 2]);
    // pad 1 on each side: windows {1,2,4,5}=3, {2,3,5,6}=4, {4,5,7,8}=6, {5,6,8,9}=7 (all exact)
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([3, 30, 4, 40, 6, 60, 7, 70]);
  });

  it('int16 average with a RELU6 clamp in output units', () => {
    // scale 0.01 -> RELU6 range [0, 600]
    const r = pool(
      'AVERAGE_POOL_2D',
      'int16',
      [1, 2, 2, 1],
      [1000, 1001, 2000, -3],
      { filter: 2, stride: 2, padding: 1, act: 3 },
      [0.01, 0],
    );
    // (1000 + 1001 + 2000 - 3) / 4 = 999.5 -> 1000, clamped to 600
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([600]);
  });
});

describe('MAX_POOL_2D quantized', () => {
  it('uint8 max with RELU clamp at the zero point', () => {
    // zero point 100: RELU floor is 100
    const r = pool(
      'MAX_POOL_2D',
      'uint8',
      [1, 2, 4, 1],
      [10, 20, 150, 3, 30, 99, 0, 255],
      { filter: 2, stride: 2, padding: 1, act: 1 },
      [0.5, 100],
    );
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([100, 255]);
  });

  it('int8 SAME padding never takes a padded value', () => {
    const r = pool('MAX_POOL_2D', 'int8', [1, 1, 3, 1], [-100, -120, -128], { filter: 3, stride: 1, padding: 0 });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-100, -100, -120]);
  });

  it('rejects mixed dtypes', () => {
    expect(() =>
      runOp({
        op: 'MAX_POOL_2D',
        options: { padding: 1, filterHeight: 1, filterWidth: 1, strideH: 1, strideW: 1 },
        inputs: [{ dtype: 'int8', shape: [1, 1, 1, 1], data: [0], quantization: q(0.1, 0) }],
        outputs: [{ dtype: 'uint8', quantization: q(0.1, 0) }],
      }),
    ).toThrow(/differs/);
  });
});

import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import type { Quantization } from '../../src/model/types.js';
import { runOp } from '../support/run_op.js';

function dequantize(dtype: DType, shape: number[], data: number[], quantization?: Quantization) {
  return runOp({ op: 'DEQUANTIZE', inputs: [{ dtype, shape, data, quantization, constant: true }], outputs: [{ dtype: 'float32' }] })[0]!;
}
const q = (scale: number[], zeroPoint: number[], quantizedDimension = 0): Quantization => ({ scale, zeroPoint, quantizedDimension });

describe('DEQUANTIZE', () => {
  it('int8 per-tensor: scale * (q - zero_point), with the scale as a float', () => {
    const r = dequantize('int8', [2, 2], [-128, -3, 0, 127], q([0.5], [-3]));
    expect(r.shape).toEqual([2, 2]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-62.5, 0, 1.5, 65]);
    const s = Math.fround(0.1);
    expect(Array.from(dequantize('int8', [1], [7], q([0.1], [0])).data as ArrayLike<number>)).toEqual([Math.fround(7 * s)]);
  });

  it('uint8 and int16 per-tensor', () => {
    expect(Array.from(dequantize('uint8', [3], [0, 128, 255], q([0.25], [128])).data as ArrayLike<number>)).toEqual([-32, 0, 31.75]);
    expect(Array.from(dequantize('int16', [2], [-32768, 32767], q([0.125], [0])).data as ArrayLike<number>)).toEqual([-4096, 4095.875]);
  });

  it('int8 per-channel on the first axis (conv weights)', () => {
    const r = dequantize('int8', [2, 1, 1, 3], [1, 2, 3, 1, 2, 3], q([0.5, 2], [0, 1], 0));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0.5, 1, 1.5, 0, 2, 4]);
  });

  it('int8 per-channel on the last axis (depthwise weights)', () => {
    const r = dequantize('int8', [1, 2, 3], [10, 10, 10, -10, -10, -10], q([1, 0.5, 0.25], [0, 0, 2], 2));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([10, 5, 2, -10, -5, -3]);
  });

  it('float16 bits to float32', () => {
    // 1, -2, 0.5, 65504, 2^-24, inf, -0
    const r = dequantize('float16', [7], [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0x8000]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, -2, 0.5, 65504, 2 ** -24, Number.POSITIVE_INFINITY, -0]);
    expect(Number.isNaN(dequantize('float16', [1], [0x7e00]).data[0])).toBe(true);
  });

  it('fails clearly without quantization or with mismatched channels', () => {
    expect(() => dequantize('int8', [2], [1, 2])).toThrow(/no quantization parameters/);
    expect(() => dequantize('int8', [2, 3], [1, 2, 3, 4, 5, 6], q([1, 2], [0, 0], 1))).toThrow(/per-channel scales/);
  });
});

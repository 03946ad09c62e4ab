// Quantized SOFTMAX. 8-bit inputs: a literal float32 transcription of optimized_ops::Softmax (exp
// table of expf(-scale * beta * d), float sum, 1 / (sum * output_scale)). int16: goldens from real
// TFLite (tfjs-tflite and LiteRT.js agree; both run the builtin SoftmaxInt16).
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

const f32 = Math.fround;
const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

function softmax(dtype: DType, outType: DType, shape: number[], data: number[], qi: [number, number], qo: [number, number], beta = 1) {
  return runOp({
    op: 'SOFTMAX',
    options: { beta },
    inputs: [{ dtype, shape, data, quantization: q(...qi) }],
    outputs: [{ dtype: outType, quantization: q(...qo) }],
  })[0]!;
}

/** The float-table softmax of one row; uint8 outputs truncate p + 0.5 (non-ARM64 builds). */
function tableRef(row: number[], inScale: number, beta: number, qo: [number, number], outType: 'int8' | 'uint8' | 'int16'): number[] {
  const scale = f32(-f32(inScale) * f32(beta));
  const max = Math.max(...row);
  const e = row.map((v) => f32(Math.exp(f32(scale * (max - v)))));
  let sum = 0;
  for (const x of e) sum = f32(sum + x);
  const inv = f32(1 / f32(sum * f32(qo[0])));
  const [lo, hi] = outType === 'int8' ? [-128, 127] : outType === 'uint8' ? [0, 255] : [-32768, 32767];
  return e.map((x) => {
    const p = f32(x * inv);
    const v = outType === 'uint8' ? Math.trunc(f32(p + 0.5)) : Math.sign(p) * Math.round(Math.abs(p)) + qo[1];
    return Math.min(hi, Math.max(lo, v));
  });
}

describe('SOFTMAX int8 / uint8', () => {
  it('a flat int8 row gives 1/n exactly: 4 entries -> 64 / 256 -> -64', () => {
    const r = softmax('int8', 'int8', [1, 4], [5, 5, 5, 5], [0.1, 0], [1 / 256, -128]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-64, -64, -64, -64]);
  });

  it('int8 rows over the last axis, beta 0.5', () => {
    const data = [-128, -100, 0, 50, 127, 127, 3, 3, 3, -20, 60, -5];
    const r = softmax('int8', 'int8', [2, 2, 3], data, [0.1, 3], [1 / 256, -128], 0.5);
    const want = [0, 3, 6, 9].flatMap((i) => tableRef(data.slice(i, i + 3), 0.1, 0.5, [1 / 256, -128], 'int8'));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
  });

  it('uint8 (mobilenet output quantization), a dominant entry saturates at 255', () => {
    const data = [255, 0, 10, 93, 93, 120, 130, 200];
    const qi: [number, number] = [0.14328867197036743, 93];
    const r = softmax('uint8', 'uint8', [2, 4], data, qi, [1 / 256, 0]);
    const want = [0, 4].flatMap((i) => tableRef(data.slice(i, i + 4), qi[0], 1, [1 / 256, 0], 'uint8'));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
    expect(r.data[0]).toBe(255);
  });

  it('int8 input with int16 output', () => {
    const data = [0, 10, 20, -128];
    const r = softmax('int8', 'int16', [4], data, [0.05, 0], [1 / 32768, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(tableRef(data, 0.05, 1, [1 / 32768, 0], 'int16'));
  });

  it('checks the int8 output quantization', () => {
    expect(() => softmax('int8', 'int8', [2], [0, 0], [0.1, 0], [1 / 256, 0])).toThrow(/zero point -128/);
    expect(() => softmax('uint8', 'int8', [2], [0, 0], [0.1, 0], [1 / 256, -128])).toThrow(/not supported/);
  });
});

describe('SOFTMAX int16', () => {
  const data = [0, 1000, -1000, 5000, 0, 0, 32767, -32768, 100, 200, 300, 400];

  it('matches TFLite for input scale 0.001', () => {
    const r = softmax('int16', 'int16', [3, 4], data, [0.001, 0], [1 / 32768, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([215, 584, 79, 31890, 2, 2, 32761, 2, 7007, 7744, 8559, 9458]);
  });

  it('matches TFLite for input scale 0.0002', () => {
    const r = softmax('int16', 'int16', [3, 4], data, [0.0002, 0], [1 / 32768, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([5691, 6950, 4659, 15468, 46, 46, 32674, 2, 7948, 8108, 8272, 8439]);
  });

  it('requires zero points of 0', () => {
    expect(() => softmax('int16', 'int16', [2], [0, 0], [0.001, 1], [1 / 32768, 0])).toThrow(/zero point/);
  });
});

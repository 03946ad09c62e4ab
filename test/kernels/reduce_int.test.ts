// Quantized MEAN: the spatial int8/uint8 path (optimized Mean: float32 multiplier and bias) and the
// general path (QuantizedMeanOrSum in float32, as the tfjs-tflite build computes it), each against
// a literal transcription written here with BigInt / Math.fround.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { mbqmRef } from '../quant/bigint_reference.js';
import { qmRef } from '../support/quant_ref.js';
import { runOp } from '../support/run_op.js';

const f32 = Math.fround;
const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

function mean(
  dtype: DType,
  shape: number[],
  data: number[],
  axes: number[],
  keepDims: boolean,
  qi: [number, number],
  qo: [number, number],
) {
  return runOp({
    op: 'MEAN',
    options: { keepDims },
    inputs: [
      { dtype, shape, data, quantization: q(...qi) },
      { dtype: 'int32', shape: [axes.length], data: axes, constant: true },
    ],
    outputs: [{ dtype, quantization: q(...qo) }],
  })[0]!;
}

/** reference QuantizedMeanOrSum for one output: sum and count given. */
/** The oracle build's QuantizedMeanOrSum, in float32: round(sum/count * s - zp_in * s) + zp_out. */
function generalRef(sum: number, count: number, qi: [number, number], qo: [number, number], lo: number, hi: number) {
  const scale = f32(f32(qi[0]) / f32(qo[0]));
  const bias = f32(-qi[1] * scale);
  const x = f32(f32(f32(f32(sum) / f32(count)) * scale) + bias);
  const v = Math.sign(x) * Math.floor(Math.abs(x) + 0.5) + qo[1];
  return Math.min(hi, Math.max(lo, v));
}

describe('MEAN quantized', () => {
  // [1, 2, 2, 3]; on channel 2 the two paths round differently (6 vs 7).
  const data = [42, 18, -38, 2, 10, 114, -70, -3, 32, -48, -64, -117];
  const qi: [number, number] = [0.05, -3];
  const qo: [number, number] = [0.03, 5];

  it('int8 spatial mean with keep_dims takes the optimized float32-multiplier path', () => {
    const r = mean('int8', [1, 2, 2, 3], data, [1, 2], true, qi, qo);
    expect(r.shape).toEqual([1, 1, 1, 3]);
    const count = 4;
    let temp = f32(f32(qi[1] * f32(qi[0])) / f32(qo[0]));
    temp = temp > 0 ? f32(temp + 0.5) : f32(temp - 0.5);
    const bias = qo[1] - Math.trunc(temp);
    const mq = qmRef(f32(f32(qi[0]) / f32(f32(count) * f32(qo[0]))));
    const want = [0, 1, 2].map((c) => {
      const sum = data[c]! + data[3 + c]! + data[6 + c]! + data[9 + c]!;
      return Math.min(127, Math.max(-128, Number(mbqmRef(BigInt(sum), mq.m, mq.shift)) + bias));
    });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
    expect(r.data[2]).toBe(6);
  });

  it('the same reduction without keep_dims takes the general path', () => {
    const r = mean('int8', [1, 2, 2, 3], data, [2, -3], false, qi, qo);
    expect(r.shape).toEqual([1, 3]);
    const want = [0, 1, 2].map((c) => generalRef(data[c]! + data[3 + c]! + data[6 + c]! + data[9 + c]!, 4, qi, qo, -128, 127));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
  });

  it('uint8 over the channel axis, duplicates ignored', () => {
    const u = data.map((v) => v + 128);
    const r = mean('uint8', [1, 2, 2, 3], u, [3, -1], false, [0.05, 125], [0.07, 100]);
    expect(r.shape).toEqual([1, 2, 2]);
    const want = [0, 3, 6, 9].map((i) => generalRef(u[i]! + u[i + 1]! + u[i + 2]!, 3, [0.05, 125], [0.07, 100], 0, 255));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
  });

  it('int16 (zero points 0) over every axis', () => {
    const d = [32767, 32767, -5, 4, 1000, 2000];
    const r = mean('int16', [2, 3], d, [0, 1], false, [0.001, 0], [0.0007, 0]);
    expect(r.shape).toEqual([]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([
      generalRef(
        d.reduce((a, b) => a + b, 0),
        6,
        [0.001, 0],
        [0.0007, 0],
        -32768,
        32767,
      ),
    ]);
    expect(() => mean('int16', [2], [0, 0], [0], false, [0.001, 2], [0.001, 0])).toThrow(/zero point/);
  });

  it('an empty input gives zeros', () => {
    const r = mean('int8', [2, 0, 3], [], [1], false, qi, qo);
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

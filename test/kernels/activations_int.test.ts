// Quantized activations: LOGISTIC / TANH tables, int16 fixed point, LEAKY_RELU, HARD_SWISH and the
// RELU family. Expected values from float32 formulas written here (LUTPopulate), hand arithmetic,
// or a literal BigInt MultiplyByQuantizedMultiplier.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { mbqmRef } from '../quant/bigint_reference.js';
import { qmRef } from '../support/quant_ref.js';
import { runOp } from '../support/run_op.js';

const f32 = Math.fround;
const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const INT16_PROBE = [0, 1, -1, 100, -100, 2048, -2048, 4096, -4096, 12345, -12345, 32767, -32768];

function unary(op: string, dtype: DType, data: number[], qi: [number, number], qo: [number, number], options = {}) {
  return runOp({
    op,
    options,
    inputs: [{ dtype, shape: [data.length], data, quantization: q(...qi) }],
    outputs: [{ dtype, quantization: q(...qo) }],
  })[0]!;
}

/** std::round on a float: halves away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** LUTPopulate for one value: dequantize, transform, requantize, all float32. */
function lutRef(v: number, qi: [number, number], qo: [number, number], fn: (x: number) => number, lo: number, hi: number) {
  const x = f32(f32(qi[0]) * (v - qi[1]));
  const y = f32(fn(x));
  const r = roundAway(f32(y * f32(1 / f32(qo[0]))));
  return Math.min(hi, Math.max(lo, r + qo[1]));
}

describe('LOGISTIC', () => {
  const sigmoid = (x: number) => f32(1 / f32(1 + f32(Math.exp(-x))));

  it('int8 table over every input value', () => {
    const xs = range(-128, 127);
    const qi: [number, number] = [0.1, 3];
    const r = unary('LOGISTIC', 'int8', xs, qi, [1 / 256, -128]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(xs.map((v) => lutRef(v, qi, [1 / 256, -128], sigmoid, -128, 127)));
    expect(r.data[0]).toBe(-128); // sigmoid(-13.1) * 256 rounds to 0
    expect(r.data[255]).toBe(127); // sigmoid(12.4) * 256 = 256, clamped
  });

  it('uint8 table over every input value', () => {
    const xs = range(0, 255);
    const qi: [number, number] = [0.0371, 100];
    const r = unary('LOGISTIC', 'uint8', xs, qi, [1 / 256, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(xs.map((v) => lutRef(v, qi, [1 / 256, 0], sigmoid, 0, 255)));
  });

  it('rejects an 8-bit output scale other than 1/256', () => {
    expect(() => unary('LOGISTIC', 'int8', [0], [0.1, 0], [1 / 128, 0])).toThrow(/1\/256/);
  });

  // int16 goldens: outputs of real TFLite (tfjs-tflite and LiteRT.js agree; XNNPACK has no int16
  // LOGISTIC / TANH, so these are the builtin kernels) for INT16_PROBE.
  it('int16 with input scale 2^-12 runs gemmlowp fixed point', () => {
    const r = unary('LOGISTIC', 'int16', INT16_PROBE, [2 ** -12, 0], [2 ** -15, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([
      16384, 16384, 16383, 16584, 16183, 20400, 12367, 23952, 8815, 31236, 1531, 32756, 11,
    ]);
  });

  it('int16 with a general input scale interpolates the sigmoid table', () => {
    const r = unary('LOGISTIC', 'int16', INT16_PROBE, [0.00017488, 0], [2 ** -15, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([
      16384, 16385, 16383, 16527, 16241, 19287, 13481, 22013, 10755, 29376, 3392, 32662, 106,
    ]);
  });

  it('int16 requires zero points of 0 and an output scale of 2^-15', () => {
    expect(() => unary('LOGISTIC', 'int16', [0], [0.001, 1], [2 ** -15, 0])).toThrow(/zero point/);
    expect(() => unary('LOGISTIC', 'int16', [0], [0.001, 0], [2 ** -14, 0])).toThrow(/1\/32768/);
  });
});

describe('TANH', () => {
  it('uint8 table', () => {
    const xs = range(0, 255);
    const qi: [number, number] = [0.05, 128];
    const qo: [number, number] = [1 / 128, 128];
    const r = unary('TANH', 'uint8', xs, qi, qo);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(xs.map((v) => lutRef(v, qi, qo, (x) => f32(Math.tanh(x)), 0, 255)));
  });

  it('int16 input scales 2^-11 / 2^-12 run gemmlowp tanh (2^-11 doubles first); others the table', () => {
    const run = (scale: number) => Array.from(unary('TANH', 'int16', INT16_PROBE, [scale, 0], [2 ** -15, 0]).data as ArrayLike<number>);
    expect(run(2 ** -11)).toEqual([0, 24, -24, 1596, -1596, 24964, -24964, 31596, -31596, 32767, -32767, 32767, -32767]);
    expect(run(2 ** -12)).toEqual([0, 8, -8, 792, -792, 15136, -15136, 24964, -24964, 32616, -32616, 32767, -32767]);
    expect(run(0.0004)).toEqual([0, 13, -13, 1312, -1312, 22106, -22106, 30384, -30384, 32765, -32765, 32767, -32767]);
  });
});

describe('LEAKY_RELU', () => {
  it('int16 seanet-like (equal scales): identity for x >= 0, x * alpha rescaled below', () => {
    const s = 0.0017488234443590045;
    const alpha = 0.2;
    const xs = [-32768, -1000, -7, -3, -1, 0, 1, 32767];
    const r = unary('LEAKY_RELU', 'int16', xs, [s, 0], [s, 0], { alpha });
    const alphaQ = qmRef(f32(f32(f32(s) * f32(alpha)) / f32(s)));
    const want = xs.map((x) => (x >= 0 ? x : Number(mbqmRef(BigInt(x), alphaQ.m, alphaQ.shift))));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
    expect(r.data[4]).toBe(0); // -0.2 rounds to 0
    expect(r.data[3]).toBe(-1); // -0.6 rounds to -1
  });

  it('int8 with rescaling on both branches', () => {
    const qi: [number, number] = [0.1, 3];
    const qo: [number, number] = [0.13, 4];
    const alpha = 0.2;
    const xs = range(-128, 127);
    const r = unary('LEAKY_RELU', 'int8', xs, qi, qo, { alpha });
    const id = qmRef(f32(f32(qi[0]) / f32(qo[0])));
    const al = qmRef(f32(f32(f32(qi[0]) * f32(alpha)) / f32(qo[0])));
    const want = xs.map((v) => {
      const x = v - qi[1];
      const m = x >= 0 ? id : al;
      return Math.min(127, Math.max(-128, qo[1] + Number(mbqmRef(BigInt(x), m.m, m.shift))));
    });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
  });
});

describe('HARD_SWISH', () => {
  it('int8 is within 1 LSB of x * relu6(x + 3) / 6 and maps 0 to the output zero point', () => {
    const qi: [number, number] = [0.05, -10];
    const qo: [number, number] = [0.04, -20];
    const xs = range(-128, 127);
    const r = unary('HARD_SWISH', 'int8', xs, qi, qo);
    xs.forEach((v, i) => {
      const x = (v - qi[1]) * qi[0];
      const y = (x * Math.min(6, Math.max(0, x + 3))) / 6;
      const want = Math.min(127, Math.max(-128, Math.round(y / qo[0]) + qo[1]));
      expect(Math.abs((r.data[i] as number) - want)).toBeLessThanOrEqual(1);
    });
    expect(r.data[xs.indexOf(qi[1])]).toBe(qo[1]);
  });

  it('is not registered for int16', () => {
    expect(() => unary('HARD_SWISH', 'int16', [0], [0.001, 0], [0.001, 0])).toThrow(/not supported/);
  });
});

describe('RELU family', () => {
  it('RELU6 uint8 rescales and clamps to [round(0/s), round(6/s)] + zero point', () => {
    // in scale 0.05 / out scale 0.1: halves, rounded away from zero (MultiplyByQuantizedMultiplier).
    const r = unary('RELU6', 'uint8', [0, 99, 100, 101, 103, 200, 255], [0.05, 100], [0.1, 10]);
    // x - 100 -> [-100, -1, 0, 1, 3, 100, 155] / 2 -> [-50, -0.5->-1, 0, 1, 2, 50, 78] + 10, clamp [10, 70]
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([10, 10, 10, 11, 12, 60, 70]);
  });

  it('RELU int8 keeps the type maximum as the upper bound', () => {
    const r = unary('RELU', 'int8', [-128, -5, 0, 127], [0.5, -5], [0.5, -5]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-5, -5, 0, 127]);
  });

  it('RELU_N1_TO_1 int8 clamps to quantized [-1, 1]', () => {
    const r = unary('RELU_N1_TO_1', 'int8', [-128, -20, 0, 20, 127], [0.1, 0], [0.1, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-10, -10, 0, 10, 10]);
  });

  it('RELU int16 requires symmetric quantization', () => {
    expect(() => unary('RELU', 'int16', [0], [0.01, 2], [0.01, 0])).toThrow(/zero point/);
    const r = unary('RELU', 'int16', [-300, 300, 32767], [0.01, 0], [0.02, 0]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0, 150, 16384]); // 32767 / 2 = 16383.5 -> 16384
  });
});

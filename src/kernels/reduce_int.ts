// Quantized MEAN on int8, uint8 and int16 over a constant axis tensor, as the TFLite build of the
// reference runtime (tfjs-tflite) computes it (tensorflow/lite/kernels/reduce.cc EvalMean; measured
// against that build by the differential op tests):
// - int8 / uint8, rank 4, axis tensor holding exactly {1, 2} or {2} (raw values: -2 does not count),
//   under integerRounding 'xnnpack': XNNPACK's global average pooling, which its delegate takes
//   (int32 sum minus zero_point * count, times the float32 scale in / (out * count), rounded to
//   nearest even);
// - int8 / uint8, keep_dims, rank 4, axes exactly {1, 2} (spatial mean) otherwise: optimized Mean, a
//   float32-derived multiplier for input_scale / (H*W * output_scale) and a float32 bias for the
//   zero points (optimized/integer_ops/mean.h, optimized/reduce.h);
// - equal input and output quantization: reference_ops::Mean, the int32 sum divided by the count
//   with C's truncation toward zero;
// - everything else: QuantizedMeanOrSum in float32, round(sum / count * in/out scale - zero_point *
//   in/out scale) + output zero point, rounded half away from zero.
import { f32, multiplyByQuantizedMultiplier, quantizedTypeRange, quantizeMultiplier, tfliteRound } from '../quant/index.js';
import type { IntArray } from './int/int_array.js';
import { roundHalfEven } from './int/xnnpack_rounding.js';
import { fail, input, type Kernel, output, xnnpackRuns } from './kernel.js';
import { requireQuantizedType, requireZeroPointZero, tensorQuant } from './quantize.js';
import { parseReducerOptions, REDUCE_INPUTS, type ReduceWalk, reduceWalk, resolveReduceAxes } from './reduce.js';

export interface MeanIntParams extends ReduceWalk {
  /** Per input dimension: reduced or kept. */
  reduced: boolean[];
  counter: Int32Array;
  inTotal: number;
  outTotal: number;
  /** Exact int32 sums per output, held in doubles. */
  sums: Float64Array;
  /**
   * Final step: 'fixed': clamp(multiplyByQuantizedMultiplier(sum - subtract, m, s) + add);
   * 'trunc': trunc(sum / count); 'float': clamp(round(f32(sum / count) * scale + bias) + add);
   * 'xnnpack': clamp(roundEven(f32(sum - subtract) * scale) + add).
   */
  mode: 'fixed' | 'trunc' | 'float' | 'xnnpack';
  count: number;
  subtract: number;
  multiplier: number;
  shift: number;
  /** float32 scale ('float': in/out, 'xnnpack': in / (out * count)) and bias ('float'). */
  scale: number;
  bias: number;
  add: number;
  lo: number;
  hi: number;
}

export const meanIntKernel: Kernel<MeanIntParams> = {
  prepare(ctx) {
    const x = input(ctx, REDUCE_INPUTS.input);
    const axisT = input(ctx, REDUCE_INPUTS.axis);
    const y = output(ctx, 0);
    const type = requireQuantizedType(ctx, x, 'the input');
    if (y.dtype !== type) fail(ctx, `output dtype ${y.dtype} differs from input dtype ${type}`);
    if (axisT.dtype !== 'int32' && axisT.dtype !== 'int64') fail(ctx, `axis must be int32, got ${axisT.dtype}`);
    const { keepDims } = parseReducerOptions(ctx);
    const { raw, axes, reduced, outShape } = resolveReduceAxes(ctx, x, axisT, keepDims);
    y.shape = outShape;
    const shape = x.shape;
    const rank = shape.length;

    const qi = tensorQuant(ctx, x, 'the input');
    const qo = tensorQuant(ctx, y, 'the output');
    if (type === 'int16') {
      requireZeroPointZero(ctx, qi, 'the input');
      requireZeroPointZero(ctx, qo, 'the output');
    }
    const [lo, hi] = quantizedTypeRange(type);

    const { dims, outStrides } = reduceWalk(shape, reduced);
    const inTotal = shape.reduce((a, b) => a * b, 1);
    const outTotal = y.shape.reduce((a, b) => a * b, 1);
    // Elements folded into each output: the product of the reduced input dimensions.
    const count = axes.reduce((a, d) => a * (shape[d] as number), 1);
    const base = {
      reduced,
      dims,
      outStrides,
      counter: new Int32Array(dims.length),
      inTotal,
      outTotal,
      sums: new Float64Array(outTotal),
      count,
      lo,
      hi,
    };
    const none = { subtract: 0, multiplier: 0, shift: 0, scale: 0, bias: 0 };

    // The C++ tests the raw axis values, so [-3, -2] is not the spatial case.
    const rawIs = (...want: number[]) => raw.length === want.length && want.every((w, i) => raw[i] === w);
    const rawSpatial = rawIs(1, 2) || rawIs(2, 1);
    if (xnnpackRuns(ctx) && type !== 'int16' && rank === 4 && (rawSpatial || rawIs(2))) {
      // XNNPACK's delegate takes it (global average pooling) when the scale ratio is in [2^-8, 2^8).
      const ratio = f32(qi.scale / qo.scale);
      if (ratio >= 2 ** -8 && ratio < 2 ** 8) {
        const scale = f32(qi.scale / f32(qo.scale * count));
        return { ...base, ...none, mode: 'xnnpack', subtract: qi.zeroPoint * count, scale, add: qo.zeroPoint };
      }
    }
    if (rank === 4 && keepDims && rawSpatial && type !== 'int16') {
      // optimized Mean: float32 arithmetic throughout, as in the C++.
      const numElements = f32(count);
      let temp = f32(f32(qi.zeroPoint * qi.scale) / qo.scale);
      temp = temp > 0 ? f32(temp + 0.5) : f32(temp - 0.5);
      const bias = qo.zeroPoint - Math.trunc(temp);
      const { multiplier, shift } = quantizeMultiplier(f32(qi.scale / f32(numElements * qo.scale)));
      return { ...base, ...none, mode: 'fixed', multiplier, shift, add: bias };
    }
    if (qi.scale === qo.scale && qi.zeroPoint === qo.zeroPoint) return { ...base, ...none, mode: 'trunc', add: 0 };
    const scale = f32(qi.scale / qo.scale);
    return { ...base, ...none, mode: 'float', scale, bias: f32(-qi.zeroPoint * scale), add: qo.zeroPoint };
  },
  eval(ctx, p) {
    const x = input(ctx, REDUCE_INPUTS.input).data as IntArray;
    const o = output(ctx, 0).data as IntArray;
    if (p.outTotal === 0) return;
    // An empty input gives zeros (InitializeMeanOutput: an integer quiet NaN is 0).
    if (p.inTotal === 0) {
      o.fill(0);
      return;
    }
    const { dims, outStrides, counter, sums } = p;
    sums.fill(0);
    const r = dims.length - 1;
    const n = dims[r] as number;
    const os = outStrides[r] as number;
    counter.fill(0);
    let oi = 0;
    for (let ii = 0; ii < p.inTotal; ii += n) {
      for (let j = 0, k = oi; j < n; j++, k += os) sums[k] += x[ii + j];
      for (let d = r - 1; d >= 0; d--) {
        oi += outStrides[d];
        if (++counter[d] < dims[d]) break;
        counter[d] = 0;
        oi -= outStrides[d] * dims[d];
      }
    }
    const { subtract, multiplier, shift, scale, bias, add, lo, hi, count } = p;
    const clamp = (v: number) => Math.min(Math.max(v, lo), hi);
    switch (p.mode) {
      case 'fixed':
        // The C++ sums and subtracts in int32 (wrapping).
        for (let i = 0; i < p.outTotal; i++) o[i] = clamp(multiplyByQuantizedMultiplier((sums[i] - subtract) | 0, multiplier, shift) + add);
        break;
      case 'trunc':
        for (let i = 0; i < p.outTotal; i++) o[i] = Math.trunc(sums[i] / count);
        break;
      case 'float':
        for (let i = 0; i < p.outTotal; i++) {
          const mean = f32(f32(sums[i]) / f32(count));
          o[i] = clamp(tfliteRound(f32(f32(mean * scale) + bias)) + add);
        }
        break;
      case 'xnnpack':
        for (let i = 0; i < p.outTotal; i++) o[i] = clamp(roundHalfEven(f32(f32(sums[i] - subtract) * scale)) + add);
        break;
    }
  },
};

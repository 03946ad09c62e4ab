// Quantized MEAN on int8, uint8 and int16 over a constant axis tensor (tensorflow/lite/kernels/
// reduce.cc EvalMean<kGenericOptimized>, the builtin kernel). Two paths, as there:
// - int8 / uint8, keep_dims, rank 4, axes exactly {1, 2} (spatial mean): optimized Mean, a
//   float32-derived multiplier for input_scale / (H*W * output_scale) and a float32 bias for the
//   zero points (optimized/integer_ops/mean.h, optimized/reduce.h);
// - everything else: reference_ops::QuantizedMeanOrSum, the int32 sum minus zero_point * count,
//   rescaled by QuantizeMultiplier(input_scale / output_scale) with 1/count folded into it.
import { f32, multiplyByQuantizedMultiplier, quantizedTypeRange, quantizeMultiplier } from '../quant/index.js';
import { fail, input, isKnown, type Kernel, output } from './kernel.js';
import { requireQuantizedType, requireZeroPointZero, tensorQuant } from './quantize.js';
import { intValues } from './tensor_data.js';
import { optBool } from './util.js';

type IntArray = Int8Array | Uint8Array | Int16Array;

interface MeanIntParams {
  /** Input walked in row-major order as collapsed segments; the last is the inner loop. */
  dims: number[];
  /** Output step per segment (0 on reduced segments). */
  outStrides: number[];
  counter: Int32Array;
  inTotal: number;
  outTotal: number;
  /** Exact int32 sums per output, held in doubles. */
  sums: Float64Array;
  /** Final step: output = clamp(multiplyByQuantizedMultiplier(sum - subtract, m, s) + add). */
  subtract: number;
  multiplier: number;
  shift: number;
  add: number;
  lo: number;
  hi: number;
}

/**
 * QuantizedMeanOrSum's folding of 1/count into the multiplier: shift = floor(log2(count)) capped
 * at 32 and at 31 + shift, multiplier = (multiplier << shift) / count in int64.
 */
function foldCount(multiplier: number, shift: number, count: number): { multiplier: number; shift: number } {
  let s = Math.floor(Math.log2(count));
  while (2 ** (s + 1) <= count) s++; // guard Math.log2 rounding
  while (2 ** s > count) s--;
  s = Math.min(s, 32, 31 + shift);
  const m = Number((BigInt(multiplier) << BigInt(s)) / BigInt(count));
  return { multiplier: m, shift: shift - s };
}

export const meanIntKernel: Kernel<MeanIntParams> = {
  prepare(ctx) {
    const x = input(ctx, 0);
    const axisT = input(ctx, 1);
    const y = output(ctx, 0);
    const type = requireQuantizedType(ctx, x, 'the input');
    if (y.dtype !== type) fail(ctx, `output dtype ${y.dtype} differs from input dtype ${type}`);
    if (axisT.dtype !== 'int32' && axisT.dtype !== 'int64') fail(ctx, `axis must be int32, got ${axisT.dtype}`);
    if (!isKnown(axisT)) fail(ctx, 'axis tensor must be constant (its values decide the output shape)');
    const shape = x.shape;
    const rank = shape.length;
    // ResolveAxis: normalized, duplicates dropped, order kept; a scalar input reduces nothing.
    const axes: number[] = [];
    if (rank > 0) {
      for (const a of intValues(ctx, axisT, 'axis')) {
        const d = a < 0 ? a + rank : a;
        if (d < 0 || d >= rank) fail(ctx, `axis ${a} is out of range for input rank ${rank}`);
        if (!axes.includes(d)) axes.push(d);
      }
    }
    const reduced = shape.map((_, d) => axes.includes(d));
    const keepDims = optBool(ctx, 'keepDims', false);
    y.shape = keepDims ? shape.map((s, d) => (reduced[d] ? 1 : s)) : shape.filter((_, d) => !reduced[d]);

    const qi = tensorQuant(ctx, x, 'the input');
    const qo = tensorQuant(ctx, y, 'the output');
    if (type === 'int16') {
      requireZeroPointZero(ctx, qi, 'the input');
      requireZeroPointZero(ctx, qo, 'the output');
    }
    const [lo, hi] = quantizedTypeRange(type);

    // Collapse the input into alternating runs of reduced / kept dimensions.
    const dims: number[] = [];
    const isReduced: boolean[] = [];
    for (let d = 0; d < rank; d++) {
      if (shape[d] === 1) continue;
      const last = dims.length - 1;
      if (last >= 0 && isReduced[last] === reduced[d]) dims[last] *= shape[d] as number;
      else {
        dims.push(shape[d] as number);
        isReduced.push(reduced[d] as boolean);
      }
    }
    if (dims.length === 0) {
      dims.push(1);
      isReduced.push(false);
    }
    const outStrides = new Array<number>(dims.length).fill(0);
    for (let d = dims.length - 1, s = 1; d >= 0; d--) {
      if (isReduced[d]) continue;
      outStrides[d] = s;
      s *= dims[d] as number;
    }
    const inTotal = shape.reduce((a, b) => a * b, 1);
    const outTotal = y.shape.reduce((a, b) => a * b, 1);
    // Elements folded into each output: the product of the reduced input dimensions.
    const count = axes.reduce((a, d) => a * (shape[d] as number), 1);
    const base = { dims, outStrides, counter: new Int32Array(dims.length), inTotal, outTotal, sums: new Float64Array(outTotal), lo, hi };

    const spatial = rank === 4 && keepDims && axes.length === 2 && axes.includes(1) && axes.includes(2);
    if (spatial && type !== 'int16') {
      // optimized Mean: float32 arithmetic throughout, as in the C++.
      const numElements = f32(count);
      let temp = f32(f32(qi.zeroPoint * qi.scale) / qo.scale);
      temp = temp > 0 ? f32(temp + 0.5) : f32(temp - 0.5);
      const bias = qo.zeroPoint - Math.trunc(temp);
      const { multiplier, shift } = quantizeMultiplier(f32(qi.scale / f32(numElements * qo.scale)));
      return { ...base, subtract: 0, multiplier, shift, add: bias };
    }
    const q = quantizeMultiplier(qi.scale / qo.scale);
    const folded = count > 0 ? foldCount(q.multiplier, q.shift, count) : q;
    return { ...base, subtract: qi.zeroPoint * count, multiplier: folded.multiplier, shift: folded.shift, add: qo.zeroPoint };
  },
  eval(ctx, p) {
    const x = input(ctx, 0).data as IntArray;
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
    const { subtract, multiplier, shift, add, lo, hi } = p;
    for (let i = 0; i < p.outTotal; i++) {
      // The C++ sums and subtracts in int32 (wrapping).
      const v = multiplyByQuantizedMultiplier((sums[i] - subtract) | 0, multiplier, shift) + add;
      o[i] = Math.min(Math.max(v, lo), hi);
    }
  },
};

// Building blocks of the quantized chains: quantizations fitted to a range, int8 weights and
// convolutions, QUANTIZE / DEQUANTIZE at the edges, the shapes the chains use.
import type { DType } from '../../../src/index.js';
import type { FuzzQuant, GraphBuilder } from '../graph.js';
import { INT_LIMITS, type Rng } from '../rng.js';

export const ACTIVATIONS = [0, 1, 2, 3]; // NONE, RELU, RELU_N1_TO_1, RELU6
export const SAME = 0;
export const VALID = 1;

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Quantization of `dtype` for values in about [lo, hi]: the scale that maps the range onto the
 * type, times a factor (small factors saturate, large ones squeeze), the zero point that centres
 * it (now and then one at a type limit instead).
 */
export function fitQuant(r: Rng, dtype: DType, lo: number, hi: number): FuzzQuant {
  const [qmin, qmax] = INT_LIMITS[dtype] as [number, number];
  const span = Math.max(hi - lo, 1e-6);
  const scale = Math.fround((span / (qmax - qmin)) * 10 ** r.uniform(-0.7, 0.5));
  const zp = r.bool(0.15) ? r.zeroPoint(dtype) : clamp(Math.round(qmin - lo / scale), qmin, qmax);
  return { scale: [scale], zeroPoint: [zp] };
}

/** The float range a quantization represents. */
export function quantRange(dtype: DType, q: FuzzQuant): [number, number] {
  const [qmin, qmax] = INT_LIMITS[dtype] as [number, number];
  const s = q.scale[0] as number;
  const z = q.zeroPoint[0] as number;
  return [(qmin - z) * s, (qmax - z) * s];
}

/** A float input range: symmetric, positive or skewed, over decades. */
export function floatRange(r: Rng): [number, number] {
  const m = 10 ** r.uniform(-1.5, 1.5);
  return r.pick([
    [-m, m],
    [0, m],
    [-m / 4, m],
    [-m, m / 8],
  ] as [number, number][]);
}

/** Symmetric per-channel int8 weights along `axis` (what TFLite's int8 convolutions require). */
export function int8Weights(r: Rng, shape: number[], axis: number): { values: number[]; quant: FuzzQuant } {
  const channels = shape[axis] as number;
  const scale = Array.from({ length: channels }, () => r.scale(-3, 0));
  const values = r.bool(0.1) ? Array.from({ length: numel(shape) }, () => (r.bool() ? -127 : 127)) : r.ints(numel(shape), -127, 127);
  return { values, quant: { scale, zeroPoint: scale.map(() => 0), axis } };
}

/** Output size of a convolution / pool along one axis. */
export function convOut(size: number, k: number, s: number, d: number, padding: number): number {
  return padding === SAME ? Math.ceil(size / s) : Math.floor((size - (k - 1) * d - 1) / s) + 1;
}

export interface Q8 {
  /** Tensor index. */
  t: number;
  shape: number[];
  quant: FuzzQuant;
}

/**
 * An int8 CONV_2D or DEPTHWISE_CONV_2D (per-channel weights, int32 bias) on `x`: what an int8
 * model's body is made of. Returns the output (int8, with an output scale that keeps about two
 * standard deviations of the accumulator in range, times a factor).
 */
export function int8Conv(g: GraphBuilder, r: Rng, x: Q8, kind: 'conv' | 'depthwise', outChannels?: number, forcePadding?: number): Q8 {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  let padding = forcePadding ?? r.pick([SAME, VALID]);
  const k = r.int(1, Math.min(3, Math.max(1, r.size)));
  const s = r.pick([1, 1, 2]);
  const d = r.bool(0.8) ? 1 : 2;
  if (padding === VALID && ((k - 1) * d + 1 > h || (k - 1) * d + 1 > w)) padding = SAME;
  const multiplier = kind === 'depthwise' ? r.pick([1, 1, 2]) : 1;
  const outC = kind === 'depthwise' ? c * multiplier : (outChannels ?? r.pick([1, 2, 3, 4, 5, 8].filter((v) => v <= Math.max(1, r.size))));
  const wShape = kind === 'depthwise' ? [1, k, k, outC] : [outC, k, k, c];
  const wts = int8Weights(r, wShape, kind === 'depthwise' ? 3 : 0);
  const filter = g.constant('int8', wShape, wts.values, wts.quant);
  const inScale = x.quant.scale[0] as number;
  const biasScale = wts.quant.scale.map((v) => Math.fround(inScale * v));
  const depth = kind === 'depthwise' ? k * k : k * k * c;
  const typical = 74 * 73 * Math.sqrt(depth);
  const bias = g.constant('int32', [outC], r.ints(outC, -Math.round(typical), Math.round(typical)), {
    scale: biasScale,
    zeroPoint: biasScale.map(() => 0),
    axis: 0,
  });
  const natural = (inScale * (wts.quant.scale[0] as number) * typical) / 64;
  const outQ: FuzzQuant = { scale: [Math.fround(natural * 10 ** r.uniform(-1, 1))], zeroPoint: [r.zeroPoint('int8')] };
  const oh = convOut(h, k, s, d, padding);
  const ow = convOut(w, k, s, d, padding);
  const shape = [n, oh, ow, outC];
  const y = g.activation('int8', shape, outQ);
  const act = r.pick(ACTIVATIONS);
  if (kind === 'conv') {
    const values = { padding, strideW: s, strideH: s, dilationWFactor: d, dilationHFactor: d, fusedActivationFunction: act };
    g.node('CONV_2D', [x.t, filter, bias], [y], { type: 'Conv2DOptions', values }, 3);
  } else {
    const values = {
      padding,
      strideW: s,
      strideH: s,
      depthMultiplier: multiplier,
      dilationWFactor: d,
      dilationHFactor: d,
      fusedActivationFunction: act,
    };
    g.node('DEPTHWISE_CONV_2D', [x.t, filter, bias], [y], { type: 'DepthwiseConv2DOptions', values }, 3);
  }
  return { t: y, shape, quant: outQ };
}

/** A float input and its QUANTIZE to int8 (`dtype`), quantized to fit the input's range. */
export function quantizedInput(g: GraphBuilder, r: Rng, shape: number[], dtype: DType = 'int8'): Q8 {
  const range = floatRange(r);
  const x = g.input('float32', shape, { range });
  const quant = fitQuant(r, dtype, range[0], range[1]);
  const t = g.activation(dtype, shape, quant);
  g.node('QUANTIZE', [x], [t]);
  return { t, shape, quant };
}

/** DEQUANTIZE to a float graph output. */
export function dequantizeOut(g: GraphBuilder, x: Q8): number {
  const y = g.output('float32', x.shape);
  g.node('DEQUANTIZE', [x.t], [y]);
  return y;
}

/** A 4-D image shape [N, H, W, C]. */
export function imageShape(r: Rng): number[] {
  return [r.pick([1, 1, 2].filter((v) => v <= r.size)), r.dim(9), r.dim(9), r.dim(6)];
}

/** Two shapes that broadcast (same rank, 1s anywhere, or a lower rank). */
export function broadcastPair(r: Rng): [number[], number[]] {
  const rank = r.rank(1, 4);
  const out = r.shape(rank, 6);
  const pattern = r.pick(['same', 'ones', 'lower'] as const);
  if (pattern === 'same') return [out, [...out]];
  const other = out.map((d) => (r.bool() ? 1 : d));
  const b = pattern === 'lower' ? other.slice(r.int(0, rank - 1)) : other;
  return r.bool() ? [out, b] : [b, out];
}

/** An int8 -> int8 QUANTIZE (requantization), as the converter inserts before ops that need one scale. */
export function requantize(g: GraphBuilder, x: Q8, quant: FuzzQuant, dtype: DType = 'int8'): Q8 {
  const t = g.activation(dtype, x.shape, quant);
  g.node('QUANTIZE', [x.t], [t]);
  return { t, shape: x.shape, quant };
}

export const sameQuant = (a: FuzzQuant, b: FuzzQuant) => a.scale[0] === b.scale[0] && a.zeroPoint[0] === b.zeroPoint[0];

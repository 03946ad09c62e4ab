// What the convolution and matrix-product cases share: the quantization schemes (float32, hybrid,
// int8, uint8, 16x8) with their weights, biases and output scales, and the window geometry.
import type { DType } from '../../../src/index.js';
import type { FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';

export const ACTIVATIONS = [0, 1, 2, 3]; // NONE, RELU, RELU_N1_TO_1, RELU6
export const SAME = 0;
export const VALID = 1;
export const INT32_MAX = 2147483647;
/** TensorType.INT32 of the schema (quantized_bias_type). */
export const TENSOR_TYPE_INT32 = 2;

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A channel count in 1-17: small, odd, prime, powers of two and 16/17 edges (capped by the size). */
export function channels(r: Rng, max = 17): number {
  const m = Math.max(1, Math.min(max, r.size * 2));
  // Now and then a model-sized count (long dot products, several SIMD tiles).
  if (max >= 17 && r.size >= 9 && r.bool(0.08)) return r.pick([24, 32, 48, 64]);
  return r.pick([1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 17, r.int(1, m)].filter((c) => c <= m));
}

/** A spatial size: mostly small, now and then model-like (16-24). */
export function spatial(r: Rng, max: number): number {
  if (r.size >= 9 && r.bool(0.08)) return r.pick([12, 15, 16, 19, 24]);
  return r.dim(max);
}

/** Activation type of a scheme: what the input / output tensors hold. */
export type Scheme = 'float32' | 'hybrid' | 'int8' | 'uint8' | 'int16';

/** Weight quantization: one scale per channel (along `axis`) or per tensor. */
export function weightQuant(r: Rng, scheme: Scheme, count: number, axis: number, perChannel: boolean): FuzzQuant {
  const n = perChannel ? count : 1;
  const scale = Array.from({ length: n }, () => r.scale(-3.5, 0));
  // Per-channel weights are symmetric; uint8 weights carry a zero point (often at a limit).
  const zeroPoint = Array.from({ length: n }, () => (scheme === 'uint8' ? r.zeroPoint('uint8') : 0));
  return perChannel ? { scale, zeroPoint, axis } : { scale, zeroPoint };
}

/** Random weight values of the scheme's weight dtype, sometimes at the limits only. */
export function weightValues(r: Rng, scheme: Scheme, n: number): number[] {
  if (scheme === 'float32') return r.floats(n, -1, 1);
  const [lo, hi] = scheme === 'uint8' ? [0, 255] : [-127, 127];
  if (r.bool(0.1)) return Array.from({ length: n }, () => (r.bool() ? lo : hi));
  return r.ints(n, lo, hi);
}

/** The activation dtype of a scheme. */
export const actType = (s: Scheme): DType => (s === 'hybrid' || s === 'float32' ? 'float32' : s);
export const weightType = (s: Scheme): DType => (s === 'float32' ? 'float32' : s === 'uint8' ? 'uint8' : 'int8');

/** Quantization of an integer input activation. */
export function inputQuant(r: Rng, scheme: Scheme): FuzzQuant | undefined {
  if (scheme === 'float32' || scheme === 'hybrid') return undefined;
  return r.quant(scheme, -3, 0.5);
}

/** Typical |input - zero point| * |weight| magnitude for full-range random data of the scheme. */
export function productMagnitude(scheme: Scheme): number {
  if (scheme === 'int16') return 18900 * 73;
  return 74 * 73;
}

/**
 * Output quantization: the scale that maps about two standard deviations of the accumulator onto
 * the output range, times a factor over decades (small factors saturate heavily, large ones
 * squeeze everything into a few steps).
 */
export function outputQuant(r: Rng, scheme: Scheme, inScale: number, wScale: number, depth: number): FuzzQuant {
  const half = scheme === 'int16' ? 16384 : 64;
  const natural = (inScale * wScale * productMagnitude(scheme) * Math.sqrt(depth)) / half;
  const scale = Math.fround(natural * 10 ** r.uniform(-2, 1.5));
  return { scale: [scale], zeroPoint: [scheme === 'int16' ? 0 : r.zeroPoint(actType(scheme))] };
}

/** Bias values (quantized: int32 / int64 in units of input_scale * weight_scale). */
export function biasValues(r: Rng, scheme: Scheme, n: number, depth: number): number[] {
  if (scheme === 'float32' || scheme === 'hybrid') return r.floats(n, -2, 2);
  const typical = productMagnitude(scheme) * Math.sqrt(depth);
  const range = r.pick([typical, typical * 4, 1000, 2 ** 24]);
  const v = r.ints(n, -Math.round(range), Math.round(range));
  // Now and then a bias that saturates the accumulator's int32 range on its own.
  if (scheme !== 'int16' && r.bool(0.05)) return v.map((x) => (x < 0 ? -INT32_MAX + 1000 : INT32_MAX - 1000));
  return v;
}

export interface BiasChoice {
  dtype: DType;
}

/** Adds a bias constant of `n` values for the scheme; the bias scale is input_scale * weight_scale[c]. */
export function addBias(
  g: GraphBuilder,
  r: Rng,
  scheme: Scheme,
  n: number,
  depth: number,
  inQ: FuzzQuant | undefined,
  wQ: FuzzQuant | undefined,
  choice: BiasChoice,
): number {
  const values = biasValues(r, scheme, n, depth);
  if (scheme === 'float32' || scheme === 'hybrid' || !inQ || !wQ) return g.constant('float32', [n], values);
  const inScale = inQ.scale[0] as number;
  const perChannel = wQ.scale.length > 1;
  const scale = perChannel ? wQ.scale.map((s) => Math.fround(inScale * s)) : [Math.fround(inScale * (wQ.scale[0] as number))];
  const quant: FuzzQuant = perChannel ? { scale, zeroPoint: scale.map(() => 0), axis: 0 } : { scale, zeroPoint: [0] };
  if (choice.dtype === 'int64') return g.constant('int64', [n], values.map(BigInt), quant);
  return g.constant('int32', [n], values, quant);
}

/** An image input [N, H, W, C] of the scheme. */
export function imageInput(g: GraphBuilder, r: Rng, scheme: Scheme, shape: number[], q: FuzzQuant | undefined): number {
  if (scheme === 'float32' || scheme === 'hybrid') {
    // Hybrid kernels quantize the input per batch: asymmetric ranges exercise the zero points.
    const range = r.pick([
      [-2, 2],
      [0, 3],
      [-1, 0.25],
      // Large inputs only for hybrid: under RELU_N1_TO_1 a float sum of ±50s clamped to [-1, 1]
      // differs by 1.1e-5 relative even between the two TFLite runtimes.
      ...(scheme === 'hybrid' ? [[-50, 50]] : []),
    ] as [number, number][]);
    return g.input('float32', shape, { range });
  }
  return g.input(scheme, shape, { quant: q as FuzzQuant });
}

/** Kernel size, stride and dilation of one spatial axis that keep a VALID window inside `size`. */
export function window(r: Rng, size: number, padding: number): { k: number; s: number; d: number } {
  let k = r.int(1, Math.min(5, Math.max(1, r.size)));
  const s = r.int(1, 3);
  let d = r.bool(0.6) ? 1 : r.int(2, 3);
  if (padding === VALID && (k - 1) * d + 1 > size) {
    d = 1;
    k = Math.min(k, size);
  }
  return { k, s, d };
}

/**
 * Whether the oracle's tfjs-tflite build (its XNNPACK) miscomputes a SAME window: with a stride
 * above 1, an axis whose windows end before the input does ((out - 1) * s + effective k < in, a
 * negative total padding), unless the filter is 1x1. It then leaves outputs at the bias;
 * LiteRT.js computes these as we do (measured on CONV_2D float32, e.g. [1,7,4,1] * [1,3,1,1]
 * stride 2). Such cases are not generated.
 */
export function tfjsSameBug(padding: number, sizes: number[], ks: number[], ss: number[], ds: number[]): boolean {
  if (padding !== SAME || ks.every((k) => k === 1)) return false;
  return sizes.some((n, i) => {
    const s = ss[i] as number;
    const eff = ((ks[i] as number) - 1) * (ds[i] as number) + 1;
    return s > 1 && (Math.ceil(n / s) - 1) * s + eff < n;
  });
}

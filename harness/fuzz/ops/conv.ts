// Differential cases for the convolutions and matrix products (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED, TRANSPOSE_CONV, CUSTOM:Convolution2DTransposeBias, BATCH_MATMUL): float32,
// hybrid (float32 activations, constant int8 weights), int8 (per-channel weights), legacy uint8
// and 16x8, with the options TFLite's kernel tests vary (padding, strides, dilations, fused
// activations, depth multipliers, keep_num_dims, adj_x / adj_y, broadcast batch dimensions).
// Weights are constants, as TFLite requires of the filters. See ../run_case.ts for the contract.
import type { DType } from '../../../src/index.js';
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const ACTIVATIONS = [0, 1, 2, 3]; // NONE, RELU, RELU_N1_TO_1, RELU6
const SAME = 0;
const VALID = 1;
const INT32_MAX = 2147483647;
/** TensorType.INT32 of the schema (quantized_bias_type). */
const TENSOR_TYPE_INT32 = 2;

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A channel count in 1-17: small, odd, prime, powers of two and 16/17 edges (capped by the size). */
function channels(r: Rng, max = 17): number {
  const m = Math.max(1, Math.min(max, r.size * 2));
  // Now and then a model-sized count (long dot products, several SIMD tiles).
  if (max >= 17 && r.size >= 9 && r.bool(0.08)) return r.pick([24, 32, 48, 64]);
  return r.pick([1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 17, r.int(1, m)].filter((c) => c <= m));
}

/** A spatial size: mostly small, now and then model-like (16-24). */
function spatial(r: Rng, max: number): number {
  if (r.size >= 9 && r.bool(0.08)) return r.pick([12, 15, 16, 19, 24]);
  return r.dim(max);
}

/** Activation type of a scheme: what the input / output tensors hold. */
type Scheme = 'float32' | 'hybrid' | 'int8' | 'uint8' | 'int16';

/** Weight quantization: one scale per channel (along `axis`) or per tensor. */
function weightQuant(r: Rng, scheme: Scheme, count: number, axis: number, perChannel: boolean): FuzzQuant {
  const n = perChannel ? count : 1;
  const scale = Array.from({ length: n }, () => r.scale(-3.5, 0));
  // Per-channel weights are symmetric; uint8 weights carry a zero point (often at a limit).
  const zeroPoint = Array.from({ length: n }, () => (scheme === 'uint8' ? r.zeroPoint('uint8') : 0));
  return perChannel ? { scale, zeroPoint, axis } : { scale, zeroPoint };
}

/** Random weight values of the scheme's weight dtype, sometimes at the limits only. */
function weightValues(r: Rng, scheme: Scheme, n: number): number[] {
  if (scheme === 'float32') return r.floats(n, -1, 1);
  const [lo, hi] = scheme === 'uint8' ? [0, 255] : [-127, 127];
  if (r.bool(0.1)) return Array.from({ length: n }, () => (r.bool() ? lo : hi));
  return r.ints(n, lo, hi);
}

/** The activation dtype of a scheme. */
const actType = (s: Scheme): DType => (s === 'hybrid' || s === 'float32' ? 'float32' : s);
const weightType = (s: Scheme): DType => (s === 'float32' ? 'float32' : s === 'uint8' ? 'uint8' : 'int8');

/** Quantization of an integer input activation. */
function inputQuant(r: Rng, scheme: Scheme): FuzzQuant | undefined {
  if (scheme === 'float32' || scheme === 'hybrid') return undefined;
  return r.quant(scheme, -3, 0.5);
}

/** Typical |input - zero point| * |weight| magnitude for full-range random data of the scheme. */
function productMagnitude(scheme: Scheme): number {
  if (scheme === 'int16') return 18900 * 73;
  return 74 * 73;
}

/**
 * Output quantization: the scale that maps about two standard deviations of the accumulator onto
 * the output range, times a factor over decades (small factors saturate heavily, large ones
 * squeeze everything into a few steps).
 */
function outputQuant(r: Rng, scheme: Scheme, inScale: number, wScale: number, depth: number): FuzzQuant {
  const half = scheme === 'int16' ? 16384 : 64;
  const natural = (inScale * wScale * productMagnitude(scheme) * Math.sqrt(depth)) / half;
  const scale = Math.fround(natural * 10 ** r.uniform(-2, 1.5));
  return { scale: [scale], zeroPoint: [scheme === 'int16' ? 0 : r.zeroPoint(actType(scheme))] };
}

/** Bias values (quantized: int32 / int64 in units of input_scale * weight_scale). */
function biasValues(r: Rng, scheme: Scheme, n: number, depth: number): number[] {
  if (scheme === 'float32' || scheme === 'hybrid') return r.floats(n, -2, 2);
  const typical = productMagnitude(scheme) * Math.sqrt(depth);
  const range = r.pick([typical, typical * 4, 1000, 2 ** 24]);
  const v = r.ints(n, -Math.round(range), Math.round(range));
  // Now and then a bias that saturates the accumulator's int32 range on its own.
  if (scheme !== 'int16' && r.bool(0.05)) return v.map((x) => (x < 0 ? -INT32_MAX + 1000 : INT32_MAX - 1000));
  return v;
}

interface BiasChoice {
  dtype: DType;
}

/** Adds a bias constant of `n` values for the scheme; the bias scale is input_scale * weight_scale[c]. */
function addBias(
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
function imageInput(g: GraphBuilder, r: Rng, scheme: Scheme, shape: number[], q: FuzzQuant | undefined): number {
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
function window(r: Rng, size: number, padding: number): { k: number; s: number; d: number } {
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
function tfjsSameBug(padding: number, sizes: number[], ks: number[], ss: number[], ds: number[]): boolean {
  if (padding !== SAME || ks.every((k) => k === 1)) return false;
  return sizes.some((n, i) => {
    const s = ss[i] as number;
    const eff = ((ks[i] as number) - 1) * (ds[i] as number) + 1;
    return s > 1 && (Math.ceil(n / s) - 1) * s + eff < n;
  });
}

// ---------------------------------------------------------------------------------------------
// CONV_2D and DEPTHWISE_CONV_2D

function convVersion(scheme: Scheme, perChannel: boolean): number {
  if (scheme === 'int16') return 4;
  if (scheme === 'hybrid') return perChannel ? 5 : 2;
  if (scheme === 'int8') return 3;
  return 1;
}

/**
 * Makes the node's weights (input `index`) a subgraph input with fixed values: XNNPACK takes only
 * static weights, so the node runs on TFLite's builtin kernel (ruy's GEMM for int8 CONV_2D and
 * FULLY_CONNECTED, as in models whose weights are computed).
 */
function dynamicWeights(f: OpFuzzer, index: number): OpFuzzer {
  return {
    ...f,
    dtypes: `${f.dtypes} dynamic weights`,
    make(r) {
      const g = f.make(r);
      const w = g.nodes[0]?.inputs[index] as number;
      g.inputs.push(w);
      return g;
    },
  };
}

function conv2d(scheme: Scheme, dtypes: string, perChannel: boolean, bias: 'int32' | 'int64' = 'int32'): OpFuzzer {
  return {
    op: 'CONV_2D',
    dtypes,
    // 16x8 with an int32 bias runs TFLite's optimized im2col + ruy GEMM (one rounding), which
    // 'xnnpack' rounding reproduces (XNNPACK itself has no int16 path).
    rounding: scheme === 'int8' || scheme === 'uint8' || (scheme === 'int16' && bias === 'int32') ? 'xnnpack' : 'reference',
    make(r) {
      const g = new GraphBuilder();
      const batch = r.pick([1, 1, 2, 3].filter((d) => d <= r.size));
      const h = spatial(r, 11);
      const w = spatial(r, 11);
      const inC = channels(r);
      const outC = channels(r);
      let padding = r.pick([SAME, VALID]);
      const wy = window(r, h, padding);
      const wx = r.bool(0.7) ? window(r, w, padding) : wy;
      let kx = Math.min(wx.k, padding === VALID ? w : wx.k);
      let dx = padding === VALID && (kx - 1) * wx.d + 1 > w ? 1 : wx.d;
      if (tfjsSameBug(padding, [h, w], [wy.k, kx], [wy.s, wx.s], [wy.d, dx])) {
        // Square 1x1 windows are unaffected; keep the strides and shapes otherwise.
        padding = VALID;
        wy.k = 1;
        wy.d = 1;
        kx = 1;
        dx = 1;
      }
      const inQ = inputQuant(r, scheme);
      const x = imageInput(g, r, scheme, [batch, h, w, inC], inQ);
      const wShape = [outC, wy.k, kx, inC];
      const wQ = scheme === 'float32' ? undefined : weightQuant(r, scheme, outC, 0, perChannel);
      const filter = g.constant(weightType(scheme), wShape, weightValues(r, scheme, numel(wShape)), wQ);
      const depth = wy.k * kx * inC;
      // TFLite's CONV_2D requires a bias (conv.cc: has_bias; without one tfjs-tflite returns garbage).
      const withBias = true;
      const b = withBias ? addBias(g, r, scheme, outC, depth, inQ, wQ, { dtype: bias }) : -1;
      const outQ = inQ && wQ ? outputQuant(r, scheme, inQ.scale[0] as number, wQ.scale[0] as number, depth) : undefined;
      const y = g.output(actType(scheme), undefined, outQ);
      const values = {
        padding,
        strideW: wx.s,
        strideH: wy.s,
        dilationWFactor: dx,
        dilationHFactor: wy.d,
        fusedActivationFunction: r.pick(ACTIVATIONS),
      };
      g.node('CONV_2D', withBias ? [x, filter, b] : [x, filter], [y], { type: 'Conv2DOptions', values }, convVersion(scheme, perChannel));
      return g.graph;
    },
  };
}

function depthwise(scheme: Scheme, dtypes: string, perChannel: boolean): OpFuzzer {
  return {
    op: 'DEPTHWISE_CONV_2D',
    dtypes,
    rounding: scheme === 'int8' || scheme === 'uint8' ? 'xnnpack' : 'reference',
    make(r) {
      const g = new GraphBuilder();
      const batch = r.pick([1, 1, 2, 3].filter((d) => d <= r.size));
      const h = spatial(r, 11);
      const w = spatial(r, 11);
      const inC = channels(r);
      const multiplier = r.pick([1, 1, 1, 2, 3, 4].filter((m) => m * inC <= 24 || m === 1));
      const outC = inC * multiplier;
      let padding = r.pick([SAME, VALID]);
      const wy = window(r, h, padding);
      const wx = window(r, w, padding);
      if (tfjsSameBug(padding, [h, w], [wy.k, wx.k], [wy.s, wx.s], [wy.d, wx.d])) {
        padding = VALID;
        wy.k = 1;
        wy.d = 1;
        wx.k = 1;
        wx.d = 1;
      }
      const inQ = inputQuant(r, scheme);
      const x = imageInput(g, r, scheme, [batch, h, w, inC], inQ);
      const wShape = [1, wy.k, wx.k, outC];
      const wQ = scheme === 'float32' ? undefined : weightQuant(r, scheme, outC, 3, perChannel);
      const filter = g.constant(weightType(scheme), wShape, weightValues(r, scheme, numel(wShape)), wQ);
      const depth = wy.k * wx.k;
      const withBias = scheme === 'int8' || scheme === 'uint8' ? r.bool(0.9) : r.bool(0.7);
      const b = withBias ? addBias(g, r, scheme, outC, depth, inQ, wQ, { dtype: scheme === 'int16' ? 'int64' : 'int32' }) : -1;
      const outQ = inQ && wQ ? outputQuant(r, scheme, inQ.scale[0] as number, wQ.scale[0] as number, depth) : undefined;
      const y = g.output(actType(scheme), undefined, outQ);
      const values = {
        padding,
        strideW: wx.s,
        strideH: wy.s,
        depthMultiplier: multiplier,
        dilationWFactor: wx.d,
        dilationHFactor: wy.d,
        fusedActivationFunction: r.pick(ACTIVATIONS),
      };
      const version = scheme === 'int16' ? 5 : scheme === 'hybrid' ? 6 : scheme === 'int8' ? 3 : wx.d > 1 || wy.d > 1 ? 2 : 1;
      g.node('DEPTHWISE_CONV_2D', withBias ? [x, filter, b] : [x, filter], [y], { type: 'DepthwiseConv2DOptions', values }, version);
      return g.graph;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// FULLY_CONNECTED

/**
 * Keeps a per-channel FULLY_CONNECTED's XNNPACK requantization scales (float32 input_scale *
 * filter_scale[c] / output_scale) below 256 by raising the output scale. Version 12 has only
 * LiteRT.js for a reference (tfjs-tflite's TFLite refuses it), and LiteRT.js runs a graph whose
 * XNNPACK operator creation fails on such a scale anyway, returning uninitialized memory (measured:
 * every case with a scale >= 256 failed, by up to 254 LSB, with outputs that change from run to run;
 * matched again once the output scale brought the scale below 256; per-tensor int8 FC in LiteRT.js
 * too). TFLite proper restores its builtin kernels (tfjs-tflite, per-tensor: ours match there).
 */
function capFcXnnpackScale(inQ: FuzzQuant, wQ: FuzzQuant, outQ: FuzzQuant): void {
  const f32 = Math.fround;
  const inScale = f32(inQ.scale[0] as number);
  const maxProduct = Math.max(...wQ.scale.map((s) => f32(inScale * f32(s))));
  if (f32(maxProduct / f32(outQ.scale[0] as number)) >= 255) outQ.scale[0] = f32(maxProduct / 128);
}

function fullyConnected(scheme: Scheme, dtypes: string, opts: { perChannel?: boolean; bias?: 'int32' | 'int64' } = {}): OpFuzzer {
  return {
    op: 'FULLY_CONNECTED',
    dtypes,
    // 16x8 also takes 'xnnpack' rounding: TFLite's builtin kernel for an int32 bias (or none) is
    // the optimized ruy path, which rounds once where the reference kernel rounds twice.
    rounding: scheme === 'hybrid' || scheme === 'float32' ? 'reference' : 'xnnpack',
    // 16x8 with an int64 bias: current TFLite's reference kernel requantizes the 64-bit sums in
    // double (std::round); the older TFLite in tfjs-tflite uses the int64 fixed-point multiplier
    // and differs by 1 LSB on ~15% of cases. Our kernel follows current TFLite (LiteRT.js).
    ...(scheme === 'int16' && opts.bias === 'int64'
      ? {
          oracle: 'litert' as const,
          note: 'int64 bias: current TFLite (LiteRT.js) requantizes in double; tfjs-tflite (older) in int64 fixed point',
        }
      : {}),
    make(r) {
      const g = new GraphBuilder();
      const inDim = r.pick([1, 2, 3, 5, 7, 8, 16, 17, 31, 64, r.int(1, 40)].filter((d) => d <= Math.max(1, r.size * 5)));
      const units = channels(r);
      const rank = r.rank(2, 4);
      const batchDims = r.shape(rank - 1, 5);
      const keepNumDims = r.bool();
      let shape = [...batchDims, inDim];
      // Without keep_num_dims, the input is read as rows of inDim whatever its shape.
      if (!keepNumDims && r.bool(0.2)) {
        const total = numel(shape);
        const divisors = Array.from({ length: total }, (_, i) => i + 1).filter((d) => total % d === 0);
        const last = r.pick(divisors);
        shape = [total / last, last];
      }
      const inQ = inputQuant(r, scheme);
      const x =
        scheme === 'float32' || scheme === 'hybrid'
          ? g.input('float32', shape, {
              range: r.pick([
                [-2, 2],
                [0, 3],
                [-1, 0.25],
              ] as [number, number][]),
            })
          : g.input(scheme, shape, { quant: inQ as FuzzQuant });
      const wShape = [units, inDim];
      const wQ = scheme === 'float32' ? undefined : weightQuant(r, scheme, units, 0, opts.perChannel ?? false);
      const filter = g.constant(weightType(scheme), wShape, weightValues(r, scheme, numel(wShape)), wQ);
      const withBias = r.bool(0.7);
      const b = withBias ? addBias(g, r, scheme, units, inDim, inQ, wQ, { dtype: opts.bias ?? 'int32' }) : -1;
      const outQ = inQ && wQ ? outputQuant(r, scheme, inQ.scale[0] as number, wQ.scale[0] as number, inDim) : undefined;
      if (scheme === 'int8' && opts.perChannel && inQ && wQ && outQ) capFcXnnpackScale(inQ, wQ, outQ);
      const y = g.output(actType(scheme), undefined, outQ);
      const values: Record<string, unknown> = { fusedActivationFunction: r.pick(ACTIVATIONS), keepNumDims };
      if (scheme === 'hybrid') values.asymmetricQuantizeInputs = r.bool();
      const version =
        scheme === 'int16'
          ? 7
          : scheme === 'hybrid'
            ? values.asymmetricQuantizeInputs
              ? 9
              : 3
            : scheme === 'int8'
              ? opts.perChannel
                ? 12
                : 4
              : 1;
      g.node('FULLY_CONNECTED', [x, filter, b], [y], { type: 'FullyConnectedOptions', values }, Math.max(version, keepNumDims ? 5 : 1));
      return g.graph;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TRANSPOSE_CONV and CUSTOM:Convolution2DTransposeBias

/** An output size of TRANSPOSE_CONV that TFLite's padding computation maps back onto `size`. */
function transposeOutSize(r: Rng, size: number, k: number, s: number, padding: number): number {
  if (padding === SAME) return (size - 1) * s + r.int(1, s);
  return (size - 1) * s + k + r.int(0, s - 1);
}

/**
 * Whether TFLite's XNNPACK delegate takes an int8 TRANSPOSE_CONV of this geometry: it declines
 * SAME padding with a kernel smaller than the stride (CalculateTransposeConvPaddings), and TFLite
 * runs its builtin kernel instead.
 */
function xnnpackTakesTransposeGeometry(padding: number, kh: number, kw: number, sh: number, sw: number): boolean {
  return padding !== SAME || (kh >= sh && kw >= sw);
}

/**
 * Keeps XNNPACK's requantization scales, float32 input_scale * filter_scale[c] / output_scale,
 * below 256 by raising the output scale. XNNPACK refuses larger ones when it creates the operator
 * (the delegate's partition checks do not look at them; see xnnpack_graph.ts), and LiteRT.js (the
 * reference at version 4) runs such a graph anyway and returns uninitialized memory (measured:
 * garbage that changes from run to run on every int8 case with a scale >= 256, right again once
 * the output scale brings it below 256). Such cases have no reference output; where the delegate
 * declines the node (SAME, kernel < stride) the builtin kernel runs and large scales stay.
 */
function capXnnpackScale(inQ: FuzzQuant, wQ: FuzzQuant, outQ: FuzzQuant): void {
  const f32 = Math.fround;
  const inScale = f32(inQ.scale[0] as number);
  const maxW = Math.max(...wQ.scale.map((s) => f32(inScale * f32(s))));
  if (f32(maxW / f32(outQ.scale[0] as number)) >= 255) outQ.scale[0] = f32(maxW / 128);
}

function transposeConv(scheme: Scheme, dtypes: string, perChannel: boolean, bias16: 'int32' | 'int64' = 'int64'): OpFuzzer {
  return {
    op: 'TRANSPOSE_CONV',
    dtypes,
    // LiteRT.js (the reference at version 4) runs int8 and hybrid nodes on XNNPACK where its
    // delegate takes them (hybrid: XNNPACK's dynamically quantized qd8 deconvolution).
    rounding: scheme === 'int8' || scheme === 'hybrid' ? 'xnnpack' : 'reference',
    make(r) {
      const g = new GraphBuilder();
      const batch = r.pick([1, 1, 2].filter((d) => d <= r.size));
      const h = r.dim(7);
      const w = r.dim(7);
      const inC = channels(r, 11);
      const outC = channels(r, 11);
      const padding = r.pick([SAME, VALID]);
      const kh = r.int(1, Math.min(5, Math.max(1, r.size)));
      const kw = r.bool(0.7) ? r.int(1, Math.min(5, Math.max(1, r.size))) : kh;
      const sh = r.int(1, 3);
      const sw = r.bool(0.7) ? r.int(1, 3) : sh;
      const outShape = [batch, transposeOutSize(r, h, kh, sh, padding), transposeOutSize(r, w, kw, sw, padding), outC];
      const shapeT = g.constant('int32', [4], outShape);
      const wShape = [outC, kh, kw, inC];
      const wQ = scheme === 'float32' ? undefined : weightQuant(r, scheme, outC, 0, perChannel);
      const filter = g.constant(weightType(scheme), wShape, weightValues(r, scheme, numel(wShape)), wQ);
      const inQ = inputQuant(r, scheme);
      const x = imageInput(g, r, scheme, [batch, h, w, inC], inQ);
      // Each output pixel sums about (k / s)^2 input pixels.
      const depth = Math.max(1, Math.ceil(kh / sh) * Math.ceil(kw / sw) * inC);
      const withBias = r.bool(0.7);
      const b = withBias ? addBias(g, r, scheme, outC, depth, inQ, wQ, { dtype: scheme === 'int16' ? bias16 : 'int32' }) : -1;
      const outQ = inQ && wQ ? outputQuant(r, scheme, inQ.scale[0] as number, wQ.scale[0] as number, depth) : undefined;
      if (scheme === 'int8' && inQ && wQ && outQ && xnnpackTakesTransposeGeometry(padding, kh, kw, sh, sw)) {
        capXnnpackScale(inQ, wQ, outQ);
      }
      const y = g.output(actType(scheme), outShape, outQ);
      // Version 4 (fused activations): tfjs-tflite's older TFLite refuses it, so LiteRT.js is the
      // reference here. (At version 3 tfjs-tflite differs from LiteRT.js: its int8 node runs the
      // builtin kernel with the reference rounding where LiteRT.js runs XNNPACK (197 of 200 cases
      // match 'reference'), and its 16x8 kernel differs on most cases without a bias (53 of 64),
      // where LiteRT.js and we agree on all 200.)
      const values: Record<string, number> = { padding, strideW: sw, strideH: sh, fusedActivationFunction: r.pick(ACTIVATIONS) };
      // 16x8 with an int32 bias: declared by quantized_bias_type = INT32 at version 5, as the
      // converter writes it. Undeclared, TFLite reads the int32 bias buffer as int64 (measured on
      // LiteRT.js: channel c gets bias[2c] + bias[2c+1] * 2^32, read past the buffer for the upper
      // half of the channels), which no kernel can reproduce.
      const int32Bias16 = scheme === 'int16' && bias16 === 'int32';
      if (int32Bias16) values.quantizedBiasType = TENSOR_TYPE_INT32;
      const inputs = withBias ? [shapeT, filter, x, b] : [shapeT, filter, x];
      g.node('TRANSPOSE_CONV', inputs, [y], { type: 'TransposeConvOptions', values }, int32Bias16 ? 5 : 4);
      return g.graph;
    },
  };
}

/** TfLitePadding of the raw options struct: kTfLitePaddingSame = 1, kTfLitePaddingValid = 2. */
function transposeBiasOptions(padding: number, strideW: number, strideH: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, padding, true);
  view.setInt32(4, strideW, true);
  view.setInt32(8, strideH, true);
  return bytes;
}

const convolution2dTransposeBias: OpFuzzer = {
  op: 'CUSTOM:Convolution2DTransposeBias',
  dtypes: 'float32',
  oracle: 'litert',
  note: 'MediaPipe custom op: only LiteRT.js registers it',
  make(r) {
    const g = new GraphBuilder();
    const batch = r.pick([1, 1, 2].filter((d) => d <= r.size));
    const h = r.dim(7);
    const w = r.dim(7);
    const inC = channels(r, 11);
    const outC = channels(r, 11);
    const kh = r.int(1, Math.min(5, Math.max(1, r.size)));
    const kw = r.bool(0.7) ? r.int(1, Math.min(5, Math.max(1, r.size))) : kh;
    // LiteRT.js leaves outputs no tap reaches (stride > kernel) uninitialized: strides stay <= the kernel.
    const sh = r.int(1, Math.min(3, kh));
    const sw = r.int(1, Math.min(3, kw));
    const x = g.input('float32', [batch, h, w, inC], { range: [-2, 2] });
    const wShape = [outC, kh, kw, inC];
    const filter = g.constant('float32', wShape, r.floats(numel(wShape)));
    const b = g.constant('float32', [outC], r.floats(outC, -2, 2));
    const y = g.output('float32');
    g.node('CUSTOM:Convolution2DTransposeBias', [x, filter, b], [y], undefined, 1, {
      customOptions: transposeBiasOptions(r.pick([1, 2]), sw, sh),
    });
    return g.graph;
  },
};

// ---------------------------------------------------------------------------------------------
// BATCH_MATMUL

/** LHS / RHS batch shapes that broadcast against each other (ranks 0-3, 1s anywhere). */
function batchShapes(r: Rng): [number[], number[]] {
  const rank = r.rank(0, 3);
  const out = r.shape(rank, 4);
  const side = () => {
    const s = out.map((d) => (r.bool(0.3) ? 1 : d));
    return r.bool(0.25) ? s.slice(r.int(0, rank)) : s;
  };
  return [side(), side()];
}

function batchMatMul(lhsType: Scheme, rhsType: Scheme, dtypes: string, int32Out = false): OpFuzzer {
  return {
    op: 'BATCH_MATMUL',
    dtypes,
    rounding: lhsType === 'int8' ? 'xnnpack' : 'reference',
    // int8 x int8 -> int32: TFLite's EvalInt8Int32 sums raw products (no zero points); the
    // older TFLite inside tfjs-tflite subtracts the zero points, LiteRT.js does not.
    ...(int32Out
      ? {
          oracle: 'litert' as const,
          note: 'int32 output: current TFLite (LiteRT.js) sums raw products; tfjs-tflite applies the zero points',
        }
      : {}),
    make(r) {
      const g = new GraphBuilder();
      const [lb, rb] = batchShapes(r);
      const m = r.dim(9);
      const k = r.pick([1, 2, 3, 5, 7, 8, 16, 17, r.int(1, 33)].filter((d) => d <= Math.max(1, r.size * 4)));
      const n = r.dim(9);
      const adjX = r.bool();
      const adjY = r.bool();
      const lShape = [...lb, ...(adjX ? [k, m] : [m, k])];
      const rShape = [...rb, ...(adjY ? [n, k] : [k, n])];
      const quant = lhsType !== 'float32';
      const lq = quant ? r.quant(actType(lhsType), -3, 0.5) : undefined;
      const rq = quant
        ? { scale: [r.scale(-3, 0)], zeroPoint: [rhsType === 'int16' || lhsType === 'int16' ? 0 : r.zeroPoint(actType(rhsType))] }
        : undefined;
      const lhs = quant ? g.input(actType(lhsType), lShape, { quant: lq as FuzzQuant }) : g.input('float32', lShape, { range: [-2, 2] });
      // The RHS is a constant (weights) or a second input.
      let rhs: number;
      if (r.bool(0.5)) {
        const values = quant
          ? r.ints(numel(rShape), rhsType === 'int16' ? -32768 : -128, rhsType === 'int16' ? 32767 : 127)
          : r.floats(numel(rShape), -2, 2);
        rhs = g.constant(actType(rhsType), rShape, values, rq);
      } else {
        rhs = quant ? g.input(actType(rhsType), rShape, { quant: rq as FuzzQuant }) : g.input('float32', rShape, { range: [-2, 2] });
      }
      let outQ: FuzzQuant | undefined;
      if (quant && !int32Out) {
        const lmag = lhsType === 'int16' ? 18900 : 74;
        const rmag = rhsType === 'int16' ? 18900 : 74;
        const half = lhsType === 'int16' ? 16384 : 64;
        const natural = ((lq?.scale[0] as number) * (rq?.scale[0] as number) * lmag * rmag * Math.sqrt(k)) / half;
        outQ = { scale: [Math.fround(natural * 10 ** r.uniform(-2, 1.5))], zeroPoint: [lhsType === 'int16' ? 0 : r.zeroPoint('int8')] };
      }
      const y = g.output(int32Out ? 'int32' : actType(lhsType), undefined, outQ);
      g.node(
        'BATCH_MATMUL',
        [lhs, rhs],
        [y],
        { type: 'BatchMatMulOptions', values: { adjX, adjY } },
        lhsType === 'int16' ? 3 : lhsType === 'int8' ? 2 : 1,
      );
      return g.graph;
    },
  };
}

export const convFuzzers: OpFuzzer[] = [
  conv2d('float32', 'float32', false),
  conv2d('hybrid', 'hybrid float32,int8 per-tensor', false),
  conv2d('hybrid', 'hybrid float32,int8 per-channel', true),
  conv2d('int8', 'int8', true),
  conv2d('int8', 'int8 per-tensor', false),
  dynamicWeights(conv2d('int8', 'int8', true), 1),
  conv2d('uint8', 'uint8', false),
  conv2d('int16', '16x8 int16,int8 int64 bias', true, 'int64'),
  conv2d('int16', '16x8 int16,int8 int32 bias', true, 'int32'),
  depthwise('float32', 'float32', false),
  // Hybrid DEPTHWISE_CONV_2D with per-tensor weights has no reference: TFLite's hybrid kernel reads
  // one scale per channel, and both runtimes return the bias alone there (undefined behaviour).
  depthwise('hybrid', 'hybrid float32,int8 per-channel', true),
  depthwise('int8', 'int8', true),
  depthwise('uint8', 'uint8', false),
  depthwise('int16', '16x8 int16,int8', true),
  fullyConnected('float32', 'float32'),
  fullyConnected('hybrid', 'hybrid float32,int8'),
  fullyConnected('int8', 'int8'),
  fullyConnected('int8', 'int8 per-channel', { perChannel: true }),
  dynamicWeights(fullyConnected('int8', 'int8'), 1),
  fullyConnected('uint8', 'uint8'),
  fullyConnected('int16', '16x8 int16,int8 int64 bias', { bias: 'int64' }),
  fullyConnected('int16', '16x8 int16,int8 int32 bias', { bias: 'int32' }),
  transposeConv('float32', 'float32', false),
  transposeConv('hybrid', 'hybrid float32,int8', false),
  transposeConv('int8', 'int8', true),
  transposeConv('int16', '16x8 int16,int8 int64 bias', true),
  transposeConv('int16', '16x8 int16,int8 int32 bias', true, 'int32'),
  convolution2dTransposeBias,
  batchMatMul('float32', 'float32', 'float32'),
  batchMatMul('int8', 'int8', 'int8'),
  batchMatMul('int8', 'int8', 'int8 -> int32', true),
  batchMatMul('int16', 'int8', '16x8 int16,int8'),
  batchMatMul('int16', 'int16', '16x16 int16,int16'),
];

// Differential cases for the convolutions and matrix products (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED, TRANSPOSE_CONV, CUSTOM:Convolution2DTransposeBias, BATCH_MATMUL): float32,
// hybrid (float32 activations, constant int8 weights), int8 (per-channel weights), legacy uint8
// and 16x8, with the options TFLite's kernel tests vary (padding, strides, dilations, fused
// activations, depth multipliers, keep_num_dims, adj_x / adj_y, broadcast batch dimensions).
// Weights are constants, as TFLite requires of the filters. See ../run_case.ts for the contract.
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { OpFuzzer } from '../run_case.js';
import { batchMatMul } from './batch_matmul.js';
import {
  ACTIVATIONS,
  actType,
  addBias,
  channels,
  imageInput,
  inputQuant,
  numel,
  outputQuant,
  SAME,
  type Scheme,
  spatial,
  tfjsSameBug,
  VALID,
  weightQuant,
  weightType,
  weightValues,
  window,
} from './conv_schemes.js';
import { convolution2dTransposeBias, transposeConv } from './transpose_conv.js';

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

// CONV_2D for float32 activations: float32 weights (tensorflow/lite/kernels/conv.cc EvalFloat,
// reference_ops::Conv) and int8 weights (the hybrid EvalHybrid / EvalHybridPerChannel paths).
// Also the checks the float conv family shares: float32 tensors, the bias, activation ranges.

import { CONV_INPUTS, type ConvGeometry, convGeometry, parseConv2DOptions } from './conv_geometry.js';
import {
  asymmetricQuantizeFloats,
  type HybridInputScratch,
  type HybridWeights,
  hybridInputScratch,
  hybridWeights,
  refreshHybridWeights,
  symmetricQuantizeFloats,
} from './hybrid.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output } from './kernel.js';
import { matmulRows } from './matmul_rows.js';
import { Activation, floatActivationRange } from './util.js';
import { copyBias, type PackedFloatRows, packedFloatRows, ROW_TILE, wasmMatmulRows } from './wasm/matmul.js';
import { after, wasmKernels } from './wasm/module.js';

const fround = Math.fround;

/**
 * Clamp range of a fused activation on the conv family's float outputs: TFLite's
 * CalculateActivationRange clamps only the RELU family and leaves anything else (TANH,
 * SIGN_BIT) unclamped here, where other ops reject it.
 */
export function convActivationRange(ctx: NodeContext, activation: number): [number, number] {
  const clamps = activation >= Activation.NONE && activation <= Activation.RELU6;
  return clamps ? floatActivationRange(ctx, activation) : [-Infinity, Infinity];
}

/** Checks the tensor is float32, naming it. */
export function expectFloat32(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  if (t.dtype !== 'float32') fail(ctx, `${what} must be float32, got ${t.dtype}`);
}

/** Checks an optional float32 bias of `count` elements; returns it or null. */
export function optionalBias(ctx: NodeContext, index: number, count: number): RuntimeTensor | null {
  const bias = ctx.inputs[index] ?? null;
  if (!bias) return null;
  expectFloat32(ctx, bias, 'bias');
  const n = bias.shape.reduce((a, d) => a * d, 1);
  if (n !== count) fail(ctx, `bias has ${n} elements, expected ${count} (one per output channel)`);
  return bias;
}

/** The optional float bias's values at eval, or null. */
export function biasValues(ctx: NodeContext, index: number): Float32Array | null {
  return (ctx.inputs[index]?.data as Float32Array | undefined) ?? null;
}

/** The sizes of an NHWC conv output. */
type ConvOutputShape = { batches: number; outH: number; outW: number; outC: number };

/** What every float-output conv prepare computes (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV). */
export interface FloatConvParams<G> {
  geo: G;
  /** The fused activation (clamped by lo / hi). */
  activation: number;
  lo: number;
  hi: number;
}

/**
 * The prepare the float-activation CONV_2D and DEPTHWISE_CONV_2D kernels share: float32 input and
 * output, a float32 filter (int8 for the hybrid kernels), the options, geometry and bias, the
 * output shape and the clamp range.
 */
export function prepareFloatConv<O extends { activation: number }, G extends ConvOutputShape>(
  ctx: NodeContext,
  filterType: 'float32' | 'int8',
  parse: (ctx: NodeContext) => O,
  geometry: (ctx: NodeContext, options: O, x: RuntimeTensor, filter: RuntimeTensor) => G,
): FloatConvParams<G> {
  const x = input(ctx, CONV_INPUTS.input);
  const filter = input(ctx, CONV_INPUTS.filter);
  const out = output(ctx, 0);
  expectFloat32(ctx, x, 'input');
  if (filterType === 'float32') expectFloat32(ctx, filter, 'filter');
  expectFloat32(ctx, out, 'output');
  if (filterType === 'int8' && filter.dtype !== 'int8') fail(ctx, `hybrid filter must be int8, got ${filter.dtype}`);
  const options = parse(ctx);
  return floatConvParams(ctx, CONV_INPUTS.bias, options.activation, geometry(ctx, options, x, filter));
}

/** A float-filter CONV_2D / DEPTHWISE_CONV_2D kernel from its options, geometry, scratch and core. */
export function floatConvKernel<O extends { activation: number }, G extends ConvOutputShape, S>(
  parse: (ctx: NodeContext) => O,
  geometry: (ctx: NodeContext, options: O, x: RuntimeTensor, filter: RuntimeTensor) => G,
  scratch: (g: G, constantFilter: boolean) => S,
  core: FloatConvCore<G, S>,
): Kernel<FloatConvParams<G> & { scratch: S }> {
  return {
    prepare(ctx) {
      const base = prepareFloatConv(ctx, 'float32', parse, geometry);
      return { ...base, scratch: scratch(base.geo, isKnown(input(ctx, CONV_INPUTS.filter))) };
    },
    eval(ctx, p) {
      evalFloatConv(ctx, CONV_INPUTS, core, p, p.scratch);
    },
  };
}

/** The end of a float-output conv prepare: the bias check, the NHWC output shape, the clamp range. */
export function floatConvParams<G extends ConvOutputShape>(
  ctx: NodeContext,
  biasSlot: number,
  activation: number,
  geo: G,
): FloatConvParams<G> {
  optionalBias(ctx, biasSlot, geo.outC);
  output(ctx, 0).shape = [geo.batches, geo.outH, geo.outW, geo.outC];
  const [lo, hi] = convActivationRange(ctx, activation);
  return { geo, activation, lo, hi };
}

/** A float conv core: input, filter and bias in, clamped to [lo, hi], with its prepared scratch. */
export type FloatConvCore<G, S> = (
  g: G,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  lo: number,
  hi: number,
  scratch: S,
) => void;

/** Where a float conv kernel's input, filter and bias sit (TRANSPOSE_CONV's differ from CONV_2D's). */
export interface FloatConvSlots {
  input: number;
  filter: number;
  bias: number;
}

/** The eval of a float conv kernel: its core on the node's tensors (nothing to do for an empty output). */
export function evalFloatConv<G, S>(
  ctx: NodeContext,
  slots: FloatConvSlots,
  core: FloatConvCore<G, S>,
  p: FloatConvParams<G>,
  scratch: S,
): void {
  const out = output(ctx, 0).data as Float32Array;
  if (out.length === 0) return;
  core(
    p.geo,
    input(ctx, slots.input).data as Float32Array,
    input(ctx, slots.filter).data as Float32Array,
    biasValues(ctx, slots.bias),
    out,
    p.lo,
    p.hi,
    scratch,
  );
}

/**
 * Float convolution (also run on hybrid inputs already quantized to integers). For each output
 * row it gathers every pixel's receptive field into a row of `patches` (zeros outside the image,
 * like TFLite's im2col) and multiplies those rows by the group's filters. 1x1 stride-1
 * convolutions read the input rows directly (a plain matrix product). The wasm kernels do the
 * products when available (same sums, same order); the JS loops are the fallback and reference.
 */
export const convCore: FloatConvCore<ConvGeometry, ConvScratch> = (g, x, w, bias, out, lo, hi, scratch) => {
  if (convWasm(g, x, w, bias, out, lo, hi, scratch)) return;
  const { outH, outW, outC, filterH, filterW, filterC, groups } = g;
  const perGroup = outC / groups;
  const K = filterH * filterW * filterC;
  if (isPointwise(g)) {
    matmulRows(x, 0, K, g.batches * outH * outW, K, w, 0, outC, bias, 0, out, 0, outC, lo, hi);
    return;
  }
  const patches = scratch.patches;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const outRow = (b * outH + oy) * outW * outC;
      for (let grp = 0; grp < groups; grp++) {
        gatherPatches(g, x, b, oy, grp, patches, 0);
        const oc0 = grp * perGroup;
        matmulRows(patches, 0, K, outW, K, w, oc0 * K, perGroup, bias, oc0, out, outRow + oc0, outC, lo, hi);
      }
    }
  }
};

/** The receptive fields of output row `oy` of image `b` for group `grp`, one row of K per pixel, at patches[off...]. */
function gatherPatches(g: ConvGeometry, x: Float32Array, b: number, oy: number, grp: number, patches: Float32Array, off: number): void {
  const { inH, inW, inC, outW, filterH, filterW, filterC } = g;
  const K = filterH * filterW * filterC;
  const rowLen = filterW * filterC;
  const iy0 = oy * g.strideH - g.padH;
  const chan0 = grp * filterC;
  for (let ox = 0; ox < outW; ox++) {
    const ix0 = ox * g.strideW - g.padW;
    const patch = off + ox * K;
    for (let fy = 0; fy < filterH; fy++) {
      const iy = iy0 + fy * g.dilationH;
      const pRow = patch + fy * rowLen;
      if (iy < 0 || iy >= inH) {
        patches.fill(0, pRow, pRow + rowLen);
        continue;
      }
      const inRow = (b * inH + iy) * inW;
      for (let fx = 0; fx < filterW; fx++) {
        const ix = ix0 + fx * g.dilationW;
        const p = pRow + fx * filterC;
        if (ix < 0 || ix >= inW) {
          patches.fill(0, p, p + filterC);
          continue;
        }
        const src = (inRow + ix) * inC + chan0;
        if (filterC < 16) for (let c = 0; c < filterC; c++) patches[p + c] = x[src + c] as number;
        else patches.set(x.subarray(src, src + filterC), p);
      }
    }
  }
}

/** convCore on the wasm kernels: the image copied in, patches gathered there (as f64). False when unavailable. */
function convWasm(
  g: ConvGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  lo: number,
  hi: number,
  scratch: ConvScratch,
): boolean {
  const k = wasmKernels();
  if (k === null) return false;
  const { outH, outW, outC, filterH, filterW, filterC, groups } = g;
  const K = filterH * filterW * filterC;
  const packed = scratch.packed;
  if (isPointwise(g)) return wasmMatmulRows(x, 0, g.batches * outH * outW, K, packed, w, outC, bias, out, 0, lo, hi);
  const perGroup = outC / groups;
  const { inH, inW, inC } = g;
  const imageSize = inH * inW * inC;
  const patchBytes = outW * K * 8;
  const rowBytes = outW * outC * 4;
  packed.src = w;
  const base = k.call(packed, imageSize * 4 + patchBytes + rowBytes + outC * 4 + 128);
  if (base === null) return false;
  const xPtr = after(base, patchBytes);
  const outPtr = after(xPtr, imageSize * 4);
  const biasPtr = after(outPtr, rowBytes);
  const hasBias = copyBias(k, bias, 0, outC, biasPtr);
  const f32 = k.f32;
  const { matmul_f64: conv, patches_f64: gather } = k.exports;
  for (let b = 0; b < g.batches; b++) {
    f32.set(x.subarray(b * imageSize, (b + 1) * imageSize), xPtr >> 2);
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * g.strideH - g.padH;
      for (let grp = 0; grp < groups; grp++) {
        gather(xPtr, inH, inW, inC, grp * filterC, filterH, filterW, filterC, g.strideW, g.dilationH, g.dilationW, iy0, g.padW, outW, base);
        const oc0 = grp * perGroup;
        const wPtr = packed.ptr + grp * packed.groupBytes;
        for (let r = 0; r < outW; r += ROW_TILE) {
          const rows = Math.min(ROW_TILE, outW - r);
          conv(base + r * K * 8, K, rows, K, wPtr, perGroup, biasPtr + oc0 * 4, hasBias, outPtr + (r * outC + oc0) * 4, outC, lo, hi);
        }
      }
      out.set(f32.subarray(outPtr >> 2, (outPtr >> 2) + outW * outC), (b * outH + oy) * outW * outC);
    }
  }
  return true;
}

/** A 1x1, stride-1, unpadded, ungrouped convolution: a matrix product over the input rows. */
function isPointwise(g: ConvGeometry): boolean {
  return g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 && g.groups === 1;
}

/** Scratch of the float conv core: the JS path's receptive fields, the wasm path's packed filter. */
export interface ConvScratch {
  /** One output row of receptive fields (none for pointwise convolutions). */
  patches: Float32Array;
  packed: PackedFloatRows;
}

function patchScratch(g: ConvGeometry, constantFilter: boolean): ConvScratch {
  return {
    patches: new Float32Array(isPointwise(g) ? 0 : g.outW * g.filterH * g.filterW * g.filterC),
    packed: packedFloatRows(g.outC, g.filterH * g.filterW * g.filterC, g.groups, constantFilter),
  };
}

/** What the float CONV_2D prepare computes; the GPU builder reads it too. */
export interface Conv2DParams extends FloatConvParams<ConvGeometry> {
  scratch: ConvScratch;
}

export const conv2dFloat: Kernel<Conv2DParams> = floatConvKernel(parseConv2DOptions, convGeometry, patchScratch, convCore);

export interface HybridConvParams extends Conv2DParams, HybridInputScratch {
  weights: HybridWeights;
  /** TFLite's EvalHybridPerChannel (asymmetric inputs); else EvalHybrid (symmetric, one scale). */
  perChannelPath: boolean;
}

/**
 * Hybrid CONV_2D: float input quantized per batch image, int8 weights, float bias and output.
 * Per-tensor weights take TFLite's EvalHybrid (symmetric input quantization, scale folded into
 * the batch factor); per-channel weights with differing scales, or grouped convolutions, take
 * EvalHybridPerChannel (asymmetric input quantization, zero point subtracted in integers).
 */
export const conv2dHybrid: Kernel<HybridConvParams> = {
  prepare(ctx) {
    const base = prepareFloatConv(ctx, 'int8', parseConv2DOptions, convGeometry);
    const geo = base.geo;
    const weights = hybridWeights(ctx, input(ctx, CONV_INPUTS.filter), 0, 'filter');
    return {
      ...base,
      // The float copy of the weights changes when the filter is not constant.
      scratch: patchScratch(geo, isKnown(input(ctx, CONV_INPUTS.filter))),
      weights,
      perChannelPath: weights.scalesDiffer || geo.groups !== 1,
      ...hybridInputScratch(geo.batches, geo.inH * geo.inW * geo.inC),
    };
  },
  eval(ctx, p) {
    const o = output(ctx, 0).data as Float32Array;
    if (o.length === 0) return;
    const g = p.geo;
    const x = input(ctx, CONV_INPUTS.input).data as Float32Array;
    refreshHybridWeights(input(ctx, CONV_INPUTS.filter), p.weights);
    const perBatch = g.inH * g.inW * g.inC;
    const cs = p.weights.channelScales;
    for (let b = 0; b < g.batches; b++) {
      if (p.perChannelPath) {
        asymmetricQuantizeFloats(x, b * perBatch, perBatch, p.quantized, b * perBatch, p.scales, p.zeroPoints, b);
      } else {
        // EvalHybrid folds the (first) filter scale into the batch's factor, in float.
        p.scales[b] = fround(symmetricQuantizeFloats(x, b * perBatch, perBatch, p.quantized, b * perBatch) * (cs[0] as number));
      }
    }
    // Integer accumulators (exact in doubles), stored as float like static_cast<float>(acc).
    convCore(g, p.quantized, p.weights.values, null, o, -Infinity, Infinity, p.scratch);
    const bias = biasValues(ctx, CONV_INPUTS.bias);
    const pixels = g.outH * g.outW;
    const { lo, hi } = p;
    for (let b = 0; b < g.batches; b++) {
      const sf = p.scales[b] as number;
      for (let i = b * pixels * g.outC, end = (b + 1) * pixels * g.outC; i < end; i += g.outC) {
        for (let c = 0; c < g.outC; c++) {
          const acc = o[i + c] as number;
          let v: number;
          if (!p.perChannelPath) v = fround(acc * sf);
          else if (g.groups === 1)
            v = fround(acc * fround((cs[c] as number) * sf)); // optimized_ops order
          else v = fround(fround(acc * (cs[c] as number)) * sf); // reference_ops order (grouped)
          if (bias !== null) v += bias[c] as number;
          o[i + c] = v < lo ? lo : Math.min(v, hi);
        }
      }
    }
  },
};

// CONV_2D for float32 activations: float32 weights (tensorflow/lite/kernels/conv.cc EvalFloat,
// reference_ops::Conv) and int8 weights (the hybrid EvalHybrid / EvalHybridPerChannel paths).
// Also the shared pieces of the conv family: the dot-product core, activation ranges, geometry.

import { type ConvGeometry, convGeometry, parseConv2DOptions } from './conv_geometry.js';
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
import { fail, input, output } from './kernel.js';
import { Activation, fusedActivation } from './util.js';

const fround = Math.fround;

/**
 * Clamp range of a fused activation on float outputs, as TFLite's CalculateActivationRange:
 * only the RELU family clamps; anything else (TANH, SIGN_BIT) is silently no clamp there too.
 */
export function convActivationRange(activation: number): [number, number] {
  switch (activation) {
    case Activation.RELU:
      return [0, Infinity];
    case Activation.RELU_N1_TO_1:
      return [-1, 1];
    case Activation.RELU6:
      return [0, 6];
    default:
      return [-Infinity, Infinity];
  }
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

/**
 * out[outOff + n] = clamp(sum_k a[aOff + k] * w[wOff + n*K + k] + bias[biasOff + n]) for n < count:
 * one row of `a` against `count` contiguous rows of `w`. Four weight rows at a time so each
 * element of `a` is loaded once per four outputs. Sums run in doubles.
 */
export function rowTimesRows(
  a: Float32Array,
  aOff: number,
  K: number,
  w: Float32Array,
  wOff: number,
  count: number,
  bias: Float32Array | null,
  biasOff: number,
  out: Float32Array,
  outOff: number,
  lo: number,
  hi: number,
): void {
  let n = 0;
  for (; n + 4 <= count; n += 4) {
    const w0 = wOff + n * K;
    const w1 = w0 + K;
    const w2 = w1 + K;
    const w3 = w2 + K;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < K; k++) {
      const x = a[aOff + k] as number;
      s0 += x * (w[w0 + k] as number);
      s1 += x * (w[w1 + k] as number);
      s2 += x * (w[w2 + k] as number);
      s3 += x * (w[w3 + k] as number);
    }
    if (bias !== null) {
      s0 += bias[biasOff + n] as number;
      s1 += bias[biasOff + n + 1] as number;
      s2 += bias[biasOff + n + 2] as number;
      s3 += bias[biasOff + n + 3] as number;
    }
    out[outOff + n] = s0 < lo ? lo : Math.min(s0, hi);
    out[outOff + n + 1] = s1 < lo ? lo : Math.min(s1, hi);
    out[outOff + n + 2] = s2 < lo ? lo : Math.min(s2, hi);
    out[outOff + n + 3] = s3 < lo ? lo : Math.min(s3, hi);
  }
  for (; n < count; n++) {
    const w0 = wOff + n * K;
    let s = 0;
    for (let k = 0; k < K; k++) s += (a[aOff + k] as number) * (w[w0 + k] as number);
    if (bias !== null) s += bias[biasOff + n] as number;
    out[outOff + n] = s < lo ? lo : Math.min(s, hi);
  }
}

/**
 * out[outOff + r*outStride + n] = clamp(sum_k a[aOff + r*aStride + k] * w[wOff + n*K + k] + bias[biasOff + n])
 * for r < rows, n < count: rows of `a` against `count` contiguous rows of `w`, two rows by four
 * weight rows at a time (eight independent sums, each load used twice or four times).
 */
export function matmulRows(
  a: Float32Array,
  aOff: number,
  aStride: number,
  rows: number,
  K: number,
  w: Float32Array,
  wOff: number,
  count: number,
  bias: Float32Array | null,
  biasOff: number,
  out: Float32Array,
  outOff: number,
  outStride: number,
  lo: number,
  hi: number,
): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const a0 = aOff + r * aStride;
    const a1 = a0 + aStride;
    const o0 = outOff + r * outStride;
    const o1 = o0 + outStride;
    let n = 0;
    for (; n + 4 <= count; n += 4) {
      const w0 = wOff + n * K;
      const w1 = w0 + K;
      const w2 = w1 + K;
      const w3 = w2 + K;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k] as number;
        const x1 = a[a1 + k] as number;
        const v0 = w[w0 + k] as number;
        const v1 = w[w1 + k] as number;
        const v2 = w[w2 + k] as number;
        const v3 = w[w3 + k] as number;
        s00 += x0 * v0;
        s01 += x0 * v1;
        s02 += x0 * v2;
        s03 += x0 * v3;
        s10 += x1 * v0;
        s11 += x1 * v1;
        s12 += x1 * v2;
        s13 += x1 * v3;
      }
      if (bias !== null) {
        const b0 = bias[biasOff + n] as number;
        const b1 = bias[biasOff + n + 1] as number;
        const b2 = bias[biasOff + n + 2] as number;
        const b3 = bias[biasOff + n + 3] as number;
        s00 += b0;
        s01 += b1;
        s02 += b2;
        s03 += b3;
        s10 += b0;
        s11 += b1;
        s12 += b2;
        s13 += b3;
      }
      out[o0 + n] = s00 < lo ? lo : Math.min(s00, hi);
      out[o0 + n + 1] = s01 < lo ? lo : Math.min(s01, hi);
      out[o0 + n + 2] = s02 < lo ? lo : Math.min(s02, hi);
      out[o0 + n + 3] = s03 < lo ? lo : Math.min(s03, hi);
      out[o1 + n] = s10 < lo ? lo : Math.min(s10, hi);
      out[o1 + n + 1] = s11 < lo ? lo : Math.min(s11, hi);
      out[o1 + n + 2] = s12 < lo ? lo : Math.min(s12, hi);
      out[o1 + n + 3] = s13 < lo ? lo : Math.min(s13, hi);
    }
    for (; n < count; n++) {
      const w0 = wOff + n * K;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < K; k++) {
        const v = w[w0 + k] as number;
        s0 += (a[a0 + k] as number) * v;
        s1 += (a[a1 + k] as number) * v;
      }
      if (bias !== null) {
        s0 += bias[biasOff + n] as number;
        s1 += bias[biasOff + n] as number;
      }
      out[o0 + n] = s0 < lo ? lo : Math.min(s0, hi);
      out[o1 + n] = s1 < lo ? lo : Math.min(s1, hi);
    }
  }
  if (r < rows) rowTimesRows(a, aOff + r * aStride, K, w, wOff, count, bias, biasOff, out, outOff + r * outStride, lo, hi);
}

/** Shapes, strides and padding of one CONV_2D node. */

/**
 * Float convolution (also run on hybrid inputs already quantized to integers). For each output
 * row it gathers every pixel's receptive field into a row of `patches` (zeros outside the image,
 * like TFLite's im2col) and multiplies those rows by the group's filters. 1x1 stride-1
 * convolutions read the input rows directly (a plain matrix product).
 */
export function convCore(
  g: ConvGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  lo: number,
  hi: number,
  patches: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups } = g;
  const perGroup = outC / groups;
  const K = filterH * filterW * filterC;
  if (isPointwise(g)) {
    matmulRows(x, 0, inC, g.batches * outH * outW, K, w, 0, outC, bias, 0, out, 0, outC, lo, hi);
    return;
  }
  const rowLen = filterW * filterC;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * g.strideH - g.padH;
      const outRow = (b * outH + oy) * outW * outC;
      for (let grp = 0; grp < groups; grp++) {
        const chan0 = grp * filterC;
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = ox * g.strideW - g.padW;
          const patch = ox * K;
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
              for (let c = 0; c < filterC; c++) patches[p + c] = x[src + c] as number;
            }
          }
        }
        const oc0 = grp * perGroup;
        matmulRows(patches, 0, K, outW, K, w, oc0 * K, perGroup, bias, oc0, out, outRow + oc0, outC, lo, hi);
      }
    }
  }
}

/** A 1x1, stride-1, unpadded, ungrouped convolution: a matrix product over the input rows. */
function isPointwise(g: ConvGeometry): boolean {
  return g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 && g.groups === 1;
}

/** Scratch for one output row of receptive fields (none for pointwise convolutions). */
function patchScratch(g: ConvGeometry): Float32Array {
  return new Float32Array(isPointwise(g) ? 0 : g.outW * g.filterH * g.filterW * g.filterC);
}

interface ConvParams {
  geo: ConvGeometry;
  lo: number;
  hi: number;
  patch: Float32Array;
}

export const conv2dFloat: Kernel<ConvParams> = {
  prepare(ctx) {
    const x = input(ctx, 0);
    const filter = input(ctx, 1);
    const out = output(ctx, 0);
    expectFloat32(ctx, x, 'input');
    expectFloat32(ctx, filter, 'filter');
    expectFloat32(ctx, out, 'output');
    const geo = convGeometry(ctx, parseConv2DOptions(ctx), x, filter);
    optionalBias(ctx, 2, geo.outC);
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    const [lo, hi] = convActivationRange(fusedActivation(ctx));
    return { geo, lo, hi, patch: patchScratch(geo) };
  },
  eval(ctx, p) {
    const out = output(ctx, 0);
    if (out.data.length === 0) return;
    const bias = ctx.inputs[2]?.data as Float32Array | undefined;
    convCore(
      p.geo,
      input(ctx, 0).data as Float32Array,
      input(ctx, 1).data as Float32Array,
      bias ?? null,
      out.data as Float32Array,
      p.lo,
      p.hi,
      p.patch,
    );
  },
};

interface HybridConvParams extends ConvParams, HybridInputScratch {
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
    const x = input(ctx, 0);
    const filter = input(ctx, 1);
    const out = output(ctx, 0);
    expectFloat32(ctx, x, 'input');
    expectFloat32(ctx, out, 'output');
    if (filter.dtype !== 'int8') fail(ctx, `hybrid filter must be int8, got ${filter.dtype}`);
    const geo = convGeometry(ctx, parseConv2DOptions(ctx), x, filter);
    optionalBias(ctx, 2, geo.outC);
    const weights = hybridWeights(ctx, filter, 0, 'filter');
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    const [lo, hi] = convActivationRange(fusedActivation(ctx));
    return {
      geo,
      lo,
      hi,
      patch: patchScratch(geo),
      weights,
      perChannelPath: weights.scalesDiffer || geo.groups !== 1,
      ...hybridInputScratch(geo.batches, geo.inH * geo.inW * geo.inC),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0);
    const o = out.data as Float32Array;
    if (o.length === 0) return;
    const g = p.geo;
    const x = input(ctx, 0).data as Float32Array;
    refreshHybridWeights(input(ctx, 1), p.weights);
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
    convCore(g, p.quantized, p.weights.values, null, o, -Infinity, Infinity, p.patch);
    const bias = (ctx.inputs[2]?.data as Float32Array | undefined) ?? null;
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

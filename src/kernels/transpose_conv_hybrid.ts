// TRANSPOSE_CONV with float32 activations and int8 weights: TFLite's builtin hybrid kernel
// (transpose_conv.cc EvalHybrid, reference_ops::HybridTransposeConv) or, where TFLite's XNNPACK
// delegate takes the node, its dynamically quantized (qd8) deconvolution.
import { biasValues, expectFloat32, floatConvParams } from './conv.js';
import { parseTransposeConvOptions, TRANSPOSE_CONV_INPUTS } from './conv_geometry.js';
import {
  batchQuantizeFloats,
  type HybridInputScratch,
  type HybridWeights,
  hybridInputScratch,
  hybridWeights,
  refreshHybridWeights,
} from './hybrid.js';
import { roundHalfEven } from './int/xnnpack_rounding.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, output, xnnpackRuns } from './kernel.js';
import {
  type TransposeConvParams,
  type TransposeGeometry,
  transposeConvCore,
  transposeGeometry,
  xnnpackTransposeGeometryOk,
} from './transpose_conv.js';
import { Activation } from './util.js';

const fround = Math.fround;

interface HybridTransposeParams extends TransposeConvParams, HybridInputScratch {
  weights: HybridWeights;
  /** XNNPACK's dynamically quantized (qd8) deconvolution instead of TFLite's builtin kernel. */
  xnnpack: boolean;
}

/** Whether TFLite's XNNPACK delegate takes a hybrid TRANSPOSE_CONV (under 'xnnpack' rounding). */
function xnnpackTakesHybrid(ctx: NodeContext, g: TransposeGeometry, activation: number, padding: number): boolean {
  if (!xnnpackRuns(ctx)) return false;
  // ConvertActivationToOutputRange takes NONE, RELU, RELU_N1_TO_1 and RELU6 only.
  const { NONE, RELU, RELU_N1_TO_1, RELU6 } = Activation;
  if (activation !== NONE && activation !== RELU && activation !== RELU_N1_TO_1 && activation !== RELU6) return false;
  const weights = input(ctx, TRANSPOSE_CONV_INPUTS.weights);
  const bias = ctx.inputs[TRANSPOSE_CONV_INPUTS.bias] ?? null;
  const scalesOk = (weights.quantization?.scale ?? []).every((v) => v >= 2 ** -126 && v < Infinity);
  if (weights.kind !== 'constant' || !scalesOk || (bias !== null && bias.kind !== 'constant')) return false;
  return ctx.inputs[TRANSPOSE_CONV_INPUTS.outputShape]?.kind === 'constant' && xnnpackTransposeGeometryOk(g, padding);
}

/**
 * XNNPACK's per-batch dynamic quantization (xnn_f32_qd8_asymmetric_quantization_params, then the
 * f32-qd8 convert): scale 255 / (max - min) in float32 over a range holding 0, the zero point
 * rounded to nearest even, q = round-to-nearest-even(x * scale) + zero point (clamped to int8).
 * Writes q - zeroPoint and returns the inverse scale the GEMM multiplies by.
 */
function xnnpackQuantizeBatch(x: Float32Array, start: number, size: number, out: Float32Array): number {
  let min = 0;
  let max = 0;
  for (let i = start; i < start + size; i++) {
    const v = x[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = min === max ? 1 : fround(255 / fround(max - min));
  const minScaled = fround(min * scale);
  const maxScaled = fround(max * scale);
  const fromMin = fround(-128 + minScaled);
  const fromMax = fround(127 + maxScaled);
  let zp = fround(fromMin + fromMax) > 0 ? fround(-128 - minScaled) : fround(127 - maxScaled);
  zp = roundHalfEven(Math.min(Math.max(zp, -128), 127));
  for (let i = 0; i < size; i++) {
    const v = fround((x[start + i] as number) * scale);
    out[start + i] = roundHalfEven(Math.min(Math.max(v, -128 - zp), 127 - zp));
  }
  return fround(1 / scale);
}

/**
 * Hybrid TRANSPOSE_CONV: float input quantized per batch, int8 weights with per-tensor or
 * per-channel scales. TFLite's builtin kernel (EvalHybrid: AsymmetricQuantizeFloats, then
 * reference_ops::HybridTransposeConv) scatters every product scaled to float,
 * float((q - zp) * w) * channel_scale * input_scale, into the float output in the reference loop
 * order, then adds the bias: reproduced in that order (measured bit-exact against LiteRT.js where
 * XNNPACK declines the node). Where XNNPACK takes it, its qd8 deconvolution: XNNPACK's own input
 * quantization, exact int32 sums, float(acc) * input_scale * channel_scale + bias (bit-exact too).
 */
export const transposeConvHybrid: Kernel<HybridTransposeParams> = {
  prepare(ctx) {
    const weights = input(ctx, TRANSPOSE_CONV_INPUTS.weights);
    if (weights.dtype !== 'int8') fail(ctx, `hybrid weights must be int8, got ${weights.dtype}`);
    expectFloat32(ctx, input(ctx, TRANSPOSE_CONV_INPUTS.input), 'input');
    expectFloat32(ctx, output(ctx, 0), 'output');
    const options = parseTransposeConvOptions(ctx);
    const base = floatConvParams(ctx, TRANSPOSE_CONV_INPUTS.bias, options.activation, transposeGeometry(ctx, options));
    const geo = base.geo;
    return {
      ...base,
      acc: new Float64Array(geo.outC),
      weights: hybridWeights(ctx, weights, 0, 'weights'),
      xnnpack: xnnpackTakesHybrid(ctx, geo, options.activation, options.padding),
      ...hybridInputScratch(geo.batches, geo.inH * geo.inW * geo.inC),
    };
  },
  eval(ctx, p) {
    const o = output(ctx, 0).data as Float32Array;
    if (o.length === 0) return;
    const g = p.geo;
    const x = input(ctx, TRANSPOSE_CONV_INPUTS.input).data as Float32Array;
    refreshHybridWeights(input(ctx, TRANSPOSE_CONV_INPUTS.weights), p.weights);
    const bias = biasValues(ctx, TRANSPOSE_CONV_INPUTS.bias);
    const perBatch = g.inH * g.inW * g.inC;
    if (p.xnnpack) {
      for (let b = 0; b < g.batches; b++) p.scales[b] = xnnpackQuantizeBatch(x, b * perBatch, perBatch, p.quantized);
      transposeConvCore(g, p.quantized, p.weights.values, null, o, -Infinity, Infinity, p.acc);
      finishHybrid(g, o, p, bias, (acc, c, sf) => fround(fround(acc * sf) * (p.weights.channelScales[c] as number)));
      return;
    }
    batchQuantizeFloats(x, g.batches, perBatch, p.quantized, p.scales, p.zeroPoints, true);
    hybridScatter(g, p.quantized, p.weights, p.scales, o);
    finishHybrid(g, o, p, bias, (v) => v);
  },
};

/** Scales (`scaled`, from an output and its channel and batch scale), adds the bias, clamps. */
function finishHybrid(
  g: TransposeGeometry,
  o: Float32Array,
  p: HybridTransposeParams,
  bias: Float32Array | null,
  scaled: (v: number, c: number, sf: number) => number,
): void {
  const perImage = g.outH * g.outW * g.outC;
  const { lo, hi } = p;
  for (let b = 0; b < g.batches; b++) {
    const sf = p.scales[b] as number;
    for (let i = b * perImage, end = (b + 1) * perImage; i < end; i += g.outC) {
      for (let c = 0; c < g.outC; c++) {
        let v = scaled(o[i + c] as number, c, sf);
        if (bias !== null) v = fround(v + (bias[c] as number));
        o[i + c] = v < lo ? lo : Math.min(v, hi);
      }
    }
  }
}

/**
 * reference_ops::HybridTransposeConv's scatter: for each input value and each tap, the product
 * (q - zp) * w as float, times the channel scale, times the batch's input scale, added to the
 * float output (float32 rounding at every step, in the reference loop order).
 */
function hybridScatter(g: TransposeGeometry, q: Float32Array, w: HybridWeights, scales: Float32Array, o: Float32Array): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, padH, padW } = g;
  const ocStride = filterH * filterW * inC;
  const cs = w.channelScales;
  const wv = w.values;
  o.fill(0);
  for (let b = 0; b < g.batches; b++) {
    const sf = scales[b] as number;
    for (let iy = 0; iy < inH; iy++) {
      for (let ix = 0; ix < inW; ix++) {
        const src = ((b * inH + iy) * inW + ix) * inC;
        for (let ic = 0; ic < inC; ic++) {
          const qv = q[src + ic] as number;
          for (let fy = 0; fy < filterH; fy++) {
            const oy = iy * strideH - padH + fy;
            if (oy < 0 || oy >= outH) continue;
            for (let fx = 0; fx < filterW; fx++) {
              const ox = ix * strideW - padW + fx;
              if (ox < 0 || ox >= outW) continue;
              const dst = ((b * outH + oy) * outW + ox) * outC;
              let wi = (fy * filterW + fx) * inC + ic;
              for (let oc = 0; oc < outC; oc++, wi += ocStride) {
                const term = fround(fround(qv * (wv[wi] as number) * (cs[oc] as number)) * sf);
                o[dst + oc] = fround((o[dst + oc] as number) + term);
              }
            }
          }
        }
      }
    }
  }
}

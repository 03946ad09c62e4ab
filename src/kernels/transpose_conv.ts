// TRANSPOSE_CONV for float32 activations (transpose_conv.cc; reference_ops::TransposeConv), its
// hybrid int8-weight form (HybridTransposeConv), and MediaPipe's custom
// Convolution2DTransposeBias (mediapipe/util/tflite/operations/transpose_conv_bias.cc).
// Weights are [O, H, W, I]. Each output pixel gathers the input pixels whose scattered window
// covers it, which is the reference scatter loop read the other way round.
import { convActivationRange, expectFloat32, optionalBias } from './conv.js';
import { parseTransposeConvOptions } from './conv_geometry.js';
import {
  batchQuantizeFloats,
  type HybridInputScratch,
  type HybridWeights,
  hybridInputScratch,
  hybridWeights,
  refreshHybridWeights,
} from './hybrid.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output, xnnpackRuns } from './kernel.js';
import { Activation, computeOutSize, computePadding, fusedActivation, Padding } from './util.js';

const fround = Math.fround;

/** TRANSPOSE_CONV geometry, shared with the integer kernel (transpose_conv_int.ts). */
export interface TransposeGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/** Rank, size and channel checks of the input and [O, H, W, I] weights. */
export function checkInputAndWeights(ctx: NodeContext, x: RuntimeTensor, weights: RuntimeTensor): void {
  if (x.shape.length !== 4) fail(ctx, `input must be rank 4 (NHWC), got shape [${x.shape}]`);
  if (weights.shape.length !== 4) fail(ctx, `weights must be rank 4 (OHWI), got shape [${weights.shape}]`);
  const [, inH, inW, inC] = x.shape as [number, number, number, number];
  const [outC, filterH, filterW, filterC] = weights.shape as [number, number, number, number];
  if (inH <= 0 || inW <= 0 || inC <= 0) fail(ctx, `input height, width and channels must be positive, got [${x.shape}]`);
  if (outC <= 0 || filterH <= 0 || filterW <= 0) fail(ctx, `weights dimensions must be positive, got [${weights.shape}]`);
  if (filterC !== inC) fail(ctx, `weights' input channels (${filterC}) differ from the input's channels (${inC})`);
}

/**
 * out[b, oy, ox, oc] = sum over input pixels (iy, ix) with oy = iy*strideH - padH + fy and
 * ox = ix*strideW - padW + fx (0 <= fy < H, 0 <= fx < W) of sum_ic x[b, iy, ix, ic] *
 * w[oc, fy, fx, ic]; then + bias and clamp.
 */
function transposeConvCore(
  g: TransposeGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  lo: number,
  hi: number,
  acc: Float64Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, padH, padW } = g;
  const ocStride = filterH * filterW * inC;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const yy = oy + padH;
      const iyStart = Math.max(0, Math.ceil((yy - filterH + 1) / strideH));
      const iyEnd = Math.min(inH - 1, Math.floor(yy / strideH));
      for (let ox = 0; ox < outW; ox++) {
        const xx = ox + padW;
        const ixStart = Math.max(0, Math.ceil((xx - filterW + 1) / strideW));
        const ixEnd = Math.min(inW - 1, Math.floor(xx / strideW));
        acc.fill(0);
        for (let iy = iyStart; iy <= iyEnd; iy++) {
          const fy = yy - iy * strideH;
          for (let ix = ixStart; ix <= ixEnd; ix++) {
            const fx = xx - ix * strideW;
            const src = ((b * inH + iy) * inW + ix) * inC;
            let wb = (fy * filterW + fx) * inC;
            for (let oc = 0; oc < outC; oc++, wb += ocStride) {
              let s = 0;
              for (let c = 0; c < inC; c++) s += (x[src + c] as number) * (w[wb + c] as number);
              acc[oc] = (acc[oc] as number) + s;
            }
          }
        }
        const dst = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          let s = acc[oc] as number;
          if (bias !== null) s += bias[oc] as number;
          out[dst + oc] = s < lo ? lo : Math.min(s, hi);
        }
      }
    }
  }
}

/** TRANSPOSE_CONV prepare: output shape from the constant output_shape input, padding checks. */
function transposeGeometry(ctx: NodeContext): TransposeGeometry {
  const shapeTensor = input(ctx, 0);
  const weights = input(ctx, 1);
  const x = input(ctx, 2);
  if (shapeTensor.dtype !== 'int32') fail(ctx, `output_shape must be int32, got ${shapeTensor.dtype}`);
  if (shapeTensor.shape.length !== 1) fail(ctx, `output_shape must be rank 1, got shape [${shapeTensor.shape}]`);
  if (!isKnown(shapeTensor)) {
    fail(ctx, 'output_shape (input 0) is not known before running: it must be a constant or computed from constants and shapes');
  }
  checkInputAndWeights(ctx, x, weights);
  const options = parseTransposeConvOptions(ctx);
  return transposeGeometryFor(ctx, x, weights, shapeTensor.data as Int32Array, options.padding, options.strideH, options.strideW);
}

/**
 * Output geometry for an output_shape, with TFLite's checks: batch and channels match, and a
 * forward convolution of that output (this padding and stride) gives the input's height and width.
 * Shared with the integer kernel, which may only learn output_shape at eval.
 */
export function transposeGeometryFor(
  ctx: NodeContext,
  x: RuntimeTensor,
  weights: RuntimeTensor,
  outputShape: ArrayLike<number>,
  padding: number,
  strideH: number,
  strideW: number,
): TransposeGeometry {
  const dims = Array.from(outputShape);
  if (dims.length !== 4) fail(ctx, `output_shape must have 4 elements, got [${dims}]`);
  const [n, outH, outW, outC] = dims as [number, number, number, number];
  const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
  const [filterO, filterH, filterW] = weights.shape as [number, number, number, number];
  if (n !== batches) fail(ctx, `output_shape batch ${n} differs from the input batch ${batches}`);
  if (outH <= 0 || outW <= 0) fail(ctx, `output_shape height and width must be positive, got [${dims}]`);
  if (outC !== filterO) fail(ctx, `output_shape channels ${outC} differ from the weights' output channels ${filterO}`);
  // The input must be what a forward convolution of the output would produce.
  const expectH = computeOutSize(padding, outH, filterH, strideH);
  const expectW = computeOutSize(padding, outW, filterW, strideW);
  if (expectH !== inH || expectW !== inW) {
    fail(
      ctx,
      `output_shape [${dims}] does not match the input [${x.shape}] for this padding and stride (it would give ${expectH}x${expectW})`,
    );
  }
  return {
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    filterH,
    filterW,
    strideH,
    strideW,
    padH: computePadding(strideH, 1, outH, filterH, inH),
    padW: computePadding(strideW, 1, outW, filterW, inW),
  };
}

interface TransposeParams {
  geo: TransposeGeometry;
  lo: number;
  hi: number;
  acc: Float64Array;
}

export const transposeConvFloat: Kernel<TransposeParams> = {
  prepare(ctx) {
    const out = output(ctx, 0);
    expectFloat32(ctx, input(ctx, 1), 'weights');
    expectFloat32(ctx, input(ctx, 2), 'input');
    expectFloat32(ctx, out, 'output');
    const geo = transposeGeometry(ctx);
    optionalBias(ctx, 3, geo.outC);
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    const [lo, hi] = convActivationRange(fusedActivation(ctx));
    return { geo, lo, hi, acc: new Float64Array(geo.outC) };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as Float32Array;
    if (out.length === 0) return;
    const bias = (ctx.inputs[3]?.data as Float32Array | undefined) ?? null;
    transposeConvCore(p.geo, input(ctx, 2).data as Float32Array, input(ctx, 1).data as Float32Array, bias, out, p.lo, p.hi, p.acc);
  },
};

interface HybridTransposeParams extends TransposeParams, HybridInputScratch {
  weights: HybridWeights;
  /** XNNPACK's dynamically quantized (qd8) deconvolution instead of TFLite's builtin kernel. */
  xnnpack: boolean;
}

/**
 * The geometry checks of the XNNPACK delegate's CalculateTransposeConvPaddings (shared with the
 * integer kernel): it declines SAME padding with a kernel smaller than the stride in either
 * dimension (its padding / adjustment derivation assumes kernel >= stride) and VALID padding with
 * an output smaller than the kernel; TFLite then runs its builtin kernel. Measured against
 * LiteRT.js: every int8 and hybrid case of SAME padding with kernel < stride gives the builtin
 * kernel's results, every other case XNNPACK's.
 */
export function xnnpackTransposeGeometryOk(g: TransposeGeometry, padding: number): boolean {
  if (padding === Padding.SAME) {
    // The input a SAME convolution of the output gives (always true of a geometry TFLite accepts).
    const consistent = Math.ceil(g.outH / g.strideH) === g.inH && Math.ceil(g.outW / g.strideW) === g.inW;
    return consistent && g.filterH >= g.strideH && g.filterW >= g.strideW;
  }
  return g.filterH <= g.outH && g.filterW <= g.outW;
}

/** Whether TFLite's XNNPACK delegate takes a hybrid TRANSPOSE_CONV (under 'xnnpack' rounding). */
function xnnpackTakesHybrid(ctx: NodeContext, g: TransposeGeometry, activation: number): boolean {
  if (!xnnpackRuns(ctx)) return false;
  // ConvertActivationToOutputRange takes NONE, RELU, RELU_N1_TO_1 and RELU6 only.
  const { NONE, RELU, RELU_N1_TO_1, RELU6 } = Activation;
  if (activation !== NONE && activation !== RELU && activation !== RELU_N1_TO_1 && activation !== RELU6) return false;
  const weights = input(ctx, 1);
  const bias = ctx.inputs[3] ?? null;
  const scalesOk = (weights.quantization?.scale ?? []).every((v) => v >= 2 ** -126 && v < Infinity);
  if (weights.kind !== 'constant' || !scalesOk || (bias !== null && bias.kind !== 'constant')) return false;
  return ctx.inputs[0]?.kind === 'constant' && xnnpackTransposeGeometryOk(g, parseTransposeConvOptions(ctx).padding);
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
  zp = roundEven(Math.min(Math.max(zp, -128), 127));
  for (let i = 0; i < size; i++) {
    const v = fround((x[start + i] as number) * scale);
    out[start + i] = roundEven(Math.min(Math.max(v, -128 - zp), 127 - zp));
  }
  return fround(1 / scale);
}

/** 1.5 * 2^52: adding and subtracting it rounds a double to an integer, ties to even. */
const ROUND_EVEN = 6755399441055744;
const roundEven = (v: number) => v + ROUND_EVEN - ROUND_EVEN;

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
    const out = output(ctx, 0);
    const weights = input(ctx, 1);
    if (weights.dtype !== 'int8') fail(ctx, `hybrid weights must be int8, got ${weights.dtype}`);
    expectFloat32(ctx, input(ctx, 2), 'input');
    expectFloat32(ctx, out, 'output');
    const geo = transposeGeometry(ctx);
    optionalBias(ctx, 3, geo.outC);
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    const activation = fusedActivation(ctx);
    const [lo, hi] = convActivationRange(activation);
    return {
      geo,
      lo,
      hi,
      acc: new Float64Array(geo.outC),
      weights: hybridWeights(ctx, weights, 0, 'weights'),
      xnnpack: xnnpackTakesHybrid(ctx, geo, activation),
      ...hybridInputScratch(geo.batches, geo.inH * geo.inW * geo.inC),
    };
  },
  eval(ctx, p) {
    const o = output(ctx, 0).data as Float32Array;
    if (o.length === 0) return;
    const g = p.geo;
    const x = input(ctx, 2).data as Float32Array;
    refreshHybridWeights(input(ctx, 1), p.weights);
    const bias = (ctx.inputs[3]?.data as Float32Array | undefined) ?? null;
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

/** TfLitePadding values in MediaPipe's raw TfLiteTransposeConvParams. */
const TFLITE_PADDING_SAME = 1;

/**
 * CUSTOM:Convolution2DTransposeBias (MediaPipe). Inputs: input, weights [O, H, W, I], bias [O].
 * custom options: a raw little-endian TfLiteTransposeConvParams (int32 padding: 1 SAME, 2 VALID;
 * int32 stride_width; int32 stride_height). Output size as MediaPipe computes it:
 * stride*(in-1) + kernel - total padding, where SAME pads max(0, kernel - (in-1)%stride - 1).
 */
export const convolution2dTransposeBias: Kernel<TransposeParams> = {
  prepare(ctx) {
    if (ctx.inputs.length !== 3) fail(ctx, `expected 3 inputs (input, weights, bias), got ${ctx.inputs.length}`);
    const x = input(ctx, 0);
    const weights = input(ctx, 1);
    const bias = input(ctx, 2);
    const out = output(ctx, 0);
    expectFloat32(ctx, x, 'input');
    expectFloat32(ctx, weights, 'weights');
    expectFloat32(ctx, bias, 'bias');
    expectFloat32(ctx, out, 'output');
    checkInputAndWeights(ctx, x, weights);
    if (bias.shape.length !== 1 || bias.shape[0] !== weights.shape[0]) {
      fail(ctx, `bias must be rank 1 with ${weights.shape[0]} elements, got shape [${bias.shape}]`);
    }
    const raw = ctx.op.customOptions;
    if (!raw || raw.byteLength < 12) {
      fail(
        ctx,
        `custom options must hold a TfLiteTransposeConvParams (padding, stride_w, stride_h: 12 bytes), got ${raw?.byteLength ?? 0} bytes`,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const padding = view.getInt32(0, true);
    const strideW = view.getInt32(4, true);
    const strideH = view.getInt32(8, true);
    if (strideW <= 0 || strideH <= 0) fail(ctx, `strides must be positive, got stride_w ${strideW}, stride_h ${strideH}`);
    const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
    const [outC, filterH, filterW] = weights.shape as [number, number, number, number];
    let totalPadH = 0;
    let totalPadW = 0;
    if (padding === TFLITE_PADDING_SAME) {
      totalPadH = Math.max(0, filterH - ((inH - 1) % strideH) - 1);
      totalPadW = Math.max(0, filterW - ((inW - 1) % strideW) - 1);
    }
    const geo: TransposeGeometry = {
      batches,
      inH,
      inW,
      inC,
      outH: strideH * (inH - 1) + filterH - totalPadH,
      outW: strideW * (inW - 1) + filterW - totalPadW,
      outC,
      filterH,
      filterW,
      strideH,
      strideW,
      padH: Math.floor(totalPadH / 2),
      padW: Math.floor(totalPadW / 2),
    };
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    return { geo, lo: -Infinity, hi: Infinity, acc: new Float64Array(outC) };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as Float32Array;
    if (out.length === 0) return;
    transposeConvCore(
      p.geo,
      input(ctx, 0).data as Float32Array,
      input(ctx, 1).data as Float32Array,
      input(ctx, 2).data as Float32Array,
      out,
      p.lo,
      p.hi,
      p.acc,
    );
  },
};

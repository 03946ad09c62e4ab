// CONV_2D and DEPTHWISE_CONV_2D on integer activations, bit-exact with TFLite (conv.cc,
// depthwise_conv.cc; reference_integer_ops ConvPerChannel / DepthwiseConvPerChannel and the legacy
// reference_ops Conv / DepthwiseConv):
// - int8: per-channel (or per-tensor) int8 weights with zero zero points, int32 bias;
// - uint8 (legacy): per-tensor uint8 weights with a zero point, int32 bias, one multiplier;
// - 16x8: int16 activations with zero zero points, int8 weights, int64 bias (64-bit accumulators
//   and TFLite's int64 MultiplyByQuantizedMultiplier) or int32 bias (32-bit accumulators).
// Integer rounding (NodeContext.config.integerRounding, read at prepare):
// - 'reference' (default): TFLite's builtin reference kernels everywhere — the specification;
// - 'xnnpack': the 8-bit nodes TFLite's default XNNPACK delegate would take get its float32
//   requantization, reproducing what that delegate (and LiteRT.js) computes for them.
// Also the pieces shared by the integer FULLY_CONNECTED, TRANSPOSE_CONV and BATCH_MATMUL kernels:
// quantization checks, requantization and the integer dot-product core.
//
// Exactness: every product of (input + offset) and (weight + offset) is a small integer, and the
// sums stay far below 2^53, so they are exact in doubles. TFLite's 32-bit accumulators wrap; the
// exact sum wrapped once with `| 0` is the same value. The identity
// sum((x + off) * w) = sum(x * w) + off * sum(w) lets the hot loops multiply raw values.
import type { DType } from '../model/dtype.js';
import {
  biasScaleMatches,
  calculateActivationRangeQuantized,
  FusedActivation,
  legacyConvolutionMultiplier,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  perChannelMultipliers,
  type QuantizedIntType,
  quantizedTypeRange,
  quantizeMultiplier,
} from '../quant/index.js';
import {
  type ConvGeometry,
  convGeometry,
  convWindow,
  type DepthwiseTaps,
  depthwiseShape,
  depthwiseTaps,
  parseConv2DOptions,
  parseDepthwiseConv2DOptions,
} from './conv_geometry.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output, xnnpackRuns } from './kernel.js';
import { fusedActivation, optNumber } from './util.js';

// ---------------------------------------------------------------------------------------------
// Quantization parameters

/** Integer activation arrays the kernels read and write. */
export type IntArray = Int8Array | Uint8Array | Int16Array;

/**
 * TFLite's per-tensor `params` (GetLegacyQuantization): the scale and zero point when the tensor
 * has exactly one of each, else 0 and 0 (per-channel tensors).
 */
export function legacyQuantization(t: RuntimeTensor): { scale: number; zeroPoint: number } {
  const q = t.quantization;
  if (q?.scale.length !== 1 || q.zeroPoint.length > 1) return { scale: 0, zeroPoint: 0 };
  return { scale: q.scale[0] as number, zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** Scale and zero point of a per-tensor quantized activation, or a clear failure. */
export function activationQuantization(ctx: NodeContext, t: RuntimeTensor, what: string): { scale: number; zeroPoint: number } {
  const q = t.quantization;
  if (!q || q.scale.length === 0) fail(ctx, `${what} (${t.dtype}) has no quantization parameters`);
  if (q.scale.length !== 1) fail(ctx, `${what} must be quantized per tensor, got ${q.scale.length} scales`);
  const { scale, zeroPoint } = legacyQuantization(t);
  if (!(scale > 0 && Number.isFinite(scale))) fail(ctx, `${what} has scale ${scale}; it must be positive`);
  return { scale, zeroPoint };
}

/** Fails unless the tensor's zero point is 0 (16-bit activations are symmetric in TFLite). */
export function requireZeroPointZero(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  const zp = legacyQuantization(t).zeroPoint;
  if (zp !== 0) fail(ctx, `${what} is ${t.dtype} with zero point ${zp}; TFLite requires 0 (symmetric 16-bit quantization)`);
}

/** Runs a quant/ helper that throws RangeError (odd scales), turning the error into a KernelError. */
export function guarded<T>(ctx: NodeContext, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) fail(ctx, `${what}: ${e.message}`);
    throw e;
  }
}

/**
 * Per-channel filter scales (one, broadcast, or one per output channel) with TFLite's checks
 * (PopulateConvolutionQuantizationParams): several scales need int8/int16 activations, one per
 * channel, along a dimension of that size.
 */
export function filterScales(ctx: NodeContext, x: RuntimeTensor, filter: RuntimeTensor, channels: number): number[] {
  const q = filter.quantization;
  if (!q || q.scale.length === 0) fail(ctx, `filter (${filter.dtype}) has no quantization parameters`);
  if (q.scale.length > 1) {
    if (x.dtype !== 'int8' && x.dtype !== 'int16') fail(ctx, `per-channel filter quantization needs int8 or int16 input, got ${x.dtype}`);
    if (q.scale.length !== channels) fail(ctx, `filter has ${q.scale.length} scales, expected 1 or ${channels} (one per output channel)`);
    const dim = q.quantizedDimension;
    if (filter.shape[dim] !== channels) {
      fail(ctx, `filter is quantized along dimension ${dim} of shape [${filter.shape}], which does not have ${channels} channels`);
    }
  }
  return q.scale;
}

/** Output multipliers of a convolution (TFLite's quantized_multiplier / shift per channel). */
export interface Multipliers {
  multipliers: Int32Array;
  shifts: Int32Array;
}

/** One (multiplier, shift) repeated over `channels`: per-tensor requantization. */
export function uniformMultipliers(ctx: NodeContext, realMultiplier: number, channels: number): Multipliers {
  const q = guarded(ctx, 'output multiplier', () => quantizeMultiplier(realMultiplier));
  return { multipliers: new Int32Array(channels).fill(q.multiplier), shifts: new Int32Array(channels).fill(q.shift) };
}

/**
 * The legacy per-tensor multiplier (GetQuantizedConvolutionMultipler): float32 product of the
 * input and filter scales over the output scale, after checking the bias scale matches that
 * product within 2% of an output step.
 */
export function legacyMultiplier(
  ctx: NodeContext,
  inputScale: number,
  filterScale: number,
  bias: RuntimeTensor | null,
  outputScale: number,
  channels: number,
): Multipliers {
  if (bias && !biasScaleMatches(inputScale, filterScale, legacyQuantization(bias).scale, outputScale)) {
    fail(
      ctx,
      `bias scale ${legacyQuantization(bias).scale} differs from input scale * filter scale (${inputScale} * ${filterScale}) by more than 2% of the output scale ${outputScale}`,
    );
  }
  const real = guarded(ctx, 'output multiplier', () => legacyConvolutionMultiplier(inputScale, filterScale, outputScale));
  return uniformMultipliers(ctx, real, channels);
}

/**
 * Multipliers of CONV_2D / DEPTHWISE_CONV_2D / TRANSPOSE_CONV (PopulateConvolutionQuantizationParams):
 * uint8 takes the legacy per-tensor multiplier; int8 and int16 take
 * QuantizeMultiplier(input_scale * filter_scale[c] / output_scale) per channel.
 */
export function convolutionMultipliers(
  ctx: NodeContext,
  x: RuntimeTensor,
  filter: RuntimeTensor,
  bias: RuntimeTensor | null,
  out: RuntimeTensor,
  channels: number,
): Multipliers {
  const inputScale = activationQuantization(ctx, x, 'input').scale;
  const outputScale = activationQuantization(ctx, out, 'output').scale;
  const scales = filterScales(ctx, x, filter, channels);
  if (x.dtype === 'uint8') return legacyMultiplier(ctx, inputScale, legacyQuantization(filter).scale, bias, outputScale, channels);
  return guarded(ctx, 'output multipliers', () => perChannelMultipliers(inputScale, scales, outputScale, channels));
}

/** Fails unless every zero point of the filter is 0 (int8 / int16 convolutions). */
export function requireSymmetricFilter(ctx: NodeContext, filter: RuntimeTensor): void {
  const zps = filter.quantization?.zeroPoint ?? [];
  const bad = zps.find((z) => z !== 0);
  if (bad !== undefined) fail(ctx, `filter zero points must be 0 for ${filter.dtype} weights, got ${bad}`);
}

// ---------------------------------------------------------------------------------------------
// Bias

/** TensorType codes of the quantized_bias_type option. */
const TENSOR_TYPE_INT32 = 2;
const TENSOR_TYPE_INT64 = 4;

/**
 * The quantized_bias_type option of 16x8 ops: unset (FLOAT32) or INT32 / INT64, which the bias
 * tensor must then have. Returns the dtype it asks for, or null when unset (the bias dtype decides).
 */
export function quantizedBiasType(ctx: NodeContext, bias: RuntimeTensor | null): 'int32' | 'int64' | null {
  const code = optNumber(ctx, 'quantizedBiasType', 0);
  if (code === 0) return null;
  if (code !== TENSOR_TYPE_INT32 && code !== TENSOR_TYPE_INT64) fail(ctx, `quantized_bias_type ${code} must be INT32 or INT64`);
  const want = code === TENSOR_TYPE_INT32 ? 'int32' : 'int64';
  if (bias && bias.dtype !== want) fail(ctx, `bias is ${bias.dtype} but quantized_bias_type asks for ${want}`);
  return want;
}

/** Checks the optional bias (dtype among `allowed`, `count` elements, zero point 0); returns it or null. */
export function checkBias(ctx: NodeContext, index: number, count: number, allowed: readonly DType[]): RuntimeTensor | null {
  const bias = ctx.inputs[index] ?? null;
  if (!bias) return null;
  if (!allowed.includes(bias.dtype)) fail(ctx, `bias must be ${allowed.join(' or ')}, got ${bias.dtype}`);
  const n = bias.shape.reduce((a, d) => a * d, 1);
  if (n !== count) fail(ctx, `bias has ${n} elements, expected ${count} (one per output channel)`);
  const zp = legacyQuantization(bias).zeroPoint;
  if (zp !== 0) fail(ctx, `bias zero point must be 0, got ${zp}`);
  return bias;
}

/** Bias values as exact doubles, refreshed each eval when the bias is computed at run time. */
export interface BiasValues {
  values: Float64Array | null;
  constant: boolean;
}

export function biasValues(ctx: NodeContext, bias: RuntimeTensor | null, count: number): BiasValues {
  if (!bias) return { values: null, constant: true };
  const values = new Float64Array(count);
  const constant = isKnown(bias);
  if (constant) readBias(ctx, bias, values);
  return { values, constant };
}

/** Copies int32 / int64 bias values into doubles; int64 values must be exact there (|v| <= 2^53). */
export function readBias(ctx: NodeContext, bias: RuntimeTensor, dst: Float64Array): void {
  if (bias.dtype === 'int64') {
    const src = bias.data as BigInt64Array;
    for (let i = 0; i < dst.length; i++) {
      const v = Number(src[i] as bigint);
      if (!Number.isSafeInteger(v)) fail(ctx, `int64 bias value ${src[i]} is too large (TFLite assumes |bias| < 2^47)`);
      dst[i] = v;
    }
  } else {
    const src = bias.data as Int32Array;
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] as number;
  }
}

/** The bias for this eval (re-read when it is not constant). */
export function currentBias(ctx: NodeContext, index: number, b: BiasValues): Float64Array | null {
  if (b.values && !b.constant) readBias(ctx, input(ctx, index), b.values);
  return b.values;
}

// ---------------------------------------------------------------------------------------------
// Requantization: TFLite's builtin reference kernels, or its default XNNPACK delegate

/*
 * Which TFLite behaviour the 8-bit kernels reproduce (ctx.config.integerRounding, read at prepare).
 * TFLite (and LiteRT.js, always) runs int8 / uint8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
 * TRANSPOSE_CONV and int8 BATCH_MATMUL nodes on its default XNNPACK delegate whenever the delegate
 * accepts them, and XNNPACK requantizes in float32 (round(float(acc) * float scale), ties to even)
 * where the builtin reference kernels use gemmlowp fixed point (double rounding, ties away from
 * zero): about 0.1-0.5% of values differ by 1.
 * - 'reference' (default): TFLite's builtin reference kernels everywhere — the specification;
 * - 'xnnpack': nodes the delegate would take get XNNPACK's arithmetic, the others the arithmetic
 *   of TFLite's builtin (optimized) kernels (what TFLite's default XNNPACK delegate and LiteRT.js
 *   compute, node by node). Those agree with the reference kernels except where they multiply
 *   through cpu_backend_gemm (ruy), which requantizes with one rounding in 64 bits: int8
 *   CONV_2D and FULLY_CONNECTED, 16x8 CONV_2D with an int32 bias, and 16x8 FULLY_CONNECTED
 *   with an int32 bias or none
 *   (measured against both runtimes; `Requant.singleRounding`, `builtinSingleRounding`).
 * 16-bit (16x8) nodes never take XNNPACK: it has no int16 path.
 */

/** How accumulators become outputs (the output pipeline of the kernel TFLite would run). */
export interface Requant {
  /**
   * Reference kernels with 64-bit accumulators (16x8 with int64 bias): the int64
   * MultiplyByQuantizedMultiplier (16-bit multiplier, one rounding). Else the sum wraps to int32.
   */
  wide: boolean;
  multipliers: Int32Array;
  shifts: Int32Array;
  /** XNNPACK: per-channel float32 requantization scales; null for the reference fixed point. */
  fp32Scales: Float32Array | null;
  /**
   * Reference kernels that requantize in double (TFLite's 16x8 FULLY_CONNECTED reference path):
   * round(double(acc) * scale), ties away from zero; null otherwise.
   */
  fp64Scales: Float64Array | null;
  /**
   * TFLite's optimized kernels through cpu_backend_gemm (ruy): the int32 multiplier applied with
   * ruy's single rounding, (x * m + 2^(30 - shift)) >> (31 - shift), where the builtin reference
   * kernels use gemmlowp's double rounding (TFLite's 16x8 FULLY_CONNECTED with an int32 bias or
   * none). False otherwise.
   */
  singleRounding?: boolean;
  outputOffset: number;
  lo: number;
  hi: number;
}

/**
 * The output pipeline of a node: the reference kernels' (multipliers from TFLite's prepare, clamp
 * from CalculateActivationRangeQuantized), or XNNPACK's when `xnnpackScales` is given.
 */
export function makeRequant(
  ctx: NodeContext,
  out: RuntimeTensor,
  m: Multipliers,
  wide: boolean,
  activation: number = fusedActivation(ctx),
  xnnpackScales: Float32Array | null = null,
): Requant {
  const { scale, zeroPoint } = activationQuantization(ctx, out, 'output');
  const type = out.dtype as QuantizedIntType;
  const [lo, hi] = xnnpackScales
    ? xnnpackOutputRange(activation, scale, zeroPoint, type)
    : guarded(ctx, 'activation range', () => calculateActivationRangeQuantized(activation, scale, zeroPoint, type));
  return {
    wide,
    multipliers: m.multipliers,
    shifts: m.shifts,
    fp32Scales: xnnpackScales,
    fp64Scales: null,
    outputOffset: zeroPoint,
    lo,
    hi,
  };
}

/** 1.5 * 2^52: adding and subtracting it rounds a double to an integer, ties to even. */
const ROUND_EVEN = 6755399441055744;

/** One output value of channel `c` from its exact accumulator. */
export function requantize(r: Requant, acc: number, c: number): number {
  let v: number;
  if (r.fp32Scales !== null) {
    // XNNPACK fp32: float(int32 acc) * scale in float32, rounded to nearest even.
    const scaled = Math.fround(Math.fround(acc | 0) * (r.fp32Scales[c] as number));
    v = scaled + ROUND_EVEN - ROUND_EVEN + r.outputOffset;
  } else if (r.fp64Scales !== null) {
    // std::round of the double product, then the int32 cast.
    const scaled = acc * (r.fp64Scales[c] as number);
    v = ((scaled < 0 ? -Math.round(-scaled) : Math.round(scaled)) + r.outputOffset) | 0;
  } else {
    const m = r.multipliers[c] as number;
    const s = r.shifts[c] as number;
    const scaled = r.wide
      ? multiplyByQuantizedMultiplierInt64(acc, m, s)
      : r.singleRounding
        ? ruyMultiplyByQuantizedMultiplier(acc | 0, m, s)
        : multiplyByQuantizedMultiplier(acc | 0, m, s);
    v = (scaled + r.outputOffset) | 0;
  }
  return v < r.lo ? r.lo : Math.min(v, r.hi);
}

const TWO_POW_16 = 65536;
const TWO_POW_32 = 4294967296;

/**
 * MultiplyByQuantizedMultiplier with one rounding, as TFLite's optimized int8 kernels apply it
 * through cpu_backend_gemm (ruy; TFLite's TFLITE_SINGLE_ROUNDING form): with t = 31 - shift,
 * (int64(x) * m + 2^(t - 1)) >> t, then cast to int32 — which wraps out-of-range results (a
 * saturating bias times a multiplier above 1 comes back with its sign flipped, as TFLite's does).
 * x int32, m in [2^30, 2^31) (or 0), shift <= 30. Exact: m is split in 16-bit halves so every
 * partial product stays below 2^53.
 */
export function ruyMultiplyByQuantizedMultiplier(x: number, m: number, shift: number): number {
  const t = 31 - shift;
  const mHigh = Math.floor(m / TWO_POW_16);
  const mLow = m - mHigh * TWO_POW_16;
  // x * m + round = (x * mHigh) * 2^16 + (x * mLow + round), both terms exact.
  const high = x * mHigh;
  const low = x * mLow + 2 ** (t - 1);
  if (t >= 16) {
    // floor((high*2^16 + low) / 2^t) = floor((high + floor(low / 2^16)) / 2^(t-16)), below 2^48.
    return Math.floor((high + Math.floor(low / TWO_POW_16)) / 2 ** (t - 16)) | 0;
  }
  // Only the low 32 bits survive the cast: reduce high modulo 2^32 first to stay exact.
  const highMod = high - Math.floor(high / TWO_POW_32) * TWO_POW_32;
  return (highMod * 2 ** (16 - t) + Math.floor(low / 2 ** t)) | 0;
}

/**
 * Whether a node that XNNPACK does not take (`xnnpack` null) gets ruy's single rounding under
 * 'xnnpack' integer rounding: TFLite's builtin int8 CONV_2D and FULLY_CONNECTED multiply through
 * cpu_backend_gemm. (uint8 and DEPTHWISE_CONV_2D / TRANSPOSE_CONV keep the reference rounding:
 * measured bit-exact with it on non-constant weights, which XNNPACK declines.)
 */
export function builtinSingleRounding(ctx: NodeContext, x: RuntimeTensor, xnnpack: Float32Array | null): boolean {
  return ctx.config.integerRounding === 'xnnpack' && xnnpack === null && x.dtype === 'int8';
}

/** The float bounds of a fused activation as the XNNPACK delegate maps them; null when it refuses the activation. */
function xnnpackActivationBounds(activation: number): [number, number] | null {
  switch (activation) {
    case FusedActivation.NONE:
      return [-Infinity, Infinity];
    case FusedActivation.RELU:
      return [0, Infinity];
    case FusedActivation.RELU_N1_TO_1:
      return [-1, 1];
    case FusedActivation.RELU6:
      return [0, 6];
    default:
      return null;
  }
}

/** XNNPACK's xnn_qs8_quantize / xnn_qu8_quantize of an activation bound: lrintf(clamp(v / scale + zp)). */
function xnnpackQuantize(value: number, scale: number, zeroPoint: number, type: QuantizedIntType): number {
  const [qmin, qmax] = quantizedTypeRange(type);
  const v = Math.fround(Math.fround(value / Math.fround(scale)) + zeroPoint);
  const clamped = v < qmin ? qmin : Math.min(v, qmax);
  return clamped + ROUND_EVEN - ROUND_EVEN;
}

function xnnpackOutputRange(activation: number, scale: number, zeroPoint: number, type: QuantizedIntType): [number, number] {
  const [min, max] = xnnpackActivationBounds(activation) ?? [-Infinity, Infinity];
  return [xnnpackQuantize(min, scale, zeroPoint, type), xnnpackQuantize(max, scale, zeroPoint, type)];
}

/** Smallest positive normal float32: XNNPACK rejects subnormal, zero, negative and non-finite scales. */
const FLOAT32_MIN_NORMAL = 2 ** -126;

function xnnpackScaleOk(scale: number): boolean {
  return scale >= FLOAT32_MIN_NORMAL && scale <= 3.4028234663852886e38;
}

/** CheckTensorFloat32OrQUInt8Type for an 8-bit activation: per-tensor, dimension 0, valid scale and zero point. */
export function xnnpackActivationOk(t: RuntimeTensor): boolean {
  const q = t.quantization;
  if (q?.quantizedDimension !== 0 || q.scale.length !== 1) return false;
  if (t.dtype === 'uint8' && q.zeroPoint.length !== 1) return false;
  const [qmin, qmax] = quantizedTypeRange(t.dtype as QuantizedIntType);
  const zp = q.zeroPoint[0] ?? 0;
  return xnnpackScaleOk(q.scale[0] as number) && zp >= qmin && zp <= qmax;
}

/** CheckTensorFloat32OrQCInt8Type for constant 8-bit weights (per-channel along `channelDim`, or per-tensor). */
function xnnpackWeightsOk(t: RuntimeTensor, channelDim: number): boolean {
  const q = t.quantization;
  if (!q || q.scale.length === 0 || t.kind !== 'constant') return false;
  if (t.dtype === 'uint8') {
    return q.quantizedDimension === 0 && q.scale.length === 1 && q.zeroPoint.length === 1 && xnnpackActivationOk(t);
  }
  if (t.dtype !== 'int8') return false;
  if (q.scale.length > 1) {
    return (
      q.quantizedDimension === channelDim &&
      t.shape[channelDim] === q.scale.length &&
      (q.zeroPoint[0] ?? 0) === 0 &&
      q.scale.every(xnnpackScaleOk)
    );
  }
  const zp = q.zeroPoint[0] ?? 0;
  return xnnpackScaleOk(q.scale[0] as number) && zp >= -128 && zp <= 127;
}

/** CheckTensorFloat32OrFloat16OrQCInt32Type for a constant rank-1 int32 bias. */
function xnnpackBiasOk(t: RuntimeTensor): boolean {
  const q = t.quantization;
  if (t.dtype !== 'int32' || t.kind !== 'constant' || t.shape.length !== 1) return false;
  if (!q || q.scale.length === 0 || q.quantizedDimension !== 0) return false;
  if (q.scale.length > 1) return q.scale.every(xnnpackScaleOk);
  return (q.zeroPoint[0] ?? 0) === 0 && xnnpackScaleOk(q.scale[0] as number);
}

/** The node shapes XNNPACK takes, by op. */
export type XnnpackOp = 'conv' | 'depthwise' | 'transpose' | 'fully_connected';

/**
 * Whether TFLite's XNNPACK delegate would take this 8-bit node (its Visit*Node checks), under
 * 'xnnpack' integer rounding (always false under 'reference'). `weights` is the filter, `bias` the optional bias input.
 */
export function xnnpackTakes(
  ctx: NodeContext,
  op: XnnpackOp,
  x: RuntimeTensor,
  weights: RuntimeTensor,
  bias: RuntimeTensor | null,
  out: RuntimeTensor,
  activation: number,
): boolean {
  if (!xnnpackRuns(ctx)) return false;
  if (x.dtype !== 'int8' && x.dtype !== 'uint8') return false;
  if (weights.dtype !== x.dtype || out.dtype !== x.dtype) return false;
  if (!xnnpackActivationOk(x) || !xnnpackActivationOk(out)) return false;
  if (xnnpackActivationBounds(activation) === null) return false;
  const channelDim = op === 'depthwise' ? 3 : 0;
  if (!xnnpackWeightsOk(weights, channelDim)) return false;
  if (op === 'conv' || op === 'depthwise') {
    // CONV_2D and DEPTHWISE_CONV_2D need a bias; the others take it optionally.
    if (!bias) return false;
  }
  if (bias && !xnnpackBiasOk(bias)) return false;
  if (op === 'fully_connected') {
    // Statically quantized int8 weights must have a zero zero point.
    return !(weights.dtype === 'int8' && legacyQuantization(weights).zeroPoint !== 0);
  }
  if (op === 'depthwise') {
    const multiplier = optNumber(ctx, 'depthMultiplier', 0);
    const outC = weights.shape[3] as number;
    // XNNPACK reads the channel multiplier from the option (TFLite's kernel from the shapes).
    if (multiplier <= 0 || outC % multiplier !== 0 || outC / multiplier !== x.shape[3]) return false;
  }
  if (op === 'transpose') {
    const shape = ctx.inputs[0];
    if (shape?.kind !== 'constant') return false;
  }
  return true;
}

/**
 * XNNPACK's float32 requantization scales, input_scale * filter_scale[c] / output_scale in float32
 * per channel; null when one reaches 256, which XNNPACK refuses when it creates the operator: its
 * delegate then fails on the whole graph and TFLite runs its builtin kernels everywhere (see
 * xnnpackDelegateFails in xnnpack_graph.ts), this node included.
 */
export function xnnpackScales(x: RuntimeTensor, weights: RuntimeTensor, out: RuntimeTensor, channels: number): Float32Array | null {
  const f32 = Math.fround;
  const inputScale = f32(legacyQuantization(x).scale);
  const outputScale = f32(legacyQuantization(out).scale);
  const ws = weights.quantization?.scale ?? [];
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = f32(f32(inputScale * f32((ws.length > 1 ? ws[c] : ws[0]) as number)) / outputScale);
    if (!(s < 256)) return null;
    scales[c] = s;
  }
  return scales;
}

// ---------------------------------------------------------------------------------------------
// Integer dot products

/**
 * acc[accOff + r*accStride + n] = sum_k a[aOff + r*aStride + k] * w[wOff + n*K + k] for r < rows,
 * n < count: rows of `a` against `count` contiguous rows of `w`, two rows by four weight rows at a
 * time. Integer products, exact sums.
 */
export function dotRows(
  a: Int16Array,
  aOff: number,
  aStride: number,
  rows: number,
  K: number,
  w: Int16Array,
  wOff: number,
  count: number,
  acc: Float64Array,
  accOff: number,
  accStride: number,
): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const a0 = aOff + r * aStride;
    const a1 = a0 + aStride;
    const o0 = accOff + r * accStride;
    const o1 = o0 + accStride;
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
      acc[o0 + n] = s00;
      acc[o0 + n + 1] = s01;
      acc[o0 + n + 2] = s02;
      acc[o0 + n + 3] = s03;
      acc[o1 + n] = s10;
      acc[o1 + n + 1] = s11;
      acc[o1 + n + 2] = s12;
      acc[o1 + n + 3] = s13;
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
      acc[o0 + n] = s0;
      acc[o1 + n] = s1;
    }
  }
  if (r < rows) {
    const a0 = aOff + r * aStride;
    const o0 = accOff + r * accStride;
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
        const x = a[a0 + k] as number;
        s0 += x * (w[w0 + k] as number);
        s1 += x * (w[w1 + k] as number);
        s2 += x * (w[w2 + k] as number);
        s3 += x * (w[w3 + k] as number);
      }
      acc[o0 + n] = s0;
      acc[o0 + n + 1] = s1;
      acc[o0 + n + 2] = s2;
      acc[o0 + n + 3] = s3;
    }
    for (; n < count; n++) {
      const w0 = wOff + n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += (a[a0 + k] as number) * (w[w0 + k] as number);
      acc[o0 + n] = s;
    }
  }
}

/**
 * Weights as Int16 with their offset added (w - zero point), plus the sum of each row of `K`
 * (for the input-offset term). Refreshed each eval when the weights are not constant.
 */
export interface OffsetWeights {
  values: Int16Array;
  rowSums: Float64Array;
  offset: number;
  rowLength: number;
  constant: boolean;
}

export function offsetWeights(t: RuntimeTensor, offset: number, rows: number, rowLength: number): OffsetWeights {
  const w: OffsetWeights = {
    values: new Int16Array(rows * rowLength),
    rowSums: new Float64Array(rows),
    offset,
    rowLength,
    constant: isKnown(t),
  };
  if (w.constant) fillOffsetWeights(t.data as IntArray, w);
  return w;
}

export function fillOffsetWeights(src: IntArray, w: OffsetWeights): void {
  const { values, rowSums, offset, rowLength } = w;
  for (let r = 0; r < rowSums.length; r++) {
    let s = 0;
    for (let k = r * rowLength, end = k + rowLength; k < end; k++) {
      const v = (src[k] as number) + offset;
      values[k] = v;
      s += v;
    }
    rowSums[r] = s;
  }
}

/** The weights for this eval (re-read when they are not constant). */
export function currentWeights(t: RuntimeTensor, w: OffsetWeights): OffsetWeights {
  if (!w.constant) fillOffsetWeights(t.data as IntArray, w);
  return w;
}

// ---------------------------------------------------------------------------------------------
// CONV_2D

/** Activation / weight dtypes of the three integer convolution schemes. */
function checkConvDtypes(ctx: NodeContext, x: RuntimeTensor, filter: RuntimeTensor, out: RuntimeTensor): void {
  if (out.dtype !== x.dtype) fail(ctx, `output must be ${x.dtype} like the input, got ${out.dtype}`);
  const want = x.dtype === 'uint8' ? 'uint8' : 'int8';
  if (x.dtype !== 'uint8' && x.dtype !== 'int8' && x.dtype !== 'int16') fail(ctx, `input must be int8, uint8 or int16, got ${x.dtype}`);
  if (filter.dtype !== want) fail(ctx, `${x.dtype} input needs ${want} weights, got ${filter.dtype}`);
}

/**
 * Whether a 16x8 node accumulates in 64 bits. TFLite takes the int64 reference kernel for an
 * int64 bias (and, without a bias, unless quantized_bias_type asks for INT32); an int32 bias keeps
 * 32-bit accumulators.
 */
function wide16x8(ctx: NodeContext, bias: RuntimeTensor | null): boolean {
  const declared = quantizedBiasType(ctx, bias);
  return bias ? bias.dtype === 'int64' : declared !== 'int32';
}

interface ConvIntParams {
  geo: ConvGeometry;
  inputOffset: number;
  /** Raw value standing for padding: (pad + inputOffset) = 0, so padded taps add nothing. */
  padValue: number;
  weights: OffsetWeights;
  bias: BiasValues;
  requant: Requant;
  /** One output row of receptive fields, and its accumulators. */
  patches: Int16Array;
  acc: Float64Array;
}

/**
 * CONV_2D with int8, uint8 or int16 activations (bit-exact with TFLite's reference kernels).
 * Grouped convolutions (filter channels dividing the input channels) are supported.
 */
export const conv2dInt: Kernel<ConvIntParams> = {
  prepare(ctx) {
    const x = input(ctx, 0);
    const filter = input(ctx, 1);
    const out = output(ctx, 0);
    checkConvDtypes(ctx, x, filter, out);
    const geo = convGeometry(ctx, parseConv2DOptions(ctx), x, filter);
    const int16 = x.dtype === 'int16';
    const bias = checkBias(ctx, 2, geo.outC, int16 ? ['int32', 'int64'] : ['int32']);
    if (x.dtype !== 'uint8') requireSymmetricFilter(ctx, filter);
    if (int16) {
      requireZeroPointZero(ctx, x, 'input');
      requireZeroPointZero(ctx, out, 'output');
    }
    const multipliers = convolutionMultipliers(ctx, x, filter, bias, out, geo.outC);
    const activation = fusedActivation(ctx);
    const xnnpack = xnnpackTakes(ctx, 'conv', x, filter, bias, out, activation) ? xnnpackScales(x, filter, out, geo.outC) : null;
    const inputZeroPoint = legacyQuantization(x).zeroPoint;
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    const K = geo.filterH * geo.filterW * geo.filterC;
    return {
      geo,
      inputOffset: -inputZeroPoint,
      padValue: inputZeroPoint,
      weights: offsetWeights(filter, x.dtype === 'uint8' ? -legacyQuantization(filter).zeroPoint : 0, geo.outC, K),
      bias: biasValues(ctx, bias, geo.outC),
      requant: {
        ...makeRequant(ctx, out, multipliers, int16 && wide16x8(ctx, bias), activation, xnnpack),
        // 16x8 with 32-bit accumulators (int32 bias) is TFLite's optimized im2col + ruy GEMM too.
        singleRounding:
          builtinSingleRounding(ctx, x, xnnpack) || (ctx.config.integerRounding === 'xnnpack' && int16 && !wide16x8(ctx, bias)),
      },
      patches: new Int16Array(geo.outW * K),
      acc: new Float64Array(geo.outW * geo.outC),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as IntArray;
    if (out.length === 0) return;
    const x = input(ctx, 0).data as IntArray;
    const w = currentWeights(input(ctx, 1), p.weights);
    const bias = currentBias(ctx, 2, p.bias);
    const g = p.geo;
    const { inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups } = g;
    const { patches, acc, requant } = p;
    const K = filterH * filterW * filterC;
    const perGroup = outC / groups;
    const rowLen = filterW * filterC;
    const pointwise = filterH === 1 && filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 && groups === 1;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * g.strideH - g.padH;
        for (let grp = 0; grp < groups; grp++) {
          const chan0 = grp * filterC;
          if (pointwise) {
            const start = (b * inH + oy) * inW * inC;
            patches.set(x.subarray(start, start + outW * inC));
          } else {
            for (let ox = 0; ox < outW; ox++) {
              const ix0 = ox * g.strideW - g.padW;
              const patch = ox * K;
              for (let fy = 0; fy < filterH; fy++) {
                const iy = iy0 + fy * g.dilationH;
                const pRow = patch + fy * rowLen;
                if (iy < 0 || iy >= inH) {
                  patches.fill(p.padValue, pRow, pRow + rowLen);
                  continue;
                }
                const inRow = (b * inH + iy) * inW;
                for (let fx = 0; fx < filterW; fx++) {
                  const ix = ix0 + fx * g.dilationW;
                  const q = pRow + fx * filterC;
                  if (ix < 0 || ix >= inW) {
                    patches.fill(p.padValue, q, q + filterC);
                    continue;
                  }
                  const src = (inRow + ix) * inC + chan0;
                  for (let c = 0; c < filterC; c++) patches[q + c] = x[src + c] as number;
                }
              }
            }
          }
          const oc0 = grp * perGroup;
          dotRows(patches, 0, K, outW, K, w.values, oc0 * K, perGroup, acc, oc0, outC);
        }
        const outRow = (b * outH + oy) * outW * outC;
        for (let ox = 0; ox < outW; ox++) {
          const base = ox * outC;
          for (let oc = 0; oc < outC; oc++) {
            let s = (acc[base + oc] as number) + p.inputOffset * (w.rowSums[oc] as number);
            if (bias !== null) s += bias[oc] as number;
            out[outRow + base + oc] = requantize(requant, s, oc);
          }
        }
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------
// DEPTHWISE_CONV_2D

interface DepthwiseIntParams extends DepthwiseTaps {
  geo: ConvGeometry;
  multiplier: number;
  inputOffset: number;
  weights: OffsetWeights;
  bias: BiasValues;
  requant: Requant;
  /** One output pixel's sums. */
  acc: Float64Array;
  /** Sum of each channel's weights over all taps, for the input-offset term of inside windows. */
  channelSums: Float64Array;
}

/**
 * DEPTHWISE_CONV_2D with int8, uint8 or int16 activations. Filter [1, H, W, C * multiplier];
 * output channel c*multiplier + m reads input channel c. Taps outside the image add nothing.
 */
export const depthwiseConv2dInt: Kernel<DepthwiseIntParams> = {
  prepare(ctx) {
    const x = input(ctx, 0);
    const filter = input(ctx, 1);
    const out = output(ctx, 0);
    checkConvDtypes(ctx, x, filter, out);
    const { batches, inH, inW, inC, outC, filterH, filterW } = depthwiseShape(ctx, x, filter);
    const int16 = x.dtype === 'int16';
    // TFLite: int64 bias for 16x8, int32 otherwise.
    const bias = checkBias(ctx, 2, outC, int16 ? ['int64'] : ['int32']);
    if (int16) {
      requireZeroPointZero(ctx, x, 'input');
      requireZeroPointZero(ctx, out, 'output');
    }
    const window = convWindow(parseDepthwiseConv2DOptions(ctx), inH, inW, filterH, filterW);
    const { outH, outW } = window;
    // Depthwise is the grouped convolution with one input channel per group.
    const geo: ConvGeometry = { batches, inH, inW, inC, outC, filterH, filterW, filterC: 1, groups: inC, ...window };
    const multipliers = convolutionMultipliers(ctx, x, filter, bias, out, outC);
    const activation = fusedActivation(ctx);
    const xnnpack = xnnpackTakes(ctx, 'depthwise', x, filter, bias, out, activation) ? xnnpackScales(x, filter, out, outC) : null;
    out.shape = [batches, outH, outW, outC];
    // Per-channel int8 / int16 kernels ignore the filter zero point (weights_offset = 0).
    const filterOffset = x.dtype === 'uint8' ? -legacyQuantization(filter).zeroPoint : 0;
    return {
      geo,
      multiplier: outC / inC,
      inputOffset: -legacyQuantization(x).zeroPoint,
      weights: offsetWeights(filter, filterOffset, 1, filterH * filterW * outC),
      bias: biasValues(ctx, bias, outC),
      requant: makeRequant(ctx, out, multipliers, int16, activation, xnnpack),
      acc: new Float64Array(outC),
      ...depthwiseTaps(geo),
      channelSums: new Float64Array(outC),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as IntArray;
    if (out.length === 0) return;
    const x = input(ctx, 0).data as IntArray;
    const w = currentWeights(input(ctx, 1), p.weights).values;
    const bias = currentBias(ctx, 2, p.bias);
    const g = p.geo;
    const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } = g;
    const { acc, multiplier, inputOffset, requant, tapInput, tapFilter, channelSums } = p;
    const taps = filterH * filterW;
    channelSums.fill(0);
    for (let t = 0; t < taps; t++) for (let c = 0; c < outC; c++) channelSums[c] = (channelSums[c] as number) + (w[t * outC + c] as number);
    const spanH = (filterH - 1) * dilationH;
    const spanW = (filterW - 1) * dilationW;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * strideH - padH;
        const rowInside = iy0 >= 0 && iy0 + spanH < inH;
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = ox * strideW - padW;
          const dst = ((b * outH + oy) * outW + ox) * outC;
          if (rowInside && multiplier === 1 && ix0 >= 0 && ix0 + spanW < inW) {
            // Whole window inside: each channel sums raw products over the taps in a register;
            // the input offset enters once through the channel's weight sum.
            const base = ((b * inH + iy0) * inW + ix0) * inC;
            for (let c = 0; c < outC; c++) {
              let s = inputOffset * (channelSums[c] as number);
              for (let t = 0; t < taps; t++)
                s += (x[base + (tapInput[t] as number) + c] as number) * (w[(tapFilter[t] as number) + c] as number);
              if (bias !== null) s += bias[c] as number;
              out[dst + c] = requantize(requant, s, c);
            }
            continue;
          }
          acc.fill(0);
          for (let fy = 0; fy < filterH; fy++) {
            const iy = iy0 + fy * dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < filterW; fx++) {
              const ix = ix0 + fx * dilationW;
              if (ix < 0 || ix >= inW) continue;
              const src = ((b * inH + iy) * inW + ix) * inC;
              const wBase = (fy * filterW + fx) * outC;
              if (multiplier === 1) {
                for (let c = 0; c < inC; c++)
                  acc[c] = (acc[c] as number) + ((x[src + c] as number) + inputOffset) * (w[wBase + c] as number);
              } else {
                for (let c = 0; c < inC; c++) {
                  const v = (x[src + c] as number) + inputOffset;
                  const o = c * multiplier;
                  for (let m = 0; m < multiplier; m++) acc[o + m] = (acc[o + m] as number) + v * (w[wBase + o + m] as number);
                }
              }
            }
          }
          for (let c = 0; c < outC; c++) {
            let s = acc[c] as number;
            if (bias !== null) s += bias[c] as number;
            out[dst + c] = requantize(requant, s, c);
          }
        }
      }
    }
  },
};

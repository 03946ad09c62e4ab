// Quantization parameters of the integer kernels: TFLite's per-tensor `params`, activation and
// filter checks, and the output multipliers of the convolution family
// (PopulateConvolutionQuantizationParams, GetQuantizedConvolutionMultipler).
import {
  biasScaleMatches,
  legacyConvolutionMultiplier,
  perChannelMultipliers,
  QuantizationParamError,
  quantizeMultiplier,
} from '../../quant/index.js';
import type { NodeContext, RuntimeTensor } from '../kernel.js';
import { fail } from '../kernel.js';

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

/** Fails unless every zero point of the filter is 0 (int8 / int16 convolutions). */
export function requireSymmetricFilter(ctx: NodeContext, filter: RuntimeTensor): void {
  const zps = filter.quantization?.zeroPoint ?? [];
  const bad = zps.find((z) => z !== 0);
  if (bad !== undefined) fail(ctx, `filter zero points must be 0 for ${filter.dtype} weights, got ${bad}`);
}

/** Activation / weight dtypes of the three integer convolution schemes (CONV_2D, DEPTHWISE_CONV_2D). */
export function checkConvDtypes(ctx: NodeContext, x: RuntimeTensor, filter: RuntimeTensor, out: RuntimeTensor): void {
  if (out.dtype !== x.dtype) fail(ctx, `output must be ${x.dtype} like the input, got ${out.dtype}`);
  const want = x.dtype === 'uint8' ? 'uint8' : 'int8';
  if (x.dtype !== 'uint8' && x.dtype !== 'int8' && x.dtype !== 'int16') fail(ctx, `input must be int8, uint8 or int16, got ${x.dtype}`);
  if (filter.dtype !== want) fail(ctx, `${x.dtype} input needs ${want} weights, got ${filter.dtype}`);
}

/** Runs a quant/ helper that throws QuantizationParamError (odd scales), turning the error into a KernelError. */
export function guarded<T>(ctx: NodeContext, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof QuantizationParamError) fail(ctx, `${what}: ${e.message}`);
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

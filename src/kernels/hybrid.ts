// Shared pieces of TFLite's "hybrid" (dynamic-range quantized) kernels: float32 activations,
// constant int8 weights. The input is quantized to int8 on the fly per batch, accumulated in
// integers and scaled back to float, exactly as tensor_utils (portable_tensor_utils.cc) does.
//
// Quantized inputs are stored already shifted by their zero point (q - zero_point) in a
// Float32Array. Those are small integers, so the float kernels' dot products over them (summed
// in JS doubles) give TFLite's exact int32 accumulators, and storing a sum into a Float32Array
// is exactly TFLite's static_cast<float>(int32).
import type { NodeContext, RuntimeTensor } from './kernel.js';
import { fail, isKnown } from './kernel.js';
import { Activation } from './util.js';

const fround = Math.fround;

/** std::round / TfLiteRound: half away from zero (Math.round rounds -2.5 to -2). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * tensor_utils::SymmetricQuantizeFloats on values[start, start+size): writes q (zero point 0)
 * to out[outStart...] and returns the float32 scaling factor max|x| / 127 (1 for an all-zero run).
 */
export function symmetricQuantizeFloats(values: Float32Array, start: number, size: number, out: Float32Array, outStart: number): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < size; i++) {
    const v = values[start + i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = Math.max(Math.abs(min), Math.abs(max));
  if (size === 0 || range === 0) {
    out.fill(0, outStart, outStart + size);
    return 1;
  }
  const scale = fround(range / 127);
  const inv = fround(127 / range);
  for (let i = 0; i < size; i++) {
    const q = roundHalfAway(fround((values[start + i] as number) * inv));
    out[outStart + i] = q > 127 ? 127 : Math.max(q, -127);
  }
  return scale;
}

/**
 * tensor_utils::AsymmetricQuantizeFloats on values[start, start+size): the range always holds
 * 0, the zero point is nudged into [-128, 127]. Writes q - zeroPoint to out[outStart...] and
 * stores the float32 scale and the zero point in scales[slot] / zeroPoints[slot].
 */
export function asymmetricQuantizeFloats(
  values: Float32Array,
  start: number,
  size: number,
  out: Float32Array,
  outStart: number,
  scales: Float32Array,
  zeroPoints: Int32Array,
  slot: number,
): void {
  let min = 0;
  let max = 0;
  for (let i = 0; i < size; i++) {
    const v = values[start + i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) {
    out.fill(0, outStart, outStart + size);
    scales[slot] = 1;
    zeroPoints[slot] = 0;
    return;
  }
  // Zero-point choice in double precision, as TFLite does.
  const scale = (max - min) / 255;
  const fromMin = -128 - min / scale;
  const fromMax = 127 - max / scale;
  const errMin = 128 + Math.abs(min / scale);
  const errMax = 127 + Math.abs(max / scale);
  const zp = errMin < errMax ? fromMin : fromMax;
  const zeroPoint = zp <= -128 ? -128 : zp >= 127 ? 127 : roundHalfAway(zp);
  const scaleF = fround(scale);
  const inv = fround(1 / scaleF);
  for (let i = 0; i < size; i++) {
    // int32 offset + float product, rounded in float, then std::round.
    let q = roundHalfAway(fround(zeroPoint + fround((values[start + i] as number) * inv)));
    q = q > 127 ? 127 : Math.max(q, -128);
    out[outStart + i] = q - zeroPoint;
  }
  scales[slot] = scaleF;
  zeroPoints[slot] = zeroPoint;
}

/**
 * Quantizes `batches` runs of `size` floats each (BatchQuantizeFloats), symmetric or asymmetric.
 * Per batch: scales[b] and zeroPoints[b]; out holds q - zeroPoint.
 */
export function batchQuantizeFloats(
  values: Float32Array,
  batches: number,
  size: number,
  out: Float32Array,
  scales: Float32Array,
  zeroPoints: Int32Array,
  asymmetric: boolean,
): void {
  for (let b = 0; b < batches; b++) {
    if (asymmetric) {
      asymmetricQuantizeFloats(values, b * size, size, out, b * size, scales, zeroPoints, b);
    } else {
      scales[b] = symmetricQuantizeFloats(values, b * size, size, out, b * size);
      zeroPoints[b] = 0;
    }
  }
}

/** Scratch of a hybrid kernel's quantized float input: the values and each batch's scale and zero point. */
export interface HybridInputScratch {
  quantized: Float32Array;
  scales: Float32Array;
  zeroPoints: Int32Array;
}

/** Allocates the quantized-input scratch for `batches` runs of `size` floats (at prepare). */
export function hybridInputScratch(batches: number, size: number): HybridInputScratch {
  return { quantized: new Float32Array(batches * size), scales: new Float32Array(batches), zeroPoints: new Int32Array(batches) };
}

/** Weight scales of a hybrid op's int8 filter, checked against TFLite's rules. */
export interface HybridWeights {
  /** The int8 weights as float32 integers (read by the float kernels' loops). */
  values: Float32Array;
  /** One scale per output channel (a per-tensor scale is repeated). */
  channelScales: Float32Array;
  /** True when the model gives more than one scale (TFLite's per-channel path). */
  perChannel: boolean;
  /** True when the model gives several scales and they are not all equal. */
  scalesDiffer: boolean;
}

/**
 * Reads an int8 weight tensor of a hybrid op: zero points must be 0 and scales either one or
 * one per slice of `channelAxis` (the quantized dimension TFLite expects for the op).
 */
export function hybridWeights(ctx: NodeContext, filter: RuntimeTensor, channelAxis: number, what: string): HybridWeights {
  const q = filter.quantization;
  if (!q || q.scale.length === 0) fail(ctx, `${what} is int8 but has no quantization scale`);
  if (q.zeroPoint.some((z) => z !== 0)) fail(ctx, `${what} must be symmetric (zero point 0), got [${q.zeroPoint}]`);
  const channels = filter.shape[channelAxis] as number;
  if (q.scale.length > 1) {
    if (q.quantizedDimension !== channelAxis) {
      fail(ctx, `${what} is quantized along dimension ${q.quantizedDimension}; this op needs dimension ${channelAxis}`);
    }
    if (q.scale.length !== channels) fail(ctx, `${what} has ${q.scale.length} scales for ${channels} channels`);
  }
  const channelScales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) channelScales[c] = (q.scale.length > 1 ? q.scale[c] : q.scale[0]) as number;
  const first = q.scale[0] as number;
  // Weights that are not known yet (not constant) are copied at each eval by refreshHybridWeights.
  const values = new Float32Array(filter.shape.reduce((a, d) => a * d, 1));
  if (isKnown(filter)) values.set(filter.data as Int8Array);
  return {
    values,
    channelScales,
    perChannel: q.scale.length > 1,
    scalesDiffer: q.scale.some((s) => s !== first),
  };
}

/** Refreshes the float copy of the int8 weights when they are not constant. */
export function refreshHybridWeights(filter: RuntimeTensor, weights: HybridWeights): void {
  if (!isKnown(filter)) weights.values.set(filter.data as Int8Array);
}

/**
 * tensor_utils::ApplyActivationToVector for float outputs: the hybrid FULLY_CONNECTED path
 * also honours TANH and SIGN_BIT.
 */
export function applyActivation(ctx: NodeContext, activation: number): ((data: Float32Array) => void) | null {
  switch (activation) {
    case Activation.NONE:
      return null;
    case Activation.RELU:
      return (d) => clampAll(d, 0, Infinity);
    case Activation.RELU_N1_TO_1:
      return (d) => clampAll(d, -1, 1);
    case Activation.RELU6:
      return (d) => clampAll(d, 0, 6);
    case Activation.TANH:
      return (d) => {
        for (let i = 0; i < d.length; i++) d[i] = Math.tanh(d[i] as number);
      };
    case Activation.SIGN_BIT:
      return (d) => {
        for (let i = 0; i < d.length; i++) {
          const v = d[i] as number;
          d[i] = v < 0 || Object.is(v, -0) ? 1 : 0;
        }
      };
    default:
      fail(ctx, `fused activation ${activation} is not supported`);
  }
}

function clampAll(d: Float32Array, lo: number, hi: number): void {
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    d[i] = v < lo ? lo : Math.min(v, hi);
  }
}

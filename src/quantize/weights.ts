// The quantization arithmetic of TFLite's converter (the MLIR quantizer: quantization_utils.cc,
// FakeQuantSupport): symmetric int8 weights, asymmetric int8 / symmetric int16 activations, and
// integer biases. Pure functions over plain arrays; the modes decide where they apply.
import { floatToHalfSaturating } from '../kernels/dequantize.js';

/** Rounds half away from zero (std::round, TfLiteRound), as every TFLite quantizer does. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * A weight range narrower than this is widened to ±SMALLEST_HALF_RANGE (ExpandVerySmallRange), so
 * an all-zero channel gets a tiny positive scale and quantizes to zeros instead of dividing by 0.
 */
const NEAR_ZERO_TOLERANCE = 1e-6;
const SMALLEST_HALF_RANGE = NEAR_ZERO_TOLERANCE / 2;

export interface SymmetricWeights {
  values: Int8Array;
  /** One scale per slice along `axis` (one in all when per-tensor). */
  scales: number[];
  axis: number;
}

/** The slice index of every element along `axis` of a row-major `shape`. */
function sliceOf(shape: readonly number[], axis: number): (i: number) => number {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = shape[axis] ?? 1;
  return (i) => Math.floor(i / inner) % dim;
}

/**
 * Symmetric int8 in [-127, 127], zero point 0: scale = max|w| / 127 per slice along `axis`
 * (per-tensor when axis is null). Values are round(w / scale) clamped to ±127.
 */
export function quantizeSymmetricInt8(values: Float32Array, shape: readonly number[], axis: number | null): SymmetricWeights {
  const slices = axis === null ? 1 : (shape[axis] ?? 1);
  const slice = axis === null ? () => 0 : sliceOf(shape, axis);
  const mins = new Array<number>(slices).fill(0);
  const maxs = new Array<number>(slices).fill(0);
  for (let i = 0; i < values.length; i++) {
    const s = slice(i);
    const v = values[i] as number;
    if (v < (mins[s] as number)) mins[s] = v;
    if (v > (maxs[s] as number)) maxs[s] = v;
  }
  const scales = mins.map((mn, s) => {
    let half = Math.max(Math.abs(mn), Math.abs(maxs[s] as number));
    if (2 * half <= NEAR_ZERO_TOLERANCE) half = Math.max(half, SMALLEST_HALF_RANGE);
    return Math.fround(half / 127);
  });
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfAway((values[i] as number) / (scales[slice(i)] as number));
    out[i] = Math.max(-127, Math.min(127, q));
  }
  return { values: out, scales, axis: axis ?? 0 };
}

export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Asymmetric int8 activation parameters from a calibrated range (getNudgedScaleAndZeroPoint):
 * the range is widened to hold 0, scale = (max − min) / 255, and the zero point is the integer
 * nearest to −128 − min / scale, so that 0.0 is exactly representable.
 */
export function asymmetricInt8Params(min: number, max: number): AffineParams {
  const lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (hi - lo < NEAR_ZERO_TOLERANCE) hi = lo + NEAR_ZERO_TOLERANCE; // an all-zero tensor
  const qmin = -128;
  const qmax = 127;
  const scale = (hi - lo) / (qmax - qmin);
  const fromMin = qmin - lo / scale;
  const zeroPoint = fromMin <= qmin ? qmin : fromMin >= qmax ? qmax : roundHalfAway(fromMin);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Symmetric int16 activation parameters (16x8): scale = max(|min|, |max|) / 32767, zero point 0. */
export function symmetricInt16Params(min: number, max: number): AffineParams {
  const half = Math.max(Math.abs(min), Math.abs(max), SMALLEST_HALF_RANGE);
  return { scale: Math.fround(half / 32767), zeroPoint: 0 };
}

/** Quantizes float values with one scale / zero point into [qmin, qmax]. */
export function quantizeAffine(values: Float32Array, p: AffineParams, qmin: number, qmax: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfAway((values[i] as number) / p.scale) + p.zeroPoint;
    out[i] = Math.max(qmin, Math.min(qmax, q));
  }
  return out;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * An int32 bias: scale[c] = input_scale × weight_scale[c] (a float32 product, legacy_float_scale),
 * zero point 0, values round(b / scale) clamped to ±(2^31 − 1).
 */
export function quantizeBiasInt32(
  bias: Float32Array,
  inputScale: number,
  weightScales: readonly number[],
): { values: Int32Array; scales: number[] } {
  const scales = weightScales.map((w) => Math.fround(inputScale * w));
  const values = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = (scales.length === 1 ? scales[0] : scales[i]) as number;
    const q = s === 0 ? 0 : roundHalfAway((bias[i] as number) / s);
    values[i] = Math.max(-INT32_MAX, Math.min(INT32_MAX, q));
  }
  return { values, scales };
}

/** An int64 bias (16x8 conv / FC), same scale rule as int32. */
export function quantizeBiasInt64(
  bias: Float32Array,
  inputScale: number,
  weightScales: readonly number[],
): { values: BigInt64Array; scales: number[] } {
  const scales = weightScales.map((w) => Math.fround(inputScale * w));
  const values = new BigInt64Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = (scales.length === 1 ? scales[0] : scales[i]) as number;
    values[i] = BigInt(s === 0 ? 0 : roundHalfAway((bias[i] as number) / s));
  }
  return { values, scales };
}

/** float32 → float16 bits, saturating at ±65504 (the converter clamps before the cast). */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalfSaturating(values[i] as number);
  return out;
}

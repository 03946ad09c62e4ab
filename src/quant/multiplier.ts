// Quantized multipliers: TFLite's QuantizeMultiplier family (kernels/internal/quantization_util.cc),
// MultiplyByQuantizedMultiplier and its variants (kernels/internal/common.h/.cc, double rounding,
// i.e. TFLITE_SINGLE_ROUNDING off) and the multiplier set-up of kernel_util.cc.

import { QuantizationParamError } from './errors.js';
import { INT32_MAX, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from './fixed_point.js';
import { f32, frexp, tfliteRound } from './rounding.js';

/** A real multiplier as an int32 Q0.31 significand and a power-of-two exponent: real ≈ multiplier * 2^(shift - 31). */
export interface QuantizedMultiplier {
  multiplier: number;
  /** Positive: left shift; negative: right shift. */
  shift: number;
}

/**
 * TFLite QuantizeMultiplier: frexp, round(q * 2^31) with ties away from zero, a significand
 * that rounds up to 2^31 is halved (and the shift incremented), and shifts below -31 flush the
 * multiplier to 0. Negative multipliers give negative significands, as in TFLite.
 */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  if (!Number.isFinite(realMultiplier)) throw new QuantizationParamError(`cannot quantize the multiplier ${realMultiplier}`);
  const { fraction, exponent } = frexp(realMultiplier);
  let qFixed = tfliteRound(fraction * 2147483648); // exact: a power-of-two scaling
  let shift = exponent;
  if (qFixed === 2147483648) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: qFixed, shift };
}

/** TFLite QuantizeMultiplierSmallerThanOneExp: for 0 < m < 1; shift <= 0. Throws where TFLite's CHECKs abort. */
export function quantizeMultiplierSmallerThanOneExp(realMultiplier: number): QuantizedMultiplier {
  if (!(realMultiplier > 0 && realMultiplier < 1)) {
    throw new QuantizationParamError(`QuantizeMultiplierSmallerThanOneExp needs a multiplier in (0, 1), got ${realMultiplier}`);
  }
  const q = quantizeMultiplier(realMultiplier);
  if (q.shift > 0) throw new QuantizationParamError(`QuantizeMultiplierSmallerThanOneExp: ${realMultiplier} rounds to 1`);
  return q;
}

/** TFLite QuantizeMultiplierGreaterThanOne: for m > 1; shift >= 0. Throws where TFLite's CHECKs abort. */
export function quantizeMultiplierGreaterThanOne(realMultiplier: number): QuantizedMultiplier {
  if (!(realMultiplier > 1)) {
    throw new QuantizationParamError(`QuantizeMultiplierGreaterThanOne needs a multiplier above 1, got ${realMultiplier}`);
  }
  const q = quantizeMultiplier(realMultiplier);
  if (q.shift < 0) throw new QuantizationParamError(`QuantizeMultiplierGreaterThanOne: ${realMultiplier} gave a negative shift`);
  return q;
}

/**
 * TFLite MultiplyByQuantizedMultiplier(int32 x, multiplier, shift), double rounding:
 * RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^max(shift, 0), m), max(-shift, 0)).
 * The left shift wraps like C++'s int32 product does in practice. shift in [-31, 31].
 */
export function multiplyByQuantizedMultiplier(x: number, quantizedMultiplier: number, shift: number): number {
  const leftShift = Math.max(shift, 0);
  const rightShift = Math.max(-shift, 0);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x << leftShift, quantizedMultiplier), rightShift);
}

/** TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp: RDBPOT(SRDHM(x, m), -leftShift), leftShift <= 0. */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(x: number, quantizedMultiplier: number, leftShift: number): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, quantizedMultiplier), -leftShift);
}

/** TFLite MultiplyByQuantizedMultiplierGreaterThanOne: SRDHM(x * 2^leftShift, m), leftShift >= 0 (wrapping shift). */
export function multiplyByQuantizedMultiplierGreaterThanOne(x: number, quantizedMultiplier: number, leftShift: number): number {
  return saturatingRoundingDoublingHighMul(x << leftShift, quantizedMultiplier);
}

const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;

/**
 * TFLite MultiplyByQuantizedMultiplier(int64 x, multiplier, shift), used with the 64-bit
 * accumulators of 16x8 kernels: the multiplier is cut to 16 bits, (m + 2^15) >> 16 (0x7fff from
 * 0x7fff0000 on), then (x * m16 + 2^(total - 1)) >> total with total = 15 - shift, and the int64
 * result is truncated to int32.
 *
 * x is a JS number holding an exact integer (|x| < 2^53; TFLite assumes |x| <= 2^47). x * m16
 * can pass 2^53, so x is split into a high part and a 24-bit low part and the arithmetic shift
 * is done piecewise; the result is exact, including the int32 wrap of out-of-range results.
 * multiplier >= 0, shift in [-31, 7].
 */
export function multiplyByQuantizedMultiplierInt64(x: number, quantizedMultiplier: number, shift: number): number {
  const reduced = quantizedMultiplier < 0x7fff0000 ? (quantizedMultiplier + 0x8000) >> 16 : 0x7fff;
  const totalShift = 15 - shift;
  const xHigh = Math.floor(x / TWO_POW_24);
  const xLow = x - xHigh * TWO_POW_24; // [0, 2^24)
  // x * reduced + round = high * 2^24 + low, with both terms exact (< 2^45).
  const high = xHigh * reduced;
  const low = xLow * reduced + 2 ** (totalShift - 1);
  if (totalShift >= 24) {
    // floor((high*2^24 + low) / 2^t) = floor((high + floor(low / 2^24)) / 2^(t-24))
    return Math.floor((high + Math.floor(low / TWO_POW_24)) / 2 ** (totalShift - 24)) | 0;
  }
  // high*2^24 is a multiple of 2^t: result = high*2^(24-t) + floor(low / 2^t). Reduce high
  // modulo 2^32 first so the sum stays exact; only the low 32 bits survive the int32 cast.
  const highMod = high - Math.floor(high / TWO_POW_32) * TWO_POW_32;
  return (highMod * 2 ** (24 - totalShift) + Math.floor(low / 2 ** totalShift)) | 0;
}

/**
 * TFLite PreprocessSoftmaxScaling (double rounding): min(beta * inputScale * 2^(31 - inputIntegerBits),
 * 2^31 - 1) as a multiplier greater than one.
 */
export function preprocessSoftmaxScaling(beta: number, inputScale: number, inputIntegerBits: number): QuantizedMultiplier {
  const real = Math.min(beta * inputScale * 2 ** (31 - inputIntegerBits), INT32_MAX);
  return quantizeMultiplierGreaterThanOne(real);
}

/**
 * TFLite PreprocessLogSoftmaxScalingExp: the softmax input scaling plus the multiplier that
 * undoes it (reverseScalingDivisor, reverseScalingLeftShift <= 0).
 */
export function preprocessLogSoftmaxScalingExp(
  beta: number,
  inputScale: number,
  inputIntegerBits: number,
): { multiplier: number; leftShift: number; reverseScalingDivisor: number; reverseScalingLeftShift: number } {
  const input = preprocessSoftmaxScaling(beta, inputScale, inputIntegerBits);
  const realReverseScalingDivisor = 2 ** (31 - input.shift) / input.multiplier;
  const reverse = quantizeMultiplierSmallerThanOneExp(realReverseScalingDivisor);
  return {
    multiplier: input.multiplier,
    leftShift: input.shift,
    reverseScalingDivisor: reverse.multiplier,
    reverseScalingLeftShift: reverse.shift,
  };
}

/**
 * TFLite CalculateInputRadius: the largest input difference that, scaled by 2^inputLeftShift, still
 * fits Q(inputIntegerBits) of totalSignedBits: floor((2^ib - 1) * 2^(tsb - ib) / 2^inputLeftShift).
 */
export function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled = ((2 ** inputIntegerBits - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift;
  return Math.floor(maxInputRescaled);
}

/**
 * Per-channel requantization multipliers of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
 * (kernel_util.cc PopulateConvolutionQuantizationParams): for each channel,
 * QuantizeMultiplier(double(input_scale) * double(filter_scale[c]) / double(output_scale)).
 * Scales are float32 in the model; they are rounded to float32 here in case they were not.
 * A single filter scale is broadcast to `channels` channels (default 1).
 */
export function perChannelMultipliers(
  inputScale: number,
  filterScales: ArrayLike<number>,
  outputScale: number,
  channels: number = filterScales.length,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  const perChannel = filterScales.length > 1;
  const input = f32(inputScale);
  const output = f32(outputScale);
  for (let c = 0; c < channels; c++) {
    const filter = f32(filterScales[perChannel ? c : 0] as number);
    const q = quantizeMultiplier((input * filter) / output);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/**
 * kernel_util.cc GetQuantizedConvolutionMultipler (no bias): the legacy per-tensor multiplier
 * used by uint8 kernels. Unlike the per-channel path, input_scale * filter_scale is a float32
 * product here before the double division.
 */
export function legacyConvolutionMultiplier(inputScale: number, filterScale: number, outputScale: number): number {
  const inputProductScale = f32(f32(inputScale) * f32(filterScale));
  if (!(inputProductScale >= 0)) throw new QuantizationParamError(`negative input product scale ${inputProductScale}`);
  return inputProductScale / f32(outputScale);
}

/**
 * kernel_util.cc bias check of GetQuantizedConvolutionMultipler: |input_scale * filter_scale -
 * bias_scale| / output_scale must be at most 0.02 (computed in double).
 */
export function biasScaleMatches(inputScale: number, filterScale: number, biasScale: number, outputScale: number): boolean {
  const inputProductScale = f32(inputScale) * f32(filterScale);
  return Math.abs(inputProductScale - f32(biasScale)) / f32(outputScale) <= 0.02;
}

/** TFLite DownScaleInt32ToInt16Multiplier: (m + 2^15) >> 16, saturating at 32767. m >= 0. */
export function downScaleInt32ToInt16Multiplier(multiplier: number): number {
  if (multiplier >= INT32_MAX - 0x8000) return 32767;
  return (multiplier + 0x8000) >> 16;
}

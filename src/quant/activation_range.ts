// Clamping ranges of quantized outputs: kernel_util.cc CalculateActivationRangeQuantized (fused
// activations) and the ranges of the quantized RELU family (activations.cc QuantizedReluX).

import { QuantizationParamError } from './errors.js';
import { f32, tfliteRound } from './rounding.js';

/** Integer tensor types that carry quantized activations. */
export type QuantizedIntType = 'int8' | 'uint8' | 'int16';

/** ActivationFunctionType of the schema (same numbering as TfLiteFusedActivation). */
export const FusedActivation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** [min, max] of a quantized integer type. */
export function quantizedTypeRange(type: QuantizedIntType): [number, number] {
  switch (type) {
    case 'int8':
      return [-128, 127];
    case 'uint8':
      return [0, 255];
    case 'int16':
      return [-32768, 32767];
    default:
      throw new QuantizationParamError(`no quantized range for type ${String(type)}`);
  }
}

/**
 * kernel_util.cc Quantize: zeroPoint + (int)roundf(value / scale), the division in float32.
 * Throws where TFLite fails (the rounded quotient does not fit int32).
 */
export function quantizeFloatToInt(value: number, scale: number, zeroPoint: number): number {
  const q = tfliteRound(f32(f32(value) / f32(scale)));
  if (!(q >= -2147483648 && q <= 2147483647)) {
    throw new QuantizationParamError(`quantizing ${value} with scale ${scale} overflows int32`);
  }
  return zeroPoint + q;
}

/**
 * CalculateActivationRangeQuantized: the clamp of a fused activation on a quantized output.
 * RELU, RELU6 and RELU_N1_TO_1 quantize their bounds with the output's scale and zero point and
 * intersect them with the type's range; any other activation gives the type's range.
 */
export function calculateActivationRangeQuantized(
  activation: number,
  outputScale: number,
  outputZeroPoint: number,
  outputType: QuantizedIntType,
): [number, number] {
  const [qmin, qmax] = quantizedTypeRange(outputType);
  const q = (v: number) => quantizeFloatToInt(v, outputScale, outputZeroPoint);
  switch (activation) {
    case FusedActivation.RELU:
      return [Math.max(qmin, q(0)), qmax];
    case FusedActivation.RELU6:
      return [Math.max(qmin, q(0)), Math.min(qmax, q(6))];
    case FusedActivation.RELU_N1_TO_1:
      return [Math.max(qmin, q(-1)), Math.min(qmax, q(1))];
    default:
      return [qmin, qmax];
  }
}

/**
 * The clamp of the standalone quantized RELU ops (QuantizedReluX): RELU is (0, Infinity), RELU6
 * (0, 6), RELU_N1_TO_1 (-1, 1), RELU_0_TO_1 (0, 1). An infinite upper bound is the type's maximum.
 */
export function quantizedReluRange(
  activationMin: number,
  activationMax: number,
  outputScale: number,
  outputZeroPoint: number,
  outputType: QuantizedIntType,
): [number, number] {
  const [qmin, qmax] = quantizedTypeRange(outputType);
  const scale = f32(outputScale);
  const lo = Math.max(qmin, outputZeroPoint + tfliteRound(f32(f32(activationMin) / scale)));
  const hi =
    activationMax === Number.POSITIVE_INFINITY ? qmax : Math.min(qmax, outputZeroPoint + tfliteRound(f32(f32(activationMax) / scale)));
  return [lo, hi];
}

// Quantized element-wise activations whose arithmetic is more than a table lookup:
// int16 LOGISTIC / TANH (reference_integer_ops::Logistic/Tanh with a 256-entry sigmoid table,
// or gemmlowp fixed point on the optimized path), HARD_SWISH and LEAKY_RELU, with the set-up
// their Prepare functions do (kernels/activations.cc).

import { QuantizationParamError } from './errors.js';
import {
  logisticFixedPoint,
  roundingDivideByPOTInt16,
  saturatingDoublingHighMulInt16,
  saturatingLeftShiftInt16,
  saturatingRoundingDoublingHighMulInt16,
  saturatingRoundingMultiplyByPOT,
  tanhFixedPoint,
  wrapInt16,
} from './fixed_point.js';
import { downScaleInt32ToInt16Multiplier, multiplyByQuantizedMultiplier, quantizeMultiplier } from './multiplier.js';
import { f32, tfliteRound } from './rounding.js';

/**
 * sigmoid(i / 24) for i = 0..255 in unsigned Q0.16 (common.h sigmoid_table_uint16), the table
 * behind int16 LOGISTIC and TANH (tanh(x) = 2*sigmoid(2x) - 1). The values are tuned for linear
 * interpolation (not plain roundings of the sigmoid), so they are data, not a formula.
 */
const SIGMOID_TABLE_UINT16 = new Uint16Array([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511,
  45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983,
  54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743,
  59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778,
  62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257,
  64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950,
  64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258, 65269,
  65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415,
  65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481,
  65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511,
  65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525,
  65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
  65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534,
  65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
]);

/** TFLite CheckedLog2 (float): the rounded log2 of x and whether x is a power of two within 1e-3. */
export function checkedLog2(x: number): { log2: number; isPowerOfTwo: boolean } {
  const xLog2 = f32(f32(Math.log(f32(x))) * f32(1 / f32(Math.log(2))));
  const rounded = tfliteRound(xLog2);
  return { log2: rounded, isPowerOfTwo: Math.abs(f32(xLog2 - rounded)) < f32(1e-3) };
}

/** Input rescaling of int16 LOGISTIC / TANH. inputMultiplier 0 marks a power-of-two input scale. */
export interface Int16ActivationParams {
  inputMultiplier: number;
  inputLeftShift: number;
}

function int16ActivationParams(inputScale: number, outputScale: number, powerOfTwoShifts: readonly number[]): Int16ActivationParams {
  const output = checkedLog2(outputScale);
  if (!output.isPowerOfTwo || output.log2 !== -15) {
    throw new QuantizationParamError(`int16 LOGISTIC/TANH need an output scale of 2^-15, got ${outputScale}`);
  }
  const input = checkedLog2(inputScale);
  const inputLeftShift = 12 + input.log2; // 15 - kInputIntegerBits (3)
  if (input.isPowerOfTwo && powerOfTwoShifts.includes(inputLeftShift)) return { inputMultiplier: 0, inputLeftShift };
  // Rescale the input to 1/(3*4096) per unit (the table covers [-10.7, 10.7]), as a
  // multiplier of at most 15 bits and a right shift.
  let multiplier = f32(inputScale) * 4096 * 3;
  let shift = 0;
  while (multiplier <= 32767 / 2 && shift <= 30) {
    shift++;
    multiplier *= 2;
  }
  return { inputMultiplier: Math.trunc(multiplier), inputLeftShift: shift };
}

/**
 * SigmoidPrepare for int16 (zero points must be 0): a power-of-two input scale of exactly 2^-12
 * gives inputMultiplier 0. The output scale must be 2^-15.
 */
export function prepareLogisticInt16(inputScale: number, outputScale: number): Int16ActivationParams {
  return int16ActivationParams(inputScale, outputScale, [0]);
}

/** TanhPrepare for int16 (zero points must be 0): input scales 2^-12 and 2^-11 give inputMultiplier 0. */
export function prepareTanhInt16(inputScale: number, outputScale: number): Int16ActivationParams {
  return int16ActivationParams(inputScale, outputScale, [0, 1]);
}

function rescaleInt16Input(x: number, params: Int16ActivationParams): number {
  let multiplier = params.inputMultiplier;
  let shift = params.inputLeftShift;
  if (multiplier === 0) {
    // Power-of-two scale: the factor 3 of the general case still applies.
    multiplier = 3 << shift;
    shift = 0;
  }
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  return (Math.imul(x, multiplier) + round) >> shift;
}

/**
 * reference_integer_ops::Logistic for one int16 value: interpolation in the sigmoid table
 * (9 fractional bits per entry), output in Q0.15. The builtin kernel uses this whenever
 * inputMultiplier > 0 (and the reference kernel always); see logisticInt16Optimized.
 */
export function logisticInt16(x: number, params: Int16ActivationParams): number {
  const input = rescaleInt16Input(x, params);
  const abs = Math.abs(input);
  const uh = abs >>> 9;
  let result: number;
  if (uh >= 255) {
    result = 0x7fff << 10;
  } else {
    const ua = SIGMOID_TABLE_UINT16[uh] as number;
    const ub = SIGMOID_TABLE_UINT16[uh + 1] as number;
    result = ua * 512 + (abs & 0x1ff) * (ub - ua);
  }
  result = input >= 0 ? result + (1 << 9) : (1 << 25) - result + (1 << 9) - 1;
  return wrapInt16(result >>> 10);
}

/**
 * reference_integer_ops::Tanh for one int16 value: tanh(x) = 2*sigmoid(2x) - 1 through the same
 * table (8 fractional bits per entry), output in Q0.15. Used like logisticInt16.
 */
export function tanhInt16(x: number, params: Int16ActivationParams): number {
  const input = rescaleInt16Input(x, params);
  const abs = Math.abs(input);
  const uh = abs >>> 8;
  let result: number;
  if (uh >= 255) {
    result = 0xffff << 8;
  } else {
    const ua = SIGMOID_TABLE_UINT16[uh] as number;
    const ub = SIGMOID_TABLE_UINT16[uh + 1] as number;
    result = ua * 256 + (abs & 0xff) * (ub - ua);
  }
  result = input >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
  return wrapInt16(result >> 8);
}

/**
 * optimized_ops::Logistic for int16, which the builtin (generic optimized) kernel runs when the
 * input scale is 2^-12 (inputMultiplier 0): gemmlowp logistic on Q3.12 -> Q0.15.
 */
export function logisticInt16Optimized(x: number): number {
  return logisticFixedPoint(x, 3, 16);
}

/**
 * optimized_ops::Tanh for int16, run by the builtin kernel for input scales 2^-12 and 2^-11
 * (inputMultiplier 0): gemmlowp tanh on Q3.12, after a saturating doubling when inputLeftShift is 1.
 */
export function tanhInt16Optimized(x: number, inputLeftShift: number): number {
  return tanhFixedPoint(inputLeftShift === 0 ? x : saturatingRoundingMultiplyByPOT(x, 1, 16), 3, 16);
}

/** HardSwishParams of the quantized HARD_SWISH kernels (16-bit fixed-point multipliers). */
export interface HardSwishParams {
  inputZeroPoint: number;
  outputZeroPoint: number;
  outputMultiplierFixedpointInt16: number;
  outputMultiplierExponent: number;
  reluishMultiplierFixedpointInt16: number;
  reluishMultiplierExponent: number;
}

/**
 * HardSwishPrepare for int8/uint8. The multipliers are float32 quotients (as in the C++), then
 * quantized and cut to 16 bits. Throws if the output multiplier would need a left shift.
 */
export function prepareHardSwish(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
): HardSwishParams {
  const hiresInputScale = f32((1 / 128) * f32(inputScale));
  const reluishScale = 3 / 32768;
  const output = quantizeMultiplier(f32(hiresInputScale / f32(outputScale)));
  if (output.shift > 0) throw new QuantizationParamError('HARD_SWISH: the output multiplier exponent must be <= 0');
  const reluish = quantizeMultiplier(f32(hiresInputScale / reluishScale));
  return {
    inputZeroPoint,
    outputZeroPoint,
    outputMultiplierFixedpointInt16: downScaleInt32ToInt16Multiplier(output.multiplier),
    outputMultiplierExponent: output.shift,
    reluishMultiplierFixedpointInt16: downScaleInt32ToInt16Multiplier(reluish.multiplier),
    reluishMultiplierExponent: reluish.shift,
  };
}

/**
 * reference_ops::HardSwish (quantized) for one int8/uint8 value: x * relu6(x + 3) / 6 in 16-bit
 * fixed point; qmin/qmax are the limits of the output type.
 */
export function hardSwishQuantized(x: number, p: HardSwishParams, qmin: number, qmax: number): number {
  const inputValue = wrapInt16(x - p.inputZeroPoint);
  const hiresInput = wrapInt16(inputValue * 128);
  const preshiftOutput = saturatingRoundingDoublingHighMulInt16(hiresInput, p.outputMultiplierFixedpointInt16);
  // The reluish value: x rescaled so that 3.0 maps to 32768, saturating, then mapped to [0, 1].
  let reluish = hiresInput;
  if (p.reluishMultiplierExponent > 0) reluish = saturatingLeftShiftInt16(reluish, p.reluishMultiplierExponent - 1);
  reluish = saturatingRoundingDoublingHighMulInt16(reluish, p.reluishMultiplierFixedpointInt16);
  if (p.reluishMultiplierExponent > 0) reluish = saturatingLeftShiftInt16(reluish, 1);
  if (p.reluishMultiplierExponent < 0) reluish = roundingDivideByPOTInt16(reluish, -p.reluishMultiplierExponent);
  reluish = (reluish + 32768) >> 1;
  const preshiftOutputValue = saturatingDoublingHighMulInt16(reluish, preshiftOutput);
  let out = roundingDivideByPOTInt16(preshiftOutputValue, -p.outputMultiplierExponent);
  out = wrapInt16(out + p.outputZeroPoint);
  return Math.max(Math.min(out, qmax), qmin);
}

/** LeakyReluPrepare output: multipliers for the identity (x >= 0) and alpha (x < 0) branches. */
export interface LeakyReluParams {
  inputOffset: number;
  outputOffset: number;
  identityMultiplier: number;
  identityShift: number;
  alphaMultiplier: number;
  alphaShift: number;
}

/**
 * LeakyReluPrepare for int8/uint8/int16. Both real multipliers are float32 expressions in the C++
 * (input_scale * alpha / output_scale and input_scale / output_scale) widened to double.
 */
export function prepareLeakyRelu(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  alpha: number,
): LeakyReluParams {
  const alphaQ = quantizeMultiplier(f32(f32(f32(inputScale) * f32(alpha)) / f32(outputScale)));
  const identityQ = quantizeMultiplier(f32(f32(inputScale) / f32(outputScale)));
  return {
    inputOffset: inputZeroPoint,
    outputOffset: outputZeroPoint,
    identityMultiplier: identityQ.multiplier,
    identityShift: identityQ.shift,
    alphaMultiplier: alphaQ.multiplier,
    alphaShift: alphaQ.shift,
  };
}

/**
 * reference_ops::QuantizeLeakyRelu for one value. A negative alpha multiplier is applied as
 * -(x * |m|), as current TFLite does (older releases passed the negative multiplier through,
 * which can differ by one at rounding ties).
 */
export function leakyReluQuantized(x: number, p: LeakyReluParams, qmin: number, qmax: number): number {
  const input = x - p.inputOffset;
  let out = p.outputOffset;
  if (input >= 0) {
    out += multiplyByQuantizedMultiplier(input, p.identityMultiplier, p.identityShift);
  } else {
    const negative = p.alphaMultiplier < 0;
    const scaled = multiplyByQuantizedMultiplier(input, negative ? -p.alphaMultiplier | 0 : p.alphaMultiplier, p.alphaShift);
    out += negative ? -scaled : scaled;
  }
  return Math.min(qmax, Math.max(qmin, out));
}

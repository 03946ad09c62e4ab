// Quantized SOFTMAX rows, bit-exact with TFLite:
// - softmaxQuantizedRow: reference_ops::Softmax for int8/uint8 input (output int8, uint8 or
//   int16), gemmlowp fixed point (the SOFTMAX_REF kernel, and TFLite Micro);
// - softmaxFloatTableRow: optimized_ops::Softmax with a float exp table, which the builtin
//   (generic optimized) SOFTMAX kernel runs for int8/uint8 input on non-ARM64 builds;
// - softmaxInt16Row: reference_ops::SoftmaxInt16 with the two int16 tables (every kernel variant).

import { QuantizationParamError } from './errors.js';
import {
  expOnNegativeValues,
  getReciprocal,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingMultiplyByPOT,
} from './fixed_point.js';
import { lutLookupInt16, softmaxInt16Luts } from './lut.js';
import {
  calculateInputRadius,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  preprocessSoftmaxScaling,
  quantizeMultiplier,
} from './multiplier.js';
import { f32, tfliteRound } from './rounding.js';

/** Output types of the quantized softmax rows. */
export type SoftmaxOutputType = 'int8' | 'uint8' | 'int16';

/** A writable array of numbers (any typed array). */
export interface NumberSink {
  [index: number]: number;
}

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

/** SoftmaxParams of the fixed-point int8/uint8 path. */
export interface SoftmaxQuantizedParams {
  inputMultiplier: number;
  inputLeftShift: number;
  /** Input differences below this (in input units) contribute nothing. */
  diffMin: number;
}

/** SoftmaxPrepare<kReference> for int8/uint8 input: beta and the input scale are float32 values. */
export function prepareSoftmaxQuantized(beta: number, inputScale: number): SoftmaxQuantizedParams {
  const q = preprocessSoftmaxScaling(f32(beta), f32(inputScale), SCALED_DIFF_INTEGER_BITS);
  return {
    inputMultiplier: q.multiplier,
    inputLeftShift: q.shift,
    diffMin: -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, q.shift),
  };
}

function outputLimits(type: SoftmaxOutputType): { min: number; max: number; bits: number } {
  if (type === 'int8') return { min: -128, max: 127, bits: 8 };
  if (type === 'uint8') return { min: 0, max: 255, bits: 8 };
  return { min: -32768, max: 32767, bits: 16 };
}

/**
 * reference_ops::Softmax for one row of `depth` int8/uint8 values: exp of the scaled differences
 * to the row maximum in Q5.26 (Q0.31 results), their sum in Q12.19, its reciprocal, and outputs
 * on the type's full range offset by its minimum (int8 output: scale 1/256, zero point -128).
 */
export function softmaxQuantizedRow(
  input: ArrayLike<number>,
  inputOffset: number,
  depth: number,
  output: NumberSink,
  outputOffset: number,
  params: SoftmaxQuantizedParams,
  outputType: SoftmaxOutputType,
): void {
  const { inputMultiplier, inputLeftShift, diffMin } = params;
  let maxInRow = input[inputOffset] as number;
  for (let c = 1; c < depth; c++) maxInRow = Math.max(maxInRow, input[inputOffset + c] as number);

  let sumOfExps = 0; // Q12.19, wrapping like the C++ int32 sum
  for (let c = 0; c < depth; c++) {
    const diff = (input[inputOffset + c] as number) - maxInRow;
    if (diff >= diffMin) {
      const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
      const exp = expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS);
      sumOfExps = (sumOfExps + saturatingRoundingMultiplyByPOT(exp, -ACCUMULATION_INTEGER_BITS)) | 0;
    }
  }

  const { reciprocal, numBitsOverUnit } = getReciprocal(sumOfExps, ACCUMULATION_INTEGER_BITS);
  const limits = outputLimits(outputType);
  const exponent = numBitsOverUnit + 31 - limits.bits;
  if (exponent < 0 || exponent > 31) throw new QuantizationParamError(`softmax: output exponent ${exponent} out of range`);

  for (let c = 0; c < depth; c++) {
    const diff = (input[inputOffset + c] as number) - maxInRow;
    let out = limits.min;
    if (diff >= diffMin) {
      const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
      const exp = expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS);
      const unsaturated = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, exp), exponent);
      out = Math.max(Math.min(unsaturated + limits.min, limits.max), limits.min);
    }
    output[outputOffset + c] = out;
  }
}

/**
 * optimized_ops::PopulateSoftmaxLookupTable: table[255 - v] = expf(-inputScale * beta * v) for
 * v = 0..255 (float32; expf is taken as correctly rounded, see lut.ts).
 */
export function populateSoftmaxFloatTable(inputScale: number, beta: number): Float32Array {
  const scale = f32(-f32(inputScale) * f32(beta));
  const table = new Float32Array(256);
  for (let v = 0; v <= 255; v++) table[255 - v] = Math.exp(f32(scale * v));
  return table;
}

/**
 * optimized_ops::Softmax (float table) for one row of int8/uint8 values: float32 sum of table
 * entries, 1 / (sum * outputScale), then rounding. uint8 outputs use (int)(p + 0.5f) and ignore
 * the zero point, as the non-ARM64 C++ does; other outputs use round(p) + zeroPoint.
 */
export function softmaxFloatTableRow(
  input: ArrayLike<number>,
  inputOffset: number,
  depth: number,
  output: NumberSink,
  outputOffset: number,
  table: Float32Array,
  outputScale: number,
  outputZeroPoint: number,
  outputType: SoftmaxOutputType,
): void {
  let maxVal = input[inputOffset] as number;
  for (let j = 1; j < depth; j++) maxVal = Math.max(maxVal, input[inputOffset + j] as number);
  const base = 255 - maxVal;
  let sumExp = 0;
  for (let j = 0; j < depth; j++) sumExp = f32(sumExp + (table[base + (input[inputOffset + j] as number)] as number));
  const invSumExp = f32(1 / f32(sumExp * f32(outputScale)));
  const { min, max } = outputLimits(outputType);
  for (let j = 0; j < depth; j++) {
    const prob = f32((table[base + (input[inputOffset + j] as number)] as number) * invSumExp);
    const q = outputType === 'uint8' ? Math.trunc(f32(prob + 0.5)) : tfliteRound(prob) + outputZeroPoint;
    output[outputOffset + j] = Math.max(Math.min(max, q), min);
  }
}

/** SoftmaxParams of the int16 path. */
export interface SoftmaxInt16Params {
  inputMultiplier: number;
  inputLeftShift: number;
  expLut: Int16Array;
  oneOverOnePlusXLut: Int16Array;
}

/**
 * SoftmaxPrepare for int16 (zero points 0, output scale 2^-15): input differences are rescaled
 * so that [-65535, 0] covers [-10, 0]. input_scale * beta is a float32 product in the C++.
 */
export function prepareSoftmaxInt16(beta: number, inputScale: number): SoftmaxInt16Params {
  const q = quantizeMultiplier(f32(f32(inputScale) * f32(beta)) / (10 / 65535));
  const { expLut, oneOverOnePlusXLut } = softmaxInt16Luts();
  return { inputMultiplier: q.multiplier, inputLeftShift: q.shift, expLut, oneOverOnePlusXLut };
}

/**
 * reference_ops::SoftmaxInt16 for one row: exp through the table, a Q16.15 sum, 1/sum through the
 * second table, and outputs in [0, 32767]. The exps are cached in the output row, as in the C++;
 * the output may be the input row itself (SOFTMAX runs in place).
 */
export function softmaxInt16Row(
  input: ArrayLike<number>,
  inputOffset: number,
  depth: number,
  output: NumberSink,
  outputOffset: number,
  params: SoftmaxInt16Params,
): void {
  let maxInRow = input[inputOffset] as number;
  for (let c = 1; c < depth; c++) maxInRow = Math.max(maxInRow, input[inputOffset + c] as number);

  let sumOfExps = 0;
  for (let c = 0; c < depth; c++) {
    const diff = (input[inputOffset + c] as number) - maxInRow;
    const scaled = multiplyByQuantizedMultiplier(diff, params.inputMultiplier, params.inputLeftShift);
    // Recenter [-65535, 0] to [-32768, 32767] for the table.
    const symScaled = Math.min(Math.max(scaled + 32767, -32768), 32767);
    const exp = lutLookupInt16(symScaled, params.expLut);
    output[outputOffset + c] = exp;
    sumOfExps = (sumOfExps + exp) | 0;
  }

  const headroomPlusOne = Math.clz32(sumOfExps);
  // ((int64)sum << (headroom - 1)) + 2^13) >> 14: sum << (headroom - 1) stays below 2^31.
  const shiftedSum = Math.floor((sumOfExps * 2 ** (headroomPlusOne - 1) + (1 << 13)) / 16384);
  // The table computes 1/(1+x): x = sum - 1 on [0, 65535], recentered to int16.
  const symShiftedSum = Math.min(Math.max(shiftedSum - ((1 << 15) + (1 << 16)), -32768), 32767);
  const reciprocal = lutLookupInt16(symShiftedSum, params.oneOverOnePlusXLut);

  const rightShift = 31 - headroomPlusOne;
  const round = 2 ** (rightShift - 1);
  for (let c = 0; c < depth; c++) {
    const exp = output[outputOffset + c] as number;
    const result = Math.floor((exp * reciprocal + round) / 2 ** rightShift);
    output[outputOffset + c] = Math.min(Math.max(result, 0), 32767);
  }
}

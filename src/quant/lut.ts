// Lookup tables of TFLite's quantized activations (kernels/internal/common.h LUTPopulate and
// LUTLookup), built at prepare time.
//
// int8/uint8 tables hold one output per input value, computed in float32 exactly as the C++
// does: every float operation is rounded with Math.fround, so scales must be the float32 values
// of the model. The transcendental step is the one thing JS cannot reproduce from the C++
// source: TFLite calls libm's expf/tanhf, whose last bit differs between C libraries (glibc,
// musl, bionic). The transforms below use the correctly rounded float result; an entry can only
// differ from a given libm when the value lies within an ulp of a rounding boundary.
//
// int16 tables have 513 entries (512 segments plus an end point) and are read with linear
// interpolation; they are computed in float32 or, for the int16 SOFTMAX tables, in double.

import { f32, tfliteRound } from './rounding.js';

/** A float -> float activation applied while filling a table. */
export type LutTransform = (x: number) => number;

/** Float precision of a table computation: C++ `float` or `double`. */
export type LutPrecision = 'float32' | 'float64';

/** The float32 LOGISTIC of TFLite's tables: 1.0f / (1.0f + expf(-x)). */
export function sigmoidFloat32(x: number): number {
  return f32(1 / f32(1 + f32(Math.exp(-x))));
}

/** The float32 TANH of TFLite's tables: tanhf(x). */
export function tanhFloat32(x: number): number {
  return f32(Math.tanh(x));
}

function populateLut8(
  minValue: number,
  maxValue: number,
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: LutTransform,
  store: (value: number, quantized: number) => void,
): void {
  const inScale = f32(inputScale);
  const inverseScale = f32(1 / f32(outputScale));
  for (let value = minValue; value <= maxValue; value++) {
    const dequantized = f32(inScale * (value - inputZeroPoint));
    const transformed = f32(transform(dequantized));
    const rescaled = tfliteRound(f32(transformed * inverseScale));
    const quantized = Math.trunc(f32(rescaled + outputZeroPoint)); // static_cast<int32_t>(float)
    store(value, Math.max(Math.min(maxValue, quantized), minValue));
  }
}

/**
 * LUTPopulate<int8_t>: 256 outputs indexed by the input's bit pattern as uint8, i.e.
 * lut[q & 0xff] (entries 0..127 for q = 0..127, 128..255 for q = -128..-1).
 */
export function populateLutInt8(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: LutTransform,
): Int8Array {
  const lut = new Int8Array(256);
  populateLut8(-128, 127, inputScale, inputZeroPoint, outputScale, outputZeroPoint, transform, (v, q) => {
    lut[v & 0xff] = q;
  });
  return lut;
}

/** LUTPopulate<uint8_t>: 256 outputs indexed by the input value. */
export function populateLutUint8(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: LutTransform,
): Uint8Array {
  const lut = new Uint8Array(256);
  populateLut8(0, 255, inputScale, inputZeroPoint, outputScale, outputZeroPoint, transform, (v, q) => {
    lut[v] = q;
  });
  return lut;
}

/** LUTLookup for int8: the table built by populateLutInt8. */
export function lutLookupInt8(value: number, lut: Int8Array): number {
  return lut[value & 0xff] as number;
}

const identity = (x: number): number => x;

/**
 * LUTPopulateInt16<FloatT>: 513 entries sampling transform over the int16 input range in 512
 * steps. Each entry is biased by half the error a linear interpolation would make at the
 * segment's midpoint, so interpolated values land closer to the function.
 * precision 'float32' is the LUTPopulate<int16_t>(float ...) overload (transform results are
 * rounded to float32); 'float64' is the double overload used by SOFTMAX.
 */
export function populateLutInt16(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: LutTransform,
  precision: LutPrecision = 'float32',
): Int16Array {
  const r = precision === 'float32' ? f32 : identity;
  const fn = (x: number) => r(transform(x)); // the C++ transform returns FloatT
  const inScale = r(inputScale);
  const outScale = r(outputScale);
  const inputMin = r(inScale * (-32768 - inputZeroPoint));
  const inputMax = r(inScale * (32767 - inputZeroPoint));
  const outputMin = r(outScale * (-32768 - outputZeroPoint));
  const outputMax = r(outScale * (32767 - outputZeroPoint));
  const nbSteps = 512;
  const step = r(r(inputMax - inputMin) / nbSteps);
  const halfStep = r(step / 2);
  const outputScalingInv = r(65536 / r(outputMax - outputMin));
  const clampToInt16 = (x: number) => Math.min(Math.max(x, -32768), 32767);

  const lut = new Int16Array(nbSteps + 1);
  for (let i = 0; i < nbSteps; i++) {
    const x = r(inputMin + r(i * step));
    const val = fn(x);
    const valMidpoint = fn(r(x + halfStep));
    const valNext = fn(r(inputMin + r((i + 1) * step)));

    const sampleVal = tfliteRound(r(val * outputScalingInv));
    const midpointInterpVal = tfliteRound(r(r(r(valNext * outputScalingInv) + sampleVal) / 2));
    const midpointVal = tfliteRound(r(valMidpoint * outputScalingInv));
    const midpointErr = r(midpointInterpVal - midpointVal);
    const bias = tfliteRound(r(midpointErr / 2));
    lut[i] = clampToInt16(r(sampleVal - bias));
  }
  lut[nbSteps] = clampToInt16(tfliteRound(r(fn(inputMax) * outputScalingInv)));
  return lut;
}

/**
 * LUTLookup for int16 (513-entry tables): the top 9 bits pick the segment, the low 7 bits
 * interpolate linearly, rounding half up. Intermediate int16 casts wrap as in C++.
 */
export function lutLookupInt16(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = lut[index] as number;
  const slope = (((lut[index + 1] as number) - base) << 16) >> 16;
  const delta = (slope * offset + 64) >> 7;
  return ((base + delta) << 16) >> 16;
}

let cachedSoftmaxInt16Luts: { expLut: Int16Array; oneOverOnePlusXLut: Int16Array } | undefined;

/**
 * The two constant tables of int16 SOFTMAX (activations.cc SoftmaxPrepare), computed in double:
 * exp(x) for x in [-10, 0] and 1/(1+x) for x in [0, 1], inputs spread over the int16 range and
 * outputs on the symmetric range [-1, 1]. Built once and shared; do not modify them.
 */
export function softmaxInt16Luts(): { expLut: Int16Array; oneOverOnePlusXLut: Int16Array } {
  if (cachedSoftmaxInt16Luts === undefined) {
    const range = 65535; // int16 max - int16 min
    cachedSoftmaxInt16Luts = {
      expLut: populateLutInt16(10 / range, 32767, 2 / range, 0, Math.exp, 'float64'),
      oneOverOnePlusXLut: populateLutInt16(1 / range, -32768, 2 / range, 0, (x) => 1 / (1 + x), 'float64'),
    };
  }
  return cachedSoftmaxInt16Luts;
}

// CAST between float32/float64/float16/int8/uint8/int16/uint16/int32/uint32/int64/bool
// (tensorflow/lite/kernels/cast.cc). Float -> integer truncates toward zero (static_cast). TFLite
// saturates float32 -> int32 (NaN -> INT32_MAX) and clamps float32 -> int16 / uint8 first; every
// other float -> integer static_cast behaves as on ARM64 / wasm (saturate to 32 bits, NaN -> 0),
// then narrows by wrapping, which is what LiteRT produces.
import { type DType, numElements, type TypedArray } from '../model/dtype.js';
import { floatToHalf, halfToFloatTable } from './dequantize.js';
import { fail, input, type Kernel, output } from './kernel.js';
import { UNARY_INPUTS } from './unary.js';

const SUPPORTED: readonly DType[] = [
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'bool',
];
const FLOATS: readonly DType[] = ['float32', 'float64', 'float16'];

type NumberArray = Exclude<TypedArray, BigInt64Array | BigUint64Array>;

/** Maps a source value to what a typed-array store turns into the target value. */
type Convert = (v: number) => number;

// nextafterf(2^31, 0): the largest float below 2^31, TFLite's upper bound for float -> int32.
const MAX_INT32_FLOAT = 2147483520;

const identity: Convert = (v) => v;
const toBool: Convert = (v) => (v !== 0 ? 1 : 0);
const float32ToInt32: Convert = (v) => (v <= MAX_INT32_FLOAT ? (v < -2147483648 ? -2147483648 : Math.trunc(v)) : 2147483647);
const float32ToInt16: Convert = (v) => (v > 32767 ? 32767 : Math.max(v, -32768));
const float32ToUint8: Convert = (v) => (v > 255 ? 255 : Math.max(v, 0));
/** static_cast to a signed integer: truncated and saturated to int32 (NaN -> 0); the store wraps narrower types. */
const saturateInt32: Convert = (v) => (Number.isNaN(v) ? 0 : v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Math.trunc(v));
/** static_cast to an unsigned integer: truncated and saturated to uint32 (NaN and negatives -> 0). */
const saturateUint32: Convert = (v) => (Number.isNaN(v) ? 0 : v >= 4294967295 ? 4294967295 : v <= 0 ? 0 : Math.trunc(v));

/** The conversion from a number source to `to`, before the typed-array store (int64 targets aside). */
function numberConversion(from: DType, to: DType): Convert {
  if (to === 'bool') return toBool;
  if (to === 'float16') return floatToHalf;
  if (!FLOATS.includes(from) || FLOATS.includes(to)) return identity; // integer stores wrap, float stores round
  if (from === 'float32') {
    // cast.cc's dedicated float -> int32 / int16 / uint8 copies.
    if (to === 'int32') return float32ToInt32;
    if (to === 'int16') return float32ToInt16;
    if (to === 'uint8') return float32ToUint8;
  }
  return to === 'uint8' || to === 'uint16' || to === 'uint32' ? saturateUint32 : saturateInt32;
}

const INT64_LIMIT = 2 ** 63;

function numberToBigInt(v: number): bigint {
  if (Number.isNaN(v)) return 0n;
  if (v >= INT64_LIMIT) return 2n ** 63n - 1n;
  if (v < -INT64_LIMIT) return -(2n ** 63n);
  return BigInt(Math.trunc(v));
}

interface CastParams {
  from: DType;
  to: DType;
  convert: Convert;
  /** float16 input decoded to floats, allocated once. */
  halfScratch: Float32Array | null;
}

export const castKernel: Kernel<CastParams> = {
  prepare(ctx) {
    const x = input(ctx, UNARY_INPUTS.input);
    const out = output(ctx, 0);
    if (!SUPPORTED.includes(x.dtype)) fail(ctx, `input dtype ${x.dtype} is not supported`);
    if (!SUPPORTED.includes(out.dtype)) fail(ctx, `output dtype ${out.dtype} is not supported`);
    out.shape = [...x.shape];
    return {
      from: x.dtype,
      to: out.dtype,
      convert: numberConversion(x.dtype, out.dtype),
      halfScratch: x.dtype === 'float16' ? new Float32Array(numElements(x.shape)) : null,
    };
  },
  eval(ctx, { from, to, convert, halfScratch }) {
    const x = input(ctx, UNARY_INPUTS.input).data;
    const o = output(ctx, 0).data;
    const n = o.length;
    if (from === 'int64') {
      castFromInt64(x as BigInt64Array, o, to, n);
      return;
    }
    let src = x as NumberArray;
    if (halfScratch) {
      const table = halfToFloatTable();
      const bits = x as Uint16Array;
      for (let i = 0; i < n; i++) halfScratch[i] = table[bits[i]];
      src = halfScratch;
    }
    if (to === 'int64') {
      const big = o as BigInt64Array;
      const fromFloat = FLOATS.includes(from);
      for (let i = 0; i < n; i++) big[i] = fromFloat ? numberToBigInt(src[i]) : BigInt(src[i]);
      return;
    }
    const dst = o as NumberArray;
    if (convert === identity) {
      dst.set(src.length === n ? src : src.subarray(0, n)); // native conversion: rounds to float or wraps to the integer width
      return;
    }
    for (let i = 0; i < n; i++) dst[i] = convert(src[i]);
  },
};

function castFromInt64(x: BigInt64Array, o: TypedArray, to: DType, n: number): void {
  if (to === 'int64') {
    (o as BigInt64Array).set(x.subarray(0, n));
    return;
  }
  const dst = o as NumberArray;
  if (to === 'bool') for (let i = 0; i < n; i++) dst[i] = x[i] !== 0n ? 1 : 0;
  else if (to === 'float16') for (let i = 0; i < n; i++) dst[i] = floatToHalf(Number(x[i]));
  else if (FLOATS.includes(to)) for (let i = 0; i < n; i++) dst[i] = Number(x[i]);
  // Keep the low 32 bits exactly; the store wraps further to narrower integers.
  else for (let i = 0; i < n; i++) dst[i] = Number(BigInt.asIntN(32, x[i]));
}

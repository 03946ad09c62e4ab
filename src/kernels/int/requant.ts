// Requantization of the integer convolution family: how exact accumulators become outputs, as
// TFLite's builtin reference kernels, its optimized kernels (ruy) or its default XNNPACK delegate
// compute it.
import {
  calculateActivationRangeQuantized,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  type QuantizedIntType,
} from '../../quant/index.js';
import type { NodeContext, RuntimeTensor } from '../kernel.js';
import { activationQuantization, guarded, type Multipliers } from './quant_params.js';
import { roundHalfEven, xnnpackOutputRange } from './xnnpack_rounding.js';

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
  activation: number,
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

/** One output value of channel `c` from its exact accumulator. */
export function requantize(r: Requant, acc: number, c: number): number {
  let v: number;
  if (r.fp32Scales !== null) {
    // XNNPACK fp32: float(int32 acc) * scale in float32, rounded to nearest even.
    const scaled = Math.fround(Math.fround(acc | 0) * (r.fp32Scales[c] as number));
    v = roundHalfEven(scaled) + r.outputOffset;
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
 * partial product stays below 2^53 (and BigInt takes the shifts where the rounding term does not).
 */
export function ruyMultiplyByQuantizedMultiplier(x: number, m: number, shift: number): number {
  const t = 31 - shift;
  // Past 2^47 the rounding term no longer adds exactly to x * mLow below: tiny multipliers
  // (shift <= -17) take exact BigInt arithmetic (rare: output scales far above input scales).
  if (t > 47) return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m) + (1n << BigInt(t - 1))) >> BigInt(t)));
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

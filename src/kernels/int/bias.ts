// The optional int32 / int64 bias of the integer convolution family: checks, the 16x8
// quantized_bias_type option, and the values as exact doubles.
import type { DType } from '../../model/dtype.js';
import type { NodeContext, RuntimeTensor } from '../kernel.js';
import { fail, input, isKnown } from '../kernel.js';
import { legacyQuantization } from './quant_params.js';

/** TensorType codes of the quantized_bias_type option. */
const TENSOR_TYPE_INT32 = 2;
const TENSOR_TYPE_INT64 = 4;

/**
 * The parsed quantized_bias_type option of 16x8 ops (`code`): unset (0, FLOAT32) or INT32 / INT64,
 * which the bias tensor must then have. Returns the dtype it asks for, or null when unset (the bias
 * dtype decides).
 */
export function quantizedBiasType(ctx: NodeContext, code: number, bias: RuntimeTensor | null): 'int32' | 'int64' | null {
  if (code === 0) return null;
  if (code !== TENSOR_TYPE_INT32 && code !== TENSOR_TYPE_INT64) fail(ctx, `quantized_bias_type ${code} must be INT32 or INT64`);
  const want = code === TENSOR_TYPE_INT32 ? 'int32' : 'int64';
  if (bias && bias.dtype !== want) fail(ctx, `bias is ${bias.dtype} but quantized_bias_type asks for ${want}`);
  return want;
}

/**
 * Whether a 16x8 CONV_2D / TRANSPOSE_CONV accumulates in 64 bits. TFLite takes the int64 reference
 * kernel for an int64 bias (and, without a bias, unless quantized_bias_type asks for INT32); an
 * int32 bias keeps 32-bit accumulators.
 */
export function wide16x8(ctx: NodeContext, quantizedBiasTypeCode: number, bias: RuntimeTensor | null): boolean {
  const declared = quantizedBiasType(ctx, quantizedBiasTypeCode, bias);
  return bias ? bias.dtype === 'int64' : declared !== 'int32';
}

/** Checks the optional bias (dtype among `allowed`, `count` elements, zero point 0); returns it or null. */
export function checkBias(ctx: NodeContext, index: number, count: number, allowed: readonly DType[]): RuntimeTensor | null {
  const bias = ctx.inputs[index] ?? null;
  if (!bias) return null;
  if (!allowed.includes(bias.dtype)) fail(ctx, `bias must be ${allowed.join(' or ')}, got ${bias.dtype}`);
  const n = bias.shape.reduce((a, d) => a * d, 1);
  if (n !== count) fail(ctx, `bias has ${n} elements, expected ${count} (one per output channel)`);
  const zp = legacyQuantization(bias).zeroPoint;
  if (zp !== 0) fail(ctx, `bias zero point must be 0, got ${zp}`);
  return bias;
}

/** Bias values as exact doubles, refreshed each eval when the bias is computed at run time. */
export interface BiasValues {
  values: Float64Array | null;
  constant: boolean;
}

export function biasValues(ctx: NodeContext, bias: RuntimeTensor | null, count: number): BiasValues {
  if (!bias) return { values: null, constant: true };
  const values = new Float64Array(count);
  const constant = isKnown(bias);
  if (constant) readBias(ctx, bias, values);
  return { values, constant };
}

/** Copies int32 / int64 bias values into doubles; int64 values must be exact there (|v| <= 2^53). */
export function readBias(ctx: NodeContext, bias: RuntimeTensor, dst: Float64Array): void {
  if (bias.dtype === 'int64') {
    const src = bias.data as BigInt64Array;
    for (let i = 0; i < dst.length; i++) {
      const v = Number(src[i] as bigint);
      if (!Number.isSafeInteger(v)) fail(ctx, `int64 bias value ${src[i]} is too large (TFLite assumes |bias| < 2^47)`);
      dst[i] = v;
    }
  } else {
    const src = bias.data as Int32Array;
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] as number;
  }
}

/** The bias for this eval (re-read when it is not constant). */
export function currentBias(ctx: NodeContext, index: number, b: BiasValues): Float64Array | null {
  if (b.values && !b.constant) readBias(ctx, input(ctx, index), b.values);
  return b.values;
}

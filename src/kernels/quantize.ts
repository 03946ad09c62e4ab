// QUANTIZE (tensorflow/lite/kernels/quantize.cc): float32 -> int8/uint8/int16 (AffineQuantize,
// or PerChannelQuantize for per-channel outputs) and requantization between integer types
// (Requantize). Also the per-tensor quantization helpers the other integer kernels share.
import type { TypedArray } from '../model/dtype.js';
import {
  f32,
  multiplyByQuantizedMultiplier,
  type QuantizedIntType,
  quantizedTypeRange,
  quantizeMultiplier,
  tfliteRound,
} from '../quant/index.js';
import { roundHalfEven, xnnpackActivationOk } from './int/xnnpack_rounding.js';
import { fail, input, type Kernel, type NodeContext, output, type RuntimeTensor, xnnpackRuns } from './kernel.js';
import { UNARY_INPUTS } from './unary.js';

/** Per-tensor quantization of an integer tensor: TFLite's params.scale (a float) and params.zero_point. */
export interface TensorQuant {
  scale: number;
  zeroPoint: number;
}

/**
 * The per-tensor scale and zero point of a quantized tensor (the first entry, as TFLite's legacy
 * params hold), or a clear failure when the tensor carries no quantization.
 */
export function tensorQuant(ctx: NodeContext, t: RuntimeTensor, what: string): TensorQuant {
  const q = t.quantization;
  if (!q || q.scale.length === 0) fail(ctx, `${what} (${t.dtype}) has no quantization parameters`);
  return { scale: f32(q.scale[0] as number), zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** Fails unless the tensor is int8, uint8 or int16; returns the type. */
export function requireQuantizedType(ctx: NodeContext, t: RuntimeTensor, what: string): QuantizedIntType {
  if (t.dtype !== 'int8' && t.dtype !== 'uint8' && t.dtype !== 'int16') fail(ctx, `${what} must be int8, uint8 or int16, got ${t.dtype}`);
  return t.dtype;
}

/** TFLite ensures symmetric int16 activations in most 16-bit kernels. */
export function requireZeroPointZero(ctx: NodeContext, q: TensorQuant, what: string): void {
  if (q.zeroPoint !== 0) fail(ctx, `${what} is int16 with zero point ${q.zeroPoint}; TFLite requires 0`);
}

/** [min, max] of an integer output type, int32 included. */
function integerRange(dtype: string): [number, number] {
  if (dtype === 'int32') return [-2147483648, 2147483647];
  return quantizedTypeRange(dtype as QuantizedIntType);
}

export type QuantizeParams =
  | { mode: 'tensor'; scale: number; zeroPoint: number; lo: number; hi: number }
  /** XNNPACK's f32 -> qs8 / qu8 convert: x times the float reciprocal of the scale, ties to even. */
  | { mode: 'xnnpack'; invScale: number; zeroPoint: number; lo: number; hi: number }
  | {
      mode: 'channel';
      scales: Float32Array;
      zeroPoints: Int32Array;
      outer: number;
      channels: number;
      inner: number;
      lo: number;
      hi: number;
    }
  /** 8- or 16-bit input: every possible input value mapped once at prepare. */
  | { mode: 'table'; table: Int32Array; offset: number }
  | { mode: 'requantize'; multiplier: number; shift: number; inZeroPoint: number; outZeroPoint: number; lo: number; hi: number };

/** static_cast<int32_t> of a rounded float that may be out of range: saturate (NaN becomes 0). */
function toInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(Math.max(x, -2147483648), 2147483647);
}

function prepareFloatInput(ctx: NodeContext, y: RuntimeTensor): QuantizeParams {
  if (y.dtype !== 'int8' && y.dtype !== 'uint8' && y.dtype !== 'int16') {
    fail(ctx, `float32 input quantizes to int8, uint8 or int16, not ${y.dtype}`);
  }
  const q = y.quantization;
  if (!q || q.scale.length === 0) fail(ctx, 'the output has no quantization parameters');
  const [lo, hi] = quantizedTypeRange(y.dtype);
  if (q.scale.length === 1 && y.dtype !== 'int16' && xnnpackRuns(ctx) && xnnpackActivationOk(y)) {
    return { mode: 'xnnpack', invScale: f32(1 / f32(q.scale[0] as number)), zeroPoint: q.zeroPoint[0] ?? 0, lo, hi };
  }
  if (q.scale.length === 1) return { mode: 'tensor', scale: f32(q.scale[0] as number), zeroPoint: q.zeroPoint[0] ?? 0, lo, hi };
  const x = input(ctx, UNARY_INPUTS.input);
  const axis = q.quantizedDimension;
  if (axis < 0 || axis >= x.shape.length || x.shape[axis] !== q.scale.length) {
    fail(ctx, `${q.scale.length} per-channel scales do not match dimension ${axis} of shape [${x.shape}]`);
  }
  const channels = q.scale.length;
  // A single zero point is shared by every channel (quantize.cc).
  const zeroPoints = Int32Array.from(
    { length: channels },
    (_, c) => (q.zeroPoint.length === channels ? q.zeroPoint[c] : q.zeroPoint[0]) ?? 0,
  );
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= x.shape[d] as number;
  let inner = 1;
  for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d] as number;
  return { mode: 'channel', scales: Float32Array.from(q.scale), zeroPoints, outer, channels, inner, lo, hi };
}

function prepareRequantize(ctx: NodeContext, x: RuntimeTensor, y: RuntimeTensor): QuantizeParams {
  const allowed: Record<string, readonly string[]> = {
    int8: ['int8', 'uint8', 'int16'],
    uint8: ['int8', 'uint8', 'int16'],
    int16: ['int8', 'int16', 'int32'],
    int32: ['int8', 'int16'],
  };
  const outs = allowed[x.dtype];
  if (!outs) fail(ctx, `input dtype ${x.dtype} is not supported`);
  if (!outs.includes(y.dtype)) fail(ctx, `requantizing ${x.dtype} to ${y.dtype} is not supported (TFLite allows ${outs.join(', ')})`);
  const qin = tensorQuant(ctx, x, 'the input');
  const qout = tensorQuant(ctx, y, 'the output');
  if (x.dtype === 'int16' && y.dtype === 'int16') {
    requireZeroPointZero(ctx, qin, 'the input');
    requireZeroPointZero(ctx, qout, 'the output');
  }
  // effective_output_scale = double(input scale) / double(output scale).
  const { multiplier, shift } = quantizeMultiplier(qin.scale / qout.scale);
  const [lo, hi] = integerRange(y.dtype);
  const xnnScale = f32(qin.scale / qout.scale);
  if (
    xnnpackRuns(ctx) &&
    x.dtype === y.dtype &&
    x.dtype !== 'int16' &&
    xnnpackActivationOk(x) &&
    xnnpackActivationOk(y) &&
    xnnScale >= 2 ** -8 &&
    xnnScale <= 128
  ) {
    // XNNPACK's qs8 / qu8 vcvt: a Q8 multiplier lrintf(256 * scale), the rounding half in the bias.
    const m = roundHalfEven(xnnScale * 256);
    const bias = qout.zeroPoint * 256 + 128;
    const [inLo, inHi] = quantizedTypeRange(x.dtype as QuantizedIntType);
    const table = new Int32Array(inHi - inLo + 1);
    for (let v = inLo; v <= inHi; v++) table[v - inLo] = Math.min(Math.max(Math.floor((bias + (v - qin.zeroPoint) * m) / 256), lo), hi);
    return { mode: 'table', table, offset: -inLo };
  }
  const requantize = (v: number) =>
    Math.min(Math.max(multiplyByQuantizedMultiplier(v - qin.zeroPoint, multiplier, shift) + qout.zeroPoint, lo), hi);
  if (x.dtype === 'int32')
    return { mode: 'requantize', multiplier, shift, inZeroPoint: qin.zeroPoint, outZeroPoint: qout.zeroPoint, lo, hi };
  const [inLo, inHi] = quantizedTypeRange(x.dtype as QuantizedIntType);
  const table = new Int32Array(inHi - inLo + 1);
  for (let v = inLo; v <= inHi; v++) table[v - inLo] = requantize(v);
  return { mode: 'table', table, offset: -inLo };
}

export const quantizeKernel: Kernel<QuantizeParams> = {
  prepare(ctx) {
    const x = input(ctx, UNARY_INPUTS.input);
    const y = output(ctx, 0);
    y.shape = [...x.shape];
    return x.dtype === 'float32' ? prepareFloatInput(ctx, y) : prepareRequantize(ctx, x, y);
  },
  eval(ctx, p) {
    const xt = input(ctx, UNARY_INPUTS.input).data;
    const o = output(ctx, 0).data as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
    const n = o.length;
    switch (p.mode) {
      case 'tensor': {
        // optimized_ops::AffineQuantize (the builtin kernel): the float divided by the scale
        // widened to double, then std::round.
        const x = xt as Float32Array;
        const { scale, zeroPoint, lo, hi } = p;
        for (let i = 0; i < n; i++) {
          const q = toInt32(tfliteRound(x[i] / scale)) + zeroPoint;
          o[i] = Math.min(Math.max(q, lo), hi);
        }
        return;
      }
      case 'xnnpack': {
        const x = xt as Float32Array;
        const { invScale, zeroPoint, lo, hi } = p;
        const qlo = lo - zeroPoint;
        const qhi = hi - zeroPoint;
        for (let i = 0; i < n; i++) {
          const v = f32(x[i] * invScale);
          const c = v < qlo ? qlo : Math.min(v, qhi);
          o[i] = roundHalfEven(c) + zeroPoint;
        }
        return;
      }
      case 'channel': {
        // reference_ops::PerChannelQuantize: a float32 division, then roundf.
        const x = xt as Float32Array;
        const { scales, zeroPoints, outer, channels, inner, lo, hi } = p;
        let i = 0;
        for (let a = 0; a < outer; a++) {
          for (let c = 0; c < channels; c++) {
            const scale = scales[c];
            const zeroPoint = zeroPoints[c];
            for (let k = 0; k < inner; k++, i++) {
              const q = toInt32(tfliteRound(f32(x[i] / scale))) + zeroPoint;
              o[i] = Math.min(Math.max(q, lo), hi);
            }
          }
        }
        return;
      }
      case 'table': {
        const x = xt as Int8Array | Uint8Array | Int16Array;
        const { table, offset } = p;
        for (let i = 0; i < n; i++) o[i] = table[x[i] + offset];
        return;
      }
      case 'requantize': {
        // reference_ops::Requantize.
        const x = xt as Int32Array;
        const { multiplier, shift, inZeroPoint, outZeroPoint, lo, hi } = p;
        for (let i = 0; i < n; i++) {
          const q = multiplyByQuantizedMultiplier((x[i] - inZeroPoint) | 0, multiplier, shift) + outZeroPoint;
          o[i] = Math.min(Math.max(q, lo), hi);
        }
        return;
      }
    }
  },
};

// DEQUANTIZE to float32 (tensorflow/lite/kernels/dequantize.cc; math from
// internal/reference/dequantize.h): FLOAT16 bits -> float, and INT8/UINT8/INT16 with per-tensor or
// per-channel (quantizedDimension) affine parameters: out = scale * (q - zero_point).
// Also the IEEE half <-> float conversions shared by CAST.
import { numElements } from '../model/dtype.js';
import { fail, input, type Kernel, output } from './kernel.js';
import { UNARY_INPUTS } from './unary.js';

let halfTable: Float32Array | null = null;

/** Every float16 bit pattern as a float32 (256 KiB, built on first use). */
export function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** The value of IEEE binary16 bits (exact in float32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const floatBits = new Float32Array(1);
const floatWord = new Uint32Array(floatBits.buffer);

/** IEEE binary16 bits of a value rounded to float32 first, round-to-nearest-even (fp16_ieee_from_fp32_value). */
export function floatToHalf(value: number): number {
  floatBits[0] = value;
  const bits = floatWord[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): value / 2^-24 = (1.mantissa) * 2^(exponent - 126).
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry rolls into the exponent (up to inf)
  return sign | half;
}

/** Largest finite half. */
const HALF_MAX_BITS = 0x7bff;

/**
 * floatToHalf, saturating: values beyond +-65504 (infinities included) become +-65504 and any NaN
 * the canonical quiet NaN, as the GPU shaders' f16 stores do.
 */
export function floatToHalfSaturating(value: number): number {
  const h = floatToHalf(value);
  if ((h & 0x7c00) !== 0x7c00) return h;
  return (h & 0x8000) | (h & 0x3ff ? 0x7e00 : HALF_MAX_BITS);
}

export type DequantizeParams =
  | { mode: 'half' }
  | { mode: 'tensor'; scale: number; zeroPoint: number }
  | { mode: 'channel'; scales: number[]; zeroPoints: number[]; outer: number; channels: number; inner: number };

export const dequantizeKernel: Kernel<DequantizeParams> = {
  prepare(ctx) {
    const x = input(ctx, UNARY_INPUTS.input);
    const out = output(ctx, 0);
    if (out.dtype !== 'float32') fail(ctx, `output must be float32, got ${out.dtype}`);
    out.shape = [...x.shape];
    if (x.dtype === 'float16') return { mode: 'half' };
    if (x.dtype !== 'int8' && x.dtype !== 'uint8' && x.dtype !== 'int16') fail(ctx, `input dtype ${x.dtype} is not supported`);
    const q = x.quantization;
    if (!q || q.scale.length === 0) fail(ctx, `${x.dtype} input has no quantization parameters`);
    // TFLite's scales are floats.
    if (q.scale.length === 1) return { mode: 'tensor', scale: Math.fround(q.scale[0]), zeroPoint: q.zeroPoint[0] ?? 0 };
    const axis = q.quantizedDimension;
    if (axis < 0 || axis >= x.shape.length || x.shape[axis] !== q.scale.length) {
      fail(ctx, `${q.scale.length} per-channel scales do not match dimension ${axis} of shape [${x.shape}]`);
    }
    return {
      mode: 'channel',
      scales: q.scale.map(Math.fround),
      zeroPoints: q.zeroPoint,
      outer: numElements(x.shape.slice(0, axis)),
      channels: q.scale.length,
      inner: numElements(x.shape.slice(axis + 1)),
    };
  },
  eval(ctx, p) {
    const x = input(ctx, UNARY_INPUTS.input).data as Uint16Array | Int8Array | Uint8Array | Int16Array;
    const o = output(ctx, 0).data as Float32Array;
    const n = o.length;
    if (p.mode === 'half') {
      const table = halfToFloatTable();
      for (let i = 0; i < n; i++) o[i] = table[x[i]];
    } else if (p.mode === 'tensor') {
      // scale is a float; scale * (q - zp) is exact in a double and rounds once on the store.
      const { scale, zeroPoint } = p;
      for (let i = 0; i < n; i++) o[i] = scale * (x[i] - zeroPoint);
    } else {
      const { scales, zeroPoints, outer, channels, inner } = p;
      let i = 0;
      for (let a = 0; a < outer; a++) {
        for (let c = 0; c < channels; c++) {
          const scale = scales[c];
          const zeroPoint = zeroPoints[c] ?? 0;
          for (let k = 0; k < inner; k++, i++) o[i] = scale * (x[i] - zeroPoint);
        }
      }
    }
  },
};

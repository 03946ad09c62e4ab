// The delegate's precisions and what each means for storage, shaders and constants.
// TFLite's precision-loss-allowed mode is F16 (fp16 storage and math); here:
//   fp32          f32 storage and math (the default, and TFLite's default).
//   fp16-storage  f16 storage packed two per u32, f32 math: adapters without 'shader-f16'.
//   fp16          f16 storage and math with f32 accumulation of sums (TFLite's F32_F16):
//                 adapters with 'shader-f16'.
import type { ShaderName } from '../shaders/index.js';
import { toHalf } from './half.js';

export type Precision = 'fp32' | 'fp16-storage' | 'fp16';

/** The wording used in reports (kernel describe()). */
export const PRECISION_LABEL: Record<Precision, string> = {
  fp32: 'fp32',
  'fp16-storage': 'fp16-storage (f32 math)',
  fp16: 'fp16',
};

/** The shader prelude that defines S4, T, T4, A4, ld, st... for a precision. */
export const PRELUDE: Record<Precision, ShaderName> = {
  fp32: 'prelude_fp32',
  'fp16-storage': 'prelude_fp16_storage',
  fp16: 'prelude_fp16',
};

export function choosePrecision(precisionLossAllowed: boolean, features: ReadonlySet<string>): Precision {
  if (!precisionLossAllowed) return 'fp32';
  return features.has('shader-f16') ? 'fp16' : 'fp16-storage';
}

/** Bytes of one stored vec4 slice. */
export function bytesPerSlice(p: Precision): number {
  return p === 'fp32' ? 16 : 8;
}

/**
 * Stored bytes of slice-layout values (length a multiple of 4). Both f16 precisions store the
 * same bytes: halves in element order (pack2x16float puts the first value in the low half).
 */
export function encodeSlices(p: Precision, values: Float32Array): Float32Array | Uint16Array {
  return p === 'fp32' ? values : toHalf(values);
}

/**
 * Stored bytes of constant weights and biases (the shaders' W4): f16 only where the math is f16
 * ('fp16'). 'fp16-storage' keeps them f32: its math is f32, so f16 weights would only round them.
 */
export function encodeWeights(p: Precision, values: Float32Array): Float32Array | Uint16Array {
  return p === 'fp16' ? toHalf(values) : values;
}

// The integer convolution family's output pipeline on the GPU (shaders/requant.wgsl), built
// from the CPU prepare's Requant (src/kernels/int/requant.ts): the same multipliers, shifts,
// float32 scales, offset and clamp, never recomputed.
import type { Requant } from '../../src/kernels/int/requant.js';
import type { BindingSource } from '../program.js';

export type RequantMode = 'REQUANT_DOUBLE' | 'REQUANT_SINGLE' | 'REQUANT_XNNPACK' | 'REQUANT_WIDE';

export interface GpuRequant {
  /** The template's REQUANT_MODE constant. */
  readonly mode: RequantMode;
  /** The `channel_requant` binding: per channel (multiplier, shift, float32 scale bits, 0). */
  readonly binding: BindingSource;
  /** Output offset and clamp, for the shader's uniforms. */
  readonly offset: number;
  readonly lo: number;
  readonly hi: number;
}

/** Why the GPU cannot reproduce this output pipeline, or null. */
export function requantUnsupported(r: Requant): string | null {
  // WGSL has no f64: TFLite's 16x8 FULLY_CONNECTED reference path rounds a double product.
  if (r.fp64Scales !== null) return 'the output is requantized in double precision (16x8 reference path), which WGSL lacks';
  return null;
}

export function gpuRequant(r: Requant, channels: number): GpuRequant {
  const table = new Int32Array(channels * 4);
  const scaleBits = new Int32Array(1);
  const scale = new Float32Array(scaleBits.buffer);
  for (let c = 0; c < channels; c++) {
    table[c * 4] = r.multipliers[c] ?? 0;
    table[c * 4 + 1] = r.shifts[c] ?? 0;
    scale[0] = r.fp32Scales?.[c] ?? 0;
    table[c * 4 + 2] = scaleBits[0] as number;
  }
  const mode: RequantMode = r.fp32Scales
    ? 'REQUANT_XNNPACK'
    : r.wide
      ? 'REQUANT_WIDE'
      : r.singleRounding
        ? 'REQUANT_SINGLE'
        : 'REQUANT_DOUBLE';
  return { mode, binding: { kind: 'raw', data: table }, offset: r.outputOffset, lo: r.lo, hi: r.hi };
}

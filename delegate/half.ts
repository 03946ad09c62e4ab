// IEEE binary16 conversions on the CPU, for constants uploaded in an f16 precision (and tests).
// One encoder for CPU and GPU: the kernels' (src/kernels/dequantize.ts), saturating as the shaders' st() does.
import { floatToHalfSaturating, halfToFloat } from '../src/kernels/dequantize.js';

/** The half-float bits nearest to v (ties to even), saturating at +-65504; NaN stays NaN. */
export const halfBits = floatToHalfSaturating;

/** The value of half-float bits. */
export const halfValue = halfToFloat;

/** Half bits of every element. */
export function toHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = halfBits(values[i] as number);
  return out;
}

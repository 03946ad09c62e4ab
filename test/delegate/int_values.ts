// Test data for the integer GPU tests.
import type { DType } from '../../src/model/dtype.js';

/** Values spread over the whole range of the type, extremes included. */
export function intValues(dtype: DType, n: number, seed = 1): number[] {
  const bits = dtype === 'int16' ? 16 : dtype === 'int32' ? 32 : 8;
  const lo = dtype === 'uint8' ? 0 : -(2 ** (bits - 1));
  const span = 2 ** bits;
  return Array.from({ length: n }, (_, i) => {
    if (i === 0) return lo;
    if (i === 1) return lo + span - 1;
    return lo + ((Math.imul(i + seed * 7919, 0x9e3779b1) >>> 0) % span);
  });
}

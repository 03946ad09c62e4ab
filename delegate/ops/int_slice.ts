// What the integer shaders built on shaders/int_slice.wgsl need to know about a tensor's type:
// its element size and whether its lanes unpack signed.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type IntStorage, intElementBytes, integerStorage } from '../plan/precision.js';

/** The template constants of shaders/int_slice.wgsl for an integer storage. */
export function intSliceConstants(storage: IntStorage): { ELEMENT_BYTES: number; SIGNED: boolean } {
  return { ELEMENT_BYTES: intElementBytes(storage), SIGNED: storage !== 'uint8' };
}

/**
 * For shaders that only move elements: the sign does not matter, so int8 and uint8 share one
 * pipeline (unpacked unsigned).
 */
export function byteMoveConstants(storage: IntStorage): { ELEMENT_BYTES: number; SIGNED: boolean } {
  return { ELEMENT_BYTES: intElementBytes(storage), SIGNED: false };
}

/** null when every tensor is present and has the same integer dtype (one of `allowed`), else why not. */
export function sameIntegerType(
  tensors: readonly (RuntimeTensor | null | undefined)[],
  allowed: readonly IntStorage[],
  what = 'tensor',
): string | null {
  const first = tensors[0];
  if (!first) return `${what} 0 is missing`;
  const storage = integerStorage(first.dtype);
  if (!storage || !allowed.includes(storage)) return `dtype ${first.dtype} is not one of ${allowed.join('/')}`;
  for (const [i, t] of tensors.entries()) {
    if (!t) return `${what} ${i} is missing`;
    if (t.dtype !== first.dtype) return `${what} ${i} has dtype ${t.dtype}, ${what} 0 has ${first.dtype}`;
  }
  return null;
}

export const QUANTIZED_8_16: readonly IntStorage[] = ['int8', 'uint8', 'int16'];
export const ALL_INT: readonly IntStorage[] = ['int8', 'uint8', 'int16', 'int32'];

/** quant.wgsl's constant for an integer element type (ELEM_I8...), or undefined for other dtypes. */
export function elementConstant(dtype: string): 'ELEM_I8' | 'ELEM_U8' | 'ELEM_I16' | 'ELEM_I32' | undefined {
  return ({ int8: 'ELEM_I8', uint8: 'ELEM_U8', int16: 'ELEM_I16', int32: 'ELEM_I32' } as const)[dtype as 'int8'];
}

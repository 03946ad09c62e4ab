// The wasm side of the 8-bit kernels' output pipeline (int/requant.ts requantize) and the 8-bit
// matrix product that feeds it: int32 sums, plus a per-channel addend (input-offset term and
// bias), requantized with TFLite's reference fixed point or XNNPACK's float32 arithmetic.
import type { IntArray } from '../int/int_array.js';
import type { Requant } from '../int/requant.js';
import { type PackedIntRows, padTo8, ROW_TILE } from './matmul.js';
import { type WasmKernels, wasmKernels } from './module.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Whether the wasm kernels reproduce `requantize` for this pipeline on int32-wrapped sums: the
 * reference fixed point or XNNPACK's fp32, with integer bounds. (The 64-bit and double paths of
 * 16-bit kernels, and ruy's single rounding, stay in JS.)
 */
export function wasmRequantizes(r: Requant): boolean {
  if (r.wide || r.fp64Scales !== null || r.singleRounding === true) return false;
  const int32 = (v: number) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
  return int32(r.lo) && int32(r.hi) && int32(r.outputOffset);
}

/** Bytes of the per-channel parameters of `channels` channels. */
export function requantParamBytes(channels: number): number {
  return channels * 12 + 64;
}

/**
 * Writes the per-channel parameters at byte `ptr`: addend(c) wrapped to int32 (the JS kernels add
 * it to the exact sum, then wrap; the same modulo 2^32), then the multipliers and shifts, or the
 * float32 scales.
 */
export function writeRequantParams(k: WasmKernels, r: Requant, channels: number, ptr: number, addend: (c: number) => number): void {
  const i32 = k.i32;
  const base = ptr >> 2;
  for (let c = 0; c < channels; c++) i32[base + c] = addend(c) | 0;
  if (r.fp32Scales !== null) k.f32.set(r.fp32Scales.subarray(0, channels), base + channels);
  else {
    i32.set(r.multipliers.subarray(0, channels), base + channels);
    i32.set(r.shifts.subarray(0, channels), base + 2 * channels);
  }
}

/** Requantizes `rows` rows of `channels` int32 sums at accPtr into int32 outputs at outPtr. */
export function runRequant(k: WasmKernels, r: Requant, accPtr: number, rows: number, channels: number, ptr: number, outPtr: number): void {
  const x = k.exports;
  if (r.fp32Scales !== null) x.requant_fp32(accPtr, rows, channels, ptr, ptr + channels * 4, r.outputOffset, r.lo, r.hi, outPtr);
  else x.requant_ref(accPtr, rows, channels, ptr, ptr + channels * 4, ptr + channels * 8, r.outputOffset, r.lo, r.hi, outPtr);
}

/**
 * out[outOff + r*count + n] = requantize(sum_k a[aOff + r*K + k] * w[n][k] + addend(n)) for
 * r < rows, n < count: the contiguous-row 8-bit product (FULLY_CONNECTED, pointwise CONV_2D)
 * wholly in wasm. `a` holds raw 8-bit values. Returns false, having done nothing, when the wasm
 * kernels are unavailable.
 */
export function wasmIntMatmul(
  a: IntArray,
  aOff: number,
  rows: number,
  K: number,
  w: PackedIntRows,
  src: Int16Array,
  count: number,
  requant: Requant,
  addend: (n: number) => number,
  out: IntArray,
  outOff: number,
): boolean {
  const k = wasmKernels();
  if (k === null) return false;
  const K8 = padTo8(K);
  const aBytes = rows * K8 * 2;
  const accBytes = rows * count * 4;
  w.src = src;
  const aPtr = k.call(w, aBytes + 2 * accBytes + requantParamBytes(count) + 64);
  if (aPtr === null) return false;
  const accPtr = (aPtr + aBytes + 15) & ~15;
  const outPtr = (accPtr + accBytes + 15) & ~15;
  const parPtr = (outPtr + accBytes + 15) & ~15;
  writeRequantParams(k, requant, count, parPtr, addend);
  const i16 = k.i16;
  const a16 = aPtr >> 1;
  if (K === K8) i16.set(a.subarray(aOff, aOff + rows * K), a16);
  else {
    for (let r = 0; r < rows; r++) {
      const from = aOff + r * K;
      const to = a16 + r * K8;
      for (let i = 0; i < K; i++) i16[to + i] = a[from + i] as number;
    }
  }
  for (let r = 0; r < rows; r += ROW_TILE) {
    const n = Math.min(ROW_TILE, rows - r);
    k.exports.dot_i16(aPtr + r * K8 * 2, K8, n, K8, w.ptr, count, accPtr + r * count * 4, count);
  }
  runRequant(k, requant, accPtr, rows, count, parPtr, outPtr);
  out.set(k.i32.subarray(outPtr >> 2, (outPtr >> 2) + rows * count), outOff);
  return true;
}

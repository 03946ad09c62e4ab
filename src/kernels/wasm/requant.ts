// The wasm side of the 8-bit kernels' output pipeline (int/requant.ts requantize) and the 8-bit
// matrix product that feeds it: int32 sums, plus a per-channel addend (input-offset term and
// bias), requantized with TFLite's reference fixed point or XNNPACK's float32 arithmetic.
import type { IntArray } from '../int/int_array.js';
import type { Requant } from '../int/requant.js';
import { type PackedIntRows, padTo8, ROW_TILE } from './matmul.js';
import { after, type WasmKernels, wasmKernels } from './module.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Whether the wasm kernels reproduce `requantize` for this pipeline on int32-wrapped sums: the
 * reference fixed point or XNNPACK's fp32, with integer bounds. (The 64-bit and double paths of
 * 16-bit kernels, and ruy's single rounding, stay in JS.)
 */
export function wasmRequantizes(r: Requant): boolean {
  if (r.wide || r.fp64Scales !== null || r.singleRounding === true) return false;
  // The fixed point's doubling high mul saturates only for a multiplier of INT32_MIN (never made).
  if (r.multipliers.some((m) => m === INT32_MIN)) return false;
  const int32 = (v: number) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
  return int32(r.lo) && int32(r.hi) && int32(r.outputOffset);
}

/** `channels` rounded up to four: the length of each per-channel parameter array. */
function padTo4(channels: number): number {
  return (channels + 3) & ~3;
}

/** Bytes of the per-channel parameters of `channels` channels. */
export function requantParamBytes(channels: number): number {
  return padTo4(channels) * 20 + 64;
}

/**
 * Writes the per-channel parameters at byte `ptr`, arrays of C4 (channels rounded up to four,
 * zero past `channels`): addend(c) wrapped to int32 (the JS kernels add it to the exact sum, then
 * wrap; the same modulo 2^32); then for the fixed point 2^max(shift, 0) (int32, wrapping), the
 * multipliers and 2^-max(-shift, 0) (f64), or for XNNPACK the float32 scales.
 */
export function writeRequantParams(k: WasmKernels, r: Requant, channels: number, ptr: number, addend: (c: number) => number): void {
  const C4 = padTo4(channels);
  const i32 = k.i32;
  const base = ptr >> 2;
  i32.fill(0, base, base + 5 * C4);
  for (let c = 0; c < channels; c++) i32[base + c] = addend(c) | 0;
  if (r.fp32Scales !== null) {
    k.f32.set(r.fp32Scales.subarray(0, channels), base + C4);
    return;
  }
  const f64 = k.f64;
  const scaleBase = (ptr + 12 * C4) >> 3;
  for (let c = 0; c < channels; c++) {
    const shift = r.shifts[c] as number;
    i32[base + C4 + c] = shift > 0 ? 1 << shift : 1;
    i32[base + 2 * C4 + c] = r.multipliers[c] as number;
    f64[scaleBase + c] = shift < 0 ? 2 ** shift : 1;
  }
}

/** Requantizes `rows` rows of `channels` int32 sums at accPtr into int32 outputs at outPtr (both with slack). */
export function runRequant(k: WasmKernels, r: Requant, accPtr: number, rows: number, channels: number, ptr: number, outPtr: number): void {
  const x = k.exports;
  if (r.fp32Scales !== null) x.requant_fp32(accPtr, rows, channels, ptr, ptr + padTo4(channels) * 4, r.outputOffset, r.lo, r.hi, outPtr);
  else x.requant_ref(accPtr, rows, channels, ptr, r.outputOffset, r.lo, r.hi, outPtr);
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
  const accPtr = after(aPtr, aBytes);
  const outPtr = after(accPtr, accBytes);
  const parPtr = after(outPtr, accBytes);
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

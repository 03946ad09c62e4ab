// The wasm fast paths of the float and integer row-times-rows products (matmul_rows.ts rowTimesRows /
// matmulRows, int/dot.ts dotRows): weight packing for kernels.wat and the calls, with the same
// results as the JS loops (see kernels.wat).
import { alignedAfter, type WasmKernels, type WasmResident, wasmKernels, wasmResident } from './module.js';

/** Rows per wasm call: a tile of `a` stays in cache while every weight block passes over it. */
export const ROW_TILE = 64;

/**
 * Float weight rows [groups][perGroup][K] packed for matmul_f64: per group, blocks of four rows
 * as f64 [K][4], zero past the group's last row. `src` is read when the block is (re)filled.
 */
export interface PackedFloatRows extends WasmResident {
  src: Float32Array;
  /** Bytes from one group's blocks to the next's. */
  groupBytes: number;
}

export function packedFloatRows(rows: number, K: number, groups: number, constant: boolean): PackedFloatRows {
  const perGroup = rows / groups;
  const blocks = Math.ceil(perGroup / 4);
  const groupBytes = blocks * K * 32;
  const packed = wasmResident(groups * groupBytes, constant, (k, ptr) => {
    const f64 = k.f64;
    const src = packed.src;
    const base = ptr / 8;
    f64.fill(0, base, base + groups * blocks * K * 4);
    for (let g = 0; g < groups; g++) {
      for (let n = 0; n < perGroup; n++) {
        const row = (g * perGroup + n) * K;
        let dst = base + g * blocks * K * 4 + (n >> 2) * K * 4 + (n & 3);
        for (let i = 0; i < K; i++, dst += 4) f64[dst] = src[row + i] as number;
      }
    }
  }) as PackedFloatRows;
  packed.src = new Float32Array(0);
  packed.groupBytes = groupBytes;
  return packed;
}

/** Copies `bias[off, off+count)` into wasm memory at byte `ptr` (or nothing); returns hasBias. */
export function copyBias(k: WasmKernels, bias: Float32Array | null, off: number, count: number, ptr: number): number {
  if (bias === null) return 0;
  k.f32.set(bias.subarray(off, off + count), ptr >> 2);
  return 1;
}

/**
 * out[outOff + r*count + n] = clamp(sum_k a[aOff + r*K + k] * w[n*K + k] + bias[n]) for r < rows,
 * n < count (matmulRows with contiguous rows) on the packed weights `w` (one group). Returns
 * false, having done nothing, when the wasm kernels are unavailable.
 */
export function wasmMatmulRows(
  a: Float32Array,
  aOff: number,
  rows: number,
  K: number,
  w: PackedFloatRows,
  src: Float32Array,
  count: number,
  bias: Float32Array | null,
  out: Float32Array,
  outOff: number,
  lo: number,
  hi: number,
): boolean {
  const k = wasmKernels();
  if (k === null) return false;
  const aBytes = rows * K * 8;
  const outBytes = rows * count * 4;
  w.src = src;
  const scratch = k.call(w, aBytes + outBytes + count * 4 + 64);
  if (scratch === null) return false;
  const aPtr = scratch;
  const outPtr = alignedAfter(aPtr, aBytes);
  const biasPtr = alignedAfter(outPtr, outBytes);
  k.f64.set(a.subarray(aOff, aOff + rows * K), aPtr >> 3);
  const hasBias = copyBias(k, bias, 0, count, biasPtr);
  for (let r = 0; r < rows; r += ROW_TILE) {
    const n = Math.min(ROW_TILE, rows - r);
    k.exports.matmul_f64(aPtr + r * K * 8, K, n, K, w.ptr, count, biasPtr, hasBias, outPtr + r * count * 4, count, lo, hi);
  }
  out.set(k.f32.subarray(outPtr >> 2, (outPtr >> 2) + rows * count), outOff);
  return true;
}

/** Rounds a row length up to the int16 kernel's 8-element step. */
export function padTo8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Integer weight rows [rows][K] as int16 rows of padTo8(K), zero-padded, with zero rows up to a
 * multiple of four, for dot_i16. `src` is read when the block is (re)filled.
 */
export interface PackedIntRows extends WasmResident {
  src: Int16Array;
}

export function packedIntRows(rows: number, K: number, constant: boolean): PackedIntRows {
  const K8 = padTo8(K);
  const padded = Math.ceil(rows / 4) * 4;
  const packed = wasmResident(padded * K8 * 2, constant, (k, ptr) => {
    const i16 = k.i16;
    const base = ptr >> 1;
    i16.fill(0, base, base + padded * K8);
    for (let r = 0; r < rows; r++) i16.set(packed.src.subarray(r * K, (r + 1) * K), base + r * K8);
  }) as PackedIntRows;
  packed.src = new Int16Array(0);
  return packed;
}

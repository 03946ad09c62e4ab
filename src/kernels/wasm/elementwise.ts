// The wasm fast paths of the big float32 elementwise ops: the input is copied into wasm memory,
// transformed four lanes at a time, and copied back — cheaper than the JS loop on the large
// activations of vision models (the copies are memcpy). Results equal the JS loops' (see
// kernels.wat). Small tensors keep the JS loops, where the copies would not pay.
import { wasmKernels } from './module.js';

/** Below this many values the JS loops are as fast. */
const MIN_VALUES = 4096;

export type WasmUnaryOp = 'relu_f32' | 'relu6_f32' | 'relu_n1_to_1_f32' | 'hard_swish_f32';
export type WasmBinaryOp = 'add_f32' | 'sub_f32' | 'mul_f32' | 'prelu_f32';

/** o[0, n) = op(x[0, n)) in wasm; false, having done nothing, when unavailable or not worth it. */
export function wasmUnaryF32(op: WasmUnaryOp, x: Float32Array, o: Float32Array, n: number): boolean {
  if (n < MIN_VALUES) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const ptr = k.call(null, n * 4);
  if (ptr === null) return false;
  const f32 = k.f32;
  const at = ptr >> 2;
  f32.set(x.subarray(0, n), at);
  k.exports[op](ptr, ptr, n);
  o.set(f32.subarray(at, at + n));
  return true;
}

/**
 * o = a op b over `rows` rows of C values, where b is as long as a (bRepeats false) or one row of
 * C repeated for every row. False, having done nothing, when unavailable or not worth it.
 */
export function wasmBinaryF32(
  op: WasmBinaryOp,
  a: Float32Array,
  b: Float32Array,
  o: Float32Array,
  rows: number,
  C: number,
  bRepeats: boolean,
): boolean {
  const n = rows * C;
  if (n < MIN_VALUES) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const bn = bRepeats ? C : n;
  const aBytes = (n * 4 + 31) & ~15;
  const bBytes = (bn * 4 + 31) & ~15;
  const ptr = k.call(null, 2 * aBytes + bBytes);
  if (ptr === null) return false;
  const f32 = k.f32;
  const aPtr = ptr;
  const bPtr = ptr + aBytes;
  const oPtr = bPtr + bBytes;
  f32.set(a.subarray(0, n), aPtr >> 2);
  f32.set(b.subarray(0, bn), bPtr >> 2);
  k.exports[op](aPtr, bPtr, oPtr, rows, C, bRepeats ? 0 : C);
  o.set(f32.subarray(oPtr >> 2, (oPtr >> 2) + n));
  return true;
}

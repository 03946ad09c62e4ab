// What the shape and data-movement cases share: quantized inputs and operands, shapes, the dtype
// lists and the per-dtype fuzzer maker.

import type { DType } from '../../../src/index.js';
import type { FuzzGraph, FuzzQuant, GraphBuilder } from '../graph.js';
import { INT_LIMITS, type Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

export const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const QUANT: readonly DType[] = ['int8', 'uint8', 'int16'];
export const isQuant = (t: DType) => QUANT.includes(t);

/** Quantization of a quantized activation (int16: zero point 0), else none. */
export function quantOf(r: Rng, dtype: DType): FuzzQuant | undefined {
  return isQuant(dtype) ? r.quant(dtype) : undefined;
}

/** Random values of `dtype` (constants and fixed inputs). */
export function values(r: Rng, dtype: DType, n: number): number[] {
  if (dtype === 'float32') return r.floats(n, -4, 4);
  if (dtype === 'bool') return r.ints(n, 0, 1);
  if (dtype === 'int32' || dtype === 'int64') return r.ints(n, -1000, 1000);
  const [lo, hi] = INT_LIMITS[dtype] ?? [0, 1];
  return r.ints(n, lo, hi);
}

/** An input of `dtype` and `shape` with its quantization (random data over the dtype's range). */
export function input(g: GraphBuilder, r: Rng, dtype: DType, shape: number[], q = quantOf(r, dtype)): { t: number; q?: FuzzQuant } {
  const t = g.input(dtype, shape, q ? { quant: q } : {});
  return q ? { t, q } : { t };
}

/** An input or, sometimes, a constant of the same contents kind. */
export function operand(g: GraphBuilder, r: Rng, dtype: DType, shape: number[], q?: FuzzQuant, pConst = 0.2): number {
  if (r.bool(pConst)) return g.constant(dtype, shape, values(r, dtype, count(shape)), q);
  return g.input(dtype, shape, q ? { quant: q } : {});
}

export const intConst = (g: GraphBuilder, dtype: 'int32' | 'int64', shape: number[], v: number[]) =>
  g.constant(dtype, shape, dtype === 'int64' ? v.map((x) => BigInt(x)) : v);

export type Make = (r: Rng, dtype: DType) => FuzzGraph;

export function fz(op: string, dtypes: readonly DType[], make: Make, label: (t: DType) => string = (t) => t): OpFuzzer[] {
  return dtypes.map((t) => {
    const f: OpFuzzer = { op, dtypes: label(t), make: (r: Rng) => make(r, t) };
    if (op === 'CONCATENATION' && t === 'uint8') {
      f.oracle = 'litert';
      f.note =
        'tfjs-tflite copies uint8 inputs of other scales raw; LiteRT.js requantizes as the builtin kernel does (but returns garbage when every input is constant: one is not)';
    }
    if (op === 'FILL' && t === 'uint8') {
      f.oracle = 'litert';
      f.note = "tfjs-tflite's FILL has no uint8; LiteRT.js's has, but returns garbage for a rank-0 uint8 output (so ranks 1-5)";
    }
    return f;
  });
}

/** A shape of rank lo..hi; sometimes one dimension 0 when `zero`. */
export function shapeOf(r: Rng, lo: number, hi: number, zero: boolean | DType = false, max = 6): number[] {
  const s = r.shape(r.rank(lo, hi), max);
  // The oracle harness cannot feed an empty int64 / bool input.
  if (zero === 'int64' || zero === 'bool') zero = false;
  if (zero && s.length > 0 && r.bool(0.08)) s[r.int(0, s.length - 1)] = 0;
  return s;
}

export const ALL: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'];
export const NUM: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64'];

// Deterministic pseudo-random model inputs: the same (details, seed) always gives the same bytes,
// on every machine, so goldens can be cached by seed.
import { type ModelInfo, readModelInfo } from './model_info.js';
import { numElements, type OracleDType, type OracleTypedArray, typedArrayCtor } from './types.js';

export interface InputSpec {
  dtype: OracleDType;
  shape: readonly number[];
  /** Accepted for callers that pass full tensor details; ranges do not depend on it. */
  quantization?: unknown;
}

/** mulberry32: a tiny, fast 32-bit PRNG; returns uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes the seed with the input position so each input gets its own stream. */
function streamSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE half bits of a float (round to nearest even; values here are small and normal or zero). */
export function float16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  let mant = bits & 0x7fffff;
  if (exp <= 0) return sign; // flush tiny values to zero
  if (exp >= 31) return sign | 0x7c00;
  const round = mant & 0x1fff;
  mant >>>= 13;
  let half = sign | (exp << 10) | mant;
  if (round > 0x1000 || (round === 0x1000 && (mant & 1) === 1)) half += 1;
  return half;
}

/** Integer ranges, inclusive: full range for 8/16-bit types, small non-negative values for 32/64-bit. */
const INT_RANGE: Partial<Record<OracleDType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [0, 10],
  uint32: [0, 10],
  int64: [0, 10],
  bool: [0, 1],
};

/** One input of `dtype` / `shape` filled from `rand`. */
export function randomTensor(dtype: OracleDType, shape: readonly number[], rand: () => number): OracleTypedArray {
  const n = numElements(shape);
  const out = new (typedArrayCtor(dtype))(n);
  if (dtype === 'float32' || dtype === 'float64') {
    const a = out as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) a[i] = Math.fround(rand() * 2 - 1);
    return out;
  }
  if (dtype === 'float16') {
    const a = out as Uint16Array;
    for (let i = 0; i < n; i++) a[i] = float16Bits(rand() * 2 - 1);
    return out;
  }
  const [lo, hi] = INT_RANGE[dtype] ?? [0, 10];
  const span = hi - lo + 1;
  if (dtype === 'int64') {
    const a = out as BigInt64Array;
    for (let i = 0; i < n; i++) a[i] = BigInt(lo + Math.floor(rand() * span));
    return out;
  }
  const a = out as Exclude<OracleTypedArray, BigInt64Array>;
  for (let i = 0; i < n; i++) a[i] = lo + Math.floor(rand() * span);
  return out;
}

/**
 * Deterministic inputs for a model, one per entry of `details` (subgraph-0 input order).
 * float: uniform in [-1, 1); int8 / uint8 / int16 / uint16: full range; int32 / uint32 / int64:
 * [0, 10]; bool: 0 / 1; float16: raw half bits of [-1, 1) values.
 * `overrides` replaces the inputs at the given positions (shape operands such as TRANSPOSE_CONV's
 * output_shape must get the model's declared shape: see ModelInfo.shapeOperands). The random
 * streams do not depend on the overrides, so overriding one input leaves the others unchanged.
 */
export function makeInputs(
  details: readonly InputSpec[],
  seed: number,
  overrides?: ReadonlyMap<number, ArrayBufferView>,
): ArrayBufferView[] {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return details.map((d, i) => {
    const given = overrides?.get(i);
    if (given) return given;
    return randomTensor(d.dtype, d.shape, mulberry32(streamSeed(seed, i)));
  });
}

/**
 * makeInputs for a whole model: subgraph-0 inputs with their declared shapes, shape operands
 * (ModelInfo.shapeOperands) set to the declared shapes, then `overrides` on top.
 */
export function makeModelInputs(
  model: Uint8Array | ModelInfo,
  seed: number,
  overrides?: ReadonlyMap<number, ArrayBufferView>,
): ArrayBufferView[] {
  const info = model instanceof Uint8Array ? readModelInfo(model) : model;
  const specs = info.inputs.map((t, i) => {
    if (!t.dtype) throw new TypeError(`input ${i} '${t.name}' is ${t.type}: no random inputs for that type`);
    return { dtype: t.dtype, shape: t.shape };
  });
  const all = new Map<number, ArrayBufferView>(info.shapeOperands);
  for (const [k, v] of overrides ?? []) all.set(k, v);
  return makeInputs(specs, seed, all);
}

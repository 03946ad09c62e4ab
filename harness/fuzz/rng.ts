// Seeded randomness for the differential op tests: shapes, option values and quantization
// parameters drawn the way TFLite's own kernel tests vary them (odd and prime sizes, scales over
// decades, zero points at the type limits).
import type { DType } from '../../src/index.js';
import { mulberry32 } from '../oracle/inputs.js';
import type { FuzzQuant } from './graph.js';

export const INT_LIMITS: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

export class Rng {
  private readonly next: () => number;
  /** Upper bound on every dimension and rank drawn through dim / shape / rank (shrinking lowers it). */
  constructor(
    readonly seed: number,
    readonly size = 9,
  ) {
    this.next = mulberry32(seed);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [lo, hi], inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from nothing');
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** A dimension: mostly small, often odd or prime, sometimes 1. */
  dim(max = 9): number {
    const m = Math.max(1, Math.min(max, this.size));
    return this.pick([1, 2, 3, 5, 7, 11, this.int(1, m)].filter((d) => d <= m));
  }
  /** A rank in [lo, hi], capped by the size (but never below lo). */
  rank(lo: number, hi: number): number {
    return this.int(lo, Math.max(lo, Math.min(hi, this.size)));
  }
  shape(rank: number, max = 9): number[] {
    return Array.from({ length: rank }, () => this.dim(max));
  }
  /** A log-uniform scale over [10^lo, 10^hi). */
  scale(lo = -3, hi = 0.5): number {
    return Math.fround(10 ** this.uniform(lo, hi));
  }
  /** A zero point for `dtype`: often at a limit or 0, else anywhere (int16 and int32 are symmetric). */
  zeroPoint(dtype: DType): number {
    const lim = INT_LIMITS[dtype];
    if (!lim || dtype === 'int16' || dtype === 'int32') return 0;
    return this.pick([lim[0], lim[1], dtype === 'uint8' ? 128 : 0, this.int(lim[0], lim[1]), this.int(lim[0], lim[1])]);
  }
  /** Per-tensor parameters for an activation of `dtype`. */
  quant(dtype: DType, scaleLo = -3, scaleHi = 0.5): FuzzQuant {
    return { scale: [this.scale(scaleLo, scaleHi)], zeroPoint: [this.zeroPoint(dtype)] };
  }
  /** Random integers in [lo, hi] (e.g. weights). */
  ints(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.int(lo, hi));
  }
  floats(n: number, lo = -1, hi = 1): number[] {
    return Array.from({ length: n }, () => Math.fround(this.uniform(lo, hi)));
  }
  /** A fresh generator derived from this one (to draw a sub-stream that shrinking keeps stable). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 2 ** 31), this.size);
  }
}

/** Deterministic seed of case `i` of an op under a run seed (independent streams per op). */
export function caseSeed(runSeed: number, name: string, i: number): number {
  let h = (2166136261 ^ runSeed) >>> 0;
  for (const c of `${name}#${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

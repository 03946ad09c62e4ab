// Reference arithmetic for the integer kernel tests, written independently of src/ (BigInt
// gemmlowp and int64 paths, float32 XNNPACK path) so the tests never take expected values from
// the kernels. Shared by the *_int tests so every kernel is checked against the same reference.
import type { Quantization } from '../../src/model/types.js';

export const f32 = Math.fround;
export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** QuantizeMultiplier: m = q * 2^(shift - 31) with q in [2^30, 2^31), ties away from zero. */
export function quantizeMultiplierRef(m: number): [bigint, number] {
  if (m === 0) return [0n, 0];
  let f = m;
  let shift = 0;
  while (f >= 1) {
    f /= 2;
    shift++;
  }
  while (f < 0.5) {
    f *= 2;
    shift--;
  }
  let q = Math.round(f * 2 ** 31);
  if (q === 2 ** 31) {
    q /= 2;
    shift++;
  }
  if (shift < -31) return [0n, 0];
  return [BigInt(q), shift];
}

/** SaturatingRoundingDoublingHighMul on int32 values. */
export function srdhm(a: bigint, b: bigint): bigint {
  if (a === -(2n ** 31n) && b === a) return 2n ** 31n - 1n;
  const ab = a * b;
  return (ab + (ab >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n); // truncating, as C++
}

/** RoundingDivideByPOT: x / 2^e rounded half away from zero. */
export function rdbpot(x: bigint, e: number): bigint {
  const mask = (1n << BigInt(e)) - 1n;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> BigInt(e)) + ((x & mask) > threshold ? 1n : 0n);
}

/** Reference 32-bit MultiplyByQuantizedMultiplier on the int32-wrapped accumulator. */
export function mbqm32(acc: number, m: number): number {
  const [q, shift] = quantizeMultiplierRef(m);
  const x = BigInt.asIntN(32, BigInt(acc) * (1n << BigInt(Math.max(shift, 0))));
  return Number(rdbpot(srdhm(x, q), Math.max(-shift, 0)));
}

/** Reference int64 MultiplyByQuantizedMultiplier (16x8 with int64 bias). */
export function mbqm64(acc: bigint, m: number): number {
  const [q, shift] = quantizeMultiplierRef(m);
  const reduced = q < 0x7fff0000n ? (q + (1n << 15n)) >> 16n : 0x7fffn;
  const total = BigInt(15 - shift);
  return Number(BigInt.asIntN(32, (acc * reduced + (1n << (total - 1n))) >> total));
}

/** XNNPACK: round-to-nearest-even(float(acc) * float32 scale). */
export function xnnpackRound(acc: number, scale: number): number {
  const v = f32(f32(acc) * scale);
  const fl = Math.floor(v);
  const d = v - fl;
  return d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
}

/** Quantization parameters: one scale or one per channel, one zero point or one per scale. */
export function q(scale: number[] | number, zeroPoint: number[] | number = 0, quantizedDimension = 0): Quantization {
  const scales = Array.isArray(scale) ? scale : [scale];
  const zps = Array.isArray(zeroPoint) ? zeroPoint : scales.map(() => zeroPoint);
  return { scale: scales, zeroPoint: zps, quantizedDimension };
}

/** Deterministic integers in [lo, hi] (a linear congruential generator), for reproducible cases. */
export function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

/** QuantizeMultiplier as { m, shift }: real = m * 2^(shift - 31), m in [2^30, 2^31). */
export function qmRef(real: number): { m: bigint; shift: number } {
  const [m, shift] = quantizeMultiplierRef(real);
  return { m, shift };
}

/** Mulberry32: deterministic floats in [0, 1) for reproducible random cases. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` integers in [lo, hi] drawn from `r`. */
export const ints = (r: () => number, n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));

// Helpers shared by the float and hybrid kernel tests: deterministic inputs, a relative-tolerance
// comparison, and TFLite's hybrid input quantization (portable_tensor_utils.cc) written
// independently of src/ so expected values never come from the kernels.
import { expect } from 'vitest';
import { runOp } from './run_op.js';

/** runOp with float32 outputs. */
export function runFloat(c: Parameters<typeof runOp>[0]): { shape: number[]; data: Float32Array }[] {
  return runOp(c).map((o) => ({ shape: o.shape, data: o.data as Float32Array }));
}

/** Deterministic pseudo-random floats in [lo, hi), rounded to float32. */
export function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(lo + ((hi - lo) * s) / 2 ** 32);
  });
}

/** Element-wise comparison with a tolerance relative to the expected magnitude (absolute below 1). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    if (Math.abs((actual[i] as number) - e) > tol * Math.max(1, Math.abs(e))) expect.fail(`element ${i}: got ${actual[i]}, expected ${e}`);
  }
}

/** C's round(): half away from zero. */
export function roundAway(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

/** SymmetricQuantizeFloats as portable_tensor_utils.cc writes it. */
export function symQuant(xs: number[]): { q: number[]; scale: number } {
  const range = Math.max(...xs.map(Math.abs));
  if (range === 0) return { q: xs.map(() => 0), scale: 1 };
  const inv = Math.fround(127 / range);
  return { q: xs.map((v) => Math.max(-127, Math.min(127, roundAway(Math.fround(v * inv))))), scale: Math.fround(range / 127) };
}

/** AsymmetricQuantizeFloats as portable_tensor_utils.cc writes it. */
export function asymQuant(xs: number[]): { q: number[]; scale: number; zp: number } {
  const rmin = Math.min(0, ...xs);
  const rmax = Math.max(0, ...xs);
  if (rmin === rmax) return { q: xs.map(() => 0), scale: 1, zp: 0 };
  const scale = (rmax - rmin) / 255;
  const zpMin = -128 - rmin / scale;
  const zpMax = 127 - rmax / scale;
  const zpd = 128 + Math.abs(rmin / scale) < 127 + Math.abs(rmax / scale) ? zpMin : zpMax;
  const zp = zpd <= -128 ? -128 : zpd >= 127 ? 127 : roundAway(zpd);
  const inv = Math.fround(1 / Math.fround(scale));
  return {
    q: xs.map((v) => Math.max(-128, Math.min(127, roundAway(Math.fround(zp + Math.fround(v * inv)))))),
    scale: Math.fround(scale),
    zp,
  };
}

// Inner loops of the float32 and int32 binary ops (one function per op and dtype keeps each loop
// monomorphic); src/kernels/binary.ts walks them over a broadcast plan.
import type { BinaryLoop } from './binary.js';

// Float math runs in doubles and rounds once on the Float32Array store, which
// equals float32 arithmetic for + - * /; the activation bounds are floats, so clamping afterwards
// gives the same result as clamping before the rounding. Integer results wrap like int32_t.

export const addF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] + b[ib];
  }
};
export const subF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] - b[ib];
  }
};
export const mulF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] * b[ib];
  }
};
export const divF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] / b[ib];
  }
};
export const maxF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 > el2 ? el1 : el2 (NaN handling differs from Math.max)
    o[io + i] = x > y ? x : y;
  }
};
export const minF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 < el2 ? el1 : el2 (NaN handling differs from Math.min)
    o[io + i] = x < y ? x : y;
  }
};
export const squaredDifferenceF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    // The difference is a float before it is squared.
    const d = Math.fround(a[ia] - b[ib]);
    o[io + i] = d * d;
  }
};
export const floorDivF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = Math.floor(a[ia] / b[ib]);
};
export const floorModF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const y = b[ib];
    const r = a[ia] % y; // fmod: sign of the dividend
    o[io + i] = r !== 0 && y < 0 !== r < 0 ? r + y : r;
  }
};

export const addI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = (a[ia] + b[ib]) | 0;
  }
};
export const subI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = (a[ia] - b[ib]) | 0;
  }
};
export const mulI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = Math.imul(a[ia], b[ib]);
  }
};
export const divI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = (a[ia] / b[ib]) | 0; // C++ division truncates toward zero
  }
};
export const squaredDifferenceI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const d = (a[ia] - b[ib]) | 0;
    o[io + i] = Math.imul(d, d);
  }
};
export const maxI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 > el2 ? el1 : el2 (NaN handling differs from Math.max)
    o[io + i] = x > y ? x : y;
  }
};
export const minI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 < el2 ? el1 : el2 (NaN handling differs from Math.min)
    o[io + i] = x < y ? x : y;
  }
};
export const floorDivI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = Math.floor(a[ia] / b[ib]);
};
export const floorModI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const y = b[ib];
    const r = a[ia] % y;
    o[io + i] = r !== 0 && y < 0 !== r < 0 ? r + y : r;
  }
};

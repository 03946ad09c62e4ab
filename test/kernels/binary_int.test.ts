// Quantized ADD / SUB / MUL: expected values from hand arithmetic or from a literal BigInt
// transcription of TFLite's reference functions (reference/add.h, sub.h, integer_ops/mul.h).
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { mbqmRef, rdbpotRef, srdhmRef } from '../quant/bigint_reference.js';
import { qmRef } from '../support/quant_ref.js';
import { runOp } from '../support/run_op.js';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** reference AddElementwise / SubElementwise for one pair, from the float scales. */
function addSubRef(
  a: number,
  b: number,
  qa: [number, number],
  qb: [number, number],
  qo: [number, number],
  leftShift: number,
  sub: boolean,
  lo: number,
  hi: number,
): number {
  const twiceMax = 2 * Math.max(qa[0], qb[0]);
  const m1 = qmRef(qa[0] / twiceMax);
  const m2 = qmRef(qb[0] / twiceMax);
  const mo = qmRef(twiceMax / (2 ** leftShift * qo[0]));
  const smaller = (x: bigint, m: { m: bigint; shift: number }) => rdbpotRef(srdhmRef(x, m.m), BigInt(-m.shift));
  const s1 = smaller(BigInt(a - qa[1]) << BigInt(leftShift), m1);
  const s2 = smaller(BigInt(b - qb[1]) << BigInt(leftShift), m2);
  const raw = Number(smaller(sub ? s1 - s2 : s1 + s2, mo)) + qo[1];
  return Math.min(hi, Math.max(lo, raw));
}

function binary(
  op: string,
  dtype: DType,
  a: { shape: number[]; data: number[]; q: [number, number] },
  b: typeof a,
  out: [number, number],
  options = {},
) {
  return runOp({
    op,
    options,
    inputs: [
      { dtype, shape: a.shape, data: a.data, quantization: q(...a.q) },
      { dtype, shape: b.shape, data: b.data, quantization: q(...b.q) },
    ],
    outputs: [{ dtype, quantization: q(...out) }],
  })[0]!;
}

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

describe('ADD int8 / uint8', () => {
  it('rounds exact halves away from zero (equal scales, output scale doubled)', () => {
    // Each input is scaled by exactly 1/2 and the output by 2^-20 after the 20-bit shift, so the
    // result is (a + b) / 2 rounded half away from zero.
    const r = binary(
      'ADD',
      'int8',
      { shape: [5], data: [-128, 1, -1, 3, -3], q: [0.02, 0] },
      { shape: [5], data: [-127, 0, 0, 0, 0], q: [0.02, 0] },
      [0.04, 0],
    );
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-128, 1, -1, 2, -2]);
  });

  it('matches the reference formula on every int8 pair with asymmetric zero points', () => {
    const all = range(-128, 127);
    const a = all.flatMap((x) => all.map(() => x));
    const b = all.flatMap(() => all);
    const qa: [number, number] = [0.0123, -128];
    const qb: [number, number] = [0.0371, 127];
    const qo: [number, number] = [0.05, 1];
    const r = binary('ADD', 'int8', { shape: [a.length], data: a, q: qa }, { shape: [b.length], data: b, q: qb }, qo);
    for (let i = 0; i < a.length; i += 97) {
      expect(r.data[i]).toBe(addSubRef(a[i]!, b[i]!, qa, qb, qo, 20, false, -128, 127));
    }
  });

  it('broadcasts a [3] row over [2, 3] (uint8) and applies a fused RELU6 in output units', () => {
    const qa: [number, number] = [0.05, 128];
    const qb: [number, number] = [0.1, 120];
    const qo: [number, number] = [0.04, 10];
    const a = [0, 128, 255, 100, 200, 250];
    const b = [120, 200, 255];
    const r = binary('ADD', 'uint8', { shape: [2, 3], data: a, q: qa }, { shape: [3], data: b, q: qb }, qo, { fusedActivationFunction: 3 });
    expect(r.shape).toEqual([2, 3]);
    // RELU6 clamps to [zp + round(0 / s), zp + round(6 / s)] = [10, 160].
    const want = a.map((x, i) => addSubRef(x, b[i % 3]!, qa, qb, qo, 20, false, 10, 160));
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want);
    expect(Math.max(...want)).toBe(160);
  });

  it('handles empty tensors', () => {
    const r = binary('ADD', 'int8', { shape: [0, 3], data: [], q: [0.1, 0] }, { shape: [3], data: [1, 2, 3], q: [0.1, 0] }, [0.1, 0]);
    expect(r.shape).toEqual([0, 3]);
    expect(r.data.length).toBe(0);
  });
});

describe('SUB', () => {
  it('int8 subtracts the rescaled inputs and clamps with RELU', () => {
    const qa: [number, number] = [0.02, -3];
    const qb: [number, number] = [0.03, 5];
    const qo: [number, number] = [0.05, -128];
    const a = [-128, -3, 0, 50, 127, 127];
    const b = [127, 5, 100, -128, -128, 5];
    const r = binary('SUB', 'int8', { shape: [6], data: a, q: qa }, { shape: [6], data: b, q: qb }, qo, { fusedActivationFunction: 1 });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(a.map((x, i) => addSubRef(x, b[i]!, qa, qb, qo, 20, true, -128, 127)));
    expect(r.data[0]).toBe(-128); // negative result, clamped at the RELU floor (zero point)
  });

  it('int16 power-of-two path: the finer input is divided with rounding, the difference saturates', () => {
    // scales: a 2^-12 (finer), b 2^-10, out 2^-10 -> a is divided by 4.
    const r = binary(
      'SUB',
      'int16',
      { shape: [4], data: [6, -6, 10, -32768], q: [2 ** -12, 0] },
      { shape: [4], data: [0, 0, 3, 32767], q: [2 ** -10, 0] },
      [2 ** -10, 0],
      { potScaleInt16: true },
    );
    // 6/4 = 1.5 -> 2; -1.5 -> -2; 10/4 = 2.5 -> 3, minus 3 -> 0; -8192 - 32767 saturates.
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([2, -2, 0, -32768]);
  });
});

describe('ADD int16', () => {
  const qa: [number, number] = [2 ** -10, 0];
  const qb: [number, number] = [2 ** -12, 0];
  const qo: [number, number] = [2 ** -10, 0];
  const a = [100, 100, 32767, -32768, 0];
  const b = [6, -6, 4, -4, 2];

  it('power-of-two scales with pot_scale_int16 take the LSTM path', () => {
    const r = binary('ADD', 'int16', { shape: [5], data: a, q: qa }, { shape: [5], data: b, q: qb }, qo, { potScaleInt16: true });
    // b / 4 rounded half away: 1.5 -> 2, -1.5 -> -2, 1, -1, 0.5 -> 1; then a saturating add.
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([102, 98, 32767, -32768, 1]);
  });

  it('without pot_scale_int16 the general path (15-bit shift) is used', () => {
    const r = binary('ADD', 'int16', { shape: [5], data: a, q: qa }, { shape: [5], data: b, q: qb }, qo, { potScaleInt16: false });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(a.map((x, i) => addSubRef(x, b[i]!, qa, qb, qo, 15, false, -32768, 32767)));
  });

  it('general scales (seanet-like) follow the reference formula', () => {
    const qa2: [number, number] = [0.0005852500908076763, 0];
    const qb2: [number, number] = [0.0008069296018220484, 0];
    const qo2: [number, number] = [0.0011, 0];
    const xs = [-32768, -12345, -1, 0, 1, 777, 32767];
    const ys = [32767, 1, -2, 0, 3, -20000, 32767];
    const r = binary('ADD', 'int16', { shape: [7], data: xs, q: qa2 }, { shape: [7], data: ys, q: qb2 }, qo2, { potScaleInt16: true });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(
      xs.map((x, i) => addSubRef(x, ys[i]!, qa2, qb2, qo2, 15, false, -32768, 32767)),
    );
  });

  it('rejects a nonzero int16 zero point', () => {
    expect(() =>
      binary('ADD', 'int16', { shape: [1], data: [0], q: [0.01, 3] }, { shape: [1], data: [0], q: [0.01, 0] }, [0.01, 0]),
    ).toThrow(/zero point 3/);
  });
});

describe('MUL', () => {
  /** reference MulElementwise: (a + off1) * (b + off2) rescaled by the float32 product of scales. */
  function mulRef(a: number, b: number, qa: [number, number], qb: [number, number], qo: [number, number], lo: number, hi: number) {
    const real = Math.fround(Math.fround(Math.fround(qa[0]) * Math.fround(qb[0])) / Math.fround(qo[0]));
    const { m, shift } = qmRef(real);
    const v = Number(mbqmRef(BigInt((a - qa[1]) * (b - qb[1])), m, shift)) + qo[1];
    return Math.min(hi, Math.max(lo, v));
  }

  it('int8 with zero points at the type limits, every 13th pair', () => {
    const all = range(-128, 127);
    const a = all.flatMap((x) => all.map(() => x));
    const b = all.flatMap(() => all);
    const qa: [number, number] = [0.02, 127];
    const qb: [number, number] = [0.03, -128];
    const qo: [number, number] = [0.5, -7];
    const r = binary('MUL', 'int8', { shape: [a.length], data: a, q: qa }, { shape: [b.length], data: b, q: qb }, qo);
    for (let i = 0; i < a.length; i += 13) expect(r.data[i]).toBe(mulRef(a[i]!, b[i]!, qa, qb, qo, -128, 127));
  });

  it('uint8 broadcasting a scalar', () => {
    const qa: [number, number] = [0.1, 128];
    const qb: [number, number] = [0.2, 100];
    const qo: [number, number] = [0.3, 120];
    const a = [0, 64, 128, 200, 255];
    const r = binary('MUL', 'uint8', { shape: [5], data: a, q: qa }, { shape: [], data: [90], q: qb }, qo);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(a.map((x) => mulRef(x, 90, qa, qb, qo, 0, 255)));
  });

  it('int16 symmetric, exact power-of-two rescale', () => {
    // 2^-10 * 2^-10 / 2^-12 = 2^-8: the product divided by 256, rounded half away from zero.
    const r = binary(
      'MUL',
      'int16',
      { shape: [4], data: [128, -128, 300, 32767], q: [2 ** -10, 0] },
      { shape: [4], data: [3, 3, -300, 32767], q: [2 ** -10, 0] },
      [2 ** -12, 0],
    );
    // 384/256 = 1.5 -> 2; -1.5 -> -2; -90000/256 = -351.56 -> -352; 32767^2/256 saturates.
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([2, -2, -352, 32767]);
  });

  it('int16 x int16 -> int8 (Q0.15 fixed-point product)', () => {
    const r = runOp({
      op: 'MUL',
      inputs: [
        { dtype: 'int16', shape: [4], data: [16384, -16384, 32767, 1000], quantization: q(2 ** -15, 0) },
        { dtype: 'int16', shape: [4], data: [16384, 16384, 32767, -1000], quantization: q(2 ** -15, 0) },
      ],
      outputs: [{ dtype: 'int8', quantization: q(2 ** -7, 0) }],
    })[0]!;
    // 0.25 in Q15 is 8192 -> /256 = 32; -32; ~1.0 -> 127 (clamped); 1000*-1000/32768 = -30.5 -> /256 ~ 0.
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([32, -32, 127, 0]);
  });
});

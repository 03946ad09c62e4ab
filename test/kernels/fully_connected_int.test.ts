// Integer FULLY_CONNECTED: expected values from naive dot products and TFLite's requantization
// written independently here (BigInt gemmlowp / int64 paths, float32 XNNPACK path).
import { describe, expect, it } from 'vitest';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { Quantization } from '../../src/model/types.js';
import { clamp, f32, lcg, mbqm32, mbqm64, q, xnnpackRound } from '../support/quant_ref.js';
import { type OpTensor, runOp } from '../support/run_op.js';

function fc(
  x: OpTensor,
  w: OpTensor,
  b: OpTensor | null,
  out: { dtype: 'int8' | 'uint8' | 'int16'; quantization: Quantization },
  options = {},
  integerRounding: IntegerRounding = 'reference',
) {
  return runOp({
    op: 'FULLY_CONNECTED',
    integerRounding,
    options: { fusedActivationFunction: 0, keepNumDims: false, ...options },
    inputs: [x, w, b],
    outputs: [out],
  })[0] as { shape: number[]; data: Int8Array | Uint8Array | Int16Array };
}

/** sum_k (x - zx) * (w - zw) + bias for each [batch, unit]. */
function dots(
  x: number[],
  w: number[],
  bias: (number | bigint)[] | null,
  batch: number,
  k: number,
  units: number,
  zx: number,
  zw: number,
): number[] {
  const res: number[] = [];
  for (let b = 0; b < batch; b++)
    for (let u = 0; u < units; u++) {
      let s = bias ? Number(bias[u]) : 0;
      for (let i = 0; i < k; i++) s += ((x[b * k + i] as number) - zx) * ((w[u * k + i] as number) - zw);
      res.push(s);
    }
  return res;
}

describe('FULLY_CONNECTED int8', () => {
  const rnd = lcg(21);
  const [batch, k, units] = [3, 17, 5];
  const x = Array.from({ length: batch * k }, () => rnd(-128, 127));
  const w = Array.from({ length: units * k }, () => rnd(-127, 127));
  const bias = Array.from({ length: units }, () => rnd(-9000, 9000));
  const inS = 0.04;
  const outS = 0.11;

  for (const semantics of ['reference', 'xnnpack'] as const) {
    it(`per-tensor weights (${semantics})`, () => {
      const wS = 0.007;
      const got = fc(
        { dtype: 'int8', shape: [batch, k], data: x, quantization: q(inS, -7) },
        { dtype: 'int8', shape: [units, k], data: w, quantization: q(wS), constant: true },
        { dtype: 'int32', shape: [units], data: bias, quantization: q(f32(inS * wS)), constant: true },
        { dtype: 'int8', quantization: q(outS, 9) },
        { fusedActivationFunction: 1 },
        semantics,
      );
      const m = f32(f32(inS) * f32(wS)) / f32(outS);
      const scale = f32(f32(f32(inS) * f32(wS)) / f32(outS));
      const want = dots(x, w, bias, batch, k, units, -7, 0).map((s) =>
        clamp((semantics === 'reference' ? mbqm32(s, m) : xnnpackRound(s, scale)) + 9, 9, 127),
      );
      expect(got.shape).toEqual([batch, units]);
      expect(Array.from(got.data)).toEqual(want);
    });

    it(`per-channel weights along dimension 0 (${semantics})`, () => {
      const ws = [0.001, 0.02, 0.3, 0.004, 0.0005];
      const got = fc(
        { dtype: 'int8', shape: [batch, k], data: x, quantization: q(inS, 3) },
        { dtype: 'int8', shape: [units, k], data: w, quantization: q(ws), constant: true },
        { dtype: 'int32', shape: [units], data: bias, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
        { dtype: 'int8', quantization: q(outS, -1) },
        {},
        semantics,
      );
      const want = dots(x, w, bias, batch, k, units, 3, 0).map((s, i) => {
        const wS = ws[i % units] as number;
        const v =
          semantics === 'reference'
            ? mbqm32(s, (f32(inS) * f32(wS)) / f32(outS))
            : xnnpackRound(s, f32(f32(f32(inS) * f32(wS)) / f32(outS)));
        return clamp(v - 1, -128, 127);
      });
      expect(Array.from(got.data)).toEqual(want);
    });
  }

  it('a per-tensor weights zero point is honoured (and keeps the reference path under xnnpack)', () => {
    const got = fc(
      { dtype: 'int8', shape: [1, 2], data: [10, -20], quantization: q(1, 0) },
      { dtype: 'int8', shape: [1, 2], data: [5, 7], quantization: q(0.5, 3), constant: true },
      null,
      { dtype: 'int8', quantization: q(1, 0) },
      {},
      'xnnpack',
    );
    // (5-3)*10 + (7-3)*(-20) = -60, times 0.5 = -30.
    expect(Array.from(got.data)).toEqual([-30]);
  });

  it('keep_num_dims keeps the leading dimensions', () => {
    const got = fc(
      { dtype: 'int8', shape: [2, 1, 3], data: [1, 2, 3, 4, 5, 6], quantization: q(1) },
      { dtype: 'int8', shape: [2, 3], data: [1, 0, 0, 0, 0, 1], quantization: q(1), constant: true },
      null,
      { dtype: 'int8', quantization: q(1) },
      { keepNumDims: true },
    );
    expect(got.shape).toEqual([2, 1, 2]);
    expect(Array.from(got.data)).toEqual([1, 3, 4, 6]);
  });

  it('rejects per-channel weights quantized along dimension 1, and a mismatched bias scale', () => {
    expect(() =>
      fc(
        { dtype: 'int8', shape: [1, 2], data: [1, 2], quantization: q(1) },
        { dtype: 'int8', shape: [2, 2], data: [1, 2, 3, 4], quantization: q([1, 2], 0, 1), constant: true },
        null,
        { dtype: 'int8', quantization: q(1) },
      ),
    ).toThrow(/quantized along dimension 0, got dimension 1/);
    expect(() =>
      fc(
        { dtype: 'int8', shape: [1, 2], data: [1, 2], quantization: q(1) },
        { dtype: 'int8', shape: [1, 2], data: [1, 2], quantization: q(1), constant: true },
        { dtype: 'int32', shape: [1], data: [0], quantization: q(3), constant: true },
        { dtype: 'int8', quantization: q(1) },
      ),
    ).toThrow(/bias scale 3 differs/);
  });
});

describe('FULLY_CONNECTED uint8 (legacy)', () => {
  it('input and weight zero points, float32 scale product (reference)', () => {
    const rnd = lcg(8);
    const x = Array.from({ length: 2 * 9 }, () => rnd(0, 255));
    const w = Array.from({ length: 4 * 9 }, () => rnd(0, 255));
    const bias = [300, -300, 0, 77];
    const got = fc(
      { dtype: 'uint8', shape: [2, 9], data: x, quantization: q(0.0235, 0) },
      { dtype: 'uint8', shape: [4, 9], data: w, quantization: q(0.0123, 141), constant: true },
      { dtype: 'int32', shape: [4], data: bias, quantization: q(f32(0.0235 * 0.0123)), constant: true },
      { dtype: 'uint8', quantization: q(0.146, 108) },
    );
    const m = f32(f32(0.0235) * f32(0.0123)) / f32(0.146);
    expect(Array.from(got.data)).toEqual(dots(x, w, bias, 2, 9, 4, 0, 141).map((s) => clamp(mbqm32(s, m) + 108, 0, 255)));
  });
});

describe('FULLY_CONNECTED 16x8', () => {
  const x = [32767, -32768, 1000, -5];
  const w = [127, 127, -1, 3, -128, 64, 5, 5];
  const inS = 0.0003;
  const ws = [0.002, 0.0001];
  const outS = 0.01;

  /** std::round (ties away from zero) of the double product, as TFLite's float-requantizing reference kernel. */
  const roundAway = (v: number) => (v < 0 ? -Math.round(-v) : Math.round(v));

  it('int64 bias: 64-bit sums requantized in double, as current TFLite (LiteRT) does', () => {
    const bias = [2n ** 33n, -(2n ** 20n)];
    const got = fc(
      { dtype: 'int16', shape: [1, 4], data: x, quantization: q(inS) },
      { dtype: 'int8', shape: [2, 4], data: w, quantization: q(ws), constant: true },
      { dtype: 'int64', shape: [2], data: bias, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
      { dtype: 'int16', quantization: q(outS) },
    );
    const want = [0, 1].map((u) => {
      let s = bias[u] as bigint;
      for (let i = 0; i < 4; i++) s += BigInt((x[i] as number) * (w[u * 4 + i] as number));
      return clamp(roundAway(Number(s) * ((f32(inS) * f32(ws[u] as number)) / f32(outS))), -32768, 32767);
    });
    expect(Array.from(got.data)).toEqual(want);
  });

  it('int64 bias: ties round away from zero (the int64 fixed-point multiplier would give -2 for -2.5)', () => {
    // 0.5 * 0.5 / 1 = 0.25: sums 10, -10, 6, -6 -> 2.5, -2.5, 1.5, -1.5.
    const got = fc(
      { dtype: 'int16', shape: [4, 1], data: [10, -10, 6, -6], quantization: q(0.5) },
      { dtype: 'int8', shape: [1, 1], data: [1], quantization: q(0.5), constant: true },
      { dtype: 'int64', shape: [1], data: [0n], quantization: q(0.25), constant: true },
      { dtype: 'int16', quantization: q(1) },
    );
    expect(Array.from(got.data)).toEqual([3, -3, 2, -2]);
    expect(mbqm64(-10n, 0.25)).toBe(-2);
  });

  it('without bias TFLite keeps 32-bit accumulators and the int32 multiplier', () => {
    const got = fc(
      { dtype: 'int16', shape: [1, 4], data: x, quantization: q(inS) },
      { dtype: 'int8', shape: [2, 4], data: w, quantization: q(ws), constant: true },
      null,
      { dtype: 'int16', quantization: q(outS) },
    );
    const want = dots(x, w, null, 1, 4, 2, 0, 0).map((s, u) =>
      clamp(mbqm32(s, (f32(inS) * f32(ws[u] as number)) / f32(outS)), -32768, 32767),
    );
    expect(Array.from(got.data)).toEqual(want);
  });

  it("int32 bias or none under 'xnnpack' rounding: TFLite's builtin ruy path rounds once (ties up)", () => {
    // 0.5 * 0.5 / 1 = 0.25: sums 5, 6, 10, -5, -6 -> 1.25, 1.5, 2.5, -1.25, -1.5.
    const x: OpTensor = { dtype: 'int16', shape: [5, 1], data: [5, 6, 10, -5, -6], quantization: q(0.5) };
    const w: OpTensor = { dtype: 'int8', shape: [1, 1], data: [1], quantization: q(0.5), constant: true };
    const b: OpTensor = { dtype: 'int32', shape: [1], data: [0], quantization: q(0.25), constant: true };
    const out = { dtype: 'int16', quantization: q(1) } as const;
    expect(Array.from(fc(x, w, b, out, {}, 'xnnpack').data)).toEqual([1, 2, 3, -1, -1]);
    expect(Array.from(fc(x, w, null, out, {}, 'xnnpack').data)).toEqual([1, 2, 3, -1, -1]);
    // The reference kernel rounds twice.
    expect(Array.from(fc(x, w, b, out).data)).toEqual([2, 2, 3, -1, -2]);
  });

  it('requires symmetric activations', () => {
    expect(() =>
      fc(
        { dtype: 'int16', shape: [1, 1], data: [1], quantization: q(1) },
        { dtype: 'int8', shape: [1, 1], data: [1], quantization: q(1), constant: true },
        null,
        { dtype: 'int16', quantization: q(1, 2) },
      ),
    ).toThrow(/output is int16 with zero point 2/);
  });
});

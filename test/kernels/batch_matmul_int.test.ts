// Integer BATCH_MATMUL: expected values from naive products and TFLite's requantization written
// independently here (BigInt, or float32 for the XNNPACK path), never from the kernel.
import { describe, expect, it } from 'vitest';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { Quantization } from '../../src/model/types.js';
import { clamp, f32, lcg, mbqm32, mbqm64, q, xnnpackRound } from '../support/quant_ref.js';
import { type OpTensor, runOp } from '../support/run_op.js';

function bmm(
  lhs: OpTensor,
  rhs: OpTensor,
  out: { dtype: 'int8' | 'int16' | 'int32'; quantization?: Quantization },
  options = {},
  integerRounding: IntegerRounding = 'reference',
) {
  return runOp({
    op: 'BATCH_MATMUL',
    integerRounding,
    options: { adjX: false, adjY: false, ...options },
    inputs: [lhs, rhs],
    outputs: [out],
  })[0] as {
    shape: number[];
    data: Int8Array | Int16Array | Int32Array;
  };
}

/**
 * sum_k (X[b, i, k] - zx) * (Y[b, k, j] - zy) with X [bx, m, k] (or [bx, k, m] when adjX) and
 * Y [by, k, n] (or [by, n, k] when adjY); a batch of 1 broadcasts.
 */
function products(x: number[], y: number[], [bx, by, m, k, n]: number[], zx: number, zy: number, adjX = false, adjY = false): number[] {
  const res: number[] = [];
  const batches = Math.max(bx, by);
  for (let b = 0; b < batches; b++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) {
          const xb = (bx === 1 ? 0 : b) * m * k;
          const yb = (by === 1 ? 0 : b) * k * n;
          const xv = x[xb + (adjX ? kk * m + i : i * k + kk)] as number;
          const yv = y[yb + (adjY ? j * k + kk : kk * n + j)] as number;
          s += (xv - zx) * (yv - zy);
        }
        res.push(s);
      }
  return res;
}

describe('BATCH_MATMUL int8', () => {
  const rnd = lcg(31);
  const [m, k, n] = [4, 9, 5];
  const x = Array.from({ length: 3 * m * k }, () => rnd(-128, 127));
  const y = Array.from({ length: k * n }, () => rnd(-127, 127));

  for (const semantics of ['reference', 'xnnpack'] as const) {
    it(`zero points, broadcast RHS batch (${semantics})`, () => {
      const got = bmm(
        { dtype: 'int8', shape: [3, m, k], data: x, quantization: q(0.05, 6) },
        { dtype: 'int8', shape: [1, k, n], data: y, quantization: q(0.02), constant: true },
        { dtype: 'int8', quantization: q(0.3, -9) },
        {},
        semantics,
      );
      expect(got.shape).toEqual([3, m, n]);
      const scale = f32(f32(f32(0.05) * f32(0.02)) / f32(0.3));
      const real = f32(f32(0.05) * f32(0.02)) / f32(0.3);
      const want = products(x, y, [3, 1, m, k, n], 6, 0).map((s) =>
        clamp((semantics === 'reference' ? mbqm32(s, real) : xnnpackRound(s, scale)) - 9, -128, 127),
      );
      expect(Array.from(got.data)).toEqual(want);
    });
  }

  it('adj_x and adj_y read transposed operands; a nonzero RHS zero point keeps the reference path under xnnpack', () => {
    const xt = Array.from({ length: 2 * k * m }, () => rnd(-128, 127));
    const yt = Array.from({ length: 2 * n * k }, () => rnd(-128, 127));
    const got = bmm(
      { dtype: 'int8', shape: [2, k, m], data: xt, quantization: q(0.05, -2) },
      { dtype: 'int8', shape: [2, n, k], data: yt, quantization: q(0.02, 4) },
      { dtype: 'int8', quantization: q(0.3, 1) },
      { adjX: true, adjY: true },
      'xnnpack',
    );
    expect(got.shape).toEqual([2, m, n]);
    const real = f32(f32(0.05) * f32(0.02)) / f32(0.3);
    const want = products(xt, yt, [2, 2, m, k, n], -2, 4, true, true).map((s) => clamp(mbqm32(s, real) + 1, -128, 127));
    expect(Array.from(got.data)).toEqual(want);
  });

  it('int32 output: raw products, no zero points (TFLite EvalInt8Int32)', () => {
    const got = bmm(
      { dtype: 'int8', shape: [1, 2], data: [3, -4], quantization: q(1, 100) },
      { dtype: 'int8', shape: [2, 2], data: [1, 2, 3, 4], quantization: q(1, 7) },
      { dtype: 'int32' },
    );
    expect(Array.from(got.data)).toEqual([3 - 12, 6 - 16]);
  });
});

describe('BATCH_MATMUL 16-bit', () => {
  it('int16 x int8 per-tensor: 64-bit sums and the int64 multiplier', () => {
    const x = [32767, -32768, 20000, 1, -1, 7];
    const y = [127, -127, 50, 3, -100, 99];
    const got = bmm(
      { dtype: 'int16', shape: [2, 3], data: x, quantization: q(0.0003) },
      { dtype: 'int8', shape: [3, 2], data: y, quantization: q(0.01), constant: true },
      { dtype: 'int16', quantization: q(0.005) },
    );
    const real = f32(f32(0.0003) * f32(0.01)) / f32(0.005);
    const want = products(x, y, [1, 1, 2, 3, 2], 0, 0).map((s) => clamp(mbqm64(BigInt(s), real), -32768, 32767));
    expect(Array.from(got.data)).toEqual(want);
  });

  it('a per-channel int8 RHS has no per-tensor scale in TFLite: multiplier 0, all outputs 0', () => {
    const got = bmm(
      { dtype: 'int16', shape: [2, 3], data: [100, 200, 300, -400, 500, -600], quantization: q(0.001) },
      { dtype: 'int8', shape: [3, 2], data: [1, 2, 3, 4, 5, 6], quantization: q([0.01, 0.02], 0, 1), constant: true },
      { dtype: 'int16', quantization: q(0.001) },
    );
    expect(Array.from(got.data)).toEqual([0, 0, 0, 0]);
  });

  it('int16 requires zero zero points', () => {
    expect(() =>
      bmm(
        { dtype: 'int16', shape: [1, 1], data: [1], quantization: q(1, 1) },
        { dtype: 'int8', shape: [1, 1], data: [1], quantization: q(1) },
        { dtype: 'int16', quantization: q(1) },
      ),
    ).toThrow(/lhs is int16 with zero point 1/);
  });
});

import { describe, expect, it } from 'vitest';
import { runFloat, values } from '../support/float_ref.js';

function bmm(a: { shape: number[]; data: number[] }, b: { shape: number[]; data: number[] }, adjX = false, adjY = false) {
  return runFloat({
    op: 'BATCH_MATMUL',
    options: { adjX, adjY, asymmetricQuantizeInputs: false },
    inputs: [
      { dtype: 'float32', ...a },
      { dtype: 'float32', ...b },
    ],
    outputs: [{ dtype: 'float32' }],
  })[0]!;
}

/** NumPy-style matmul with optional transposes of the last two axes and broadcast batch axes. */
function naive(a: { shape: number[]; data: number[] }, b: { shape: number[]; data: number[] }, adjX: boolean, adjY: boolean) {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array(rank - b.shape.length).fill(1), ...b.shape];
  const batch = pa.slice(0, -2).map((d, i) => Math.max(d, pb[i] as number));
  const [ar, ac] = pa.slice(-2) as [number, number];
  const [br, bc] = pb.slice(-2) as [number, number];
  const m = adjX ? ac : ar;
  const k = adjX ? ar : ac;
  const n = adjY ? br : bc;
  const count = batch.reduce((x, y) => x * y, 1);
  const out: number[] = [];
  for (let t = 0; t < count; t++) {
    // Unravel t into batch indices, then clamp each to the operand's (possibly 1) extent.
    let rest = t;
    const idx = batch.map(() => 0);
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d] = rest % (batch[d] as number);
      rest = Math.floor(rest / (batch[d] as number));
    }
    let offA = 0;
    let offB = 0;
    for (let d = 0; d < batch.length; d++) {
      offA = offA * (pa[d] as number) + ((pa[d] as number) === 1 ? 0 : (idx[d] as number));
      offB = offB * (pb[d] as number) + ((pb[d] as number) === 1 ? 0 : (idx[d] as number));
    }
    offA *= ar * ac;
    offB *= br * bc;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) {
          const x = a.data[offA + (adjX ? kk * ac + i : i * ac + kk)] as number;
          const y = b.data[offB + (adjY ? j * bc + kk : kk * bc + j)] as number;
          s += x * y;
        }
        out.push(s);
      }
  }
  return { shape: [...batch, m, n], data: out };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs((actual[i] as number) - (expected[i] as number)) > 1e-5)
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function tensor(shape: number[], seed: number) {
  return {
    shape,
    data: values(
      shape.reduce((a, d) => a * d, 1),
      seed,
    ),
  };
}

describe('BATCH_MATMUL float', () => {
  it('2x2 by 2x2 (hand-computed), and with adj_x / adj_y', () => {
    const a = { shape: [2, 2], data: [1, 2, 3, 4] };
    const b = { shape: [2, 2], data: [5, 6, 7, 8] };
    expect(Array.from(bmm(a, b).data)).toEqual([19, 22, 43, 50]);
    expect(Array.from(bmm(a, b, true).data)).toEqual([26, 30, 38, 44]); // A^T B
    expect(Array.from(bmm(a, b, false, true).data)).toEqual([17, 23, 39, 53]); // A B^T
    expect(Array.from(bmm(a, b, true, true).data)).toEqual([23, 31, 34, 46]); // A^T B^T
  });

  it('matches a naive batched matmul with broadcast batch dimensions', () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[2, 3, 4], [2, 4, 5], false, false],
      [[2, 1, 4, 3], [3, 5, 4], true, true],
      [[3, 4], [2, 2, 5, 4], false, true],
      [[1, 3, 4], [2, 4, 6], false, false],
      [[2, 1, 1, 3, 4], [1, 2, 3, 4, 2], false, false],
      [[2, 6, 3], [6, 2], true, false],
    ];
    cases.forEach(([sa, sb, ax, ay], i) => {
      const a = tensor(sa, 2 * i);
      const b = tensor(sb, 2 * i + 1);
      const want = naive(a, b, ax, ay);
      const got = bmm(a, b, ax, ay);
      expect(got.shape, `case ${i}`).toEqual(want.shape);
      expectClose(got.data, want.data);
    });
  });

  it('zero-size batch and zero shared dimension', () => {
    const empty = bmm({ shape: [0, 2, 3], data: [] }, { shape: [3, 4], data: values(12, 1) });
    expect(empty.shape).toEqual([0, 2, 4]);
    const zeroK = bmm({ shape: [2, 0], data: [] }, { shape: [0, 3], data: [] });
    expect(zeroK.shape).toEqual([2, 3]);
    expect(Array.from(zeroK.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects mismatched shared dimensions, unbroadcastable batches and bad ranks', () => {
    expect(() => bmm(tensor([2, 3], 1), tensor([4, 5], 2))).toThrow(/shared dimension differs/);
    expect(() => bmm(tensor([2, 2, 3], 1), tensor([3, 3, 4], 2))).toThrow(/cannot be broadcast/);
    expect(() => bmm(tensor([3], 1), tensor([3, 4], 2))).toThrow(/rank 2 to 5/);
  });
});

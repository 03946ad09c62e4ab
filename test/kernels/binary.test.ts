import { describe, expect, it } from 'vitest';
import { runOp } from '../support/run_op.js';

type DT = 'float32' | 'int32';

function run(op: string, dtype: DT, a: [number[], number[]], b: [number[], number[]], options: Record<string, number> = {}) {
  return runOp({
    op,
    options,
    inputs: [
      { dtype, shape: a[0], data: a[1] },
      { dtype, shape: b[0], data: b[1] },
    ],
    outputs: [{ dtype }],
  })[0]!;
}

/** NumPy broadcasting done the slow, obvious way: one multi-index per output element. */
function naiveBroadcast(sa: number[], a: number[], sb: number[], b: number[], f: (x: number, y: number) => number) {
  const rank = Math.max(sa.length, sb.length);
  const pa = [...new Array(rank - sa.length).fill(1), ...sa];
  const pb = [...new Array(rank - sb.length).fill(1), ...sb];
  const out = pa.map((d, i) => Math.max(d, pb[i]!));
  const total = out.reduce((x, y) => x * y, 1);
  const values: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    const idx = new Array<number>(rank);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rest % out[d]!;
      rest = Math.floor(rest / out[d]!);
    }
    const offset = (shape: number[]) => idx.reduce((acc, i, d) => acc * shape[d]! + (shape[d] === 1 ? 0 : i), 0);
    values.push(f(a[offset(pa)]!, b[offset(pb)]!));
  }
  return { shape: out, values };
}

function seq(n: number, scale = 1, offset = 0) {
  return Array.from({ length: n }, (_, i) => Math.fround(((i * 7919) % 23) * scale + offset));
}

describe('ADD / SUB / MUL / DIV', () => {
  it('adds equal shapes and applies a fused RELU6', () => {
    const r = run(
      'ADD',
      'float32',
      [
        [2, 3],
        [1, -2, 3, 4, 5.5, -6],
      ],
      [
        [2, 3],
        [0.5, 0.5, 3.5, -1, 1, 0],
      ],
      { fusedActivationFunction: 3 },
    );
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1.5, 0, 6, 3, 6, 0]);
  });

  it('broadcasts a rank-4 tensor against a rank-1 vector (per-channel bias)', () => {
    const a = seq(2 * 3 * 2 * 4, 0.5, -3);
    const b = [10, 20, 30, 40];
    const r = run('ADD', 'float32', [[2, 3, 2, 4], a], [[4], b]);
    const want = naiveBroadcast([2, 3, 2, 4], a, [4], b, (x, y) => x + y);
    expect(r.shape).toEqual(want.shape);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want.values.map(Math.fround));
  });

  it('broadcasts both sides ([2,1,3] - [4,1]) and a scalar', () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [10, 20, 30, 40];
    const r = run('SUB', 'float32', [[2, 1, 3], a], [[4, 1], b]);
    const want = naiveBroadcast([2, 1, 3], a, [4, 1], b, (x, y) => x - y);
    expect(r.shape).toEqual([2, 4, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want.values);

    const s = run(
      'MUL',
      'float32',
      [[], [2]],
      [
        [2, 2],
        [1, -2, 3, 4],
      ],
    );
    expect(s.shape).toEqual([2, 2]);
    expect(Array.from(s.data as ArrayLike<number>)).toEqual([2, -4, 6, 8]);
  });

  it('broadcasts rank 6 against rank 3 like NumPy', () => {
    const sa = [2, 1, 3, 1, 2, 3];
    const sb = [4, 1, 3];
    const a = seq(36, 0.25, -1);
    const b = seq(12, 1, 2);
    const r = run('MUL', 'float32', [sa, a], [sb, b]);
    const want = naiveBroadcast(sa, a, sb, b, (x, y) => x * y);
    expect(r.shape).toEqual([2, 1, 3, 4, 2, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(want.values.map(Math.fround));
  });

  it('clamps with RELU and RELU_N1_TO_1 and keeps inf without an activation', () => {
    expect(
      Array.from(run('MUL', 'float32', [[3], [-2, 0.25, 3]], [[3], [2, 2, 2]], { fusedActivationFunction: 1 }).data as ArrayLike<number>),
    ).toEqual([0, 0.5, 6]);
    expect(
      Array.from(run('SUB', 'float32', [[3], [-2, 0.25, 3]], [[1], [0]], { fusedActivationFunction: 2 }).data as ArrayLike<number>),
    ).toEqual([-1, 0.25, 1]);
    expect(Array.from(run('ADD', 'float32', [[1], [3e38]], [[1], [3e38]]).data as ArrayLike<number>)).toEqual([Infinity]);
  });

  it('divides floats, giving inf on a zero divisor', () => {
    const r = run('DIV', 'float32', [[4], [1, -3, 0, 7]], [[4], [4, 2, 5, 0]]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0.25, -1.5, 0, Infinity]);
  });

  it('wraps int32 overflow and truncates int32 division toward zero', () => {
    expect(Array.from(run('ADD', 'int32', [[2], [2147483647, -5]], [[2], [1, 3]]).data as ArrayLike<number>)).toEqual([-2147483648, -2]);
    expect(Array.from(run('MUL', 'int32', [[2], [65536, -7]], [[1], [65536]]).data as ArrayLike<number>)).toEqual([0, -458752]);
    expect(Array.from(run('DIV', 'int32', [[4], [7, -7, 7, -7]], [[4], [2, 2, -2, -2]]).data as ArrayLike<number>)).toEqual([3, -3, -3, 3]);
    expect(Array.from(run('SUB', 'int32', [[3], [-5, 2, 9]], [[], [1]], { fusedActivationFunction: 3 }).data as ArrayLike<number>)).toEqual(
      [0, 1, 6],
    );
  });

  it('rejects an int32 division by zero', () => {
    expect(() => run('DIV', 'int32', [[2], [1, 2]], [[2], [1, 0]])).toThrow(/Division by 0/);
  });

  it('handles zero-size tensors', () => {
    const r = run('ADD', 'float32', [[0, 3], []], [[3], [1, 2, 3]]);
    expect(r.shape).toEqual([0, 3]);
    expect(r.data.length).toBe(0);
  });

  it('rejects shapes that do not broadcast and unsupported activations', () => {
    expect(() =>
      run(
        'ADD',
        'float32',
        [
          [2, 3],
          [1, 2, 3, 4, 5, 6],
        ],
        [[4], [1, 2, 3, 4]],
      ),
    ).toThrow(/cannot be broadcast/);
    expect(() => run('ADD', 'float32', [[1], [1]], [[1], [1]], { fusedActivationFunction: 4 })).toThrow(/fused activation 4/);
  });

  it('rejects mixed input dtypes', () => {
    expect(() =>
      runOp({
        op: 'ADD',
        inputs: [
          { dtype: 'float32', shape: [1], data: [1] },
          { dtype: 'int32', shape: [1], data: [1] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/ADD/);
  });
});

describe('MAXIMUM / MINIMUM / SQUARED_DIFFERENCE', () => {
  it('takes elementwise max and min with broadcasting', () => {
    const a = [1, 5, -3, 2, 8, -1];
    expect(Array.from(run('MAXIMUM', 'float32', [[2, 3], a], [[3], [0, 6, -2]]).data as ArrayLike<number>)).toEqual([1, 6, -2, 2, 8, -1]);
    expect(Array.from(run('MINIMUM', 'float32', [[2, 3], a], [[3], [0, 6, -2]]).data as ArrayLike<number>)).toEqual([0, 5, -3, 0, 6, -2]);
    expect(Array.from(run('MAXIMUM', 'int32', [[3], [-4, 7, 0]], [[], [1]]).data as ArrayLike<number>)).toEqual([1, 7, 1]);
    expect(Array.from(run('MINIMUM', 'int32', [[3], [-4, 7, 0]], [[], [1]]).data as ArrayLike<number>)).toEqual([-4, 1, 0]);
  });

  it('squares the float difference', () => {
    const r = run('SQUARED_DIFFERENCE', 'float32', [[3], [1, -2, 0.5]], [[3], [4, 2, 0.5]]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([9, 16, 0]);
    expect(Array.from(run('SQUARED_DIFFERENCE', 'int32', [[2], [-3, 10]], [[1], [2]]).data as ArrayLike<number>)).toEqual([25, 64]);
  });
});

describe('FLOOR_DIV / FLOOR_MOD', () => {
  it('rounds the quotient toward negative infinity', () => {
    expect(Array.from(run('FLOOR_DIV', 'float32', [[4], [7, -7, 7, -7]], [[4], [2, 2, -2, -2]]).data as ArrayLike<number>)).toEqual([
      3, -4, -4, 3,
    ]);
    expect(Array.from(run('FLOOR_DIV', 'int32', [[4], [7, -7, 7, -6]], [[4], [2, 2, -2, 3]]).data as ArrayLike<number>)).toEqual([
      3, -4, -4, -2,
    ]);
  });

  it('gives a remainder with the sign of the divisor', () => {
    expect(Array.from(run('FLOOR_MOD', 'float32', [[5], [7, -7, 7, -7, 5.5]], [[5], [2, 2, -2, -2, 2]]).data as ArrayLike<number>)).toEqual(
      [1, 1, -1, -1, 1.5],
    );
    expect(Array.from(run('FLOOR_MOD', 'int32', [[5], [7, -7, 7, -7, -6]], [[5], [3, 3, -3, -3, 3]]).data as ArrayLike<number>)).toEqual([
      1, 2, -2, -1, 0,
    ]);
  });

  it('fails on a zero divisor like TFLite', () => {
    expect(() => run('FLOOR_DIV', 'int32', [[2], [1, 2]], [[2], [0, 1]])).toThrow(/Division by 0/);
    expect(() => run('FLOOR_DIV', 'float32', [[2], [1, 2]], [[], [0]])).toThrow(/Division by 0/);
    expect(() => run('FLOOR_MOD', 'int32', [[2], [1, 2]], [[], [0]])).toThrow(/Division by 0/);
  });

  it('computes int shape arithmetic like SHAPE -> REDUCE_PROD -> FLOOR_DIV', () => {
    expect(Array.from(run('FLOOR_DIV', 'int32', [[], [1536]], [[], [-34]]).data as ArrayLike<number>)).toEqual([-46]);
  });
});

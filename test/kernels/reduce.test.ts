import { describe, expect, it } from 'vitest';
import { runOp } from '../support/run_op.js';

function run(
  op: string,
  shape: number[],
  data: number[],
  axes: number[],
  keepDims = false,
  dtype: 'float32' | 'int32' = 'float32',
  axisShape = [axes.length],
) {
  return runOp({
    op,
    options: { keepDims },
    inputs: [
      { dtype, shape, data },
      { dtype: 'int32', shape: axisShape, data: axes, constant: true },
    ],
    outputs: [{ dtype }],
  })[0]!;
}

// x[i][j][k] = 100 i + 10 j + k over shape [2, 3, 4].
const X = Array.from({ length: 24 }, (_, f) => 100 * Math.floor(f / 12) + 10 * Math.floor((f % 12) / 4) + (f % 4));

describe('reductions', () => {
  it('SUM over the last axis, negative axis', () => {
    const r = run('SUM', [2, 3, 4], X, [-1]);
    expect(r.shape).toEqual([2, 3]);
    // sum_k (100 i + 10 j + k) = 400 i + 40 j + 6
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([6, 46, 86, 406, 446, 486]);
  });

  it('MEAN over axes 0 and 2 with keep_dims', () => {
    const r = run('MEAN', [2, 3, 4], X, [0, 2], true);
    expect(r.shape).toEqual([1, 3, 1]);
    // mean over i, k of (100 i + 10 j + k) = 50 + 10 j + 1.5
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([51.5, 61.5, 71.5]);
  });

  it('MEAN over H and W of NHWC (global average pooling)', () => {
    const data = Array.from({ length: 2 * 2 * 2 * 3 }, (_, f) => f);
    const r = run('MEAN', [2, 2, 2, 3], data, [1, 2], true);
    expect(r.shape).toEqual([2, 1, 1, 3]);
    // batch b, channel c: mean of 12 b + 3 p + c over p = 0..3
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([4.5, 5.5, 6.5, 16.5, 17.5, 18.5]);
  });

  it('folds duplicate axes (1 and -2 are the same axis)', () => {
    const r = run('REDUCE_MAX', [2, 3, 4], X, [1, -2]);
    expect(r.shape).toEqual([2, 4]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([20, 21, 22, 23, 120, 121, 122, 123]);
  });

  it('REDUCE_MIN over everything, with a scalar axis tensor', () => {
    const r = run('REDUCE_MIN', [2, 2], [3, -1, 4, 1], [0], false, 'float32', []);
    expect(r.shape).toEqual([2]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([3, -1]);
    const all = run('REDUCE_MIN', [2, 2], [3, -1, 4, 1], [0, 1]);
    expect(all.shape).toEqual([]);
    expect(Array.from(all.data as ArrayLike<number>)).toEqual([-1]);
  });

  it('REDUCE_PROD', () => {
    const r = run('REDUCE_PROD', [2, 3], [1, 2, 3, 4, 5, 6], [1], true);
    expect(r.shape).toEqual([2, 1]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([6, 120]);
  });

  it('returns the input for an empty axis list', () => {
    const r = run('SUM', [2, 2], [1, 2, 3, 4], []);
    expect(r.shape).toEqual([2, 2]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, 2, 3, 4]);
  });

  it('int32: REDUCE_PROD of a shape, SUM wraps, MEAN truncates, REDUCE_MAX', () => {
    expect(Array.from(run('REDUCE_PROD', [4], [1, 7, 7, 96], [0], false, 'int32').data as ArrayLike<number>)).toEqual([4704]);
    expect(Array.from(run('SUM', [2], [2147483647, 1], [0], false, 'int32').data as ArrayLike<number>)).toEqual([-2147483648]);
    expect(Array.from(run('MEAN', [2, 2], [1, 2, -3, -4], [1], false, 'int32').data as ArrayLike<number>)).toEqual([1, -3]);
    expect(Array.from(run('REDUCE_MAX', [3], [-5, 9, 2], [0], false, 'int32').data as ArrayLike<number>)).toEqual([9]);
  });

  it('MEAN of an empty input is NaN; SUM of an empty axis is 0', () => {
    expect(Array.from(run('MEAN', [2, 0], [], [1]).data as ArrayLike<number>)).toEqual([Number.NaN, Number.NaN]);
    expect(Array.from(run('SUM', [0, 3], [], [0]).data as ArrayLike<number>)).toEqual([0, 0, 0]);
  });

  it('rejects axes out of range and non-constant axes', () => {
    expect(() => run('SUM', [2, 3], [1, 2, 3, 4, 5, 6], [2])).toThrow(/axis 2 is out of range/);
    expect(() =>
      runOp({
        op: 'MEAN',
        inputs: [
          { dtype: 'float32', shape: [2], data: [1, 2] },
          { dtype: 'int32', shape: [1], data: [0] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/axis tensor must be constant/);
  });
});

import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

function run(op: string, cond: [number[], number[]], x: [number[], number[]], y: [number[], number[]], dtype: DType = 'float32') {
  return runOp({
    op,
    inputs: [
      { dtype: 'bool', shape: cond[0], data: cond[1] },
      { dtype, shape: x[0], data: x[1] },
      { dtype, shape: y[0], data: y[1] },
    ],
    outputs: [{ dtype }],
  })[0]!;
}

describe('SELECT_V2', () => {
  it('selects elementwise for equal shapes', () => {
    const r = run('SELECT_V2', [[4], [1, 0, 0, 1]], [[4], [1, 2, 3, 4]], [[4], [10, 20, 30, 40]]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, 20, 30, 4]);
  });

  it('broadcasts condition, x and y together', () => {
    // cond [2,1,1], x [1,3] (row), y scalar -> out [2,1,3]
    const r = run(
      'SELECT_V2',
      [
        [2, 1, 1],
        [1, 0],
      ],
      [
        [1, 3],
        [1, 2, 3],
      ],
      [[], [-1]],
    );
    expect(r.shape).toEqual([2, 1, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, 2, 3, -1, -1, -1]);
  });

  it('broadcasts a column condition against a row x and a matrix y', () => {
    const r = run(
      'SELECT_V2',
      [
        [2, 1],
        [0, 1],
      ],
      [[3], [7, 8, 9]],
      [
        [2, 3],
        [1, 2, 3, 4, 5, 6],
      ],
    );
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, 2, 3, 7, 8, 9]);
  });

  it('copies int32, int64 and bool values', () => {
    expect(Array.from(run('SELECT_V2', [[2], [0, 1]], [[2], [5, 6]], [[2], [7, 8]], 'int32').data as ArrayLike<number>)).toEqual([7, 6]);
    const big = runOp({
      op: 'SELECT_V2',
      inputs: [
        { dtype: 'bool', shape: [2], data: [1, 0] },
        { dtype: 'int64', shape: [2], data: [1n, 2n] },
        { dtype: 'int64', shape: [2], data: [3n, 4n] },
      ],
      outputs: [{ dtype: 'int64' }],
    })[0]!;
    expect(Array.from(big.data as BigInt64Array)).toEqual([1n, 4n]);
    expect(Array.from(run('SELECT_V2', [[2], [1, 0]], [[2], [0, 1]], [[2], [1, 0]], 'bool').data as ArrayLike<number>)).toEqual([0, 0]);
  });

  it('rejects incompatible shapes and a non-bool condition', () => {
    expect(() => run('SELECT_V2', [[3], [1, 0, 1]], [[2], [1, 2]], [[2], [3, 4]])).toThrow(/cannot be broadcast/);
    expect(() =>
      runOp({
        op: 'SELECT_V2',
        inputs: [
          { dtype: 'float32', shape: [1], data: [1] },
          { dtype: 'float32', shape: [1], data: [1] },
          { dtype: 'float32', shape: [1], data: [2] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/SELECT_V2/);
  });

  it('handles zero-size outputs', () => {
    expect(run('SELECT_V2', [[0], []], [[0], []], [[], [1]]).shape).toEqual([0]);
  });
});

describe('SELECT (v1)', () => {
  it('picks whole rows with a rank-1 condition over the first axis', () => {
    const r = run(
      'SELECT',
      [[3], [1, 0, 1]],
      [
        [3, 2],
        [1, 2, 3, 4, 5, 6],
      ],
      [
        [3, 2],
        [-1, -2, -3, -4, -5, -6],
      ],
    );
    expect(r.shape).toEqual([3, 2]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1, 2, -3, -4, 5, 6]);
  });

  it('picks everything with a scalar condition', () => {
    expect(Array.from(run('SELECT', [[], [0]], [[2], [1, 2]], [[2], [3, 4]]).data as ArrayLike<number>)).toEqual([3, 4]);
  });

  it('does not broadcast otherwise', () => {
    expect(() =>
      run(
        'SELECT',
        [[2], [1, 0]],
        [
          [3, 2],
          [1, 2, 3, 4, 5, 6],
        ],
        [
          [3, 2],
          [1, 2, 3, 4, 5, 6],
        ],
      ),
    ).toThrow(/vector over x's first axis/);
    expect(() => run('SELECT', [[2], [1, 0]], [[2], [1, 2]], [[1], [3]])).toThrow(/same shape/);
  });
});

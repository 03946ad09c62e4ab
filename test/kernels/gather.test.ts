import { describe, expect, test } from 'vitest';
import { runOp } from '../support/run_op.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('GATHER', () => {
  test('scalar index on axis 1 drops the axis (the pose classifier pattern)', () => {
    const [y] = runOp({
      op: 'GATHER',
      options: { axis: 1, batchDims: 0 },
      inputs: [
        { dtype: 'float32', shape: [1, 4, 2], data: iota(8) },
        { dtype: 'int32', shape: [], data: [2], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([1, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual([4, 5]);
  });

  test('2-D indices on axis 0 of a matrix', () => {
    const [y] = runOp({
      op: 'GATHER',
      options: { axis: 0 },
      inputs: [
        { dtype: 'int32', shape: [3, 2], data: [10, 11, 20, 21, 30, 31] },
        { dtype: 'int32', shape: [2, 2], data: [2, 0, 1, 1] },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([2, 2, 2]);
    expect(Array.from(y?.data as Int32Array)).toEqual([30, 31, 10, 11, 20, 21, 20, 21]);
  });

  test('negative axis and int64 indices', () => {
    const [y] = runOp({
      op: 'GATHER',
      options: { axis: -1 },
      inputs: [
        { dtype: 'int8', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        { dtype: 'int64', shape: [2], data: [2n, 0n] },
      ],
      outputs: [{ dtype: 'int8' }],
    });
    expect(y?.shape).toEqual([2, 2]);
    expect(Array.from(y?.data as Int8Array)).toEqual([3, 1, 6, 4]);
  });

  test('batch_dims 1 picks per-batch indices', () => {
    // params [2, 3], indices [2, 2]: out[b, i] = params[b, indices[b, i]].
    const [y] = runOp({
      op: 'GATHER',
      options: { axis: 1, batchDims: 1 },
      inputs: [
        { dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        { dtype: 'int32', shape: [2, 2], data: [2, 0, 1, 1] },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([2, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual([3, 1, 5, 5]);
  });

  test('batch_dims 1 with axis 2 keeps the middle dimension as outer', () => {
    // params [2, 2, 3], indices [2, 1]: out[b, o, 0] = params[b, o, indices[b, 0]].
    const [y] = runOp({
      op: 'GATHER',
      options: { axis: 2, batchDims: 1 },
      inputs: [
        { dtype: 'int32', shape: [2, 2, 3], data: iota(12) },
        { dtype: 'int32', shape: [2, 1], data: [1, 2] },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([2, 2, 1]);
    expect(Array.from(y?.data as Int32Array)).toEqual([1, 4, 8, 11]);
  });

  test('an out-of-range index is a clear error', () => {
    const run = (index: number) =>
      runOp({
        op: 'GATHER',
        options: { axis: 0 },
        inputs: [
          { dtype: 'float32', shape: [3], data: [1, 2, 3] },
          { dtype: 'int32', shape: [1], data: [index] },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    expect(() => run(3)).toThrow(/index 3 is out of range \[0, 3\)/);
    expect(() => run(-1)).toThrow(/index -1 is out of range/);
  });

  test('an axis out of range fails in prepare', () => {
    expect(() =>
      runOp({
        op: 'GATHER',
        options: { axis: 2 },
        inputs: [
          { dtype: 'float32', shape: [3, 1], data: [1, 2, 3] },
          { dtype: 'int32', shape: [1], data: [0] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/axis 2 is out of range for rank 2/);
  });
});

describe('GATHER_ND', () => {
  test('full-depth indices pick elements', () => {
    const [y] = runOp({
      op: 'GATHER_ND',
      inputs: [
        { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
        { dtype: 'int32', shape: [3, 2], data: [0, 0, 1, 1, 1, 0] },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3]);
    expect(Array.from(y?.data as Float32Array)).toEqual([1, 4, 3]);
  });

  test('partial-depth indices pick slices; int64 indices', () => {
    const [y] = runOp({
      op: 'GATHER_ND',
      inputs: [
        { dtype: 'int32', shape: [2, 2, 2], data: iota(8) },
        { dtype: 'int64', shape: [2, 1], data: [1n, 0n] },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([2, 2, 2]);
    expect(Array.from(y?.data as Int32Array)).toEqual([4, 5, 6, 7, 0, 1, 2, 3]);
  });

  test('an out-of-range index is a clear error', () => {
    expect(() =>
      runOp({
        op: 'GATHER_ND',
        inputs: [
          { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
          { dtype: 'int32', shape: [1, 2], data: [0, 2] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/index 2 is out of range \[0, 2\) in dimension 1/);
  });

  test('an index depth above the params rank fails', () => {
    expect(() =>
      runOp({
        op: 'GATHER_ND',
        inputs: [
          { dtype: 'float32', shape: [2], data: [1, 2] },
          { dtype: 'int32', shape: [1, 2], data: [0, 0] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/exceeds the params rank/);
  });
});

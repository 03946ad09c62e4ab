// REVERSE_V2 against values worked out by hand from TFLite's semantics (reverse.cc): each listed
// axis (negative counts from the end) is read backwards; the axes must be contiguous.
import { describe, expect, test } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

function reverse(dtype: DType, shape: number[], data: ArrayLike<number> | ArrayLike<bigint>, axes: number[], version = 1) {
  const [y] = runOp({
    op: 'REVERSE_V2',
    version,
    inputs: [
      { dtype, shape, data },
      { dtype: 'int32', shape: [axes.length], data: axes, constant: true },
    ],
    outputs: [{ dtype }],
  });
  return { shape: y?.shape, data: Array.from((y?.data ?? []) as ArrayLike<number | bigint>) };
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('REVERSE_V2', () => {
  test('one axis of a matrix: columns, rows, and the last axis counted from the end', () => {
    expect(reverse('float32', [2, 3], iota(6), [1])).toEqual({ shape: [2, 3], data: [3, 2, 1, 6, 5, 4] });
    expect(reverse('float32', [2, 3], iota(6), [0])).toEqual({ shape: [2, 3], data: [4, 5, 6, 1, 2, 3] });
    expect(reverse('float32', [2, 3], iota(6), [-1]).data).toEqual([3, 2, 1, 6, 5, 4]);
  });

  test('a middle axis moves whole rows and keeps the channels', () => {
    // [1, 3, 2]: rows [1,2] [3,4] [5,6] come out as [5,6] [3,4] [1,2].
    expect(reverse('float32', [1, 3, 2], iota(6), [1]).data).toEqual([5, 6, 3, 4, 1, 2]);
  });

  test('two contiguous axes, in any order (int8, v3)', () => {
    // [2, 2, 3], axes 0 and 1: the four rows of 3 in reverse order.
    expect(reverse('int8', [2, 2, 3], iota(12), [0, 1], 3).data).toEqual([10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3]);
    // Axes 2 and 1 (given unsorted): each batch's 6 values backwards.
    expect(reverse('int32', [2, 2, 3], iota(12), [2, 1]).data).toEqual([6, 5, 4, 3, 2, 1, 12, 11, 10, 9, 8, 7]);
  });

  test('every axis reverses the flat data', () => {
    expect(reverse('int16', [2, 3], iota(6), [0, -1]).data).toEqual([6, 5, 4, 3, 2, 1]);
  });

  test('every dtype moves bits unchanged', () => {
    expect(reverse('uint8', [4], [0, 1, 254, 255], [0]).data).toEqual([255, 254, 1, 0]);
    expect(reverse('int8', [3], [-128, 0, 127], [0], 3).data).toEqual([127, 0, -128]);
    expect(reverse('int16', [3], [-32768, 1, 32767], [0]).data).toEqual([32767, 1, -32768]);
    expect(reverse('int32', [2], [-2147483648, 2147483647], [0]).data).toEqual([2147483647, -2147483648]);
    expect(reverse('int64', [3], [1n, -(2n ** 62n), 2n ** 62n], [0]).data).toEqual([2n ** 62n, -(2n ** 62n), 1n]);
    expect(reverse('bool', [4], [1, 1, 0, 0], [0], 2).data).toEqual([0, 0, 1, 1]);
    expect(reverse('float32', [3], [Number.NaN, -0, Number.POSITIVE_INFINITY], [0]).data).toEqual([
      Number.POSITIVE_INFINITY,
      -0,
      Number.NaN,
    ]);
  });

  test('no axes, a size-1 axis and an empty tensor leave the data as it is', () => {
    expect(reverse('float32', [2, 3], iota(6), []).data).toEqual(iota(6));
    expect(reverse('float32', [2, 1, 3], iota(6), [1]).data).toEqual(iota(6));
    expect(reverse('float32', [2, 0, 3], [], [2])).toEqual({ shape: [2, 0, 3], data: [] });
  });

  test('refuses what TFLite refuses, saying why', () => {
    expect(() => reverse('float32', [2, 3, 4], iota(24), [0, 2])).toThrow(/axes \[0,2\] are not contiguous/);
    expect(() => reverse('float32', [2, 3], iota(6), [1, -1])).toThrow(/axis 1 is given twice/);
    expect(() => reverse('float32', [2, 3], iota(6), [2])).toThrow(/axis 2 is out of range for rank 2/);
    expect(() => reverse('float32', [3], iota(3), [0, 0])).toThrow(/2 axes for data of rank 1/);
    expect(() => reverse('uint32', [1], [0], [0])).toThrow(/the data must be float32 or .*, got uint32/);
    const run = (axis: { dtype: DType; shape: number[]; constant: boolean }) =>
      runOp({
        op: 'REVERSE_V2',
        inputs: [
          { dtype: 'float32', shape: [2], data: [1, 2] },
          { ...axis, data: axis.dtype === 'int64' ? [0n] : [0] },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    expect(() => run({ dtype: 'int64', shape: [1], constant: true })).toThrow(/the axis tensor must be int32, got int64/);
    expect(() => run({ dtype: 'int32', shape: [1, 1], constant: true })).toThrow(/must be 1-D, got shape \[1,1\]/);
    expect(() => run({ dtype: 'int32', shape: [1], constant: false })).toThrow(/depends on runtime data/);
  });
});

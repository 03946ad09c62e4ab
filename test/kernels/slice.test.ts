import { describe, expect, test } from 'vitest';
import type { Options } from '../../src/model/types.js';
import { type OpTensor, runOp } from '../support/run_op.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const ints = (v: number[], constant = true): OpTensor => ({ dtype: 'int32', shape: [v.length], data: v, constant });

describe('SLICE', () => {
  test('begin and size pick a block', () => {
    const [y] = runOp({
      op: 'SLICE',
      inputs: [{ dtype: 'float32', shape: [3, 4], data: iota(12) }, ints([1, 1]), ints([2, 2])],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([2, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual([5, 6, 9, 10]);
  });

  test('size -1 runs to the end; int64 begin and size', () => {
    const [y] = runOp({
      op: 'SLICE',
      inputs: [
        { dtype: 'int32', shape: [2, 3, 2], data: iota(12) },
        { dtype: 'int64', shape: [3], data: [1n, 1n, 0n], constant: true },
        { dtype: 'int64', shape: [3], data: [-1n, -1n, 1n], constant: true },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([1, 2, 1]);
    expect(Array.from(y?.data as Int32Array)).toEqual([8, 10]);
  });

  test('begin + size past the end fails', () => {
    expect(() =>
      runOp({
        op: 'SLICE',
        inputs: [{ dtype: 'float32', shape: [4], data: iota(4) }, ints([2]), ints([3])],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/runs past dimension 0 of size 4/);
  });

  test('a runtime begin is refused as dynamic', () => {
    expect(() =>
      runOp({
        op: 'SLICE',
        inputs: [{ dtype: 'float32', shape: [4], data: iota(4) }, ints([1], false), ints([2])],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/depends on runtime data/);
  });
});

/** Runs STRIDED_SLICE on int32 data with constant begin/end/strides unless said otherwise. */
function stridedSlice(
  x: { shape: number[]; data: number[] },
  begin: number[],
  end: number[],
  strides: number[],
  options: Options = {},
  beginConstant = true,
) {
  const [y] = runOp({
    op: 'STRIDED_SLICE',
    options: { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false, ...options },
    inputs: [{ dtype: 'int32', ...x }, ints(begin, beginConstant), ints(end), ints(strides)],
    outputs: [{ dtype: 'int32' }],
  });
  return { shape: y?.shape, data: Array.from(y?.data as Int32Array) };
}

describe('STRIDED_SLICE', () => {
  const v6 = { shape: [6], data: iota(6) };
  const x234 = { shape: [2, 3, 4], data: iota(24) };

  test('shrink_axis_mask on a shape vector yields a scalar (the SHAPE -> STRIDED_SLICE pattern)', () => {
    expect(stridedSlice({ shape: [4], data: [1, 1, 1, 3] }, [1], [2], [1], { shrinkAxisMask: 1 })).toEqual({ shape: [], data: [1] });
    expect(stridedSlice({ shape: [4], data: [1, 5, 6, 3] }, [-1], [0], [1], { shrinkAxisMask: 1 })).toEqual({ shape: [], data: [3] });
  });

  test('begin/end masks (the pose classifier pattern)', () => {
    const y = stridedSlice({ shape: [1, 4, 3], data: iota(12) }, [0, 0, 0], [0, 0, 2], [1, 1, 1], { beginMask: 7, endMask: 3 });
    expect(y.shape).toEqual([1, 4, 2]);
    expect(y.data).toEqual([0, 1, 3, 4, 6, 7, 9, 10]);
  });

  test('positive and negative strides', () => {
    expect(stridedSlice(v6, [1], [6], [2]).data).toEqual([1, 3, 5]);
    expect(stridedSlice(v6, [4], [0], [-2]).data).toEqual([4, 2]);
    expect(stridedSlice(v6, [-1], [0], [-1], { endMask: 1 }).data).toEqual([5, 4, 3, 2, 1, 0]);
    expect(stridedSlice(v6, [0], [0], [-1], { beginMask: 1, endMask: 1 }).data).toEqual([5, 4, 3, 2, 1, 0]);
  });

  test('out-of-range begin and end clamp', () => {
    expect(stridedSlice(v6, [-10], [3], [1]).data).toEqual([0, 1, 2]);
    expect(stridedSlice(v6, [2], [100], [1]).data).toEqual([2, 3, 4, 5]);
    expect(stridedSlice(v6, [4], [2], [1])).toEqual({ shape: [0], data: [] });
  });

  test('ellipsis expands to the missing dimensions: x[..., 1]', () => {
    const y = stridedSlice(x234, [0, 1], [0, 2], [1, 1], { ellipsisMask: 1, shrinkAxisMask: 2 });
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toEqual([1, 5, 9, 13, 17, 21]);
  });

  test('ellipsis in the middle: x[1, ..., 2:4]', () => {
    const y = stridedSlice(x234, [1, 0, 2], [2, 0, 4], [1, 1, 1], { ellipsisMask: 2, shrinkAxisMask: 1 });
    expect(y.shape).toEqual([3, 2]);
    expect(y.data).toEqual([14, 15, 18, 19, 22, 23]);
  });

  test('new axis: x[:, newaxis, 1:3]', () => {
    const y = stridedSlice(x234, [0, 0, 1], [0, 0, 3], [1, 1, 1], { newAxisMask: 2, beginMask: 1, endMask: 1 });
    expect(y.shape).toEqual([2, 1, 2, 4]);
    expect(y.data).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23]);
  });

  test('fewer indices than dimensions keep the trailing ones whole', () => {
    const y = stridedSlice(x234, [1], [2], [1]);
    expect(y.shape).toEqual([1, 3, 4]);
    expect(y.data).toEqual(iota(12).map((i) => i + 12));
  });

  test('3-D strided read with a step in the middle dimension', () => {
    const y = stridedSlice(x234, [0, 0, 1], [2, 3, 4], [1, 2, 2]);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.data).toEqual([1, 3, 9, 11, 13, 15, 21, 23]);
  });

  test('offset: end holds sizes, begin may be a runtime value', () => {
    expect(stridedSlice(v6, [1], [3], [1], { offset: true })).toEqual({ shape: [3], data: [1, 2, 3] });
    expect(stridedSlice(v6, [2], [2], [1], { offset: true }, false)).toEqual({ shape: [2], data: [2, 3] });
  });

  test('float data and a scalar input', () => {
    const [y] = runOp({
      op: 'STRIDED_SLICE',
      options: {},
      inputs: [{ dtype: 'float32', shape: [], data: [2.5] }, ints([]), ints([]), ints([])],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([]);
    expect(Array.from(y?.data as Float32Array)).toEqual([2.5]);
  });

  test('a shrunk index past the end fails', () => {
    expect(() => stridedSlice(v6, [6], [7], [1], { shrinkAxisMask: 1 })).toThrow(/index 6 is out of range/);
  });

  test('zero strides fail', () => {
    expect(() => stridedSlice(v6, [0], [3], [0])).toThrow(/strides must be nonzero/);
  });

  test('a runtime begin without offset is refused as dynamic', () => {
    expect(() => stridedSlice(v6, [0], [3], [1], {}, false)).toThrow(/depends on runtime data/);
  });
});

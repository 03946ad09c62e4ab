// ARG_MAX / ARG_MIN: first index on ties, NaN-aware floats, any axis, int32 or int64 output.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

function arg(op: string, dtype: DType, shape: number[], data: number[], axis: number, outType: DType = 'int32') {
  return runOp({
    op,
    inputs: [
      { dtype, shape, data },
      { dtype: 'int32', shape: [1], data: [axis], constant: true },
    ],
    outputs: [{ dtype: outType }],
  })[0]!;
}

describe('ARG_MAX / ARG_MIN', () => {
  it('ties give the first index (last axis, int8)', () => {
    const r = arg('ARG_MAX', 'int8', [2, 4], [1, 7, 7, -3, -128, -128, -128, -128], 1);
    expect(r.shape).toEqual([2]);
    expect(Array.from(r.data as ArrayLike<number | bigint>)).toEqual([1, 0]);
    expect(Array.from(arg('ARG_MIN', 'int8', [2, 4], [1, 7, 7, -3, 5, -2, -2, 0], 1).data as ArrayLike<number | bigint>)).toEqual([3, 1]);
  });

  it('reduces a middle axis (negative index) of uint8', () => {
    // shape [2, 3, 2]; axis -2 = 1
    const data = [0, 9, 5, 1, 5, 9, 255, 0, 254, 255, 0, 0];
    const r = arg('ARG_MAX', 'uint8', [2, 3, 2], data, -2);
    expect(r.shape).toEqual([2, 2]);
    expect(Array.from(r.data as ArrayLike<number | bigint>)).toEqual([1, 0, 0, 1]);
  });

  it('NaN never wins; an all-NaN row gives 0; int64 output', () => {
    const r = arg('ARG_MAX', 'float32', [3, 3], [Number.NaN, 1, 2, 3, Number.NaN, -1, Number.NaN, Number.NaN, Number.NaN], 1, 'int64');
    expect(Array.from(r.data as ArrayLike<number | bigint>)).toEqual([2n, 0n, 0n]);
    const m = arg('ARG_MIN', 'float32', [1, 3], [Number.NaN, 1, -2], 1, 'int64');
    expect(Array.from(m.data as ArrayLike<number | bigint>)).toEqual([2n]);
  });

  it('bool and int32 inputs; axis 0', () => {
    expect(Array.from(arg('ARG_MAX', 'bool', [3, 1], [0, 1, 1], 0).data as ArrayLike<number | bigint>)).toEqual([1]);
    expect(Array.from(arg('ARG_MIN', 'int32', [3, 2], [5, -9, -1, 4, -1, -9], 0).data as ArrayLike<number | bigint>)).toEqual([1, 0]);
  });

  it('rejects an out-of-range axis', () => {
    expect(() => arg('ARG_MAX', 'int8', [2], [0, 1], 1)).toThrow(/out of range/);
  });
});

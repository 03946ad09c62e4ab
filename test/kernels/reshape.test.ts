import { describe, expect, test } from 'vitest';
import { runOp } from '../support/run_op.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('RESHAPE', () => {
  test('shape input with -1 infers the missing dimension', () => {
    const [y] = runOp({
      op: 'RESHAPE',
      inputs: [
        { dtype: 'float32', shape: [1, 2, 3, 2], data: iota(12) },
        { dtype: 'int32', shape: [2], data: [-1, 4], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3, 4]);
    expect(Array.from(y?.data as Float32Array)).toEqual(iota(12));
  });

  test('newShape option when there is no shape input', () => {
    const [y] = runOp({
      op: 'RESHAPE',
      options: { newShape: [1, -1, 1] },
      inputs: [{ dtype: 'uint8', shape: [1, 2, 2, 2], data: iota(8) }],
      outputs: [{ dtype: 'uint8' }],
    });
    expect(y?.shape).toEqual([1, 8, 1]);
    expect(Array.from(y?.data as Uint8Array)).toEqual(iota(8));
  });

  test('an empty shape input reshapes to a scalar, even without data', () => {
    const [y] = runOp({
      op: 'RESHAPE',
      inputs: [
        { dtype: 'float32', shape: [1, 1], data: [2.5] },
        { dtype: 'int32', shape: [0] },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([]);
    expect(Array.from(y?.data as Float32Array)).toEqual([2.5]);
  });

  test('legacy newShape [0] means scalar', () => {
    const [y] = runOp({
      op: 'RESHAPE',
      options: { newShape: [0] },
      inputs: [{ dtype: 'int32', shape: [1], data: [7] }],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([]);
  });

  test('int64 elements are copied exactly', () => {
    const [y] = runOp({
      op: 'RESHAPE',
      inputs: [
        { dtype: 'int64', shape: [2, 2], data: [1n, -2n, 2n ** 40n, 4n] },
        { dtype: 'int32', shape: [1], data: [4], constant: true },
      ],
      outputs: [{ dtype: 'int64' }],
    });
    expect(y?.shape).toEqual([4]);
    expect(Array.from(y?.data as BigInt64Array)).toEqual([1n, -2n, 2n ** 40n, 4n]);
  });

  test('-1 with a zero-size input infers 0', () => {
    const [y] = runOp({
      op: 'RESHAPE',
      inputs: [
        { dtype: 'float32', shape: [0, 3] },
        { dtype: 'int32', shape: [2], data: [3, -1], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3, 0]);
  });

  test('element count mismatch is a clear error', () => {
    expect(() =>
      runOp({
        op: 'RESHAPE',
        inputs: [
          { dtype: 'float32', shape: [2, 3], data: iota(6) },
          { dtype: 'int32', shape: [2], data: [4, 2], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/cannot reshape \[2,3\]/);
  });

  test('two -1 entries are refused', () => {
    expect(() =>
      runOp({
        op: 'RESHAPE',
        inputs: [
          { dtype: 'float32', shape: [2, 3], data: iota(6) },
          { dtype: 'int32', shape: [2], data: [-1, -1], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/more than one -1/);
  });

  test('a shape computed at run time is refused as dynamic', () => {
    expect(() =>
      runOp({
        op: 'RESHAPE',
        inputs: [
          { dtype: 'float32', shape: [2, 3], data: iota(6) },
          { dtype: 'int32', shape: [2], data: [3, 2] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/depends on runtime data/);
  });
});

describe('SQUEEZE', () => {
  test('all size-1 dimensions by default', () => {
    const [y] = runOp({
      op: 'SQUEEZE',
      inputs: [{ dtype: 'float32', shape: [1, 3, 1, 2], data: iota(6) }],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual(iota(6));
  });

  test('only the listed dimensions, negative ones counted from the end', () => {
    const [y] = runOp({
      op: 'SQUEEZE',
      options: { squeezeDims: [-2] },
      inputs: [{ dtype: 'int8', shape: [1, 3, 1, 2], data: iota(6) }],
      outputs: [{ dtype: 'int8' }],
    });
    expect(y?.shape).toEqual([1, 3, 2]);
  });

  test('squeezing a dimension that is not 1 fails', () => {
    expect(() =>
      runOp({
        op: 'SQUEEZE',
        options: { squeezeDims: [1] },
        inputs: [{ dtype: 'float32', shape: [1, 3], data: iota(3) }],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/cannot squeeze dimension 1 of size 3/);
  });
});

describe('EXPAND_DIMS', () => {
  test('positive and negative axes', () => {
    const x = { dtype: 'float32' as const, shape: [1, 2], data: [3, 4] };
    const run = (axis: number) =>
      runOp({
        op: 'EXPAND_DIMS',
        inputs: [x, { dtype: 'int32', shape: [], data: [axis], constant: true }],
        outputs: [{ dtype: 'float32' }],
      })[0];
    expect(run(1)?.shape).toEqual([1, 1, 2]);
    expect(run(-1)?.shape).toEqual([1, 2, 1]);
    expect(run(0)?.shape).toEqual([1, 1, 2]);
    expect(run(2)?.shape).toEqual([1, 2, 1]);
    expect(Array.from(run(1)?.data as Float32Array)).toEqual([3, 4]);
  });

  test('int64 axis and a bool tensor', () => {
    const [y] = runOp({
      op: 'EXPAND_DIMS',
      inputs: [
        { dtype: 'bool', shape: [3], data: [1, 0, 1] },
        { dtype: 'int64', shape: [1], data: [0n], constant: true },
      ],
      outputs: [{ dtype: 'bool' }],
    });
    expect(y?.shape).toEqual([1, 3]);
    expect(Array.from(y?.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  test('axis out of range fails', () => {
    expect(() =>
      runOp({
        op: 'EXPAND_DIMS',
        inputs: [
          { dtype: 'float32', shape: [2], data: [1, 2] },
          { dtype: 'int32', shape: [], data: [3], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/axis 3 is out of range/);
  });
});

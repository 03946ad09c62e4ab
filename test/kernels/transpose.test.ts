import { describe, expect, test } from 'vitest';
import { runOp } from '../support/run_op.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Naive transpose: output[idx] = input[idx permuted back]. */
function naiveTranspose(shape: number[], data: number[], perm: number[]): { shape: number[]; data: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p] as number);
  const inStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const n = data.length;
  const out: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const size = outShape[d] as number;
      const i = rem % size;
      rem = Math.floor(rem / size);
      src += i * (inStrides[perm[d] as number] as number);
    }
    out.push(data[src] as number);
  }
  return { shape: outShape, data: out };
}

describe('TRANSPOSE', () => {
  test('2-D matrix', () => {
    const [y] = runOp({
      op: 'TRANSPOSE',
      inputs: [
        { dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        { dtype: 'int32', shape: [2], data: [1, 0], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test.each([
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [
      [2, 3, 4, 5],
      [0, 3, 1, 2],
    ],
    [
      [1, 3, 1, 4],
      [3, 2, 1, 0],
    ],
    [
      [2, 1, 3, 2, 2],
      [4, 0, 3, 2, 1],
    ],
    [
      [2, 2, 3, 1, 2, 2],
      [5, 1, 3, 0, 4, 2],
    ],
    [
      [3, 4],
      [0, 1],
    ],
  ])('shape %j perm %j matches a naive transpose', (shape, perm) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = iota(n);
    const want = naiveTranspose(shape, data, perm);
    const [y] = runOp({
      op: 'TRANSPOSE',
      inputs: [
        { dtype: 'int32', shape, data },
        { dtype: 'int32', shape: [perm.length], data: perm, constant: true },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual(want.shape);
    expect(Array.from(y?.data as Int32Array)).toEqual(want.data);
  });

  test('negative permutation entries count from the end; int8 data', () => {
    const [y] = runOp({
      op: 'TRANSPOSE',
      inputs: [
        { dtype: 'int8', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        { dtype: 'int32', shape: [2], data: [-1, 0], constant: true },
      ],
      outputs: [{ dtype: 'int8' }],
    });
    expect(Array.from(y?.data as Int8Array)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('int64 data', () => {
    const [y] = runOp({
      op: 'TRANSPOSE',
      inputs: [
        { dtype: 'int64', shape: [2, 2], data: [1n, 2n, 3n, 2n ** 50n] },
        { dtype: 'int32', shape: [2], data: [1, 0], constant: true },
      ],
      outputs: [{ dtype: 'int64' }],
    });
    expect(Array.from(y?.data as BigInt64Array)).toEqual([1n, 3n, 2n, 2n ** 50n]);
  });

  test('zero-size tensors do not crash', () => {
    const [y] = runOp({
      op: 'TRANSPOSE',
      inputs: [
        { dtype: 'float32', shape: [2, 0, 3] },
        { dtype: 'int32', shape: [3], data: [2, 1, 0], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3, 0, 2]);
  });

  test('a repeated axis is not a permutation', () => {
    expect(() =>
      runOp({
        op: 'TRANSPOSE',
        inputs: [
          { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
          { dtype: 'int32', shape: [2], data: [0, 0], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/not a permutation/);
  });

  test('a runtime permutation is refused as dynamic', () => {
    expect(() =>
      runOp({
        op: 'TRANSPOSE',
        inputs: [
          { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
          { dtype: 'int32', shape: [2], data: [1, 0] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/depends on runtime data/);
  });
});

import { describe, expect, test } from 'vitest';
import { shapeKernel } from '../../src/kernels/shape_ops.js';
import { runOp } from '../support/run_op.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('SHAPE', () => {
  test('int32 output without ShapeOptions', () => {
    const [y] = runOp({
      op: 'SHAPE',
      inputs: [{ dtype: 'float32', shape: [1, 17, 2] }],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([3]);
    expect(Array.from(y?.data as Int32Array)).toEqual([1, 17, 2]);
  });

  test('int64 out_type, and a scalar input gives an empty vector', () => {
    const [y] = runOp({
      op: 'SHAPE',
      options: { outType: 4 },
      inputs: [{ dtype: 'int8', shape: [2, 0, 5] }],
      outputs: [{ dtype: 'int64' }],
    });
    expect(Array.from(y?.data as BigInt64Array)).toEqual([2n, 0n, 5n]);
    const [s] = runOp({ op: 'SHAPE', inputs: [{ dtype: 'float32', shape: [], data: [1] }], outputs: [{ dtype: 'int32' }] });
    expect(s?.shape).toEqual([0]);
  });

  test('is folded at prepare even on a runtime input', () => {
    expect(shapeKernel.readsShapesOnly).toBe(true);
  });

  test('out_type must agree with the output tensor', () => {
    expect(() =>
      runOp({ op: 'SHAPE', options: { outType: 4 }, inputs: [{ dtype: 'float32', shape: [2] }], outputs: [{ dtype: 'int32' }] }),
    ).toThrow(/out_type is int64/);
  });
});

describe('FILL', () => {
  test('float32 value over int32 dims', () => {
    const [y] = runOp({
      op: 'FILL',
      inputs: [
        { dtype: 'int32', shape: [3], data: [1, 3, 2], constant: true },
        { dtype: 'float32', shape: [], data: [0.5], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([1, 3, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual(new Array(6).fill(0.5));
  });

  test('int32 value over int64 dims; zero dims', () => {
    const [y] = runOp({
      op: 'FILL',
      inputs: [
        { dtype: 'int64', shape: [2], data: [2n, 2n], constant: true },
        { dtype: 'int32', shape: [], data: [-3] },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(Array.from(y?.data as Int32Array)).toEqual([-3, -3, -3, -3]);
    const [e] = runOp({
      op: 'FILL',
      inputs: [
        { dtype: 'int32', shape: [2], data: [0, 4], constant: true },
        { dtype: 'float32', shape: [], data: [1] },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(e?.shape).toEqual([0, 4]);
  });

  test('runtime dims are refused as dynamic; negative dims fail', () => {
    const run = (dims: number[], constant: boolean) =>
      runOp({
        op: 'FILL',
        inputs: [
          { dtype: 'int32', shape: [dims.length], data: dims, constant },
          { dtype: 'float32', shape: [], data: [1] },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    expect(() => run([2], false)).toThrow(/depends on runtime data/);
    expect(() => run([2, -1], true)).toThrow(/must be >= 0/);
  });
});

describe('RANGE', () => {
  const scalars = (dtype: 'int32' | 'float32' | 'int64', v: (number | bigint)[]) =>
    v.map((x) => ({ dtype, shape: [], data: [x] as number[] | bigint[], constant: true }));

  test('int32 with a step that does not divide the span', () => {
    const [y] = runOp({ op: 'RANGE', inputs: scalars('int32', [1, 10, 3]), outputs: [{ dtype: 'int32' }] });
    expect(Array.from(y?.data as Int32Array)).toEqual([1, 4, 7]);
  });

  test('negative delta counts down', () => {
    const [y] = runOp({ op: 'RANGE', inputs: scalars('int32', [5, 0, -2]), outputs: [{ dtype: 'int32' }] });
    expect(Array.from(y?.data as Int32Array)).toEqual([5, 3, 1]);
  });

  test('float32 accumulates the step', () => {
    const [y] = runOp({ op: 'RANGE', inputs: scalars('float32', [0, 1, 0.25]), outputs: [{ dtype: 'float32' }] });
    expect(Array.from(y?.data as Float32Array)).toEqual([0, 0.25, 0.5, 0.75]);
  });

  test('int64', () => {
    const [y] = runOp({ op: 'RANGE', inputs: scalars('int64', [0n, 3n, 1n]), outputs: [{ dtype: 'int64' }] });
    expect(Array.from(y?.data as BigInt64Array)).toEqual([0n, 1n, 2n]);
  });

  test('a step that never reaches the limit fails', () => {
    expect(() => runOp({ op: 'RANGE', inputs: scalars('int32', [0, 5, -1]), outputs: [{ dtype: 'int32' }] })).toThrow(/never takes 0 to 5/);
  });
});

describe('ZEROS_LIKE', () => {
  test('float32 and int64', () => {
    const [y] = runOp({
      op: 'ZEROS_LIKE',
      inputs: [{ dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] }],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([2, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual([0, 0, 0, 0]);
    const [z] = runOp({ op: 'ZEROS_LIKE', inputs: [{ dtype: 'int64', shape: [2], data: [5n, 6n] }], outputs: [{ dtype: 'int64' }] });
    expect(Array.from(z?.data as BigInt64Array)).toEqual([0n, 0n]);
  });
});

/** Naive tile: out[i] = in[i mod shape] per dimension. */
function naiveTile(shape: number[], data: number[], multiples: number[]): number[] {
  const outShape = shape.map((d, i) => d * (multiples[i] as number));
  const n = outShape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rem % (outShape[d] as number);
      rem = Math.floor(rem / (outShape[d] as number));
      src += (i % (shape[d] as number)) * stride;
      stride *= shape[d] as number;
    }
    out.push(data[src] as number);
  }
  return out;
}

describe('TILE', () => {
  test.each([
    [[2], [3]],
    [
      [2, 3],
      [2, 1],
    ],
    [
      [2, 3],
      [1, 2],
    ],
    [
      [2, 1, 3],
      [2, 3, 2],
    ],
  ])('shape %j multiples %j matches a naive tile', (shape, multiples) => {
    const data = iota(shape.reduce((a, b) => a * b, 1));
    const [y] = runOp({
      op: 'TILE',
      inputs: [
        { dtype: 'int32', shape, data },
        { dtype: 'int32', shape: [multiples.length], data: multiples, constant: true },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual(shape.map((d, i) => d * (multiples[i] as number)));
    expect(Array.from(y?.data as Int32Array)).toEqual(naiveTile(shape, data, multiples));
  });

  test('a zero multiple gives an empty output; int64 multiples', () => {
    const [y] = runOp({
      op: 'TILE',
      inputs: [
        { dtype: 'float32', shape: [2], data: [1, 2] },
        { dtype: 'int64', shape: [1], data: [0n], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([0]);
  });

  test('wrong number of multiples fails', () => {
    expect(() =>
      runOp({
        op: 'TILE',
        inputs: [
          { dtype: 'float32', shape: [2], data: [1, 2] },
          { dtype: 'int32', shape: [2], data: [1, 1], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/needs 1 multiples/);
  });
});

describe('BROADCAST_TO', () => {
  test('[3] to [2, 3] and [2, 1] to [2, 2, 3]', () => {
    const [a] = runOp({
      op: 'BROADCAST_TO',
      version: 2,
      inputs: [
        { dtype: 'float32', shape: [3], data: [1, 2, 3] },
        { dtype: 'int32', shape: [2], data: [2, 3], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(a?.shape).toEqual([2, 3]);
    expect(Array.from(a?.data as Float32Array)).toEqual([1, 2, 3, 1, 2, 3]);
    const [b] = runOp({
      op: 'BROADCAST_TO',
      version: 2,
      inputs: [
        { dtype: 'int32', shape: [2, 1], data: [7, 8] },
        { dtype: 'int64', shape: [3], data: [2n, 2n, 3n], constant: true },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(b?.shape).toEqual([2, 2, 3]);
    expect(Array.from(b?.data as Int32Array)).toEqual([7, 7, 7, 8, 8, 8, 7, 7, 7, 8, 8, 8]);
  });

  test('incompatible shapes fail', () => {
    expect(() =>
      runOp({
        op: 'BROADCAST_TO',
        version: 2,
        inputs: [
          { dtype: 'float32', shape: [2], data: [1, 2] },
          { dtype: 'int32', shape: [1], data: [3], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/cannot broadcast \[2\] to \[3\]/);
  });
});

import { describe, expect, test } from 'vitest';
import { runOp } from '../support/run_op.js';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const paddings = (p: number[][], dtype: 'int32' | 'int64' = 'int32') => ({
  dtype,
  shape: [p.length, 2],
  data: dtype === 'int64' ? p.flat().map(BigInt) : p.flat(),
  constant: true,
});

describe('PAD', () => {
  test('2-D float pads with zeros', () => {
    const [y] = runOp({
      op: 'PAD',
      inputs: [
        { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
        paddings([
          [1, 0],
          [0, 2],
        ]),
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([3, 4]);
    expect(Array.from(y?.data as Float32Array)).toEqual([0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
  });

  test('channel padding on NHWC (the blazeface pattern), int64 paddings', () => {
    const x = Array.from({ length: 8 }, (_, i) => i + 1);
    const [y] = runOp({
      op: 'PAD',
      inputs: [
        { dtype: 'float32', shape: [1, 2, 2, 2], data: x },
        paddings(
          [
            [0, 0],
            [0, 0],
            [0, 0],
            [1, 1],
          ],
          'int64',
        ),
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([1, 2, 2, 4]);
    expect(Array.from(y?.data as Float32Array)).toEqual([0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0, 7, 8, 0]);
  });

  test('quantized uint8 pads with the output zero point', () => {
    const [y] = runOp({
      op: 'PAD',
      inputs: [{ dtype: 'uint8', shape: [2], data: [5, 6], quantization: q(0.5, 128) }, paddings([[1, 1]])],
      outputs: [{ dtype: 'uint8', quantization: q(0.5, 128) }],
    });
    expect(Array.from(y?.data as Uint8Array)).toEqual([128, 5, 6, 128]);
  });

  test('rank 0 input with [0, 2] paddings', () => {
    const [y] = runOp({
      op: 'PAD',
      inputs: [
        { dtype: 'int32', shape: [], data: [9] },
        { dtype: 'int32', shape: [0, 2], constant: true },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([]);
    expect(Array.from(y?.data as Int32Array)).toEqual([9]);
  });

  test('negative paddings fail', () => {
    expect(() =>
      runOp({
        op: 'PAD',
        inputs: [{ dtype: 'float32', shape: [2], data: [1, 2] }, paddings([[-1, 0]])],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/paddings must be >= 0/);
  });

  test('paddings of the wrong shape fail', () => {
    expect(() =>
      runOp({
        op: 'PAD',
        inputs: [{ dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] }, paddings([[1, 1]])],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/paddings must have shape \[2, 2\]/);
  });
});

describe('PADV2', () => {
  test('pads with the constant value input', () => {
    const [y] = runOp({
      op: 'PADV2',
      inputs: [
        { dtype: 'float32', shape: [1, 2], data: [1, 2] },
        paddings([
          [1, 0],
          [1, 1],
        ]),
        { dtype: 'float32', shape: [], data: [-7], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([2, 4]);
    expect(Array.from(y?.data as Float32Array)).toEqual([-7, -7, -7, -7, -7, 1, 2, -7]);
  });

  test('int64 data with an int64 value', () => {
    const [y] = runOp({
      op: 'PADV2',
      inputs: [{ dtype: 'int64', shape: [1], data: [5n] }, paddings([[2, 1]]), { dtype: 'int64', shape: [], data: [-1n], constant: true }],
      outputs: [{ dtype: 'int64' }],
    });
    expect(Array.from(y?.data as BigInt64Array)).toEqual([-1n, -1n, 5n, -1n]);
  });

  test('the value must have the input dtype', () => {
    expect(() =>
      runOp({
        op: 'PADV2',
        inputs: [{ dtype: 'float32', shape: [1], data: [5] }, paddings([[1, 1]]), { dtype: 'int32', shape: [], data: [1], constant: true }],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/dtypes float32 and int32 differ/);
  });
});

describe('MIRROR_PAD', () => {
  const x = [1, 2, 3, 4, 5, 6];
  const run = (mode: number, p: number[][], dtype: 'int32' | 'int64' = 'int32') =>
    runOp({
      op: 'MIRROR_PAD',
      options: { mode },
      inputs: [{ dtype: 'float32', shape: [2, 3], data: x }, paddings(p, dtype)],
      outputs: [{ dtype: 'float32' }],
    })[0];

  test('REFLECT excludes the edge', () => {
    const y = run(0, [
      [1, 1],
      [2, 2],
    ]);
    expect(y?.shape).toEqual([4, 7]);
    // Rows reflect [r1, r0, r1, r0]; columns [c2, c1, c0, c1, c2, c1, c0].
    expect(Array.from(y?.data as Float32Array)).toEqual([
      6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1,
    ]);
  });

  test('SYMMETRIC repeats the edge, int64 paddings', () => {
    const y = run(
      1,
      [
        [0, 1],
        [3, 1],
      ],
      'int64',
    );
    expect(y?.shape).toEqual([3, 7]);
    // Columns [c2, c1, c0, c0, c1, c2, c2]; rows [r0, r1, r1].
    expect(Array.from(y?.data as Float32Array)).toEqual([3, 2, 1, 1, 2, 3, 3, 6, 5, 4, 4, 5, 6, 6, 6, 5, 4, 4, 5, 6, 6]);
  });

  test('REFLECT padding as large as the dimension fails', () => {
    expect(() =>
      run(0, [
        [0, 0],
        [3, 0],
      ]),
    ).toThrow(/exceed 2, the most that REFLECT allows/);
  });
});

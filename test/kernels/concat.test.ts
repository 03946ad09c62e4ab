import { describe, expect, test } from 'vitest';
import { runOp } from '../support/run_op.js';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

describe('CONCATENATION', () => {
  test('axis 1 interleaves rows', () => {
    const [y] = runOp({
      op: 'CONCATENATION',
      options: { axis: 1, fusedActivationFunction: 0 },
      inputs: [
        { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
        { dtype: 'float32', shape: [2, 3], data: [5, 6, 7, 8, 9, 10] },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([2, 5]);
    expect(Array.from(y?.data as Float32Array)).toEqual([1, 2, 5, 6, 7, 3, 4, 8, 9, 10]);
  });

  test('negative axis, three inputs, int32', () => {
    const [y] = runOp({
      op: 'CONCATENATION',
      options: { axis: -1 },
      inputs: [
        { dtype: 'int32', shape: [2, 1], data: [1, 2] },
        { dtype: 'int32', shape: [2, 1], data: [3, 4] },
        { dtype: 'int32', shape: [2, 2], data: [5, 6, 7, 8] },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([2, 4]);
    expect(Array.from(y?.data as Int32Array)).toEqual([1, 3, 5, 6, 2, 4, 7, 8]);
  });

  test('axis 0 stacks blocks; a zero-size input contributes nothing', () => {
    const [y] = runOp({
      op: 'CONCATENATION',
      options: { axis: 0 },
      inputs: [
        { dtype: 'int64', shape: [1, 2], data: [1n, 2n] },
        { dtype: 'int64', shape: [0, 2] },
        { dtype: 'int64', shape: [2, 2], data: [3n, 4n, 5n, 6n] },
      ],
      outputs: [{ dtype: 'int64' }],
    });
    expect(y?.shape).toEqual([3, 2]);
    expect(Array.from(y?.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  });

  test('scalars concatenate into a vector', () => {
    const [y] = runOp({
      op: 'CONCATENATION',
      options: { axis: 0 },
      inputs: [
        { dtype: 'int32', shape: [], data: [7] },
        { dtype: 'int32', shape: [], data: [9] },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([2]);
    expect(Array.from(y?.data as Int32Array)).toEqual([7, 9]);
  });

  test('fused RELU6 clamps float outputs', () => {
    const [y] = runOp({
      op: 'CONCATENATION',
      options: { axis: 0, fusedActivationFunction: 3 },
      inputs: [
        { dtype: 'float32', shape: [2], data: [-1, 3] },
        { dtype: 'float32', shape: [1], data: [8] },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    expect(Array.from(y?.data as Float32Array)).toEqual([0, 3, 6]);
  });

  test('uint8 inputs with another scale are requantized to the output scale', () => {
    // Input 0: scale 0.5, zero point 10 -> output scale 1, zero point 0: q' = round(0.5 q - 5).
    const [y] = runOp({
      op: 'CONCATENATION',
      options: { axis: 0 },
      inputs: [
        { dtype: 'uint8', shape: [5], data: [10, 11, 13, 255, 0], quantization: q(0.5, 10) },
        { dtype: 'uint8', shape: [2], data: [200, 3], quantization: q(1, 0) },
      ],
      outputs: [{ dtype: 'uint8', quantization: q(1, 0) }],
    });
    // 0.5 rounds away from zero to 1; 1.5 to 2; 255 -> 122.5 -> 123; 0 -> -5 clamps to 0.
    expect(Array.from(y?.data as Uint8Array)).toEqual([0, 1, 2, 123, 0, 200, 3]);
  });

  test('int8 inputs must share the output quantization', () => {
    expect(() =>
      runOp({
        op: 'CONCATENATION',
        options: { axis: 0 },
        inputs: [
          { dtype: 'int8', shape: [1], data: [1], quantization: q(0.5, 0) },
          { dtype: 'int8', shape: [1], data: [1], quantization: q(0.25, 0) },
        ],
        outputs: [{ dtype: 'int8', quantization: q(0.5, 0) }],
      }),
    ).toThrow(/quantization differs/);
  });

  test('mismatched non-axis dimensions fail', () => {
    expect(() =>
      runOp({
        op: 'CONCATENATION',
        options: { axis: 1 },
        inputs: [
          { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] },
          { dtype: 'float32', shape: [3, 1], data: [1, 2, 3] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/does not match input 0 shape/);
  });
});

describe('PACK', () => {
  test('scalars along axis 0 (the SHAPE -> PACK pattern)', () => {
    const [y] = runOp({
      op: 'PACK',
      options: { valuesCount: 3, axis: 0 },
      inputs: [
        { dtype: 'int32', shape: [], data: [1] },
        { dtype: 'int32', shape: [], data: [17], constant: true },
        { dtype: 'int32', shape: [], data: [3], constant: true },
      ],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([3]);
    expect(Array.from(y?.data as Int32Array)).toEqual([1, 17, 3]);
  });

  test('vectors along axis 0 and axis 1', () => {
    const inputs = [
      { dtype: 'float32' as const, shape: [2], data: [1, 2] },
      { dtype: 'float32' as const, shape: [2], data: [3, 4] },
    ];
    const a0 = runOp({ op: 'PACK', options: { valuesCount: 2, axis: 0 }, inputs, outputs: [{ dtype: 'float32' }] })[0];
    expect(a0?.shape).toEqual([2, 2]);
    expect(Array.from(a0?.data as Float32Array)).toEqual([1, 2, 3, 4]);
    const a1 = runOp({ op: 'PACK', options: { valuesCount: 2, axis: -1 }, inputs, outputs: [{ dtype: 'float32' }] })[0];
    expect(a1?.shape).toEqual([2, 2]);
    expect(Array.from(a1?.data as Float32Array)).toEqual([1, 3, 2, 4]);
  });

  test('middle axis of 2-D inputs', () => {
    const [y] = runOp({
      op: 'PACK',
      options: { valuesCount: 2, axis: 1 },
      inputs: [
        { dtype: 'int16', shape: [2, 2], data: [1, 2, 3, 4] },
        { dtype: 'int16', shape: [2, 2], data: [5, 6, 7, 8] },
      ],
      outputs: [{ dtype: 'int16' }],
    });
    expect(y?.shape).toEqual([2, 2, 2]);
    expect(Array.from(y?.data as Int16Array)).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });

  test('different input shapes fail', () => {
    expect(() =>
      runOp({
        op: 'PACK',
        options: { valuesCount: 2, axis: 0 },
        inputs: [
          { dtype: 'int32', shape: [2], data: [1, 2] },
          { dtype: 'int32', shape: [3], data: [1, 2, 3] },
        ],
        outputs: [{ dtype: 'int32' }],
      }),
    ).toThrow(/differs from input 0 shape/);
  });
});

describe('UNPACK', () => {
  test('along axis 1 into three outputs', () => {
    const outs = runOp({
      op: 'UNPACK',
      options: { num: 3, axis: 1 },
      inputs: [{ dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }],
      outputs: [{ dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }],
    });
    expect(outs.map((o) => o.shape)).toEqual([[2], [2], [2]]);
    expect(outs.map((o) => Array.from(o.data as Float32Array))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  test('along axis 0 with a negative axis', () => {
    const outs = runOp({
      op: 'UNPACK',
      options: { num: 2, axis: -2 },
      inputs: [{ dtype: 'int32', shape: [2, 2], data: [1, 2, 3, 4] }],
      outputs: [{ dtype: 'int32' }, { dtype: 'int32' }],
    });
    expect(outs.map((o) => Array.from(o.data as Int32Array))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  test('num must match the dimension', () => {
    expect(() =>
      runOp({
        op: 'UNPACK',
        options: { num: 3, axis: 0 },
        inputs: [{ dtype: 'int32', shape: [2, 2], data: [1, 2, 3, 4] }],
        outputs: [{ dtype: 'int32' }, { dtype: 'int32' }, { dtype: 'int32' }],
      }),
    ).toThrow(/num 3 does not match/);
  });
});

import { describe, expect, test } from 'vitest';
import { type OpTensor, runOp } from '../support/run_op.js';

const iota1 = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const ints = (shape: number[], data: number[], constant = true): OpTensor => ({ dtype: 'int32', shape, data, constant });

// TensorFlow's documented example: depth [1,2,2,4] <-> space [1,4,4,1].
const depthForm = iota1(16);
const spaceForm = [1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16];

describe('DEPTH_TO_SPACE', () => {
  test('block 2 on the TensorFlow example', () => {
    const [y] = runOp({
      op: 'DEPTH_TO_SPACE',
      options: { blockSize: 2 },
      inputs: [{ dtype: 'float32', shape: [1, 2, 2, 4], data: depthForm }],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(y?.data as Float32Array)).toEqual(spaceForm);
  });

  test('keeps output channels together', () => {
    const [y] = runOp({
      op: 'DEPTH_TO_SPACE',
      options: { blockSize: 2 },
      inputs: [{ dtype: 'int8', shape: [1, 1, 1, 8], data: iota1(8) }],
      outputs: [{ dtype: 'int8' }],
    });
    expect(y?.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(y?.data as Int8Array)).toEqual(iota1(8));
  });

  test('depth not divisible by block² fails', () => {
    expect(() =>
      runOp({
        op: 'DEPTH_TO_SPACE',
        options: { blockSize: 2 },
        inputs: [{ dtype: 'float32', shape: [1, 1, 1, 6], data: iota1(6) }],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/not a multiple of block_size/);
  });
});

describe('SPACE_TO_DEPTH', () => {
  test('inverts DEPTH_TO_SPACE', () => {
    const [y] = runOp({
      op: 'SPACE_TO_DEPTH',
      options: { blockSize: 2 },
      inputs: [{ dtype: 'int32', shape: [1, 4, 4, 1], data: spaceForm }],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([1, 2, 2, 4]);
    expect(Array.from(y?.data as Int32Array)).toEqual(depthForm);
  });

  test('spatial size not divisible by the block fails', () => {
    expect(() =>
      runOp({
        op: 'SPACE_TO_DEPTH',
        options: { blockSize: 2 },
        inputs: [{ dtype: 'float32', shape: [1, 3, 2, 1], data: iota1(6) }],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/must be multiples of block_size 2/);
  });
});

// [1,2,2,1] = [1,2,3,4] padded by 1 on every side to 4x4, then split by a 2x2 block.
const batchForm = [0, 0, 0, 4, 0, 0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 0];

describe('SPACE_TO_BATCH_ND', () => {
  test('2x2 block with padding', () => {
    const [y] = runOp({
      op: 'SPACE_TO_BATCH_ND',
      inputs: [{ dtype: 'float32', shape: [1, 2, 2, 1], data: [1, 2, 3, 4] }, ints([2], [2, 2]), ints([2, 2], [1, 1, 1, 1])],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([4, 2, 2, 1]);
    expect(Array.from(y?.data as Float32Array)).toEqual(batchForm);
  });

  test('uint8 pads with the zero point', () => {
    const [y] = runOp({
      op: 'SPACE_TO_BATCH_ND',
      inputs: [
        { dtype: 'uint8', shape: [1, 2, 2, 1], data: [1, 2, 3, 4], quantization: q(0.1, 128) },
        ints([2], [2, 2]),
        ints([2, 2], [1, 1, 1, 1]),
      ],
      outputs: [{ dtype: 'uint8', quantization: q(0.1, 128) }],
    });
    expect(Array.from(y?.data as Uint8Array)).toEqual(batchForm.map((v) => (v === 0 ? 128 : v)));
  });

  test('rank 3 input uses one spatial dimension', () => {
    const [y] = runOp({
      op: 'SPACE_TO_BATCH_ND',
      inputs: [{ dtype: 'int32', shape: [1, 4, 1], data: [1, 2, 3, 4] }, ints([1], [2]), ints([1, 2], [0, 0])],
      outputs: [{ dtype: 'int32' }],
    });
    expect(y?.shape).toEqual([2, 2, 1]);
    expect(Array.from(y?.data as Int32Array)).toEqual([1, 3, 2, 4]);
  });

  test('padded size not divisible by the block fails; runtime paddings are dynamic', () => {
    expect(() =>
      runOp({
        op: 'SPACE_TO_BATCH_ND',
        inputs: [{ dtype: 'float32', shape: [1, 3, 2, 1], data: iota1(6) }, ints([2], [2, 2]), ints([2, 2], [0, 0, 0, 0])],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/not a multiple of block 2/);
    expect(() =>
      runOp({
        op: 'SPACE_TO_BATCH_ND',
        inputs: [{ dtype: 'float32', shape: [1, 2, 2, 1], data: iota1(4) }, ints([2], [2, 2]), ints([2, 2], [0, 0, 0, 0], false)],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/depends on runtime data/);
  });
});

describe('BATCH_TO_SPACE_ND', () => {
  test('inverts SPACE_TO_BATCH_ND with crops', () => {
    const [y] = runOp({
      op: 'BATCH_TO_SPACE_ND',
      inputs: [{ dtype: 'float32', shape: [4, 2, 2, 1], data: batchForm }, ints([2], [2, 2]), ints([2, 2], [1, 1, 1, 1])],
      outputs: [{ dtype: 'float32' }],
    });
    expect(y?.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y?.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  test('without crops interleaves the batches, keeping channels', () => {
    const [y] = runOp({
      op: 'BATCH_TO_SPACE_ND',
      inputs: [
        { dtype: 'int64', shape: [4, 1, 1, 2], data: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n] },
        ints([2], [2, 2]),
        ints([2, 2], [0, 0, 0, 0]),
      ],
      outputs: [{ dtype: 'int64' }],
    });
    expect(y?.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(y?.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
  });

  test('the dilated-conv identity: block 6 on a 1x1 image', () => {
    // SPACE_TO_BATCH_ND with paddings [[0, 5], [0, 5]] then BATCH_TO_SPACE_ND with crops [[0, 5], [0, 5]].
    const s2b = runOp({
      op: 'SPACE_TO_BATCH_ND',
      inputs: [{ dtype: 'float32', shape: [1, 1, 1, 3], data: [1, 2, 3] }, ints([2], [6, 6]), ints([2, 2], [0, 5, 0, 5])],
      outputs: [{ dtype: 'float32' }],
    })[0];
    expect(s2b?.shape).toEqual([36, 1, 1, 3]);
    expect(Array.from(s2b?.data as Float32Array).slice(0, 6)).toEqual([1, 2, 3, 0, 0, 0]);
    const b2s = runOp({
      op: 'BATCH_TO_SPACE_ND',
      inputs: [
        { dtype: 'float32', shape: [36, 1, 1, 3], data: Array.from(s2b?.data as Float32Array) },
        ints([2], [6, 6]),
        ints([2, 2], [0, 5, 0, 5]),
      ],
      outputs: [{ dtype: 'float32' }],
    })[0];
    expect(b2s?.shape).toEqual([1, 1, 1, 3]);
    expect(Array.from(b2s?.data as Float32Array)).toEqual([1, 2, 3]);
  });

  test('a batch not divisible by the block fails', () => {
    expect(() =>
      runOp({
        op: 'BATCH_TO_SPACE_ND',
        inputs: [{ dtype: 'float32', shape: [3, 1, 1, 1], data: [1, 2, 3] }, ints([2], [2, 1]), ints([2, 2], [0, 0, 0, 0])],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/not divisible by the block shape/);
  });
});

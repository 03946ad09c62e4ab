import { describe, expect, it } from 'vitest';
import { runOp } from '../support/run_op.js';

interface PoolCase {
  shape: number[];
  data: number[];
  filter: [number, number];
  stride: [number, number];
  padding: 0 | 1; // SAME | VALID
  activation?: number;
}

function run(op: string, c: PoolCase) {
  return runOp({
    op,
    options: {
      padding: c.padding,
      filterHeight: c.filter[0],
      filterWidth: c.filter[1],
      strideH: c.stride[0],
      strideW: c.stride[1],
      fusedActivationFunction: c.activation ?? 0,
    },
    inputs: [{ dtype: 'float32', shape: c.shape, data: c.data }],
    outputs: [{ dtype: 'float32' }],
  })[0]!;
}

// 4x4 single channel: value = 4 y + x + 1.
const G4 = Array.from({ length: 16 }, (_, i) => i + 1);

describe('AVERAGE_POOL_2D', () => {
  it('VALID 2x2 stride 2', () => {
    const r = run('AVERAGE_POOL_2D', { shape: [1, 4, 4, 1], data: G4, filter: [2, 2], stride: [2, 2], padding: 1 });
    expect(r.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('SAME 3x3 stride 1 divides by the in-bounds count only', () => {
    const r = run('AVERAGE_POOL_2D', { shape: [1, 4, 4, 1], data: G4, filter: [3, 3], stride: [1, 1], padding: 0 });
    expect(r.shape).toEqual([1, 4, 4, 1]);
    // corner (0,0): {1,2,5,6} -> 3.5; edge (0,1): {1,2,3,5,6,7} -> 4; centre (1,1): 1..11 window -> 6
    const d = Array.from(r.data as ArrayLike<number>);
    expect(d[0]).toBe(3.5);
    expect(d[1]).toBe(4);
    expect(d[5]).toBe(6);
    expect(d[15]).toBe(13.5);
  });

  it('SAME 2x2 stride 2 on an odd size pads at the end', () => {
    // 3x3 input, out 2x2, total padding 1 -> 0 before, 1 after.
    const r = run('AVERAGE_POOL_2D', {
      shape: [1, 3, 3, 1],
      data: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      filter: [2, 2],
      stride: [2, 2],
      padding: 0,
    });
    expect(r.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([3, 4.5, 7.5, 9]);
  });

  it('keeps channels apart and applies RELU6', () => {
    const data = [1, -10, 3, -20, 5, 30, 7, 40]; // [1,2,2,2]
    const r = run('AVERAGE_POOL_2D', { shape: [1, 2, 2, 2], data, filter: [2, 2], stride: [1, 1], padding: 1, activation: 3 });
    expect(r.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([4, 6]);
  });
});

describe('MAX_POOL_2D', () => {
  it('SAME 2x2 stride 2 on an even size', () => {
    const r = run('MAX_POOL_2D', { shape: [1, 4, 4, 1], data: G4, filter: [2, 2], stride: [2, 2], padding: 0 });
    expect(r.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([6, 8, 14, 16]);
  });

  it('SAME 3x3 stride 2 on an odd size, two batches, RELU', () => {
    const neg = G4.slice(0, 9).map((v) => -v);
    const data = [...[1, 2, 3, 4, 5, 6, 7, 8, 9], ...neg];
    const r = run('MAX_POOL_2D', { shape: [2, 3, 3, 1], data, filter: [3, 3], stride: [2, 2], padding: 0, activation: 1 });
    // out 2x2, total padding 2 -> 1 before: windows rows/cols {0,1}, {1,2}
    expect(r.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([5, 6, 8, 9, 0, 0, 0, 0]);
  });

  it('VALID with a filter larger than the input gives an empty output', () => {
    const r = run('MAX_POOL_2D', { shape: [1, 2, 2, 1], data: [1, 2, 3, 4], filter: [3, 3], stride: [1, 1], padding: 1 });
    expect(r.shape).toEqual([1, 0, 0, 1]);
  });

  it('rejects non-4D input and zero strides', () => {
    expect(() => run('MAX_POOL_2D', { shape: [4, 4], data: G4, filter: [2, 2], stride: [1, 1], padding: 1 })).toThrow(/4-D/);
    expect(() => run('MAX_POOL_2D', { shape: [1, 4, 4, 1], data: G4, filter: [2, 2], stride: [0, 1], padding: 1 })).toThrow(/strides/);
  });
});

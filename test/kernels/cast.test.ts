import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

function cast(from: DType, to: DType, data: number[] | bigint[], shape = [data.length]) {
  return runOp({ op: 'CAST', inputs: [{ dtype: from, shape, data }], outputs: [{ dtype: to }] })[0]!;
}
const values = (r: { data: ArrayLike<number> | ArrayLike<bigint> }) => Array.from(r.data as ArrayLike<number>);

describe('CAST from float32', () => {
  const x = [0, 1.9, -1.9, 2.5, -2.5, 127.9, 300.7, -300.7];
  it('truncates toward zero into int32, saturating like TFLite (NaN -> INT32_MAX)', () => {
    expect(values(cast('float32', 'int32', x))).toEqual([0, 1, -1, 2, -2, 127, 300, -300]);
    expect(values(cast('float32', 'int32', [3e9, -3e9, Number.NaN, Number.POSITIVE_INFINITY]))).toEqual([
      2147483647, -2147483648, 2147483647, 2147483647,
    ]);
  });

  it('clamps into uint8 and int16, wraps into int8', () => {
    expect(values(cast('float32', 'uint8', x))).toEqual([0, 1, 0, 2, 0, 127, 255, 0]);
    expect(values(cast('float32', 'int16', [40000.5, -40000.5, 12.9, Number.NaN]))).toEqual([32767, -32768, 12, 0]);
    expect(values(cast('float32', 'int8', [127.9, 128.5, -129.5, 300.7, Number.NaN]))).toEqual([127, -128, 127, 44, 0]);
  });

  it('converts to int64, bool and float16', () => {
    expect(Array.from(cast('float32', 'int64', [-2.7, 3e9, Number.NaN]).data as BigInt64Array)).toEqual([-2n, 3000000000n, 0n]);
    expect(values(cast('float32', 'bool', [0, -0, 0.1, -3, Number.NaN]))).toEqual([0, 0, 1, 1, 1]);
    // 1 -> 0x3c00, -2 -> 0xc000, 65520 rounds to inf 0x7c00, 1/3 -> 0x3555, 2^-24 -> 0x0001, 2^-25 ties to even 0
    expect(values(cast('float32', 'float16', [1, -2, 65520, 1 / 3, 2 ** -24, 2 ** -25]))).toEqual([
      0x3c00, 0xc000, 0x7c00, 0x3555, 0x0001, 0,
    ]);
  });
});

describe('CAST from integers and bool', () => {
  it('int32 -> float32 rounds to the nearest float; narrowing wraps', () => {
    expect(values(cast('int32', 'float32', [16777217, -5]))).toEqual([16777216, -5]);
    expect(values(cast('int32', 'uint8', [256, -1, 300]))).toEqual([0, 255, 44]);
    expect(values(cast('int32', 'int16', [70000]))).toEqual([4464]);
    expect(values(cast('int32', 'bool', [0, 7, -1]))).toEqual([0, 1, 1]);
  });

  it('uint8 image -> float32 and bool -> int32', () => {
    expect(values(cast('uint8', 'float32', [0, 128, 255]))).toEqual([0, 128, 255]);
    expect(values(cast('bool', 'int32', [1, 0]))).toEqual([1, 0]);
  });

  it('int64 keeps its low bits when narrowing', () => {
    expect(values(cast('int64', 'int32', [4294967297n, -1n]))).toEqual([1, -1]);
    expect(values(cast('int64', 'float32', [123n]))).toEqual([123]);
    expect(Array.from(cast('int32', 'int64', [-7]).data as BigInt64Array)).toEqual([-7n]);
  });
});

describe('CAST from float16', () => {
  it('decodes half bits', () => {
    expect(values(cast('float16', 'float32', [0x3c00, 0xc000, 0x7c00, 0x0001, 0x3555]))).toEqual([
      1,
      -2,
      Number.POSITIVE_INFINITY,
      2 ** -24,
      Math.fround(0.333251953125),
    ]);
    expect(values(cast('float16', 'int32', [0x4170, 0xc170, 0x7e00]))).toEqual([2, -2, 0]); // 2.71875, -2.71875, NaN
  });
});

describe('CAST shapes and errors', () => {
  it('keeps the shape, also for scalars and empty tensors', () => {
    expect(cast('float32', 'int32', [2.5], []).shape).toEqual([]);
    expect(cast('float32', 'int32', [], [3, 0]).shape).toEqual([3, 0]);
  });

  it('rejects unsupported dtypes', () => {
    expect(() => cast('float32', 'uint64', [1])).toThrow(/output dtype uint64 is not supported/);
  });
});

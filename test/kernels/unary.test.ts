import { describe, expect, it } from 'vitest';
import { runOp } from '../support/run_op.js';

function run(op: string, data: number[], dtype: 'float32' | 'int32' = 'float32', shape = [data.length]) {
  return runOp({ op, inputs: [{ dtype, shape, data }], outputs: [{ dtype }] })[0]!;
}
const f32 = (xs: number[]) => xs.map(Math.fround);

describe('unary float ops', () => {
  const x = [-2.5, -0.5, 0, 0.5, 1.5, 2.5, 4];

  it('computes exact ops exactly', () => {
    expect(Array.from(run('ABS', x).data as ArrayLike<number>)).toEqual([2.5, 0.5, 0, 0.5, 1.5, 2.5, 4]);
    expect(Array.from(run('NEG', [1, -2, 0.5]).data as ArrayLike<number>)).toEqual([-1, 2, -0.5]);
    expect(Array.from(run('SQUARE', [3, -0.5]).data as ArrayLike<number>)).toEqual([9, 0.25]);
    expect(Array.from(run('SIGN', [-3, 0, 2, Number.NaN]).data as ArrayLike<number>)).toEqual([-1, 0, 1, 0]);
    expect(Array.from(run('FLOOR', x).data as ArrayLike<number>)).toEqual([-3, -1, 0, 0, 1, 2, 4]);
    expect(Array.from(run('CEIL', x).data as ArrayLike<number>).map((v) => v + 0)).toEqual([-2, 0, 0, 1, 2, 3, 4]);
  });

  it('rounds halves to even like TFLite ROUND', () => {
    expect(Array.from(run('ROUND', [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.4]).data as ArrayLike<number>).map((v) => v + 0)).toEqual([
      -2, -2, 0, 0, 2, 2, 3, -2,
    ]);
  });

  it('computes transcendental ops in float precision', () => {
    const v = [0.25, 1, 4, 9];
    expect(Array.from(run('SQRT', v).data as ArrayLike<number>)).toEqual([0.5, 1, 2, 3]);
    expect(Array.from(run('RSQRT', v).data as ArrayLike<number>)).toEqual([2, 1, 0.5, f32([1 / 3])[0]]);
    expect(Array.from(run('EXP', [0, 1, -1]).data as ArrayLike<number>)).toEqual(f32([1, Math.E, 1 / Math.E]));
    expect(Array.from(run('LOG', [1, Math.fround(Math.E)]).data as ArrayLike<number>)[0]).toBe(0);
    expect(Array.from(run('LOG', [Math.fround(Math.E)]).data as ArrayLike<number>)[0]).toBeCloseTo(1, 6);
    expect(Array.from(run('SIN', [0, Math.fround(Math.PI / 2)]).data as ArrayLike<number>)).toEqual([0, 1]);
    expect(Array.from(run('COS', [0]).data as ArrayLike<number>)).toEqual([1]);
  });

  it('keeps the shape, including scalars and empty tensors', () => {
    const s = run('EXP', [0], 'float32', []);
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data as ArrayLike<number>)).toEqual([1]);
    const e = run('ABS', [], 'float32', [2, 0, 3]);
    expect(e.shape).toEqual([2, 0, 3]);
    expect(e.data.length).toBe(0);
  });
});

describe('unary int32 ops', () => {
  it('supports ABS, NEG and SIGN on int32', () => {
    expect(Array.from(run('ABS', [-5, 0, 7, -2147483648], 'int32').data as ArrayLike<number>)).toEqual([5, 0, 7, -2147483648]);
    expect(Array.from(run('NEG', [-5, 0, 7, -2147483648], 'int32').data as ArrayLike<number>)).toEqual([5, 0, -7, -2147483648]);
    expect(Array.from(run('SIGN', [-5, 0, 7], 'int32').data as ArrayLike<number>)).toEqual([-1, 0, 1]);
  });

  it('refuses int32 where TFLite has no int kernel', () => {
    expect(() => run('SQRT', [4], 'int32')).toThrow(/SQRT/);
  });
});

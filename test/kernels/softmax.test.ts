import { describe, expect, it } from 'vitest';
import { runOp } from '../support/run_op.js';

function run(op: string, shape: number[], data: number[], options: Record<string, number> = {}) {
  return runOp({ op, options, inputs: [{ dtype: 'float32', shape, data }], outputs: [{ dtype: 'float32' }] })[0]!;
}

/** Softmax of one row, straight from the definition. */
function softmaxRow(row: number[], beta: number) {
  const e = row.map((v) => Math.exp(beta * v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('SOFTMAX', () => {
  it('normalizes each row of the last axis', () => {
    const data = [1, 2, 3, -1, 0, 1];
    const r = run('SOFTMAX', [2, 3], data, { beta: 1 });
    expect(r.shape).toEqual([2, 3]);
    const want = [...softmaxRow([1, 2, 3], 1), ...softmaxRow([-1, 0, 1], 1)];
    Array.from(r.data as ArrayLike<number>).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 7);
    });
  });

  it('applies beta and survives large logits (max subtracted first)', () => {
    const r = run('SOFTMAX', [1, 1, 1, 4], [1000, 1001, 1002, 1003], { beta: 0.5 });
    const want = softmaxRow([0, 1, 2, 3], 0.5);
    Array.from(r.data as ArrayLike<number>).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 7);
    });
  });

  it('gives a uniform row when beta is 0', () => {
    expect(Array.from(run('SOFTMAX', [4], [1, 5, -3, 2], { beta: 0 }).data as ArrayLike<number>)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('handles an empty batch and rejects scalars', () => {
    expect(run('SOFTMAX', [0, 5], [], { beta: 1 }).data.length).toBe(0);
    expect(() => run('SOFTMAX', [], [1], { beta: 1 })).toThrow(/rank >= 1/);
  });
});

describe('LOG_SOFTMAX', () => {
  it('is x - max - log(sum(exp(x - max)))', () => {
    const r = run('LOG_SOFTMAX', [2, 2], [0, 0, 3, 1]);
    const want = [-Math.log(2), -Math.log(2), -Math.log(1 + Math.exp(-2)), -2 - Math.log(1 + Math.exp(-2))];
    Array.from(r.data as ArrayLike<number>).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 6);
    });
  });
});

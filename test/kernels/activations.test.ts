import { describe, expect, it } from 'vitest';
import { runOp } from '../support/run_op.js';

function run(op: string, data: number[], options: Record<string, number | boolean> = {}, shape = [data.length]) {
  return Array.from(
    runOp({ op, options, inputs: [{ dtype: 'float32', shape, data }], outputs: [{ dtype: 'float32' }] })[0]!.data as ArrayLike<number>,
  );
}
const f32 = (xs: number[]) => xs.map(Math.fround);

describe('clamping activations', () => {
  const x = [-7, -1.5, -0.5, 0, 0.5, 1.5, 7];
  it('RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1', () => {
    expect(run('RELU', x)).toEqual([0, 0, 0, 0, 0.5, 1.5, 7]);
    expect(run('RELU6', x)).toEqual([0, 0, 0, 0, 0.5, 1.5, 6]);
    expect(run('RELU_N1_TO_1', x)).toEqual([-1, -1, -0.5, 0, 0.5, 1, 1]);
    expect(run('RELU_0_TO_1', x)).toEqual([0, 0, 0, 0, 0.5, 1, 1]);
  });
});

describe('smooth activations', () => {
  it('LOGISTIC is 1 / (1 + exp(-x)), correctly rounded to float32 in both tails', () => {
    const x = [-100, -20, -9.0546779, -1, 0, 2, 17, 100];
    expect(run('LOGISTIC', x)).toEqual(f32(x.map((v) => 1 / (1 + Math.exp(-Math.fround(v))))));
  });

  it('TANH', () => {
    expect(run('TANH', [-1, 0, 0.5])).toEqual(f32([Math.tanh(-1), 0, Math.tanh(0.5)]));
  });

  it('HARD_SWISH is x * relu6(x + 3) / 6', () => {
    const x = [-4, -3, -1, 0, 1.5, 3, 5];
    expect(run('HARD_SWISH', x)).toEqual(f32([-0, -0, (-1 * 2) / 6, 0, (1.5 * 4.5) / 6, 3, 5]));
  });

  it('ELU is expm1 below zero', () => {
    expect(run('ELU', [-2, 0, 3])).toEqual(f32([Math.expm1(-2), 0, 3]));
  });

  it('GELU exact and tanh-approximate forms', () => {
    // 0.5 x (1 + erf(x / sqrt 2)): erf(1/sqrt2) = 0.6826894921370859, erf(2/sqrt2) = 0.9544997361036416.
    const exact = run('GELU', [-1, 0, 1, 2], { approximate: false });
    const want = [-0.5 * (1 - 0.6826894921370859), 0, 0.5 * (1 + 0.6826894921370859), 1 + 0.9544997361036416];
    exact.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 6);
    });
    const approx = run('GELU', [1], { approximate: true });
    expect(approx[0]).toBeCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715))), 6);
  });
});

describe('LEAKY_RELU and PRELU', () => {
  it('LEAKY_RELU scales negatives by alpha', () => {
    expect(run('LEAKY_RELU', [-2, -0.5, 0, 3], { alpha: 0.2 })).toEqual(f32([-2 * Math.fround(0.2), -0.5 * Math.fround(0.2), 0, 3]));
  });

  it('PRELU broadcasts a per-channel alpha over NHWC', () => {
    const x = [-1, -2, -3, 4, 5, -6, -7, 8, 9, -10, 11, 12];
    const alpha = [0.5, 0.25, 2];
    const r = runOp({
      op: 'PRELU',
      inputs: [
        { dtype: 'float32', shape: [1, 2, 2, 3], data: x },
        { dtype: 'float32', shape: [1, 1, 3], data: alpha, constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    })[0]!;
    expect(r.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual(x.map((v, i) => (v >= 0 ? v : v * alpha[i % 3]!)));
  });

  it('PRELU rejects alpha that does not broadcast', () => {
    expect(() =>
      runOp({
        op: 'PRELU',
        inputs: [
          { dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
          { dtype: 'float32', shape: [2], data: [1, 2] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/cannot be broadcast/);
  });
});

// GPU vs reference (and vs the CPU kernel where one is registered) for the elementwise ops:
// binary ops with NumPy broadcasting (ranks 1 to 6, last-dimension splats, constants) and the
// unary ops / activations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import * as ref from './reference.js';
import { checkCase, type GpuCase, randomValues, runCaseOnGpu, testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

const FLT_MAX = 3.4028234663852886e38;
const finite = (v: number) => Math.min(Math.max(v, -FLT_MAX), FLT_MAX);

const BINARY: Record<string, (a: number, b: number) => number> = {
  ADD: (a, b) => a + b,
  SUB: (a, b) => a - b,
  MUL: (a, b) => a * b,
  DIV: (a, b) => a / b,
  MAXIMUM: (a, b) => Math.max(a, b),
  MINIMUM: (a, b) => Math.min(a, b),
  SQUARED_DIFFERENCE: (a, b) => (a - b) * (a - b),
  PRELU: (a, b) => (a >= 0 ? a : a * b),
};
const FUSED = new Set(['ADD', 'SUB', 'MUL', 'DIV']);

const shapes: { name: string; a: number[]; b: number[]; constB?: boolean }[] = [
  { name: 'same shape [1,7,5,3]', a: [1, 7, 5, 3], b: [1, 7, 5, 3] },
  { name: 'channel vector [1,7,5,6] x [6]', a: [1, 7, 5, 6], b: [6], constB: true },
  { name: 'scalar-like [2,3,5] x [1]', a: [2, 3, 5], b: [1] },
  { name: 'rank 0 b', a: [3, 5], b: [] },
  { name: 'both broadcast [2,1,5,1] x [1,3,1,6]', a: [2, 1, 5, 1], b: [1, 3, 1, 6] },
  { name: 'rank 5 [2,1,3,1,5] x [3,4,1]', a: [2, 1, 3, 1, 5], b: [3, 4, 1] },
  { name: 'rank 6 [1,2,1,3,2,7] x [2,1,3,1,7]', a: [1, 2, 1, 3, 2, 7], b: [2, 1, 3, 1, 7] },
  { name: 'rank 1 [9] x [9]', a: [9], b: [9] },
  { name: 'a broadcast [1,1,1,8] x [1,4,3,8]', a: [1, 1, 1, 8], b: [1, 4, 3, 8] },
];

describe('binary ops', () => {
  for (const op of Object.keys(BINARY)) {
    for (const s of shapes) {
      if (op === 'PRELU' && s.b.length > s.a.length) continue;
      it(`${op} ${s.name}`, async (t) => {
        if (!delegate) return t.skip();
        const a = randomValues(
          s.a.reduce((x, d) => x * d, 1),
          21,
        );
        // Divisors away from 0.
        const b =
          op === 'DIV'
            ? randomValues(
                s.b.reduce((x, d) => x * d, 1),
                22,
                0.5,
                2,
              )
            : randomValues(
                s.b.reduce((x, d) => x * d, 1),
                22,
              );
        const act = op === 'SUB' ? 3 : op === 'ADD' ? 1 : 0;
        const f = BINARY[op] as (u: number, v: number) => number;
        const expected = ref.binary(a, s.a, b, s.b, (u, v) => (FUSED.has(op) ? ref.clampAct(finite(f(u, v)), act) : f(u, v)));
        const gc: GpuCase = {
          op,
          options: FUSED.has(op) ? { fusedActivationFunction: act } : {},
          inputs: [
            { dtype: 'float32', shape: s.a, data: a },
            { dtype: 'float32', shape: s.b, data: b, constant: s.constB ?? false },
          ],
          outputs: [{ dtype: 'float32' }],
          outputShapes: [expected.shape],
        };
        await checkCase(gc, [expected.data], delegate);
      });
    }
  }
});

const erf = (x: number) => {
  // Reference erf by series / continued fraction is overkill: a high-order A&S 7.1.28-grade fit.
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t *
                    (0.09678418 +
                      t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
};

const UNARY: Record<string, { f: (x: number) => number; lo?: number; hi?: number; options?: Record<string, number | boolean> }> = {
  RELU: { f: (x) => Math.max(x, 0) },
  RELU6: { f: (x) => Math.min(Math.max(x, 0), 6), lo: -8, hi: 8 },
  RELU_N1_TO_1: { f: (x) => Math.min(Math.max(x, -1), 1), lo: -3, hi: 3 },
  RELU_0_TO_1: { f: (x) => Math.min(Math.max(x, 0), 1), lo: -3, hi: 3 },
  LOGISTIC: { f: (x) => 1 / (1 + Math.exp(-x)), lo: -20, hi: 20 },
  TANH: { f: Math.tanh, lo: -12, hi: 12 },
  HARD_SWISH: { f: (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6, lo: -5, hi: 5 },
  LEAKY_RELU: { f: (x) => (x > 0 ? x : 0.2 * x), options: { alpha: 0.2 } },
  ELU: { f: (x) => (x < 0 ? Math.expm1(x) : x), lo: -4, hi: 4 },
  GELU: { f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), lo: -4, hi: 4 },
  EXP: { f: Math.exp, lo: -3, hi: 3 },
  LOG: { f: Math.log, lo: 0.1, hi: 10 },
  SQRT: { f: Math.sqrt, lo: 0, hi: 10 },
  RSQRT: { f: (x) => 1 / Math.sqrt(x), lo: 0.5, hi: 10 },
  SQUARE: { f: (x) => x * x },
  ABS: { f: Math.abs },
  NEG: { f: (x) => -x },
  SIN: { f: Math.sin, lo: -3, hi: 3 },
  COS: { f: Math.cos, lo: -3, hi: 3 },
  FLOOR: { f: Math.floor, lo: -5, hi: 5 },
  CEIL: { f: Math.ceil, lo: -5, hi: 5 },
  SIGN: { f: Math.sign },
};

describe('unary ops', () => {
  for (const [op, u] of Object.entries(UNARY)) {
    it(`${op} on [1,7,5,3]`, async (t) => {
      if (!delegate) return t.skip();
      const shape = [1, 7, 5, 3];
      const x = randomValues(105, 31, u.lo ?? -2, u.hi ?? 2);
      const expected = Float32Array.from(x, u.f);
      const gc: GpuCase = {
        op,
        options: u.options ?? {},
        inputs: [{ dtype: 'float32', shape, data: x }],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [shape],
      };
      await checkCase(gc, [expected], delegate);
    });
  }

  it('GELU approximate on [13]', async (t) => {
    if (!delegate) return t.skip();
    const x = randomValues(13, 32, -4, 4);
    const expected = Float32Array.from(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
    const gc: GpuCase = {
      op: 'GELU',
      options: { approximate: true },
      inputs: [{ dtype: 'float32', shape: [13], data: x }],
      outputs: [{ dtype: 'float32' }],
      outputShapes: [[13]],
    };
    await checkCase(gc, [expected], delegate);
  });

  it('LOGISTIC is accurate element by element in its tails (sigmoid scores near 0 and 1)', async (t) => {
    if (!delegate) return t.skip();
    const x = Float32Array.from({ length: 61 }, (_, i) => -40 + i); // -40 .. 20
    const expected = Float32Array.from(x, (v) => 1 / (1 + Math.exp(-v)));
    const gc: GpuCase = {
      op: 'LOGISTIC',
      inputs: [{ dtype: 'float32', shape: [61], data: x }],
      outputs: [{ dtype: 'float32' }],
      outputShapes: [[61]],
    };
    const [got] = await runCaseOnGpu(gc, delegate);
    // WGSL's exp is good to 3 + 2|x| ulp: 83 ulp (1e-5) at x = -40.
    for (let i = 0; i < x.length; i++) {
      const rel = Math.abs((got?.[i] as number) - (expected[i] as number)) / (expected[i] as number);
      expect(rel, `LOGISTIC(${x[i]})`).toBeLessThan(2e-5);
    }
  });

  it('ROUND takes halves to even', async (t) => {
    if (!delegate) return t.skip();
    const x = new Float32Array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, -0.6, 3.7]);
    const expected = new Float32Array([-2, -2, -0, 0, 2, 2, 0, -1, 4]);
    const gc: GpuCase = {
      op: 'ROUND',
      inputs: [{ dtype: 'float32', shape: [9], data: x }],
      outputs: [{ dtype: 'float32' }],
      outputShapes: [[9]],
    };
    await checkCase(gc, [expected], delegate);
  });
});

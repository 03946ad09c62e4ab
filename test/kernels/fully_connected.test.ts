import { describe, expect, it } from 'vitest';
import { expectClose, roundAway, runFloat, values } from '../support/float_ref.js';
import type { OpTensor } from '../support/run_op.js';

const RELU = 1;
const RELU6 = 3;
const TANH = 4;
const SIGN_BIT = 5;

function fc(input: OpTensor, weights: OpTensor, bias: OpTensor | null, options: Record<string, number | boolean> = {}) {
  return runFloat({
    op: 'FULLY_CONNECTED',
    options: { fusedActivationFunction: 0, weightsFormat: 0, keepNumDims: false, asymmetricQuantizeInputs: false, ...options },
    inputs: [input, { ...weights, constant: true }, bias ? { ...bias, constant: true } : null],
    outputs: [{ dtype: 'float32' }],
  })[0]!;
}

function naive(x: number[], rows: number, w: number[], units: number, bias: number[] | null): number[] {
  const k = w.length / units;
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      let s = bias ? (bias[u] as number) : 0;
      for (let i = 0; i < k; i++) s += (x[r * k + i] as number) * (w[u * k + i] as number);
      out.push(s);
    }
  return out;
}

describe('FULLY_CONNECTED float', () => {
  it('weights [units, input] times each input row, plus bias (hand-computed)', () => {
    const out = fc(
      { dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      { dtype: 'float32', shape: [2, 3], data: [1, 0, -1, 0.5, 0.5, 0.5] },
      { dtype: 'float32', shape: [2], data: [10, 20] },
    );
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(out.data)).toEqual([8, 23, 8, 27.5]);
  });

  it('flattens leading dimensions to [batch, units]; keep_num_dims keeps them', () => {
    const x = values(2 * 3 * 4, 1);
    const w = values(5 * 4, 2);
    const b = values(5, 3);
    const flat = fc(
      { dtype: 'float32', shape: [2, 3, 4], data: x },
      { dtype: 'float32', shape: [5, 4], data: w },
      { dtype: 'float32', shape: [5], data: b },
    );
    expect(flat.shape).toEqual([6, 5]);
    expectClose(flat.data, naive(x, 6, w, 5, b));
    const kept = fc({ dtype: 'float32', shape: [2, 3, 4], data: x }, { dtype: 'float32', shape: [5, 4], data: w }, null, {
      keepNumDims: true,
    });
    expect(kept.shape).toEqual([2, 3, 5]);
    expectClose(kept.data, naive(x, 6, w, 5, null));
    // Without keep_num_dims the input is read in rows of the weights' input size, whatever its shape.
    const odd = fc({ dtype: 'float32', shape: [3, 8], data: x }, { dtype: 'float32', shape: [5, 4], data: w }, null);
    expect(odd.shape).toEqual([6, 5]);
  });

  it('fused RELU / RELU6 clamp', () => {
    const x = values(3 * 7, 4, -4, 4);
    const w = values(9 * 7, 5);
    const relu = fc({ dtype: 'float32', shape: [3, 7], data: x }, { dtype: 'float32', shape: [9, 7], data: w }, null, {
      fusedActivationFunction: RELU,
    });
    expectClose(
      relu.data,
      naive(x, 3, w, 9, null).map((v) => Math.max(0, v)),
    );
    const relu6 = fc({ dtype: 'float32', shape: [3, 7], data: x }, { dtype: 'float32', shape: [9, 7], data: w }, null, {
      fusedActivationFunction: RELU6,
    });
    expectClose(
      relu6.data,
      naive(x, 3, w, 9, null).map((v) => Math.min(6, Math.max(0, v))),
    );
  });

  it('zero batch, zero input size', () => {
    const empty = fc({ dtype: 'float32', shape: [0, 4], data: [] }, { dtype: 'float32', shape: [3, 4], data: values(12, 1) }, null);
    expect(empty.shape).toEqual([0, 3]);
    const noInputs = fc(
      { dtype: 'float32', shape: [2, 0], data: [] },
      { dtype: 'float32', shape: [3, 0], data: [] },
      { dtype: 'float32', shape: [3], data: [1, 2, 3] },
    );
    expect(noInputs.shape).toEqual([2, 3]);
    expect(Array.from(noInputs.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects what TFLite rejects', () => {
    const x = { dtype: 'float32' as const, shape: [2, 3], data: values(6, 1) };
    const w = { dtype: 'float32' as const, shape: [2, 3], data: values(6, 2) };
    expect(() => fc(x, w, null, { fusedActivationFunction: TANH })).toThrow(/fused activation 4 is not supported with float weights/);
    expect(() => fc(x, { ...w, shape: [2, 4], data: values(8, 2) }, null)).toThrow(/cannot be read as rows of 4/);
    expect(() => fc(x, w, { dtype: 'float32', shape: [3], data: [1, 2, 3] })).toThrow(/bias has 3 elements, expected 2/);
    expect(() => fc(x, w, null, { weightsFormat: 1 })).toThrow(/weights format 1/);
    expect(() => fc(x, { ...w, shape: [6], data: values(6, 2) }, null)).toThrow(/weights must be rank 2/);
  });
});

describe('FULLY_CONNECTED hybrid (int8 weights)', () => {
  const f = Math.fround;

  it('symmetric per-tensor (hand-computed): q = round(x * 127 / max|x|), out = bias + acc * (sx * sw)', () => {
    // x = [0.5, -1]: q = [64, -127]; w = [[2, 3], [-1, 1]] * 0.1; acc = [-253, -191].
    const out = fc(
      { dtype: 'float32', shape: [1, 2], data: [0.5, -1] },
      { dtype: 'int8', shape: [2, 2], data: [2, 3, -1, 1], quantization: { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 } },
      { dtype: 'float32', shape: [2], data: [0.25, 0] },
    );
    const factor = f(f(1 / 127) * f(0.1));
    expect(Array.from(out.data)).toEqual([f(0.25 + f(-253 * factor)), f(f(-191 * factor))]);
  });

  function reference(
    x: number[],
    rows: number,
    w: number[],
    units: number,
    scales: number[],
    bias: number[] | null,
    asymmetric: boolean,
  ): number[] {
    const k = w.length / units;
    const out: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = x.slice(r * k, (r + 1) * k);
      let q: number[];
      let sx: number;
      if (asymmetric) {
        const rmin = Math.min(0, ...row);
        const rmax = Math.max(0, ...row);
        const scale = (rmax - rmin) / 255;
        const zpd = 128 + Math.abs(rmin / scale) < 127 + Math.abs(rmax / scale) ? -128 - rmin / scale : 127 - rmax / scale;
        const zp = Math.max(-128, Math.min(127, roundAway(zpd)));
        const inv = f(1 / f(scale));
        q = row.map((v) => Math.max(-128, Math.min(127, roundAway(f(zp + f(v * inv))))) - zp);
        sx = f(scale);
      } else {
        const range = Math.max(...row.map(Math.abs));
        const inv = f(127 / range);
        q = row.map((v) => Math.max(-127, Math.min(127, roundAway(f(v * inv)))));
        sx = f(range / 127);
      }
      for (let u = 0; u < units; u++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += (q[i] as number) * (w[u * k + i] as number);
        const s = f(sx * f((scales.length > 1 ? scales[u] : scales[0]) as number));
        out.push(f((bias ? (bias[u] as number) : 0) + f(acc * s)));
      }
    }
    return out;
  }

  for (const [perChannel, asymmetric] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`${perChannel ? 'per-channel' : 'per-tensor'} weights, ${asymmetric ? 'asymmetric' : 'symmetric'} inputs: bit-exact`, () => {
      const rows = 3;
      const k = 20;
      const units = 7;
      const x = values(rows * k, 51, -0.7, 2.3);
      const w = values(units * k, 52).map((v) => Math.round(v * 127));
      const scales = perChannel ? values(units, 53, 0.001, 0.02) : [0.0123];
      const bias = values(units, 54);
      const out = fc(
        { dtype: 'float32', shape: [rows, k], data: x },
        {
          dtype: 'int8',
          shape: [units, k],
          data: w,
          quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 },
        },
        { dtype: 'float32', shape: [units], data: bias },
        { asymmetricQuantizeInputs: asymmetric },
      );
      expect(out.shape).toEqual([rows, units]);
      expect(Array.from(out.data)).toEqual(reference(x, rows, w, units, scales, bias, asymmetric));
    });
  }

  it('int8 weights that are not constant are read at eval', () => {
    const weights = {
      dtype: 'int8' as const,
      shape: [2, 2],
      data: [2, 3, -1, 1],
      quantization: { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 },
    };
    const [out] = runFloat({
      op: 'FULLY_CONNECTED',
      options: {},
      inputs: [{ dtype: 'float32', shape: [1, 2], data: [0.5, -1] }, weights, null],
      outputs: [{ dtype: 'float32' }],
    });
    const factor = f(f(1 / 127) * f(0.1));
    expect(Array.from(out!.data)).toEqual([f(-253 * factor), f(-191 * factor)]);
  });

  it('hybrid applies TANH and SIGN_BIT too; an all-zero row gives the bias', () => {
    const x = [...values(8, 61, -2, 2), 0, 0, 0, 0, 0, 0, 0, 0];
    const w = values(3 * 8, 62).map((v) => Math.round(v * 127));
    const weights = {
      dtype: 'int8' as const,
      shape: [3, 8],
      data: w,
      quantization: { scale: [0.02], zeroPoint: [0], quantizedDimension: 0 },
    };
    const bias = { dtype: 'float32' as const, shape: [3], data: [0.1, -0.2, 0] };
    const plain = fc({ dtype: 'float32', shape: [2, 8], data: x }, weights, bias);
    expect(Array.from(plain.data.slice(3))).toEqual([f(0.1), f(-0.2), 0]);
    const tanh = fc({ dtype: 'float32', shape: [2, 8], data: x }, weights, bias, { fusedActivationFunction: TANH });
    expectClose(tanh.data, Array.from(plain.data, Math.tanh), 1e-6);
    const sign = fc({ dtype: 'float32', shape: [2, 8], data: x }, weights, bias, { fusedActivationFunction: SIGN_BIT });
    expect(Array.from(sign.data)).toEqual(Array.from(plain.data, (v) => (v < 0 ? 1 : 0)));
  });
});

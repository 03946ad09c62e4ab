import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_KERNEL_CONFIG, type NodeContext, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import { numElements, typedView } from '../../src/model/dtype.js';
import { readModel } from '../../src/model/reader.js';
import type { Operator, Options } from '../../src/model/types.js';
import { SHARED_MODELS_DIR } from '../support/corpus.js';

/** Deterministic values in [-scale, scale). */
function randoms(n: number, seed: number, scale = 0.5): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

function tensor(index: number, shape: number[], data: Float32Array | null, kind: RuntimeTensor['kind']): RuntimeTensor {
  return {
    index,
    name: `t${index}`,
    dtype: 'float32',
    shape,
    quantization: null,
    kind,
    data: data ?? new Float32Array(numElements(shape)),
  };
}

/** A persistent node: prepare once, then eval as many times as wanted (state lives in inputs 18 and 19). */
function lstmNode(inputs: (RuntimeTensor | null)[], options: Options) {
  const out = tensor(100, [], null, 'activation');
  const op: Operator = {
    index: 0,
    op: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    builtinCode: 44,
    customCode: null,
    version: 1,
    inputs: inputs.map((t, i) => (t ? i : -1)),
    outputs: [100],
    intermediates: [],
    optionsType: 'UnidirectionalSequenceLSTMOptions',
    options,
    customOptions: null,
  };
  const found = lookupKernel(
    op.op,
    1,
    inputs.map((t) => t?.dtype ?? null),
    ['float32'],
  );
  if (!found.ok) throw new Error(found.reason);
  const ctx: NodeContext = { config: DEFAULT_KERNEL_CONFIG, index: 0, op, inputs, outputs: [out], intermediates: [] };
  const params = found.registration.kernel.prepare(ctx);
  out.data = new Float32Array(numElements(out.shape));
  return {
    out,
    run(x: Float32Array) {
      ((inputs[0] as RuntimeTensor).data as Float32Array).set(x);
      found.registration.kernel.eval(ctx, params);
      return Float32Array.from(out.data as Float32Array);
    },
  };
}

interface Weights {
  nInput: number;
  nCell: number;
  nOutput: number;
  /** Gate order: input, forget, cell, output; input gate null for CIFG. */
  w: (Float32Array | null)[];
  r: (Float32Array | null)[];
  b: (Float32Array | null)[];
  peephole: (Float32Array | null)[] | null;
  layerNorm: (Float32Array | null)[] | null;
  projection: Float32Array | null;
  projectionBias: Float32Array | null;
}

/** The textbook LSTM, written out plainly (one batch row, one step). */
function referenceStep(wt: Weights, x: ArrayLike<number>, h: number[], c: number[], cellClip: number, projClip: number) {
  const { nInput, nCell, nOutput } = wt;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const pre = (g: number, cell: number[] | null) => {
    const z: number[] = [];
    for (let i = 0; i < nCell; i++) {
      let s = 0;
      for (let k = 0; k < nInput; k++) s += (wt.w[g] as Float32Array)[i * nInput + k] * (x[k] as number);
      for (let k = 0; k < nOutput; k++) s += (wt.r[g] as Float32Array)[i * nOutput + k] * (h[k] as number);
      if (wt.peephole?.[g] && cell) s += (wt.peephole[g] as Float32Array)[i] * (cell[i] as number);
      z.push(s);
    }
    const ln = wt.layerNorm?.[g];
    if (ln) {
      const mean = z.reduce((a, v) => a + v, 0) / nCell;
      const variance = z.reduce((a, v) => a + (v - mean) ** 2, 0) / nCell;
      return z.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-8)) * (ln[i] as number) + (wt.b[g] as Float32Array)[i]);
    }
    return z.map((v, i) => v + (wt.b[g] as Float32Array)[i]);
  };
  const f = pre(1, c).map(sigmoid);
  const inGate = wt.w[0] ? pre(0, c).map(sigmoid) : f.map((v) => 1 - v);
  const g = pre(2, null).map(Math.tanh);
  let cNew = c.map((cv, i) => (f[i] as number) * cv + (inGate[i] as number) * (g[i] as number));
  if (cellClip > 0) cNew = cNew.map((v) => Math.min(Math.max(v, -cellClip), cellClip));
  const o = pre(3, cNew).map(sigmoid);
  const m = cNew.map((v, i) => (o[i] as number) * Math.tanh(v));
  let hNew = m;
  if (wt.projection) {
    hNew = [];
    for (let j = 0; j < nOutput; j++) {
      let s = wt.projectionBias ? (wt.projectionBias[j] as number) : 0;
      for (let k = 0; k < nCell; k++) s += wt.projection[j * nCell + k] * (m[k] as number);
      hNew.push(projClip > 0 ? Math.min(Math.max(s, -projClip), projClip) : s);
    }
  }
  return { h: hNew, c: cNew };
}

/** Runs the reference over [batch, time] (or [time, batch]) input, carrying state in h/c (per batch). */
function referenceSequence(
  wt: Weights,
  x: Float32Array,
  batches: number,
  steps: number,
  timeMajor: boolean,
  state: { h: number[][]; c: number[][] },
  cellClip: number,
  projClip: number,
): number[] {
  const out = new Array<number>(batches * steps * wt.nOutput).fill(0);
  for (let b = 0; b < batches; b++) {
    for (let t = 0; t < steps; t++) {
      const row = timeMajor ? t * batches + b : b * steps + t;
      const r = referenceStep(
        wt,
        x.subarray(row * wt.nInput, (row + 1) * wt.nInput),
        state.h[b] as number[],
        state.c[b] as number[],
        cellClip,
        projClip,
      );
      state.h[b] = r.h;
      state.c[b] = r.c;
      r.h.forEach((v, j) => {
        out[row * wt.nOutput + j] = v;
      });
    }
  }
  return out;
}

function makeWeights(
  nInput: number,
  nCell: number,
  nOutput: number,
  opts: { cifg?: boolean; peephole?: boolean; layerNorm?: boolean; projection?: boolean },
  seed: number,
): Weights {
  let s = seed;
  const rnd = (n: number, scale = 0.5) => randoms(n, s++, scale);
  return {
    nInput,
    nCell,
    nOutput,
    w: [0, 1, 2, 3].map((g) => (g === 0 && opts.cifg ? null : rnd(nCell * nInput))),
    r: [0, 1, 2, 3].map((g) => (g === 0 && opts.cifg ? null : rnd(nCell * nOutput))),
    b: [0, 1, 2, 3].map((g) => (g === 0 && opts.cifg ? null : rnd(nCell, 0.2))),
    peephole: opts.peephole ? [0, 1, 2, 3].map((g) => (g === 2 || (g === 0 && opts.cifg) ? null : rnd(nCell))) : null,
    layerNorm: opts.layerNorm ? [0, 1, 2, 3].map((g) => (g === 0 && opts.cifg ? null : rnd(nCell, 1))) : null,
    projection: opts.projection ? rnd(nOutput * nCell) : null,
    projectionBias: opts.projection ? rnd(nOutput, 0.1) : null,
  };
}

/** The 24 LSTM inputs (lstm_shared.h order) for given weights. */
function lstmInputs(wt: Weights, xShape: number[], batches: number): (RuntimeTensor | null)[] {
  const { nInput, nCell, nOutput } = wt;
  const c = (i: number, shape: number[], d: Float32Array | null | undefined) => (d ? tensor(i, shape, d, 'constant') : null);
  const ins: (RuntimeTensor | null)[] = [tensor(0, xShape, null, 'input')];
  for (let g = 0; g < 4; g++) ins.push(c(1 + g, [nCell, nInput], wt.w[g]));
  for (let g = 0; g < 4; g++) ins.push(c(5 + g, [nCell, nOutput], wt.r[g]));
  for (const g of [0, 1, 3]) ins.push(c(ins.length, [nCell], wt.peephole?.[g]));
  for (let g = 0; g < 4; g++) ins.push(c(12 + g, [nCell], wt.b[g]));
  ins.push(c(16, [nOutput, nCell], wt.projection));
  ins.push(c(17, [nOutput], wt.projectionBias));
  ins.push(tensor(18, [batches, nOutput], null, 'variable'));
  ins.push(tensor(19, [batches, nCell], null, 'variable'));
  for (let g = 0; g < 4; g++) ins.push(c(20 + g, [nCell], wt.layerNorm?.[g]));
  return ins;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(tol);
}

describe('UNIDIRECTIONAL_SEQUENCE_LSTM', () => {
  const options = { fusedActivationFunction: 4, cellClip: 0, projClip: 0, timeMajor: false };

  test('batch-major sequence matches the textbook LSTM, and state persists across invokes', () => {
    const wt = makeWeights(3, 4, 4, {}, 11);
    const [batches, steps] = [2, 5];
    const node = lstmNode(lstmInputs(wt, [batches, steps, 3], batches), options);
    expect(node.out.shape).toEqual([batches, steps, 4]);
    const state = { h: [new Array(4).fill(0), new Array(4).fill(0)], c: [new Array(4).fill(0), new Array(4).fill(0)] };
    for (const seed of [1, 2]) {
      const x = randoms(batches * steps * 3, seed, 1);
      expectClose(node.run(x), referenceSequence(wt, x, batches, steps, false, state, 0, 0));
    }
  });

  test('time-major input with cell clipping', () => {
    const wt = makeWeights(2, 3, 3, {}, 23);
    const [steps, batches] = [4, 3];
    const node = lstmNode(lstmInputs(wt, [steps, batches, 2], batches), { ...options, timeMajor: true, cellClip: 0.3 });
    expect(node.out.shape).toEqual([steps, batches, 3]);
    const x = randoms(steps * batches * 2, 5, 3);
    const state = { h: [0, 1, 2].map(() => [0, 0, 0]), c: [0, 1, 2].map(() => [0, 0, 0]) };
    expectClose(node.run(x), referenceSequence(wt, x, batches, steps, true, state, 0.3, 0));
  });

  test('CIFG with peepholes and a clipped projection', () => {
    const wt = makeWeights(3, 5, 2, { cifg: true, peephole: true, projection: true }, 37);
    const node = lstmNode(lstmInputs(wt, [1, 6, 3], 1), { ...options, projClip: 0.2 });
    expect(node.out.shape).toEqual([1, 6, 2]);
    const x = randoms(18, 9, 1);
    const state = { h: [[0, 0]], c: [[0, 0, 0, 0, 0]] };
    expectClose(node.run(x), referenceSequence(wt, x, 1, 6, false, state, 0, 0.2));
  });

  test('layer normalization', () => {
    const wt = makeWeights(3, 4, 4, { layerNorm: true }, 51);
    const node = lstmNode(lstmInputs(wt, [1, 3, 3], 1), options);
    const x = randoms(9, 3, 1);
    const state = { h: [[0, 0, 0, 0]], c: [[0, 0, 0, 0]] };
    expectClose(node.run(x), referenceSequence(wt, x, 1, 3, false, state, 0, 0), 1e-4);
  });

  test('unsupported cell activation and hybrid weights fail clearly', () => {
    const wt = makeWeights(2, 2, 2, {}, 3);
    expect(() => lstmNode(lstmInputs(wt, [1, 1, 2], 1), { ...options, fusedActivationFunction: 0 })).toThrow(
      /cell activation 0 is not supported/,
    );
    const ins = lstmInputs(wt, [1, 1, 2], 1);
    ins[5] = { ...(ins[5] as RuntimeTensor), dtype: 'int8', data: new Int8Array(4) };
    expect(() => lstmNode(ins, options)).toThrow(/only float32 LSTM weights/);
  });

  test('output_state of the wrong size fails', () => {
    const wt = makeWeights(2, 2, 2, {}, 3);
    const ins = lstmInputs(wt, [2, 1, 2], 2);
    ins[18] = tensor(18, [1, 2], null, 'variable');
    expect(() => lstmNode(ins, options)).toThrow(/output_state must hold 2x2 values/);
  });

  const modelPath = join(SHARED_MODELS_DIR, 'mnist_lstm_f32.tflite');
  test.skipIf(!existsSync(modelPath))('the mnist_lstm_f32 corpus node matches the textbook LSTM', () => {
    const model = readModel(new Uint8Array(readFileSync(modelPath)));
    const sg = model.subgraphs[0];
    const op = sg?.operators.find((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
    if (!sg || !op) throw new Error('no LSTM node in the corpus model');
    const inputs = op.inputs.map((ti, i): RuntimeTensor | null => {
      if (ti < 0) return null;
      const t = sg.tensors[ti];
      if (!t) throw new Error(`tensor ${ti} is missing`);
      const data = t.data ? Float32Array.from(typedView(t.data, 'float32') as Float32Array) : null;
      return tensor(i, [...t.shape], data, t.data ? 'constant' : t.isVariable ? 'variable' : 'input');
    });
    const node = lstmNode(inputs, op.options);
    const at = (i: number) => (inputs[i] as RuntimeTensor).data as Float32Array;
    const wt: Weights = {
      nInput: 28,
      nCell: 20,
      nOutput: 20,
      w: [at(1), at(2), at(3), at(4)],
      r: [at(5), at(6), at(7), at(8)],
      b: [at(12), at(13), at(14), at(15)],
      peephole: null,
      layerNorm: null,
      projection: null,
      projectionBias: null,
    };
    const x = randoms(28 * 28, 77, 1).map((v) => v + 0.5);
    const state = { h: [new Array(20).fill(0)], c: [new Array(20).fill(0)] };
    const cellClip = op.options.cellClip as number;
    expectClose(node.run(x), referenceSequence(wt, x, 1, 28, false, state, cellClip, 0), 1e-4);
  });
});

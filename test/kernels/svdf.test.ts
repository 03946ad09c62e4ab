// SVDF (float32 and full-integer int8): the state shift across invokes, rank reduction, bias,
// activations, int16 state saturation, and bit-exact int8 results against an independent BigInt
// reference and against golden outputs recorded from TFLite (tfjs-tflite).
import { describe, expect, test } from 'vitest';
import { DEFAULT_KERNEL_CONFIG, type NodeContext, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import { allocTyped, type DType, numElements } from '../../src/model/dtype.js';
import type { Operator } from '../../src/model/types.js';
import { quantizeMultiplier } from '../../src/quant/index.js';
import { mbqmRef } from '../quant/bigint_reference.js';
import { ints, mulberry32 } from '../support/quant_ref.js';

interface Spec {
  dtype: DType;
  shape: number[];
  data?: ArrayLike<number>;
  scale?: number;
  zeroPoint?: number;
  kind?: RuntimeTensor['kind'];
}

function tensor(index: number, s: Spec): RuntimeTensor {
  const data = allocTyped(s.dtype, numElements(s.shape));
  if (s.data) (data as unknown as { set(a: ArrayLike<number>): void }).set(s.data);
  return {
    index,
    name: `t${index}`,
    dtype: s.dtype,
    shape: [...s.shape],
    quantization: s.scale === undefined ? null : { scale: [s.scale], zeroPoint: [s.zeroPoint ?? 0], quantizedDimension: 0 },
    kind: s.kind ?? 'constant',
    data,
  };
}

/** A prepared SVDF node; `run` sets the input and evaluates once (the state persists). */
function svdfNode(inputs: (Spec | null)[], output: Spec, options: { rank: number; fusedActivationFunction: number }) {
  const ins = inputs.map((s, i) => (s ? tensor(i, s) : null));
  const out = tensor(10, { ...output, shape: [] });
  const op: Operator = {
    index: 0,
    op: 'SVDF',
    builtinCode: 27,
    customCode: null,
    version: 3,
    inputs: ins.map((t, i) => (t ? i : -1)),
    outputs: [10],
    intermediates: [],
    optionsType: 'SVDFOptions',
    options: { ...options, asymmetricQuantizeInputs: false },
    customOptions: null,
  };
  const found = lookupKernel(
    'SVDF',
    3,
    ins.map((t) => t?.dtype ?? null),
    [out.dtype],
  );
  if (!found.ok) throw new Error(found.reason);
  const ctx: NodeContext = { config: DEFAULT_KERNEL_CONFIG, index: 0, op, inputs: ins, outputs: [out], intermediates: [] };
  const params = found.registration.kernel.prepare(ctx);
  out.data = allocTyped(out.dtype, numElements(out.shape));
  return {
    out,
    state: ins[4] as RuntimeTensor,
    run(x: ArrayLike<number>): number[] {
      ((ins[0] as RuntimeTensor).data as unknown as { set(a: ArrayLike<number>): void }).set(x);
      found.registration.kernel.eval(ctx, params);
      return Array.from(out.data as ArrayLike<number>);
    },
  };
}

describe('SVDF float32', () => {
  // 1 batch, 2 inputs, 2 filters (rank 1 -> 2 units), memory 2; each filter's state is
  // [oldest, newest] and the whole state shifts left by one element per invoke.
  const make = (activation: number) =>
    svdfNode(
      [
        { dtype: 'float32', shape: [1, 2], kind: 'input' },
        { dtype: 'float32', shape: [2, 2], data: [1, 2, 0.5, -1] },
        { dtype: 'float32', shape: [2, 2], data: [1, 10, 2, -1] },
        { dtype: 'float32', shape: [2], data: [0.25, -0.5] },
        { dtype: 'float32', shape: [1, 4], kind: 'variable' },
      ],
      { dtype: 'float32', shape: [] },
      { rank: 1, fusedActivationFunction: activation },
    );

  test('feature matmul, time filter and the state shift over two invokes', () => {
    const node = make(0);
    expect(node.out.shape).toEqual([1, 2]);
    // Features [3, -0.5] -> state [0, 3, 0, -0.5]; time: 10*3 = 30, -1*-0.5 = 0.5; + bias.
    expect(node.run([1, 1])).toEqual([30.25, 0]);
    expect(Array.from(node.state.data as Float32Array)).toEqual([0, 3, 0, -0.5]);
    // Shift -> [3, 0, -0.5, -0.5]; features [0, 2] -> [3, 0, -0.5, 2]; time: 3, -1 - 2 = -3.
    expect(node.run([2, -1])).toEqual([3.25, -3.5]);
    expect(Array.from(node.state.data as Float32Array)).toEqual([3, 0, -0.5, 2]);
  });

  test('fused RELU and TANH', () => {
    const relu = make(1);
    relu.run([1, 1]);
    expect(relu.run([2, -1])).toEqual([3.25, 0]);
    const tanh = make(4);
    const [a, b] = tanh.run([1, 1]);
    expect(a).toBeCloseTo(Math.tanh(30.25), 6);
    expect(b).toBe(0);
  });

  test('rank 2 sums filter pairs; batches keep separate states', () => {
    const r = mulberry32(5);
    const [B, nIn, units, rank, mem] = [2, 3, 2, 2, 3];
    const F = units * rank;
    const wf = ints(r, F * nIn, -5, 5);
    const wt = ints(r, F * mem, -5, 5);
    const bias = ints(r, units, -5, 5);
    const node = svdfNode(
      [
        { dtype: 'float32', shape: [B, nIn], kind: 'input' },
        { dtype: 'float32', shape: [F, nIn], data: wf },
        { dtype: 'float32', shape: [F, mem], data: wt },
        { dtype: 'float32', shape: [units], data: bias },
        { dtype: 'float32', shape: [B, F * mem], kind: 'variable' },
      ],
      { dtype: 'float32', shape: [] },
      { rank, fusedActivationFunction: 0 },
    );
    // Naive reference: a per-(batch, filter) history of feature values.
    const history = Array.from({ length: B * F }, () => new Array<number>(mem).fill(0));
    for (let step = 0; step < 5; step++) {
      const x = ints(r, B * nIn, -3, 3);
      const expected: number[] = [];
      for (let b = 0; b < B; b++) {
        for (let f = 0; f < F; f++) {
          let v = 0;
          for (let c = 0; c < nIn; c++) v += (wf[f * nIn + c] as number) * (x[b * nIn + c] as number);
          const h = history[b * F + f] as number[];
          h.shift();
          h.push(v);
        }
        for (let u = 0; u < units; u++) {
          let acc = bias[u] as number;
          for (let k = 0; k < rank; k++) {
            const f = u * rank + k;
            const h = history[b * F + f] as number[];
            for (let m = 0; m < mem; m++) acc += (wt[f * mem + m] as number) * (h[m] as number);
          }
          expected.push(acc);
        }
      }
      expect(node.run(x)).toEqual(expected);
    }
  });

  test('rejects a state that is not a variable tensor and mismatched shapes', () => {
    const base =
      (state: Spec, wt: Spec = { dtype: 'float32', shape: [2, 2], data: [1, 1, 1, 1] }) =>
      () =>
        svdfNode(
          [{ dtype: 'float32', shape: [1, 2], kind: 'input' }, { dtype: 'float32', shape: [2, 2], data: [1, 1, 1, 1] }, wt, null, state],
          { dtype: 'float32', shape: [] },
          { rank: 1, fusedActivationFunction: 0 },
        );
    expect(base({ dtype: 'float32', shape: [1, 4], kind: 'activation' })).toThrow(/must be a variable tensor/);
    expect(base({ dtype: 'float32', shape: [1, 6], kind: 'variable' })).toThrow(/activation state must have shape \[1, 4\]/);
    expect(
      base({ dtype: 'float32', shape: [1, 4], kind: 'variable' }, { dtype: 'float32', shape: [3, 2], data: [1, 1, 1, 1, 1, 1] }),
    ).toThrow(/weights_time .* must have 2 rows/);
  });
});

/** EvalIntegerSVDF with BigInt arithmetic, from the TFLite reference (int32 wrapping sums). */
function svdfInt8Reference(
  c: { B: number; nIn: number; units: number; rank: number; mem: number; inZp: number; outZp: number },
  m: { s1: ReturnType<typeof quantizeMultiplier>; s2: ReturnType<typeof quantizeMultiplier> },
  w: { wf: number[]; wt: number[]; bias: number[] | null },
  state: bigint[],
  x: number[],
): number[] {
  const F = c.units * c.rank;
  state.splice(0, 1);
  state.push(state[state.length - 1] as bigint);
  for (let b = 0; b < c.B; b++) {
    for (let f = 0; f < F; f++) {
      let dot = 0n;
      for (let i = 0; i < c.nIn; i++) dot += BigInt(w.wf[f * c.nIn + i] as number) * BigInt((x[b * c.nIn + i] as number) - c.inZp);
      let v = mbqmRef(BigInt.asIntN(32, dot), BigInt(m.s1.multiplier), m.s1.shift);
      v = v < -32768n ? -32768n : v > 32767n ? 32767n : v;
      state[(b * F + f) * c.mem + c.mem - 1] = v;
    }
  }
  const out: number[] = [];
  for (let b = 0; b < c.B; b++) {
    for (let u = 0; u < c.units; u++) {
      let acc = 0n;
      for (let k = 0; k < c.rank; k++) {
        const f = u * c.rank + k;
        let dot = 0n;
        for (let i = 0; i < c.mem; i++) dot += BigInt(w.wt[f * c.mem + i] as number) * (state[(b * F + f) * c.mem + i] as bigint);
        acc = BigInt.asIntN(32, acc + BigInt.asIntN(32, dot));
      }
      if (w.bias) acc = BigInt.asIntN(32, acc + BigInt(w.bias[u] as number));
      const v = Number(mbqmRef(acc, BigInt(m.s2.multiplier), m.s2.shift)) + c.outZp;
      out.push(Math.min(127, Math.max(-128, v)));
    }
  }
  return out;
}

describe('SVDF int8 (int16 state)', () => {
  function intNode(
    c: { B: number; nIn: number; units: number; rank: number; mem: number; inZp: number; outZp: number },
    s: { input: number; wf: number; wt: number; bias: number; state: number; output: number },
    w: { wf: number[]; wt: number[]; bias: number[] | null },
    activation = 1,
  ) {
    const F = c.units * c.rank;
    return svdfNode(
      [
        { dtype: 'int8', shape: [c.B, c.nIn], scale: s.input, zeroPoint: c.inZp, kind: 'input' },
        { dtype: 'int8', shape: [F, c.nIn], data: w.wf, scale: s.wf },
        { dtype: 'int16', shape: [F, c.mem], data: w.wt, scale: s.wt },
        w.bias ? { dtype: 'int32', shape: [c.units], data: w.bias, scale: s.bias } : null,
        { dtype: 'int16', shape: [c.B, F * c.mem], scale: s.state, kind: 'variable' },
      ],
      { dtype: 'int8', shape: [], scale: s.output, zeroPoint: c.outZp },
      { rank: c.rank, fusedActivationFunction: activation },
    );
  }

  test('hand-computed: zero points, bias, and the rescale rounding ties upward', () => {
    // Scales 1 * 1 / 1: the feature multiplier is exactly 1. state 1 * weights_time 0.5 / out 1:
    // the output multiplier 0.5 is SaturatingRoundingDoublingHighMul by 2^30, i.e. floor((x + 1) / 2).
    const c = { B: 1, nIn: 1, units: 2, rank: 1, mem: 1, inZp: 2, outZp: -1 };
    const node = intNode(c, { input: 1, wf: 1, wt: 0.5, bias: 0.5, state: 1, output: 1 }, { wf: [1, -2], wt: [1, 1], bias: [10, -1] });
    // x - zp = 3: features 3, -6; acc 3 + 10 = 13 -> 7 (6.5 up), -6 - 1 = -7 -> -3 (-3.5 up); + zp.
    expect(node.run([5])).toEqual([6, -4]);
    expect(Array.from(node.state.data as Int16Array)).toEqual([3, -6]);
    // x - zp = 125: 135 -> 68, -251 -> -125; + zp.
    expect(node.run([127])).toEqual([67, -126]);
  });

  test('matches outputs recorded from TFLite over four invokes', () => {
    // Same generator and order as the recording script.
    const r = mulberry32(1);
    const c = { B: 2, nIn: 5, units: 3, rank: 2, mem: 3, inZp: -5, outZp: -128 };
    const F = c.units * c.rank;
    const w = { wf: ints(r, F * c.nIn, -127, 127), wt: ints(r, F * c.mem, -32767, 32767), bias: ints(r, c.units, -20000, 20000) };
    const node = intNode(c, { input: 0.05, wf: 0.009, wt: 0.0000371, bias: 0.000016, state: 0.0044, output: 0.05 }, w);
    const golden = [
      [-128, -89, -128, 37, 63, -128],
      [-128, -128, -128, -128, 32, -128],
      [-128, -88, -128, -23, -32, -126],
      [113, -128, -128, -128, -48, 39],
    ];
    for (const expected of golden) expect(node.run(ints(r, c.B * c.nIn, -128, 127))).toEqual(expected);
  });

  test.each([
    { B: 1, nIn: 7, units: 4, rank: 1, mem: 5, inZp: 0, outZp: -128, bias: true },
    { B: 3, nIn: 4, units: 2, rank: 3, mem: 2, inZp: -128, outZp: 5, bias: false },
    { B: 2, nIn: 6, units: 3, rank: 2, mem: 1, inZp: 127, outZp: 0, bias: true },
  ])('bit-exact against a BigInt reference: %o', ({ bias, ...c }) => {
    const r = mulberry32(c.B * 100 + c.nIn);
    const F = c.units * c.rank;
    const w = {
      wf: ints(r, F * c.nIn, -128, 127),
      wt: ints(r, F * c.mem, -32768, 32767),
      bias: bias ? ints(r, c.units, -50000, 50000) : null,
    };
    // Scales chosen so the int16 state saturates sometimes and the output spans its range.
    const s = { input: 0.1, wf: 0.02, wt: 0.00003, bias: 0.00002, state: 0.0005, output: 0.1 };
    const f32 = Math.fround;
    const m = {
      s1: quantizeMultiplier(f32(f32(f32(s.input) * f32(s.wf)) / f32(s.state))),
      s2: quantizeMultiplier(f32(f32(f32(s.state) * f32(s.wt)) / f32(s.output))),
    };
    const node = intNode(c, s, w);
    const state = new Array<bigint>(c.B * F * c.mem).fill(0n);
    let saturated = 0;
    for (let step = 0; step < 6; step++) {
      const x = ints(r, c.B * c.nIn, -128, 127);
      const expected = svdfInt8Reference(c, m, w, state, x);
      expect(node.run(x)).toEqual(expected);
      expect(Array.from(node.state.data as Int16Array).map(BigInt)).toEqual(state);
      saturated += state.filter((v) => v === 32767n || v === -32768n).length;
    }
    expect(saturated).toBeGreaterThan(0);
  });

  test('only the RELU activation is accepted, as in TFLite', () => {
    const c = { B: 1, nIn: 2, units: 1, rank: 1, mem: 2, inZp: 0, outZp: 0 };
    const s = { input: 0.1, wf: 0.1, wt: 0.1, bias: 0.01, state: 0.1, output: 0.1 };
    expect(() => intNode(c, s, { wf: [1, 1], wt: [1, 1], bias: [0] }, 0)).toThrow(/supports only the RELU activation/);
  });
});

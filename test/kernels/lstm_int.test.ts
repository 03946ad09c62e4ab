// UNIDIRECTIONAL_SEQUENCE_LSTM, full integer (8x8->16): bit-exact against outputs recorded from
// TFLite (tfjs-tflite) for plain, CIFG + peephole, projection and layer-norm / time-major LSTMs,
// plus structural checks (state carried across invokes, batches independent, time-major layout)
// and the errors of a malformed node.
import { describe, expect, test } from 'vitest';
import { DEFAULT_KERNEL_CONFIG, type NodeContext, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import { allocTyped, type DType, numElements } from '../../src/model/dtype.js';
import type { Operator } from '../../src/model/types.js';
import { ints, mulberry32 } from '../support/quant_ref.js';

interface Config {
  B: number;
  T: number;
  nIn: number;
  nCell: number;
  nOut: number;
  cifg?: boolean;
  peephole?: boolean;
  proj?: boolean;
  ln?: boolean;
  timeMajor?: boolean;
  cellClip?: number;
  projClip?: number;
  inZp: number;
  stateZp: number;
  hiddenZp: number;
  /** log2 of the cell state scale. */
  cs: number;
}

type GateName = 'input' | 'forget' | 'cell' | 'output';
interface GateData {
  iw: number[];
  rw: number[];
  bias: number[];
  peep: number[] | null;
  ln: number[] | null;
}

/** Weights in the recording script's generation order. */
function lstmData(c: Config, seed: number) {
  const r = mulberry32(seed);
  const gates: Partial<Record<GateName, GateData>> = {};
  const names: GateName[] = c.cifg ? ['forget', 'cell', 'output'] : ['input', 'forget', 'cell', 'output'];
  for (const name of names) {
    gates[name] = {
      iw: ints(r, c.nCell * c.nIn, -127, 127),
      rw: ints(r, c.nCell * c.nOut, -127, 127),
      bias: ints(r, c.nCell, -3000, 3000),
      peep: c.peephole && name !== 'cell' ? ints(r, c.nCell, -20000, 20000) : null,
      ln: c.ln ? ints(r, c.nCell, 1000, 30000) : null,
    };
  }
  const proj = c.proj ? { w: ints(r, c.nOut * c.nCell, -127, 127), b: ints(r, c.nOut, -500, 500) } : null;
  const inputs = [0, 1].map(() => ints(r, c.B * c.T * c.nIn, -128, 127));
  return { gates, proj, inputs };
}

const WEIGHT_SCALES: Record<GateName, [number, number]> = {
  input: [0.011, 0.007],
  forget: [0.009, 0.0065],
  cell: [0.012, 0.01],
  output: [0.008, 0.0055],
};
const GATE_INDEX: Record<GateName, number> = { input: 0, forget: 1, cell: 2, output: 3 };
const PEEPHOLE_INDEX: Partial<Record<GateName, number>> = { input: 9, forget: 10, output: 11 };

function tensor(
  index: number,
  dtype: DType,
  shape: number[],
  data: ArrayLike<number> | null,
  q: [number, number] | null,
  kind: RuntimeTensor['kind'],
): RuntimeTensor {
  const t = allocTyped(dtype, numElements(shape));
  if (data) (t as unknown as { set(a: ArrayLike<number>): void }).set(data);
  return {
    index,
    name: `t${index}`,
    dtype,
    shape,
    quantization: q ? { scale: [q[0]], zeroPoint: [q[1]], quantizedDimension: 0 } : null,
    kind,
    data: t,
  };
}

/** A prepared LSTM node; output_state starts at its zero point, as TFLite resets int8 variables. */
function lstmNode(
  c: Config,
  d: ReturnType<typeof lstmData>,
  tweak: { intermediates?: number; cellScale?: number; stateKind?: RuntimeTensor['kind'] } = {},
) {
  const ins: (RuntimeTensor | null)[] = new Array(24).fill(null);
  let next = 0;
  const add = (
    dtype: DType,
    shape: number[],
    data: ArrayLike<number> | null,
    q: [number, number] | null,
    kind: RuntimeTensor['kind'] = 'constant',
  ) => tensor(next++, dtype, shape, data, q, kind);
  ins[0] = add('int8', c.timeMajor ? [c.T, c.B, c.nIn] : [c.B, c.T, c.nIn], null, [0.02, c.inZp], 'input');
  for (const [name, g] of Object.entries(d.gates) as [GateName, GateData][]) {
    const k = GATE_INDEX[name];
    ins[1 + k] = add('int8', [c.nCell, c.nIn], g.iw, [WEIGHT_SCALES[name][0], 0]);
    ins[5 + k] = add('int8', [c.nCell, c.nOut], g.rw, [WEIGHT_SCALES[name][1], 0]);
    if (g.peep) ins[PEEPHOLE_INDEX[name] as number] = add('int16', [c.nCell], g.peep, [0.00005, 0]);
    ins[12 + k] = add('int32', [c.nCell], g.bias, [0.0002, 0]);
    if (g.ln) ins[20 + k] = add('int16', [c.nCell], g.ln, [0.0001, 0]);
  }
  if (d.proj) {
    ins[16] = add('int8', [c.nOut, c.nCell], d.proj.w, [0.013, 0]);
    ins[17] = add('int32', [c.nOut], d.proj.b, [0.0001, 0]);
  }
  const outputState = add('int8', [c.B, c.nOut], null, [0.0078, c.stateZp], tweak.stateKind ?? 'variable');
  (outputState.data as Int8Array).fill(c.stateZp);
  ins[18] = outputState;
  ins[19] = add('int16', [c.B, c.nCell], null, [tweak.cellScale ?? 2 ** c.cs, 0], 'variable');
  const out = add('int8', [], null, [0.0078, c.stateZp], 'activation');
  const intermediates = [0, 1, 2, 3].map((i) =>
    c.ln ? add('int16', [0], null, [0.0007 + i * 0.0001, 0], 'activation') : add('float32', [0], null, null, 'activation'),
  );
  intermediates.push(add('int8', [0], null, [0.0071, c.hiddenZp], 'activation'));
  const op: Operator = {
    index: 0,
    op: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    builtinCode: 44,
    customCode: null,
    version: 1,
    inputs: ins.map((t) => (t ? t.index : -1)),
    outputs: [out.index],
    intermediates: intermediates.map((t) => t.index),
    optionsType: 'UnidirectionalSequenceLSTMOptions',
    options: {
      fusedActivationFunction: 4,
      cellClip: c.cellClip ?? 0,
      projClip: c.projClip ?? 0,
      timeMajor: c.timeMajor ?? false,
      asymmetricQuantizeInputs: false,
      diagonalRecurrentTensors: false,
    },
    customOptions: null,
  };
  const found = lookupKernel(
    op.op,
    1,
    ins.map((t) => t?.dtype ?? null),
    ['int8'],
  );
  if (!found.ok) throw new Error(found.reason);
  const ctx: NodeContext = {
    config: DEFAULT_KERNEL_CONFIG,
    index: 0,
    op,
    inputs: ins,
    outputs: [out],
    intermediates: intermediates.slice(0, tweak.intermediates ?? 5),
  };
  const params = found.registration.kernel.prepare(ctx);
  out.data = allocTyped('int8', numElements(out.shape));
  return {
    out,
    outputState,
    cellState: ins[19] as RuntimeTensor,
    run(x: ArrayLike<number>): number[] {
      ((ins[0] as RuntimeTensor).data as Int8Array).set(x);
      found.registration.kernel.eval(ctx, params);
      return Array.from(out.data as Int8Array);
    },
  };
}

const CONFIGS: Record<string, Config> = {
  plain: { B: 1, T: 3, nIn: 4, nCell: 4, nOut: 4, inZp: 3, stateZp: 2, hiddenZp: 2, cellClip: 0.5, cs: -11 },
  cifgPeephole: { B: 1, T: 3, nIn: 4, nCell: 4, nOut: 4, cifg: true, peephole: true, inZp: -7, stateZp: 0, hiddenZp: 0, cs: -12 },
  projection: { B: 2, T: 3, nIn: 4, nCell: 4, nOut: 3, proj: true, projClip: 0.3, inZp: 1, stateZp: -3, hiddenZp: 5, cs: -11 },
  layerNormTimeMajor: { B: 2, T: 3, nIn: 4, nCell: 4, nOut: 4, ln: true, timeMajor: true, inZp: 0, stateZp: 1, hiddenZp: -1, cs: -10 },
};

// Recorded from tfjs-tflite (TFLite's builtin kernel) on one-op models with the same data, two
// invokes on one interpreter. Note `plain` and `layerNormTimeMajor` have a nonzero hidden zero
// point, where that TFLite build subtracts it (see SUBTRACT_HIDDEN_ZERO_POINT in lstm_int.ts).
const GOLDEN: Record<string, number[][]> = {
  plain: [
    [7, -28, 5, 12, 24, -28, 37, 19, 11, -56, -35, 2],
    [-51, -66, -59, -10, -39, -58, -50, -3, 52, -1, -56, -7],
  ],
  cifgPeephole: [
    [-10, 27, -45, 12, 39, 8, -60, 76, 57, 9, -73, 85],
    [64, 88, -21, 23, 46, 33, 17, 42, 57, 44, -32, 49],
  ],
  projection: [
    [17, 19, 9, -20, -19, -22, -38, -38, -38, 9, -16, 13, 38, -19, 38, 38, -5, 38],
    [-38, -38, -38, 38, -2, 38, 38, 7, 38, 38, -2, 38, 3, -38, 8, 1, -30, 25],
  ],
  layerNormTimeMajor: [
    [48, -18, 10, -1, -10, -2, 47, 91, 67, 25, -10, 0, -12, 74, -3, 89, 54, 59, -10, 0, -58, -1, 61, 3],
    [23, 28, -1, -86, 23, 8, -1, 112, 78, 37, -17, -2, 57, -6, 0, -29, 16, 65, 8, 0, 59, -1, 10, 64],
  ],
};

describe('UNIDIRECTIONAL_SEQUENCE_LSTM int8', () => {
  test.each(Object.keys(CONFIGS))('%s matches TFLite bit for bit over two invokes', (key) => {
    const c = CONFIGS[key] as Config;
    const d = lstmData(c, key.length * 7 + 3);
    const node = lstmNode(c, d);
    expect(node.out.shape).toEqual(c.timeMajor ? [c.T, c.B, c.nOut] : [c.B, c.T, c.nOut]);
    const golden = GOLDEN[key] as number[][];
    expect(node.run(d.inputs[0] as number[])).toEqual(golden[0]);
    expect(node.run(d.inputs[1] as number[])).toEqual(golden[1]);
  });

  test('a sequence in one invoke equals its steps in separate invokes (state persists)', () => {
    const c = { ...(CONFIGS.cifgPeephole as Config), T: 6 };
    const d = lstmData(c, 11);
    const whole = lstmNode(c, d).run(d.inputs[0] as number[]);
    const one = { ...c, T: 1 };
    const stepwise = lstmNode(one, d);
    const x = d.inputs[0] as number[];
    const steps: number[] = [];
    for (let t = 0; t < c.T; t++) steps.push(...stepwise.run(x.slice(t * c.nIn, (t + 1) * c.nIn)));
    expect(steps).toEqual(whole);
  });

  test('batches are independent, and time-major is the transposed layout', () => {
    const c: Config = { ...(CONFIGS.projection as Config), B: 2, T: 4 };
    const d = lstmData(c, 23);
    const x = d.inputs[0] as number[];
    const both = lstmNode(c, d).run(x);
    const per = { T: c.T, n: c.nIn, o: c.nOut };
    for (let b = 0; b < 2; b++) {
      const single = lstmNode({ ...c, B: 1 }, d).run(x.slice(b * per.T * per.n, (b + 1) * per.T * per.n));
      expect(both.slice(b * per.T * per.o, (b + 1) * per.T * per.o)).toEqual(single);
    }
    // [B, T, n] -> [T, B, n]
    const xt: number[] = [];
    for (let t = 0; t < c.T; t++) for (let b = 0; b < c.B; b++) xt.push(...x.slice((b * c.T + t) * c.nIn, (b * c.T + t + 1) * c.nIn));
    const tm = lstmNode({ ...c, timeMajor: true }, d).run(xt);
    for (let t = 0; t < c.T; t++) {
      for (let b = 0; b < c.B; b++) {
        expect(tm.slice((t * c.B + b) * c.nOut, (t * c.B + b + 1) * c.nOut)).toEqual(
          both.slice((b * c.T + t) * c.nOut, (b * c.T + t + 1) * c.nOut),
        );
      }
    }
  });

  test('the cell clip bounds the int16 cell state', () => {
    const c: Config = { ...(CONFIGS.plain as Config), cellClip: 0.25 }; // 0.25 / 2^-11 = 512
    const d = lstmData(c, 31);
    const node = lstmNode(c, d);
    let clipped = 0;
    for (let i = 0; i < 4; i++) {
      node.run(ints(mulberry32(i), c.B * c.T * c.nIn, -128, 127));
      for (const v of node.cellState.data as Int16Array) {
        expect(Math.abs(v)).toBeLessThanOrEqual(512);
        if (Math.abs(v) === 512) clipped++;
      }
    }
    expect(clipped).toBeGreaterThan(0);
  });

  test('rejects malformed nodes', () => {
    const c = CONFIGS.plain as Config;
    const d = lstmData(c, 3);
    expect(() => lstmNode(c, d, { intermediates: 4 })).toThrow(/needs 5 intermediate tensors/);
    expect(() => lstmNode(c, d, { cellScale: 0.0003 })).toThrow(/must be a power of two/);
    expect(() => lstmNode(c, d, { stateKind: 'activation' })).toThrow(/must be variable tensors/);
  });
});

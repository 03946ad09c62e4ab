// Hybrid (dynamic-range) CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on the GPU: float32
// activations, constant int8 weights. The GPU must take the node and give the CPU hybrid kernel's
// outputs to the bit (compared as f32 bit patterns, so -0 and +0 differ), with dot4I8Packed and
// with the plain integer path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { Padding } from '../../src/kernels/util.js';
import { type OpCase, runOp } from '../support/run_op.js';
import { intCaseGraph } from './int_support.js';
import { randomValues, runDelegated, testDelegate } from './support.js';

const delegates: Record<string, WebGpuDelegate | null> = {};
beforeAll(async () => {
  delegates.dot4 = await testDelegate();
  delegates.plain = await testDelegate({ integerDotProduct: false });
});
afterAll(() => {
  delegates.dot4?.dispose();
  delegates.plain?.dispose();
});

const count = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** Deterministic int8 weights in [-127, 127]. */
function int8Weights(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i + 1) * 2654435761 + seed * 40503) >>> 0) % 255).map((v) => v - 127);
}

/** Per-channel scales (differing) or one per-tensor scale. */
function weightQuant(channels: number, perChannel: boolean, axis: number) {
  const scale = perChannel ? Array.from({ length: channels }, (_, c) => Math.fround(0.003 + 0.0007 * c)) : [Math.fround(0.0123)];
  return { scale, zeroPoint: scale.map(() => 0), quantizedDimension: axis };
}

/** '' when every f32 output has the CPU's bits, else how many differ and the largest ulp distance. */
function f32BitDifference(got: Float32Array, want: Float32Array): string {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  const g = new Int32Array(got.buffer, got.byteOffset, got.length);
  const w = new Int32Array(want.buffer, want.byteOffset, want.length);
  let differ = 0;
  let maxUlp = 0;
  let first = -1;
  for (let i = 0; i < g.length; i++) {
    if (g[i] === w[i]) continue;
    differ++;
    if (first < 0) first = i;
    maxUlp = Math.max(maxUlp, Math.abs((g[i] as number) - (w[i] as number)));
  }
  return differ === 0
    ? ''
    : `${differ} of ${g.length} differ (max ${maxUlp} ulp); first at ${first}: GPU ${got[first]}, CPU ${want[first]}`;
}

async function expectExact(c: OpCase, delegate: WebGpuDelegate): Promise<void> {
  const cpu = runOp(c);
  const { graph, outputs } = intCaseGraph(
    c,
    cpu.map((o) => o.shape),
  );
  const { kernel } = await runDelegated(delegate, graph);
  kernel.dispose();
  outputs.forEach((o: RuntimeTensor, i) => {
    expect(f32BitDifference(o.data as Float32Array, cpu[i]?.data as Float32Array), `output ${i}`).toBe('');
  });
}

type Pattern = 'random' | 'ties' | 'symties' | 'halfzero' | 'negative' | 'zeros';

/** Range [-128, 127]: asymmetric scale 1, zero point 0, so x * inv lands on halves (std::round's ties). */
const TIES = [-128, 127, 2.5, -2.5, 0.5, -0.5, 4.5, -1.5, 3.5, -3.5, 0, 1];
/** Max |x| 127: symmetric 1 / scale is 1, x * inv on halves. */
const SYMMETRIC_TIES = [-127, 127, 2.5, -2.5, 0.5, -0.5, 4.5, -1.5, 3.5, -3.5, 0, 1];

/**
 * A batch input: random values, or an edge pattern: halves that round half away from zero, the
 * range [-1, 1] whose zero point is exactly -0.5 in double, all-negative, all-zero.
 */
function inputValues(shape: readonly number[], seed: number, pattern: Pattern): Float32Array {
  const n = count(shape);
  if (pattern === 'zeros') return new Float32Array(n);
  if (pattern === 'ties') return Float32Array.from({ length: n }, (_, i) => TIES[(i * 5) % TIES.length] as number);
  if (pattern === 'symties') return Float32Array.from({ length: n }, (_, i) => SYMMETRIC_TIES[(i * 5) % SYMMETRIC_TIES.length] as number);
  if (pattern === 'halfzero') return Float32Array.from({ length: n }, (_, i) => ((i * 7) % 5) / 2 - 1);
  const v = randomValues(n, seed, -2, 3);
  if (pattern === 'negative') return v.map((x) => -Math.abs(x) - 0.25);
  return v;
}

interface ConvCase {
  name: string;
  input: number[];
  filter: number[]; // OHWI
  perChannel: boolean;
  bias?: boolean;
  padding?: number;
  stride?: number;
  dilation?: number;
  act?: number;
  pattern?: Pattern;
}

const CONV_CASES: ConvCase[] = [
  { name: '3x3 SAME per-tensor (symmetric), bias, RELU', input: [2, 5, 6, 5], filter: [6, 3, 3, 5], perChannel: false, bias: true, act: 1 },
  {
    name: '3x3 stride 2 VALID per-channel (asymmetric)',
    input: [1, 7, 7, 6],
    filter: [5, 3, 3, 6],
    perChannel: true,
    padding: Padding.VALID,
    stride: 2,
  },
  { name: 'dilated 3x3 per-channel, bias', input: [1, 8, 7, 3], filter: [4, 3, 3, 3], perChannel: true, bias: true, dilation: 2 },
  { name: 'grouped (2 groups) per-channel', input: [1, 5, 5, 8], filter: [6, 3, 3, 4], perChannel: true, bias: true },
  { name: '1x1 per-channel, RELU6', input: [2, 4, 4, 12], filter: [8, 1, 1, 12], perChannel: true, bias: true, act: 3 },
  { name: '1x1 per-tensor, ties', input: [1, 3, 3, 8], filter: [4, 1, 1, 8], perChannel: false, pattern: 'symties' },
  { name: '3x3 per-channel, ties', input: [1, 4, 4, 4], filter: [4, 3, 3, 4], perChannel: true, pattern: 'ties' },
  { name: '3x3 per-channel, zero point -0.5 in double', input: [1, 4, 4, 4], filter: [4, 3, 3, 4], perChannel: true, pattern: 'halfzero' },
  { name: 'per-channel, all-negative input', input: [1, 4, 4, 3], filter: [4, 3, 3, 3], perChannel: true, bias: true, pattern: 'negative' },
  { name: 'per-channel, all-zero input', input: [1, 3, 3, 4], filter: [4, 3, 3, 4], perChannel: true, bias: true, pattern: 'zeros' },
  { name: 'per-tensor, all-zero input', input: [1, 3, 3, 4], filter: [4, 3, 3, 4], perChannel: false, pattern: 'zeros' },
];

function convCase(c: ConvCase, seed: number): OpCase {
  const outC = c.filter[0] as number;
  return {
    op: 'CONV_2D',
    options: {
      padding: c.padding ?? Padding.SAME,
      strideH: c.stride ?? 1,
      strideW: c.stride ?? 1,
      dilationHFactor: c.dilation ?? 1,
      dilationWFactor: c.dilation ?? 1,
      fusedActivationFunction: c.act ?? 0,
    },
    inputs: [
      { dtype: 'float32', shape: c.input, data: inputValues(c.input, seed, c.pattern ?? 'random') },
      {
        dtype: 'int8',
        shape: c.filter,
        data: int8Weights(count(c.filter), seed),
        constant: true,
        quantization: weightQuant(outC, c.perChannel, 0),
      },
      c.bias ? { dtype: 'float32', shape: [outC], data: randomValues(outC, seed + 1), constant: true } : null,
    ],
    outputs: [{ dtype: 'float32' }],
  };
}

interface DepthwiseCase {
  name: string;
  input: number[];
  filter: number[]; // [1, H, W, C * multiplier]
  multiplier: number;
  bias?: boolean;
  padding?: number;
  stride?: number;
  act?: number;
  pattern?: Pattern;
}

const DEPTHWISE_CASES: DepthwiseCase[] = [
  { name: '3x3 SAME, bias, RELU6', input: [2, 6, 5, 8], filter: [1, 3, 3, 8], multiplier: 1, bias: true, act: 3 },
  { name: '3x3 stride 2, odd channels', input: [1, 7, 7, 5], filter: [1, 3, 3, 5], multiplier: 1, stride: 2 },
  { name: 'multiplier 2', input: [1, 5, 5, 3], filter: [1, 3, 3, 6], multiplier: 2, bias: true },
  { name: 'ties', input: [1, 4, 4, 4], filter: [1, 3, 3, 4], multiplier: 1, pattern: 'ties' },
  { name: 'zero point -0.5 in double', input: [1, 4, 4, 4], filter: [1, 3, 3, 4], multiplier: 1, pattern: 'halfzero' },
  { name: 'all-zero input, bias', input: [1, 3, 3, 4], filter: [1, 3, 3, 4], multiplier: 1, bias: true, pattern: 'zeros' },
];

function depthwiseCase(c: DepthwiseCase, seed: number): OpCase {
  const outC = c.filter[3] as number;
  return {
    op: 'DEPTHWISE_CONV_2D',
    options: {
      padding: c.padding ?? Padding.SAME,
      strideH: c.stride ?? 1,
      strideW: c.stride ?? 1,
      depthMultiplier: c.multiplier,
      fusedActivationFunction: c.act ?? 0,
    },
    inputs: [
      { dtype: 'float32', shape: c.input, data: inputValues(c.input, seed, c.pattern ?? 'random') },
      {
        dtype: 'int8',
        shape: c.filter,
        data: int8Weights(count(c.filter), seed),
        constant: true,
        quantization: weightQuant(outC, true, 3),
      },
      c.bias ? { dtype: 'float32', shape: [outC], data: randomValues(outC, seed + 1), constant: true } : null,
    ],
    outputs: [{ dtype: 'float32' }],
  };
}

interface FcCase {
  name: string;
  input: number[];
  units: number;
  perChannel: boolean;
  asymmetric: boolean;
  bias?: boolean;
  act?: number;
  /** Rows of very different magnitudes (the scale / zero point arithmetic over many ranges). */
  ranges?: boolean;
}

const FC_CASES: FcCase[] = [
  { name: 'symmetric per-tensor, bias', input: [3, 20], units: 7, perChannel: false, asymmetric: false, bias: true },
  { name: 'asymmetric per-channel, RELU_N1_TO_1', input: [2, 16], units: 8, perChannel: true, asymmetric: true, act: 2 },
  { name: 'asymmetric per-tensor', input: [4, 9], units: 5, perChannel: false, asymmetric: true, bias: true },
  { name: 'symmetric per-channel, no bias', input: [1, 33], units: 12, perChannel: true, asymmetric: false },
  { name: 'asymmetric, 64 rows of many ranges', input: [64, 12], units: 4, perChannel: true, asymmetric: true, ranges: true },
  { name: 'symmetric, 64 rows of many ranges', input: [64, 12], units: 4, perChannel: false, asymmetric: false, ranges: true },
];

function fcInput(c: FcCase, seed: number): Float32Array {
  const [rows, k] = c.input as [number, number];
  const v = randomValues(rows * k, seed, -1, 1);
  if (!c.ranges) return v;
  for (let r = 0; r < rows; r++) {
    // Magnitudes 1e-20 .. 1e20, offsets that move the zero point, exact half-step ties, zeros.
    const scale = 10 ** ((r % 41) - 20);
    const shift = ((r * 13) % 7) / 7 - 0.4;
    for (let i = 0; i < k; i++) {
      const j = r * k + i;
      if (r % 9 === 4) v[j] = ((i % 5) - 2) / 2;
      else if (r % 11 === 3) v[j] = (c.asymmetric ? TIES : SYMMETRIC_TIES)[(i + r) % TIES.length] as number;
      else if (r % 17 === 8) v[j] = 0;
      else v[j] = ((v[j] as number) + shift) * scale;
    }
  }
  return v;
}

function fcCase(c: FcCase, seed: number): OpCase {
  const k = c.input[c.input.length - 1] as number;
  return {
    op: 'FULLY_CONNECTED',
    options: { fusedActivationFunction: c.act ?? 0, keepNumDims: false, weightsFormat: 0, asymmetricQuantizeInputs: c.asymmetric },
    inputs: [
      { dtype: 'float32', shape: c.input, data: fcInput(c, seed) },
      {
        dtype: 'int8',
        shape: [c.units, k],
        data: int8Weights(c.units * k, seed),
        constant: true,
        quantization: weightQuant(c.units, c.perChannel, 0),
      },
      c.bias ? { dtype: 'float32', shape: [c.units], data: randomValues(c.units, seed + 1), constant: true } : null,
    ],
    outputs: [{ dtype: 'float32' }],
  };
}

for (const mode of ['dot4', 'plain'] as const) {
  describe(`hybrid ops on the GPU equal the CPU kernel (${mode} integer dot products)`, () => {
    CONV_CASES.forEach((c, i) => {
      it(`CONV_2D ${c.name}`, async (t) => {
        const d = delegates[mode];
        if (!d) return t.skip();
        await expectExact(convCase(c, 11 + i), d);
      });
    });
    DEPTHWISE_CASES.forEach((c, i) => {
      it(`DEPTHWISE_CONV_2D ${c.name}`, async (t) => {
        const d = delegates[mode];
        if (!d) return t.skip();
        await expectExact(depthwiseCase(c, 31 + i), d);
      });
    });
    FC_CASES.forEach((c, i) => {
      it(`FULLY_CONNECTED ${c.name}`, async (t) => {
        const d = delegates[mode];
        if (!d) return t.skip();
        await expectExact(fcCase(c, 51 + i), d);
      });
    });
  });
}

// The f16 precisions: how values are rounded on the device (to nearest even, saturating, with
// subnormals), which tensors are stored in f16 and which stay f32 (the partition's boundary),
// what describe() reports, and every op family running with f16 storage inside a partition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import { encodeSlices, encodeWeights } from '../../delegate/plan/precision.js';
import { floatToHalfSaturating as halfBits, halfToFloat as halfValue } from '../../src/kernels/dequantize.js';
import {
  expectClose,
  FP16_TOL,
  type GpuCase,
  GraphBuilder,
  interiorCaseGraph,
  randomValues,
  runCaseOnCpu,
  runDelegated,
  testDelegate,
} from './support.js';

let half: WebGpuDelegate | null = null;
beforeAll(async () => {
  half = await testDelegate({ precisionLossAllowed: true });
});
afterAll(() => half?.dispose());

/** The label of the f16 precision this adapter gets. */
async function f16Label(d: WebGpuDelegate): Promise<string> {
  return (await d.gpu()).features.has('shader-f16') ? 'fp16' : 'fp16-storage (f32 math)';
}

/** Values that probe rounding: ties both ways, subnormals, the f16 range's edge, and a spread of magnitudes. */
function roundingProbes(): Float32Array {
  const special = [
    1 + 2 ** -11, // tie -> 1 (even)
    1 + 3 * 2 ** -11, // tie -> 1 + 2^-9 (even)
    -(1 + 2 ** -11),
    2049, // tie -> 2048
    2051, // tie -> 2052
    1 + 2 ** -11 + 2 ** -20, // just above a tie -> up
    1 + 2 ** -11 - 2 ** -20, // just below a tie -> down
    2 ** -24, // smallest subnormal
    1.5 * 2 ** -24, // subnormal tie -> 2^-23
    2.5 * 2 ** -24, // subnormal tie -> 2^-23
    3e-8,
    1e-7,
    6e-5,
    2 ** -14 * (1 - 2 ** -12), // just below the smallest normal
    65504,
    65519, // rounds down to the largest half
    65520, // would round to infinity: saturates
    1e6,
    -1e6,
    0,
  ];
  const spread = randomValues(1004, 3).map((u, i) => u * 2 ** ((i % 40) - 28));
  return Float32Array.from([...special, ...spread]);
}

describe('f16 rounding', () => {
  it('encodes constants on the CPU to nearest even, and keeps fp16-storage weights in f32', () => {
    const v = roundingProbes();
    const h = encodeSlices('fp16-storage', v) as Uint16Array;
    for (let i = 0; i < v.length; i++) expect(h[i]).toBe(halfBits(v[i] as number));
    expect(encodeWeights('fp16-storage', v)).toBe(v);
    expect(encodeWeights('fp32', v)).toBe(v);
    expect(encodeWeights('fp16', v)).toBeInstanceOf(Uint16Array);
  });

  it('stores activations on the device rounded to nearest even, saturated, subnormals kept', async (t) => {
    if (!half) return t.skip();
    // x -> MUL 1 (f32: reads the partition input) -> NEG (f16 storage) -> NEG (f32: writes the output):
    // y = the f16 value of x, stored once in f16 inside the partition.
    const v = roundingProbes();
    const g = new GraphBuilder();
    const x = g.input([v.length], v);
    const a = g.activation([v.length]);
    g.node('MUL', [x, g.constant([1], [1])], [a], { fusedActivationFunction: 0 });
    const b = g.activation([v.length]);
    g.node('NEG', [a], [b]);
    const y = g.activation([v.length]);
    g.node('NEG', [b], [y]);
    g.markOutput(y);
    const { kernel } = await runDelegated(half, g.graph());
    const got = y.data as Float32Array;
    const wrong: string[] = [];
    for (let i = 0; i < v.length; i++) {
      const want = halfValue(halfBits(v[i] as number));
      if (got[i] !== want && wrong.length < 5) wrong.push(`${v[i]} -> ${got[i]} (nearest even: ${want})`);
    }
    expect(wrong).toEqual([]);
    const info = kernel.describe?.() ?? {};
    expect(info.precision).toBe(await f16Label(half));
    expect(info.f32Nodes).toEqual([0, 2]);
    expect(info.tensorStorage).toEqual({ f16: 1, f32: 3 });
    expect(info.conversions).toBe(2);
    kernel.dispose();
  });

  it('keeps partition inputs and outputs in f32: a one-node partition is exact, and says fp32', async (t) => {
    if (!half) return t.skip();
    const v = randomValues(64, 5).map((u) => u * 1000 + 1 / 3); // not representable in f16
    const g = new GraphBuilder();
    const x = g.input([4, 16], v);
    const y = g.activation([4, 16]);
    g.node('NEG', [x], [y]);
    g.markOutput(y);
    const { kernel } = await runDelegated(half, g.graph());
    expect(Array.from(y.data as Float32Array)).toEqual(Array.from(v, (e) => -e));
    const info = kernel.describe?.() ?? {};
    expect(info.precision).toBe('fp32');
    expect(info.requestedPrecision).toBe(await f16Label(half));
    expect(info.f32Nodes).toEqual([0]);
    expect(info.conversions).toBe(0);
    kernel.dispose();
  });
});

const count = (s: number[]) => s.reduce((a, d) => a * d, 1);
const f32 = (shape: number[], seed: number, constant = false) => ({
  dtype: 'float32' as const,
  shape,
  data: randomValues(count(shape), seed),
  constant,
});
const i32 = (shape: number[], data: number[]) => ({ dtype: 'int32' as const, shape, data, constant: true });
const out = [{ dtype: 'float32' as const }];

/** One case per op family, each run with f16 storage inside a partition. */
const interiorCases: (GpuCase & { name: string })[] = [
  {
    name: 'CONV_2D 3x3 stride 2 SAME (direct)',
    op: 'CONV_2D',
    options: { padding: 0, strideH: 2, strideW: 2, dilationHFactor: 1, dilationWFactor: 1, fusedActivationFunction: 0 },
    inputs: [f32([1, 7, 5, 3], 1), f32([5, 3, 3, 3], 2, true), f32([5], 3, true)],
    outputs: out,
    outputShapes: [[1, 4, 3, 5]],
  },
  {
    name: 'CONV_2D 1x1 relu6 (pointwise)',
    op: 'CONV_2D',
    options: { padding: 1, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1, fusedActivationFunction: 3 },
    inputs: [f32([1, 4, 4, 8], 4), f32([6, 1, 1, 8], 5, true), f32([6], 6, true)],
    outputs: out,
    outputShapes: [[1, 4, 4, 6]],
  },
  {
    name: 'DEPTHWISE_CONV_2D 3x3',
    op: 'DEPTHWISE_CONV_2D',
    options: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1, depthMultiplier: 1, fusedActivationFunction: 0 },
    inputs: [f32([1, 6, 5, 8], 7), f32([1, 3, 3, 8], 8, true), f32([8], 9, true)],
    outputs: out,
    outputShapes: [[1, 6, 5, 8]],
  },
  {
    name: 'FULLY_CONNECTED',
    op: 'FULLY_CONNECTED',
    options: { fusedActivationFunction: 0, keepNumDims: false, weightsFormat: 0 },
    inputs: [f32([2, 12], 10), f32([5, 12], 11, true), f32([5], 12, true)],
    outputs: out,
    outputShapes: [[2, 5]],
  },
  {
    name: 'TRANSPOSE_CONV stride 2 SAME',
    op: 'TRANSPOSE_CONV',
    version: 3,
    options: { padding: 0, strideH: 2, strideW: 2 },
    inputs: [i32([4], [1, 8, 6, 5]), f32([5, 3, 3, 3], 13, true), f32([1, 4, 3, 3], 14), f32([5], 15, true)],
    outputs: out,
    outputShapes: [[1, 8, 6, 5]],
  },
  {
    name: 'AVERAGE_POOL_2D 2x2/2',
    op: 'AVERAGE_POOL_2D',
    options: { padding: 1, filterHeight: 2, filterWidth: 2, strideH: 2, strideW: 2, fusedActivationFunction: 0 },
    inputs: [f32([1, 6, 6, 5], 16)],
    outputs: out,
    outputShapes: [[1, 3, 3, 5]],
  },
  {
    name: 'MAX_POOL_2D 3x3/2 SAME',
    op: 'MAX_POOL_2D',
    options: { padding: 0, filterHeight: 3, filterWidth: 3, strideH: 2, strideW: 2, fusedActivationFunction: 0 },
    inputs: [f32([1, 7, 5, 6], 17)],
    outputs: out,
    outputShapes: [[1, 4, 3, 6]],
  },
  {
    name: 'MEAN over H, W',
    op: 'MEAN',
    options: { keepDims: true },
    inputs: [f32([1, 7, 5, 6], 18), i32([2], [1, 2])],
    outputs: out,
    outputShapes: [[1, 1, 1, 6]],
  },
  {
    name: 'SOFTMAX',
    op: 'SOFTMAX',
    options: { beta: 1 },
    inputs: [f32([2, 7], 19)],
    outputs: out,
    outputShapes: [[2, 7]],
  },
  {
    name: 'LOGISTIC',
    op: 'LOGISTIC',
    inputs: [f32([3, 9], 20)],
    outputs: out,
    outputShapes: [[3, 9]],
  },
  {
    name: 'ADD of two activations',
    op: 'ADD',
    options: { fusedActivationFunction: 0 },
    inputs: [f32([1, 3, 4, 6], 21), f32([1, 3, 4, 6], 22)],
    outputs: out,
    outputShapes: [[1, 3, 4, 6]],
  },
  {
    name: 'CONCATENATION of two activations',
    op: 'CONCATENATION',
    options: { axis: 3, fusedActivationFunction: 0 },
    inputs: [f32([1, 3, 4, 3], 23), f32([1, 3, 4, 6], 24)],
    outputs: out,
    outputShapes: [[1, 3, 4, 9]],
  },
  {
    name: 'RESIZE_BILINEAR',
    op: 'RESIZE_BILINEAR',
    version: 3,
    options: { alignCorners: false, halfPixelCenters: true },
    inputs: [f32([1, 3, 4, 3], 25), i32([2], [7, 5])],
    outputs: out,
    outputShapes: [[1, 7, 5, 3]],
  },
  {
    name: 'PAD',
    op: 'PAD',
    inputs: [f32([1, 3, 3, 5], 26), i32([4, 2], [0, 0, 1, 2, 2, 1, 0, 3])],
    outputs: out,
    outputShapes: [[1, 6, 6, 8]],
  },
  {
    name: 'RESHAPE (an alias)',
    op: 'RESHAPE',
    options: { newShape: [1, 16, 8] },
    inputs: [f32([1, 4, 4, 8], 27), i32([3], [1, 16, 8])],
    outputs: out,
    outputShapes: [[1, 16, 8]],
  },
];

describe('ops with f16 storage inside a partition, vs the CPU kernel', () => {
  for (const c of interiorCases) {
    it(c.name, async (t) => {
      if (!half) return t.skip();
      const want = runCaseOnCpu(c);
      if (!want) return t.skip();
      const { graph, outputs, opNode } = interiorCaseGraph(c);
      const { kernel } = await runDelegated(half, graph);
      for (const [i, o] of outputs.entries()) expectClose(o.data as Float32Array, want[i] as Float32Array, FP16_TOL, `${c.op} output ${i}`);
      const info = kernel.describe?.() ?? {};
      // Every node but the op touches the boundary; an alias has no storage of its own.
      expect(info.f32Nodes).not.toContain(opNode);
      if (c.op !== 'RESHAPE') expect((info.tensorStorage as { f16: number }).f16).toBeGreaterThan(0);
      kernel.dispose();
    });
  }
});

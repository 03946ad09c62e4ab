// Whole partitions: several nodes in one kernel (aliases, buffer reuse, constants, outputs read
// mid-partition), repeated invokes, the fp16-storage precision, the delegate's placement
// decisions with their reasons, describe(), and device loss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceLostError, WebGpuDelegate } from '../../delegate/index.js';
import type { DelegateGraph } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import * as ref from './reference.js';
import {
  expectClose,
  FP16_TOL,
  FP32_TOL,
  GraphBuilder,
  gpuAvailable,
  randomValues,
  runDelegated,
  specFor,
  testDelegate,
} from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

/**
 * input [1,9,7,3] -> CONV_2D 3x3/2 SAME relu6 -> [1,5,4,8] -> DEPTHWISE 3x3 -> ADD (residual) ->
 * RESHAPE [1,20,8] (alias) -> MEAN axis 1 -> [1,8] -> FULLY_CONNECTED -> [1,5] -> SOFTMAX.
 * The ADD result is also a graph output, read back from the middle of the partition.
 */
function mobileBlock() {
  const g = new GraphBuilder();
  const wConv = randomValues(8 * 3 * 3 * 3, 71);
  const bConv = randomValues(8, 72);
  const wDw = randomValues(3 * 3 * 8, 73);
  const wFc = randomValues(5 * 8, 74);
  const bFc = randomValues(5, 75);
  const x = g.input([1, 9, 7, 3]);
  const c1 = g.activation([1, 5, 4, 8]);
  g.node('CONV_2D', [x, g.constant([8, 3, 3, 3], wConv), g.constant([8], bConv)], [c1], {
    padding: 0,
    strideH: 2,
    strideW: 2,
    fusedActivationFunction: 3,
  });
  const d1 = g.activation([1, 5, 4, 8]);
  g.node('DEPTHWISE_CONV_2D', [c1, g.constant([1, 3, 3, 8], wDw), null], [d1], { padding: 0, strideH: 1, strideW: 1, depthMultiplier: 1 });
  const sum = g.activation([1, 5, 4, 8]);
  g.node('ADD', [d1, c1], [sum], { fusedActivationFunction: 0 });
  const flat = g.activation([1, 20, 8]);
  g.node('RESHAPE', [sum, g.constant([3], [1, 20, 8], 'int32')], [flat]);
  const pooled = g.activation([1, 8]);
  g.node('MEAN', [flat, g.constant([1], [1], 'int32')], [pooled], { keepDims: false });
  const logits = g.activation([1, 5]);
  g.node('FULLY_CONNECTED', [pooled, g.constant([5, 8], wFc), g.constant([5], bFc)], [logits]);
  const probs = g.activation([1, 5]);
  g.node('SOFTMAX', [logits], [probs], { beta: 1 });
  g.markOutput(probs);
  g.markOutput(sum);

  const expected = (input: Float32Array) => {
    const conv = ref.conv2d(input, [1, 9, 7, 3], wConv, [8, 3, 3, 3], bConv, { strideH: 2, strideW: 2, padding: 0, act: 3 });
    const dw = ref.depthwiseConv2d(conv.data, conv.shape, wDw, [1, 3, 3, 8], null, { strideH: 1, strideW: 1, padding: 0 });
    const s = ref.binary(dw.data, dw.shape, conv.data, conv.shape, (a, b) => a + b);
    const m = ref.reduce(s.data, [1, 20, 8], [1], false, 'mean');
    const fc = ref.fullyConnected(m.data, 1, 8, wFc, 5, bFc);
    return { probs: ref.softmax(fc, 5, 1, false), sum: s.data };
  };
  return { graph: g.graph(), x, probs, sum, expected };
}

describe('a multi-node partition', () => {
  it('runs conv, depthwise, residual add, reshape alias, mean, FC and softmax in one kernel', async (t) => {
    if (!delegate) return t.skip();
    const m = mobileBlock();
    (m.x.data as Float32Array).set(randomValues(189, 76));
    const { kernel } = await runDelegated(delegate, m.graph);
    const want = m.expected(m.x.data as Float32Array);
    expectClose(m.probs.data as Float32Array, want.probs, FP32_TOL, 'softmax output');
    expectClose(m.sum.data as Float32Array, want.sum, FP32_TOL, 'residual sum read mid-partition');
    const info = kernel.describe?.() ?? {};
    expect(info.precision).toBe('fp32');
    expect(info.nodes).toBe(7);
    // The residual ADD runs in the depthwise conv's epilogue (one dispatch for both).
    expect(info.implementations).toEqual({
      conv2d: 1,
      'depthwise_conv2d+add': 1,
      reshape: 1,
      reduce_mean: 1,
      fully_connected: 1,
      softmax: 1,
    });
    // RESHAPE is an alias (no dispatch); the [1,9,7,3] input is converted to slices and the [1,5] output back.
    expect(info.dispatches).toBe(5 + 2);
    expect(info.tensorBuffers as number).toBeLessThan(7);
    kernel.dispose();
  });

  it('serves a graph from another interpreter: nodes without prepared params get the CPU prepare', async (t) => {
    if (!delegate) return t.skip();
    const m = mobileBlock();
    // What a foreign interpreter hands over: the contract's required fields only.
    const foreign: DelegateGraph = {
      ...m.graph,
      nodes: m.graph.nodes.map(({ index, op, inputs, outputs }) => ({ index, op, inputs, outputs })),
    };
    (m.x.data as Float32Array).set(randomValues(189, 77));
    const { kernel } = await runDelegated(delegate, foreign);
    expectClose(m.probs.data as Float32Array, m.expected(m.x.data as Float32Array).probs, FP32_TOL, 'softmax output');
    kernel.dispose();
    // A node the CPU kernels refuse stays on the CPU with the CPU's reason.
    const g = new GraphBuilder();
    const x = g.input([1, 4, 4, 2]);
    const y = g.activation([1, 8, 8, 2]);
    const node = g.node('RESIZE_BILINEAR', [x, g.constant([2], [8, 8], 'int32')], [y]);
    g.markOutput(y);
    const bad = { ...node, op: { ...node.op, options: { alignCorners: true, halfPixelCenters: true } } };
    const claims = await delegate.prepare({
      ...g.graph(),
      nodes: [{ index: bad.index, op: bad.op, inputs: bad.inputs, outputs: bad.outputs }],
    });
    expect(claims.partitions).toEqual([]);
    expect(claims.reasons.get(0)).toMatch(/^RESIZE_BILINEAR: the CPU prepare refuses it: .*align_corners/);
  });

  it('gives fresh results on every invoke (inputs uploaded each time)', async (t) => {
    if (!delegate) return t.skip();
    const m = mobileBlock();
    const claims = await delegate.prepare(m.graph);
    const kernel = await delegate.createKernel(m.graph, specFor(m.graph, claims.partitions[0] as number[]));
    for (const seed of [1, 2, 3]) {
      (m.x.data as Float32Array).set(randomValues(189, seed));
      await kernel.invoke();
      expectClose(m.probs.data as Float32Array, m.expected(m.x.data as Float32Array).probs, FP32_TOL, `invoke with seed ${seed}`);
    }
    kernel.dispose();
  });

  it('runs in fp16-storage precision within the fp16 tolerance', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const half = await WebGpuDelegate.create({ precisionLossAllowed: true, debug: true });
    try {
      const m = mobileBlock();
      (m.x.data as Float32Array).set(randomValues(189, 77));
      const { kernel } = await runDelegated(half, m.graph);
      const want = m.expected(m.x.data as Float32Array);
      expectClose(m.probs.data as Float32Array, want.probs, FP16_TOL, 'softmax output (fp16)');
      expectClose(m.sum.data as Float32Array, want.sum, FP16_TOL, 'residual sum (fp16)');
      const gpu = await half.gpu();
      expect(kernel.describe?.().precision).toBe(gpu.features.has('shader-f16') ? 'fp16' : 'fp16-storage (f32 math)');
      kernel.dispose();
    } finally {
      half.dispose();
    }
  });
});

/** A graph of mixed nodes for placement decisions. */
function mixedGraph(): DelegateGraph {
  const g = new GraphBuilder();
  const x = g.input([1, 8, 8, 4]);
  const a = g.activation([1, 8, 8, 4]);
  g.node('RELU', [x], [a]); // 0
  const b = g.activation([1, 8, 8, 4]);
  g.node('LOGISTIC', [a], [b]); // 1
  const q = g.activation([1, 8, 8, 4], 'int64');
  g.node('CAST', [b], [q]); // 2: int64 output
  const dq = g.activation([1, 8, 8, 4]);
  g.node('CAST', [q], [dq]); // 3: int64 input
  const r = g.activation([1, 8, 8, 4]);
  g.node('FLOOR_DIV', [dq, dq], [r]); // 4: no GPU implementation
  const s = g.activation([1, 8, 8, 4]);
  g.node('TANH', [r], [s]); // 5
  const u = g.activation([1, 8, 8, 4]);
  g.node('SOFTMAX', [s], [u], { beta: 1 }); // 6
  const v = g.activation([1, 8, 8, 4]);
  g.node('RELU6', [u], [v]); // 7
  const w = g.activation([1, 8, 8, 4]);
  g.node('EXP', [v], [w]); // 8
  const z = g.activation([1, 8, 8, 4]);
  g.node('NEG', [w], [z]); // 9
  g.markOutput(z);
  return g.graph();
}

describe('placement', () => {
  it('claims supported runs and gives a reason for every node it leaves', async (t) => {
    if (!delegate) return t.skip();
    const claims = await delegate.prepare(mixedGraph());
    expect(claims.partitions).toEqual([
      [0, 1],
      [5, 6, 7, 8, 9],
    ]);
    expect(claims.reasons.get(2)).toMatch(/^CAST: dtype int64 not supported/);
    expect(claims.reasons.get(3)).toMatch(/^CAST: dtype int64 not supported/);
    expect(claims.reasons.get(4)).toBe('FLOOR_DIV: op is not supported by the WebGPU delegate');
  });

  it('honours forceCpu, minNodesPerPartition and maxDelegatedPartitions', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const d = new WebGpuDelegate({ forceCpu: ['SOFTMAX', 0], minNodesPerPartition: 2, maxDelegatedPartitions: 1 });
    try {
      const claims = await d.prepare(mixedGraph());
      // Runs left: [1] (too small), [5] (too small), [7, 8, 9].
      expect(claims.partitions).toEqual([[7, 8, 9]]);
      expect(claims.reasons.get(0)).toBe('RELU: forced to CPU by options.forceCpu');
      expect(claims.reasons.get(6)).toBe('SOFTMAX: forced to CPU by options.forceCpu');
      expect(claims.reasons.get(1)).toBe('LOGISTIC: partition of 1 node(s) is smaller than minNodesPerPartition=2');
      expect(claims.reasons.get(5)).toBe('TANH: partition of 1 node(s) is smaller than minNodesPerPartition=2');

      const two = new WebGpuDelegate({ maxDelegatedPartitions: 1 });
      const c2 = await two.prepare(mixedGraph());
      expect(c2.partitions).toEqual([[5, 6, 7, 8, 9]]);
      expect(c2.reasons.get(0)).toMatch(/^RELU: partition of 2 node\(s\) not delegated: maxDelegatedPartitions=1/);
      two.dispose();
    } finally {
      d.dispose();
    }
  });

  it('explains unsupported op variants', async (t) => {
    if (!delegate) return t.skip();
    const g = new GraphBuilder();
    const x = g.input([1, 4, 4, 3]);
    const y = g.activation([1, 4, 4, 2]);
    g.node('CONV_2D', [x, g.input([2, 1, 1, 3]), null], [y], { padding: 0 }); // runtime weights
    const i = g.input([1, 4, 4, 2], undefined, 'int32');
    const z = g.activation([1, 4, 4, 2], 'int32');
    g.node('ADD', [i, i], [z]); // int32
    const u = g.activation([1, 4, 4, 2]);
    g.node('FLOOR_MOD', [y, y], [u]);
    g.markOutput(z);
    g.markOutput(u);
    const claims = await delegate.prepare(g.graph());
    expect(claims.partitions).toEqual([]);
    expect(claims.reasons.get(0)).toBe('CONV_2D: filter must be a constant (it is computed at run time)');
    expect(claims.reasons.get(1)).toMatch(/^ADD: .*int32/);
    expect(claims.reasons.get(2)).toBe('FLOOR_MOD: op is not supported by the WebGPU delegate');
  });
});

describe('device', () => {
  it('reports the adapter', async (t) => {
    if (!delegate) return t.skip();
    const info = await delegate.info();
    expect(info.precision).toBe('fp32');
    expect(typeof (info.adapter as { vendor: string }).vendor).toBe('string');
    expect((info.limits as { maxStorageBuffersPerShaderStage: number }).maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
  });

  it('turns a lost device into DeviceLostError on the next invoke', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const own = await WebGpuDelegate.create();
    const g = new GraphBuilder();
    const x = g.input([1, 3, 3, 4], randomValues(36, 80));
    const y = g.activation([1, 3, 3, 4]);
    g.node('RELU', [x], [y]);
    g.markOutput(y);
    const { kernel } = await runDelegated(own, g.graph());
    const gpu = await own.gpu();
    gpu.device.destroy();
    await gpu.device.lost;
    await expect(kernel.invoke()).rejects.toBeInstanceOf(DeviceLostError);
    await expect(kernel.invoke()).rejects.toThrow(/device was lost/);
    own.dispose();
  });

  it('shares an application device without destroying it', async (t) => {
    if (!delegate) return t.skip();
    const appDevice = (await delegate.gpu()).device;
    const shared = await WebGpuDelegate.create({ device: appDevice });
    const g = new GraphBuilder();
    const x = g.input([5], [-2, -1, 0, 1, 2]);
    const y = g.activation([5]);
    g.node('RELU', [x], [y]);
    g.markOutput(y);
    const { kernel } = await runDelegated(shared, g.graph());
    expect(Array.from(y.data as Float32Array)).toEqual([0, 0, 0, 1, 2]);
    kernel.dispose();
    shared.dispose();
    // The device still works for its owner.
    const again = await runDelegated(delegate, g.graph());
    again.kernel.dispose();
    expect((y as RuntimeTensor).data[4]).toBe(2);
  });
});

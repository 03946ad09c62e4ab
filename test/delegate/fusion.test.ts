// Epilogue fusion (delegate/plan/fusion.ts, ops/epilogue.ts, shaders/epilogue.wgsl): small
// graphs run fused, unfused (debugReadbackAll turns fusion off) and on the CPU kernels. In fp32
// the fused arithmetic is the unfused arithmetic, so the outputs must be equal to the bit; both
// must match the CPU interpreter's kernels. Cases where fusion must not happen keep every node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { DelegateGraph } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { expectClose, FP16_TOL, FP32_TOL, GraphBuilder, randomValues, runDelegated, testDelegate } from './support.js';

let fused: WebGpuDelegate | null = null;
let unfused: WebGpuDelegate | null = null;
let half: WebGpuDelegate | null = null;
let off: WebGpuDelegate | null = null;
beforeAll(async () => {
  off = await testDelegate({ fuseEpilogues: false });
  fused = await testDelegate();
  unfused = await testDelegate({ debugReadbackAll: true });
  half = await testDelegate({ precisionLossAllowed: true });
});
afterAll(() => {
  fused?.dispose();
  unfused?.dispose();
  half?.dispose();
  off?.dispose();
});

interface Built {
  graph: DelegateGraph;
  outputs: RuntimeTensor[];
}

/** Every node's CPU kernel in order (the interpreter's arithmetic); the outputs' values. */
function runOnCpu({ graph, outputs }: Built): Float32Array[] {
  for (const n of graph.nodes) {
    const ctx = {
      config: n.config as NonNullable<typeof n.config>,
      index: n.index,
      op: n.op,
      inputs: n.inputs,
      outputs: n.outputs,
      intermediates: [],
    };
    n.kernel?.eval(ctx, n.params);
  }
  return outputs.map((o) => Float32Array.from(o.data as Float32Array));
}

async function runOnGpu(delegate: WebGpuDelegate, b: Built): Promise<{ values: Float32Array[]; info: Record<string, unknown> }> {
  for (const o of b.outputs) (o.data as Float32Array).fill(Number.NaN);
  const { kernel } = await runDelegated(delegate, b.graph);
  const info = kernel.describe?.() ?? {};
  kernel.dispose();
  return { values: b.outputs.map((o) => Float32Array.from(o.data as Float32Array)), info };
}

const conv = (g: GraphBuilder, x: RuntimeTensor, outC: number, k: number, seed: number, act = 0, stride = 1) => {
  const inC = x.shape[3] as number;
  const h = Math.ceil((x.shape[1] as number) / stride);
  const w = Math.ceil((x.shape[2] as number) / stride);
  const y = g.activation([1, h, w, outC]);
  const filter = g.constant([outC, k, k, inC], randomValues(outC * k * k * inC, seed));
  const bias = g.constant([outC], randomValues(outC, seed + 1));
  g.node('CONV_2D', [x, filter, bias], [y], { padding: 0, strideH: stride, strideW: stride, fusedActivationFunction: act });
  return y;
};

const depthwise = (g: GraphBuilder, x: RuntimeTensor, seed: number) => {
  const c = x.shape[3] as number;
  const y = g.activation([...x.shape]);
  const filter = g.constant([1, 3, 3, c], randomValues(9 * c, seed));
  g.node('DEPTHWISE_CONV_2D', [x, filter, g.constant([c], randomValues(c, seed + 1))], [y], {
    padding: 0,
    strideH: 1,
    strideW: 1,
    depthMultiplier: 1,
  });
  return y;
};

const unary = (g: GraphBuilder, op: string, x: RuntimeTensor) => {
  const y = g.activation([...x.shape]);
  g.node(op, [x], [y]);
  return y;
};

const add = (g: GraphBuilder, a: RuntimeTensor, b: RuntimeTensor, act = 0) => {
  const y = g.activation([...a.shape]);
  g.node('ADD', [a, b], [y], { fusedActivationFunction: act });
  return y;
};

/** x [1,6,5,8] -> 1x1 CONV 8 -> ADD x -> RELU: one conv2d_1x1+add+relu dispatch. */
function pointwiseResidualRelu(): Built {
  const g = new GraphBuilder();
  const x = g.input([1, 6, 5, 8], randomValues(240, 1, -2, 2));
  const y = unary(g, 'RELU', add(g, conv(g, x, 8, 1, 2), x));
  g.markOutput(y);
  return { graph: g.graph(), outputs: [y] };
}

/**
 * x [1,7,6,3] -> CONV 3x3 (6 channels, relu6) -> a -> DEPTHWISE 3x3 -> PRELU (per-channel alpha)
 * -> ADD a (fused RELU) -> HARD_SWISH -> y; and a LOGISTIC after a 3x3 stride-2 CONV (5 channels:
 * padded lanes that LOGISTIC would make 0.5) read by a FULLY_CONNECTED over the flat values.
 */
function mixedChains(): Built {
  const g = new GraphBuilder();
  const x = g.input([1, 7, 6, 3], randomValues(126, 3, -2, 2));
  const a = conv(g, x, 6, 3, 4, 3);
  const p = g.activation([1, 7, 6, 6]);
  g.node('PRELU', [depthwise(g, a, 6), g.constant([1, 1, 6], randomValues(6, 8, 0, 0.5))], [p]);
  const y = unary(g, 'HARD_SWISH', add(g, p, a, 1));
  const s = unary(g, 'LOGISTIC', conv(g, x, 5, 3, 9, 0, 2));
  const flat = g.activation([1, 60]);
  g.node('RESHAPE', [s, g.constant([2], [1, 60], 'int32')], [flat]);
  const fc = g.activation([1, 7]);
  g.node('FULLY_CONNECTED', [flat, g.constant([7, 60], randomValues(420, 10)), g.constant([7], randomValues(7, 11))], [fc]);
  const z = unary(g, 'RELU_N1_TO_1', fc);
  g.markOutput(y);
  g.markOutput(z);
  return { graph: g.graph(), outputs: [y, z] };
}

const pad = (g: GraphBuilder, x: RuntimeTensor, paddings: number[]) => {
  const shape = x.shape.map((d, i) => d + (paddings[2 * i] as number) + (paddings[2 * i + 1] as number));
  const y = g.activation(shape);
  g.node('PAD', [x, g.constant([x.shape.length, 2], paddings, 'int32')], [y]);
  return y;
};

/**
 * Residual blocks that widen the channels: x [1,6,5,6] -> zero PAD of the channels to 10 -> ADD
 * to a 1x1 conv of x (10 channels) -> RELU: the PAD folds into the epilogue (it reads x). A PAD
 * of the rows as well cannot fold: the ADD still does, reading the PAD's output.
 */
function paddedResiduals(): Built {
  const g = new GraphBuilder();
  const x = g.input([1, 6, 5, 6], randomValues(180, 20, -2, 2));
  const wide = pad(g, x, [0, 0, 0, 0, 0, 0, 0, 4]);
  const y = unary(g, 'RELU', add(g, conv(g, x, 10, 1, 21), wide));
  const tall = pad(g, y, [0, 0, 1, 1, 0, 0, 0, 2]);
  const x2 = g.input([1, 8, 5, 4], randomValues(160, 22));
  const z = add(g, conv(g, x2, 12, 3, 23), tall);
  g.markOutput(z);
  return { graph: g.graph(), outputs: [z] };
}

/** The conv's output is also read by a second node, or is a graph output: nothing may fuse. */
function notFusable(): Built {
  const g = new GraphBuilder();
  const x = g.input([1, 5, 5, 8], randomValues(200, 12));
  const c = conv(g, x, 8, 1, 13);
  const r = unary(g, 'RELU', c);
  const y = add(g, r, c);
  const d = conv(g, y, 8, 3, 15);
  const z = unary(g, 'RELU6', d);
  g.markOutput(y);
  g.markOutput(d);
  g.markOutput(z);
  return { graph: g.graph(), outputs: [y, d, z] };
}

const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

async function fusedVsUnfused(make: () => Built) {
  const cpu = runOnCpu(make());
  const f = await runOnGpu(fused as WebGpuDelegate, make());
  const u = await runOnGpu(unfused as WebGpuDelegate, make());
  f.values.forEach((v, i) => {
    expect(bits(v), `output ${i}: fused equals unfused to the bit`).toEqual(bits(u.values[i] as Float32Array));
    expectClose(v, cpu[i] as Float32Array, FP32_TOL, `output ${i} vs CPU kernels`);
  });
  return { fused: f.info, unfused: u.info };
}

describe('epilogue fusion', () => {
  it('folds a residual ADD and a RELU into a 1x1 conv: one dispatch, same bits', async (t) => {
    if (!fused) return t.skip();
    const { fused: f, unfused: u } = await fusedVsUnfused(pointwiseResidualRelu);
    expect(f.implementations).toEqual({ 'conv2d_1x1+add+relu': 1 });
    expect(f.dispatches).toBe(1);
    expect(f.fusedNodes).toBe(2);
    expect(f.nodes).toBe(3);
    // debugReadbackAll sees every tensor: no fusion.
    expect(u.implementations).toEqual({ conv2d_1x1: 1, binary_add: 1, unary_relu: 1 });
    expect(u.fusedNodes).toBe(0);
  });

  it('fuseEpilogues: false keeps one dispatch per node, with the same bits', async (t) => {
    if (!off) return t.skip();
    const f = await runOnGpu(fused as WebGpuDelegate, pointwiseResidualRelu());
    const o = await runOnGpu(off, pointwiseResidualRelu());
    expect(o.info.implementations).toEqual({ conv2d_1x1: 1, binary_add: 1, unary_relu: 1 });
    expect(o.info.fusedNodes).toBe(0);
    for (const [i, v] of o.values.entries()) expect(bits(v)).toEqual(bits(f.values[i] as Float32Array));
  });

  it('folds PRELU, ADD with its own clamp, HARD_SWISH, LOGISTIC and RELU_N1_TO_1 into depthwise, conv and FC', async (t) => {
    if (!fused) return t.skip();
    const { fused: f } = await fusedVsUnfused(mixedChains);
    expect(f.implementations).toEqual({
      conv2d: 1,
      'depthwise_conv2d+prelu+add+hard_swish': 1,
      'conv2d+logistic': 1,
      reshape: 1,
      'fully_connected+relu_n1_to_1': 1,
    });
    expect(f.fusedNodes).toBe(5);
  });

  it('folds a zero PAD of the channels into the residual read, not a PAD of the rows', async (t) => {
    if (!fused) return t.skip();
    const { fused: f } = await fusedVsUnfused(paddedResiduals);
    expect(f.implementations).toEqual({ 'conv2d_1x1+pad+add+relu': 1, pad: 1, 'conv2d+add': 1 });
    expect(f.fusedNodes).toBe(4);
  });

  it('leaves a tensor with a second reader, or a graph output, unfused', async (t) => {
    if (!fused) return t.skip();
    const { fused: f } = await fusedVsUnfused(notFusable);
    // c is read by RELU and ADD; d is a graph output. RELU -> ADD is not a producer chain.
    expect(f.fusedNodes).toBe(0);
    expect(f.implementations).toEqual({ conv2d_1x1: 1, unary_relu: 1, binary_add: 1, conv2d: 1, unary_relu6: 1 });
  });

  it('in an f16 precision, stays within the f16 tolerance of the CPU kernels', async (t) => {
    if (!half) return t.skip();
    const cpu = runOnCpu(mixedChains());
    const h = await runOnGpu(half, mixedChains());
    h.values.forEach((v, i) => {
      expectClose(v, cpu[i] as Float32Array, FP16_TOL, `output ${i} vs CPU kernels`);
    });
    expect(h.info.fusedNodes).toBe(5);
  });
});

// verify --culprit (harness/culprit.ts): the model rewritten so every intermediate is an output,
// run on the real runtime, and the first node whose output parts from TFLite's.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.js';
import { conditioningVerdict, findCulprit, renderCulprit } from '../../harness/culprit.js';
import { cutModel, exposeIntermediates } from '../../harness/culprit_rewrite.js';
import { unpackModel } from '../../harness/model_variant.js';
import { makeModelInputs } from '../../harness/oracle/inputs.js';
import { runOracle } from '../../harness/oracle/run_oracle.js';
import type { Delegate, DelegateGraph, PartitionSpec } from '../../src/interpreter/delegate.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { DEFAULT_KERNEL_CONFIG, type NodeContext } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { readModel } from '../../src/model/reader.js';
import { gpuAvailable } from '../delegate/support.js';

// face_detection_short_range (npm, always installed): 164 nodes, 74 of them DEQUANTIZE of fp16
// weights (constant-only), 90 that run per invoke; 2 outputs.
const MODEL = createRequire(import.meta.url).resolve('@mediapipe/face_detection/face_detection_short_range.tflite');
let bytes: Uint8Array;
beforeAll(() => {
  bytes = new Uint8Array(readFileSync(MODEL));
});

/** Node outputs that run per invoke (not computed from constants only), by our interpreter's placement. */
async function executedOutputs(model: Uint8Array): Promise<{ nodes: number[]; tensors: number[] }> {
  const it = await Interpreter.create(model);
  await it.allocateTensors();
  const nodes = it
    .placement()
    .nodes.filter((n) => n.backend !== 'folded')
    .map((n) => n.node);
  const ops = it.model.subgraphs[0]?.operators ?? [];
  const tensors = nodes.flatMap((n) => (ops[n]?.outputs ?? []).filter((t) => t >= 0));
  it.dispose();
  return { nodes, tensors };
}

/**
 * A test-only delegate that takes the node producing `tensor`, computes it with the CPU kernel
 * and then moves one element by `delta` × max|value|: a wrong kernel result at exactly one node.
 * Matched by output tensor (not node index), so it also takes the node in the one-node copies.
 */
class PerturbOne implements Delegate {
  readonly name = 'perturb';
  constructor(
    private readonly tensor: number,
    private readonly delta: number,
  ) {}
  prepare(graph: DelegateGraph) {
    const node = graph.nodes.find((n) => n.outputs.some((t) => t.index === this.tensor));
    return { partitions: node ? [[node.index]] : [], reasons: new Map<number, string>() };
  }
  createKernel(graph: DelegateGraph, spec: PartitionSpec) {
    const node = graph.nodes.find((n) => n.index === spec.nodes[0]);
    if (!node) throw new Error('no node');
    const found = lookupKernel(
      node.op.op,
      node.op.version,
      node.inputs.map((t) => t?.dtype ?? null),
      node.outputs.map((t) => t.dtype),
    );
    if (!found.ok) throw new Error(found.reason);
    const kernel = found.registration.kernel;
    const ctx: NodeContext = {
      config: DEFAULT_KERNEL_CONFIG,
      index: node.index,
      op: node.op,
      inputs: node.inputs,
      outputs: node.outputs,
      intermediates: [],
    };
    const params = kernel.prepare(ctx);
    const out = node.outputs.find((t) => t.index === this.tensor);
    const delta = this.delta;
    return {
      async invoke() {
        kernel.eval(ctx, params);
        const data = out?.data as Float32Array;
        let scale = 0;
        for (const v of data) scale = Math.max(scale, Math.abs(v));
        const k = Math.floor(data.length / 3);
        data[k] = (data[k] as number) + delta * Math.max(scale, 1);
      },
      dispose() {},
    };
  }
}

describe('exposeIntermediates', () => {
  it('makes every per-invoke node output a subgraph output; our reader and both runtimes load it', async () => {
    const original = readModel(bytes).subgraphs[0];
    const exposed = exposeIntermediates(bytes);
    const { tensors } = await executedOutputs(bytes);
    const intermediates = tensors.filter((t) => !original?.outputs.includes(t));
    expect(intermediates.length).toBe(88); // 90 executed nodes, 2 of them produce the model outputs
    expect(exposed.exposed).toEqual(intermediates);
    expect(exposed.skipped.every((s) => s.reason === 'computed from constants only')).toBe(true);
    expect(exposed.skipped.length).toBe(74);

    // Our reader: the same tensors and nodes, outputs = original outputs then the intermediates.
    const sg = readModel(exposed.bytes).subgraphs[0];
    expect(sg?.outputs).toEqual([...(original?.outputs ?? []), ...intermediates]);
    expect(sg?.operators.length).toBe(original?.operators.length);
    // The original file's bytes are untouched, and our interpreter runs the copy.
    expect(new Uint8Array(readFileSync(MODEL))).toEqual(bytes);
    const it = await Interpreter.create(exposed.bytes);
    await it.allocateTensors();
    expect(it.getOutputDetails().length).toBe(2 + 88);
    it.dispose();

    // The real runtimes: every output comes back, in subgraph-0 order, named by its tensor.
    const inputs = makeModelInputs(bytes, 1);
    const result = await runOracle(exposed.bytes, inputs);
    expect(result.oracle).toBe('litert');
    expect(result.outputs.length).toBe(90);
    expect(result.outputs.map((o) => o.name)).toEqual(sg?.outputs.map((t) => sg.tensors[t]?.name));
    expect(result.other && 'outputs' in result.other ? result.other.outputs.length : 0).toBe(90);
    // The model outputs do not move when the intermediates are exposed.
    const plain = await runOracle(bytes, inputs, { other: false });
    for (const [k, o] of plain.outputs.entries()) expect(result.outputs[k]?.data).toEqual(o.data);
  });

  it('cutModel runs nodes alone on given inputs, keeping the output tensor indices', async () => {
    const { nodes } = await executedOutputs(bytes);
    const exposed = exposeIntermediates(bytes);
    const m = unpackModel(bytes);
    const cut = cutModel(m, exposed.constants, nodes.slice(10, 14));
    const sg = readModel(cut.bytes).subgraphs[0];
    // Each node reads fresh subgraph inputs (or constants, or the DEQUANTIZE of its weights): no node feeds another.
    const producer = new Map(sg?.operators.flatMap((o) => o.outputs.map((t) => [t, o.op] as const)));
    const fed = (sg?.operators ?? []).flatMap((o) => o.inputs.filter((t) => t >= 0 && producer.has(t)).map((t) => producer.get(t)));
    expect(fed.length).toBeGreaterThan(0);
    expect(new Set(fed)).toEqual(new Set(['DEQUANTIZE']));
    expect(sg?.inputs.length).toBeGreaterThanOrEqual(4);
    expect([...cut.outputs.keys()]).toEqual(nodes.slice(10, 14));
    expect(cut.bytes.byteLength).toBeLessThan(bytes.byteLength / 4); // only the buffers those nodes read
  });
});

describe('findCulprit', () => {
  it('a model that passes has no culprit; every node is compared and matches alone', async () => {
    const r = await findCulprit('face_detection_short_range', bytes, { backend: 'cpu', isolate: 'all' });
    expect(r.oracle).toBe('litert');
    expect(r.nodes.length).toBe(90);
    expect(r.culprit).toBeNull();
    expect(r.nodes.every((n) => n.status === 'ok' && n.maxRel <= 1e-4)).toBe(true);
    expect(r.nodes.every((n) => n.isolated && !('skip' in n.isolated) && n.isolated.pass)).toBe(true);
    expect(r.outputs.every((o) => o.pass)).toBe(true);
    expect(r.rewriteShift?.maxRel).toBe(0);
    // Nodes in execution order, each with its op, version, dtypes and shapes.
    expect(r.nodes.map((n) => n.node)).toEqual([...r.nodes.map((n) => n.node)].sort((a, b) => a - b));
    const convs = r.nodes.filter((n) => n.op === 'CONV_2D');
    expect(convs[0]?.inputs.map((i) => i.source)).toEqual(['input', 'constant', 'constant']); // reads the image
    const conv = convs[convs.length - 1];
    expect(conv?.inputs.map((i) => i.source)).toEqual(['node', 'constant', 'constant']);
    expect(conv?.inputs[0]?.check?.comparison?.pass).toBe(true);
    expect(conv?.outputs[0]?.shape.length).toBe(4);
    expect(renderCulprit(r)).toMatch(/no node diverges beyond the bar/);
  });

  it('names exactly the node whose kernel result is wrong, with its inputs matching', async () => {
    const { nodes } = await executedOutputs(bytes);
    const ops = readModel(bytes).subgraphs[0]?.operators ?? [];
    const target = nodes[40] as number; // mid-graph
    const tensor = ops[target]?.outputs[0] as number;
    const r = await findCulprit('face_detection_short_range', bytes, { delegates: () => [new PerturbOne(tensor, 0.05)] });
    expect(r.culprit?.node).toBe(target);
    expect(r.culprit?.status).toBe('diverges');
    expect(r.culprit?.backend).toBe('perturb');
    expect(r.culprit?.maxRel).toBeGreaterThan(1e-3);
    // Its inputs match TFLite; every node before it too.
    for (const i of r.culprit?.inputs ?? []) if (i.check?.comparison) expect(i.check.comparison.pass).toBe(true);
    const before = r.nodes.filter((n) => n.node < target);
    expect(before.length).toBe(40);
    expect(before.every((n) => n.status === 'ok')).toBe(true);
    // Alone on TFLite's inputs it is still wrong: the node itself, not its inputs.
    expect(r.culprit?.isolated && !('skip' in r.culprit.isolated) && r.culprit.isolated.pass).toBe(false);
    const text = renderCulprit(r);
    expect(text).toContain(`culprit: node ${target} ${ops[target]?.op}`);
    expect(text).toMatch(/the node itself computes differently/);
    // Node by node, such a run is no conditioning problem.
    const rerun = await findCulprit('face_detection_short_range', bytes, {
      delegates: () => [new PerturbOne(tensor, 0.05)],
      isolate: 'all',
    });
    const verdict = conditioningVerdict(rerun, 'litert', rerun.outputs);
    expect(verdict.explained).toBe(false);
    expect(verdict.note).toContain(`first node ${target} `);
  });

  it('a perturbation within the bar is not a culprit', async () => {
    const { nodes } = await executedOutputs(bytes);
    const tensor = readModel(bytes).subgraphs[0]?.operators[nodes[40] as number]?.outputs[0] as number;
    const r = await findCulprit('face_detection_short_range', bytes, { delegates: () => [new PerturbOne(tensor, 1e-6)], isolate: 'none' });
    expect(r.culprit).toBeNull();
  });

  it('webgpu: compares every delegated node with the oracle', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const r = await findCulprit('face_detection_short_range', bytes, { backend: 'webgpu' });
    expect(r.nodes.length).toBe(90);
    expect(r.nodes.every((n) => n.backend === 'webgpu')).toBe(true);
    expect(r.culprit).toBeNull();
  });

  it('runs on the given inputs and says whether it reproduced a reference run bit for bit', async () => {
    const inputs = makeModelInputs(bytes, 7);
    const it = await Interpreter.create(bytes);
    await it.allocateTensors();
    for (const [i, d] of it.getInputDetails().entries()) it.setTensor(d.index, inputs[i] as TypedArray);
    await it.invoke();
    const outputs = it.getOutputDetails().map((d) => it.getTensor(d.index) as Float32Array);
    it.dispose();
    const same = await findCulprit('face_detection_short_range', bytes, { inputs, isolate: 'none', reference: outputs });
    expect(same.reproduced).toBe(true);
    expect(same.culprit).toBeNull();
    const changed = outputs.map((o) => o.slice());
    (changed[1] as Float32Array)[5] += 1e-3;
    const other = await findCulprit('face_detection_short_range', bytes, { inputs, isolate: 'none', reference: changed });
    expect(other.reproduced).toBe(false);
  });
});

describe('verify on an ill-conditioned model (pose_landmark_lite)', () => {
  it('passes node by node, and says why', async () => {
    const { verifyModel } = await import('../../harness/verify.js');
    const { nodeOracle } = await import('../../harness/node_oracle.js');
    const path = createRequire(import.meta.url).resolve('@mediapipe/pose/pose_landmark_lite.tflite');
    const report = await verifyModel('pose_landmark_lite', new Uint8Array(readFileSync(path)), {
      backend: 'cpu',
      timingRuns: 0,
      oracle: nodeOracle,
    });
    expect(report.status).toBe('pass');
    expect(report.outputs.some((o) => !o.pass)).toBe(true); // past 1e-4 end to end
    expect(report.conditioningNote).toMatch(
      /^ill-conditioned, not a wrong op: each of the 129 nodes, run alone on litert's own input values, matches its output within rel [\d.]+e-6/,
    );
    expect(report.conditioningNote).toContain('first past the bar is node 209 DEPTHWISE_CONV_2D');
  }, 120_000);
});

describe('verify --culprit (CLI)', () => {
  afterEach(() => vi.restoreAllMocks());
  const cli = async (args: string[]) => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    return { code: await runCli(args), out: lines.join('\n') };
  };

  it('prints one JSON report with every node, exit 0 without a culprit', async () => {
    const { code, out } = await cli(['verify', MODEL, '--culprit', '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ model: 'face_detection_short_range', backend: 'cpu', precision: 'fp32', oracle: 'litert', culprit: null });
    expect(r.nodes).toHaveLength(90);
    expect(r.nodes[0]).toMatchObject({ node: expect.any(Number), op: expect.any(String), version: expect.any(Number), status: 'ok' });
    expect(typeof r.nodes[0].maxRel).toBe('number');
  });

  it('takes one model, not --all', async () => {
    const { code, out } = await cli(['verify', '--all', '--culprit']);
    expect(code).toBe(2);
    expect(out).toMatch(/--culprit takes one model/);
  });
});

// The interpreter's API contract: details, setTensor checks, resizeInput, arena reuse, clear
// errors for unsupported ops, and the delegate contract (claims, boundary tensors, placement).
import { readFileSync } from 'node:fs';
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { invokeProfiled } from '../../harness/profile.js';
import type { Delegate, DelegateGraph, PartitionSpec } from '../../src/interpreter/delegate.js';
import { TensorError, UnsupportedOpError } from '../../src/interpreter/errors.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { numElements } from '../../src/model/dtype.js';
import * as fb from '../../src/model/schema/tflite_generated.js';
import { corpusModels } from '../support/corpus.js';

const models = corpusModels();
const load = (name: string) => new Uint8Array(readFileSync(models.find((m) => m.name === name)?.path as string));
const FACE = load('face_detection_short_range');

async function ready(bytes: Uint8Array, delegates: Delegate[] = []): Promise<Interpreter> {
  const it = await Interpreter.create(bytes, { delegates });
  await it.allocateTensors();
  return it;
}

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.37 + seed) * 0.9;
  return a;
}

describe('Interpreter API', () => {
  it('reports input and output details', async () => {
    const it = await ready(FACE);
    expect(it.getInputDetails()).toEqual([expect.objectContaining({ name: 'input', index: 0, shape: [1, 128, 128, 3], dtype: 'float32' })]);
    expect(it.getOutputDetails().map((d) => d.name)).toEqual(['regressors', 'classificators']);
  });

  it('rejects wrong dtypes, sizes and indices with clear errors', async () => {
    const it = await ready(FACE);
    expect(() => it.setTensor(0, new Int32Array(128 * 128 * 3))).toThrow(
      /input tensor 0 'input' is float32 and needs a Float32Array; got Int32Array/,
    );
    expect(() => it.setTensor(0, new Float32Array(5))).toThrow(/has shape \[1,128,128,3\] \(49152 elements\); got 5 elements/);
    expect(() => it.setTensor(7, new Float32Array(1))).toThrow(/tensor 7 is not an input/);
    expect(() => it.getTensor(100000)).toThrow(TensorError);
    const fresh = await Interpreter.create(FACE);
    expect(() => fresh.setTensor(0, new Float32Array(49152))).toThrow(/call allocateTensors\(\) first/);
  });

  it('plans the arena by lifetimes: far less memory than one buffer per tensor', async () => {
    const it = await ready(FACE);
    const sg = it.model.subgraphs[0];
    const total = (sg?.tensors ?? []).filter((t) => !t.data).reduce((a, t) => a + 4 * numElements(t.shape), 0);
    expect(it.arenaBytes).toBeGreaterThan(0);
    expect(it.arenaBytes).toBeLessThan(total / 3);
  });

  it('gives the same outputs when invoked twice, and different ones for different inputs', async () => {
    const it = await ready(FACE);
    it.setTensor(0, fill(49152, 1));
    await it.invoke();
    const a = it.getTensor(175);
    await it.invoke();
    expect(it.getTensor(175)).toEqual(a);
    it.setTensor(0, fill(49152, 2));
    await it.invoke();
    expect(it.getTensor(175)).not.toEqual(a);
  });

  it('times every step when profiled, with the same results as invoke', async () => {
    const it = await ready(FACE);
    it.setTensor(0, fill(49152, 4));
    await it.invoke();
    const plain = it.getTensor(175);
    const profile = await invokeProfiled(it);
    expect(it.getTensor(175)).toEqual(plain);
    expect(profile.steps.length).toBe(it.executedNodes);
    expect(profile.steps.filter((s) => s.op === 'CONV_2D').length).toBe(21);
    expect(profile.steps.reduce((a, s) => a + s.ms, 0)).toBeLessThanOrEqual(profile.totalMs + 1e-6);
  });

  it('folds FLOAT16 -> DEQUANTIZE weights once at prepare', async () => {
    const it = await ready(FACE);
    expect(it.executedNodes).toBe(164 - 74);
  });

  it('resizes inputs within their shape signature', async () => {
    const hello = models.find((m) => m.name === 'hello_world_f32');
    if (!hello) return console.warn('hello_world_f32 needs ../shared: resize test SKIPPED');
    const it = await ready(new Uint8Array(readFileSync(hello.path)));
    it.resizeInput(0, [3, 1]);
    expect(() => it.resizeInput(0, [3, 2])).toThrow(/does not fit its signature \[-1,1\]/);
    await it.allocateTensors();
    it.setTensor(0, new Float32Array([0, 0.5, 1]));
    await it.invoke();
    expect(it.tensorShape(it.getOutputDetails()[0]?.index as number)).toEqual([3, 1]);
  });

  it('names the node, op and dtypes of an op it lacks', async () => {
    // A variant of the model whose CONV_2D opcode becomes HASHTABLE_LOOKUP (never supported).
    const bytes = FACE.slice();
    const bb = new flatbuffers.ByteBuffer(bytes);
    const model = fb.Model.getRootAsModel(bb);
    for (let i = 0; i < model.operatorCodesLength(); i++) {
      const code = model.operatorCodes(i) as fb.OperatorCode;
      if (Math.max(code.builtinCode(), code.deprecatedBuiltinCode()) !== fb.BuiltinOperator.CONV_2D) continue;
      // Old converters write only deprecated_builtin_code (field 0); newer ones both.
      const deprecated = bb.__offset(code.bb_pos, 4);
      const current = bb.__offset(code.bb_pos, 10);
      if (deprecated) bb.writeInt8(code.bb_pos + deprecated, fb.BuiltinOperator.HASHTABLE_LOOKUP);
      if (current) bb.writeInt32(code.bb_pos + current, fb.BuiltinOperator.HASHTABLE_LOOKUP);
    }
    const err = await Interpreter.create(bytes).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err.message).toMatch(
      /node \d+ HASHTABLE_LOOKUP v1 \(float32, float32, float32\) -> \(float32\): op HASHTABLE_LOOKUP is not supported/,
    );
  });
});

/** A delegate that claims every ADD node and computes it in plain JS (no broadcasting needed here). */
class AddDelegate implements Delegate {
  readonly name = 'js-add';
  specs: PartitionSpec[] = [];
  invokes = 0;
  prepare(graph: DelegateGraph) {
    const reasons = new Map<number, string>();
    for (const n of graph.nodes) if (n.op.op !== 'ADD') reasons.set(n.index, `${n.op.op}: only ADD is supported`);
    return { partitions: graph.nodes.filter((n) => n.op.op === 'ADD').map((n) => [n.index]), reasons };
  }
  createKernel(graph: DelegateGraph, spec: PartitionSpec) {
    this.specs.push(spec);
    const node = graph.nodes.find((n) => n.index === spec.nodes[0]);
    return {
      invoke: async () => {
        this.invokes++;
        const [a, b] = node?.inputs ?? [];
        const out = node?.outputs[0];
        const x = a?.data as Float32Array;
        const y = b?.data as Float32Array;
        const o = out?.data as Float32Array;
        const relu = node?.op.options.fusedActivationFunction === 1;
        for (let i = 0; i < o.length; i++)
          o[i] = relu ? Math.max(0, (x[i] as number) + (y[i] as number)) : (x[i] as number) + (y[i] as number);
      },
      dispose: () => {},
      describe: () => ({ precision: 'fp32' }),
    };
  }
}

describe('delegate contract', () => {
  it('replaces claimed nodes, moves boundary tensors, and reports placement', async () => {
    const input = fill(49152, 3);
    const cpu = await ready(FACE);
    cpu.setTensor(0, input);
    await cpu.invoke();
    const delegate = new AddDelegate();
    const it = await ready(FACE, [delegate]);
    it.setTensor(0, input);
    await it.invoke();
    for (const d of it.getOutputDetails()) expect(it.getTensor(d.index)).toEqual(cpu.getTensor(d.index));
    expect(delegate.invokes).toBe(16);
    expect(delegate.specs.every((s) => s.inputs.length === 2 && s.outputs.length === 1)).toBe(true);
    const placement = it.placement();
    expect(placement.summary).toBe('16 nodes on js-add in 16 partition(s), 74 on cpu, 74 folded at prepare');
    const conv = placement.nodes.find((n) => n.op === 'CONV_2D');
    expect(conv).toMatchObject({ backend: 'cpu', partition: null, reason: 'CONV_2D: only ADD is supported' });
    expect(placement.nodes.find((n) => n.op === 'DEQUANTIZE')?.backend).toBe('folded');
    expect(placement.partitions[0]).toMatchObject({ backend: 'js-add', info: { precision: 'fp32' } });
    expect(placement.partitions[0]?.bytesIn).toBeGreaterThan(0);
  });

  it('refuses claims that would form a cycle or claim a node twice', async () => {
    const bad: Delegate = {
      name: 'bad',
      prepare: (g) => ({ partitions: [[g.nodes[0]?.index as number, g.nodes[2]?.index as number]], reasons: new Map() }),
      createKernel: () => ({ invoke: async () => {}, dispose: () => {} }),
    };
    await expect(ready(FACE, [bad])).rejects.toThrow(/would form a cycle/);
    const twice: Delegate = {
      ...bad,
      prepare: (g) => ({ partitions: [[g.nodes[0]?.index as number], [g.nodes[0]?.index as number]], reasons: new Map() }),
    };
    await expect(ready(FACE, [twice])).rejects.toThrow(/claimed node \d+ twice/);
  });
});

// verify --per-node (harness/per_node.ts): every executed node's outputs on the delegate against
// the CPU interpreter's value of the same tensor, and the first node that diverges.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeModelInputs } from '../../harness/oracle/inputs.js';
import { perNodeCompare, renderPerNode } from '../../harness/per_node.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { numElements } from '../../src/model/dtype.js';
import { gpuAvailable } from '../delegate/support.js';

// face_detection_short_range (npm, always installed): 90 float nodes (conv, depthwise, add, pad,
// max pool, reshape, concatenation), 74 folded.
const MODEL = createRequire(import.meta.url).resolve('@mediapipe/face_detection/face_detection_short_range.tflite');
let bytes: Uint8Array;
beforeAll(() => {
  bytes = new Uint8Array(readFileSync(MODEL));
});

describe('preserveAllTensors', () => {
  it('keeps every intermediate readable after invoke (the arena no longer shares bytes)', async () => {
    const inputs = makeModelInputs(bytes, 1);
    const run = async (preserveAllTensors: boolean) => {
      const it = await Interpreter.create(bytes, { preserveAllTensors });
      await it.allocateTensors();
      for (const [i, d] of it.getInputDetails().entries()) it.setTensor(d.index, inputs[i] as TypedArray);
      await it.invoke();
      return it;
    };
    const shared = await run(false);
    const kept = await run(true);
    const executed = kept.placement().nodes.filter((n) => n.backend === 'cpu');
    const outputsOf = (node: number) => (kept.model.subgraphs[0]?.operators[node]?.outputs ?? []).filter((t) => t >= 0);
    const intermediates = executed.flatMap((n) => outputsOf(n.node));
    const bytesOf = (t: number) => numElements(kept.tensorShape(t)) * 4;
    expect(kept.arenaBytes).toBeGreaterThanOrEqual(intermediates.reduce((a, t) => a + bytesOf(t), 0));
    expect(shared.arenaBytes).toBeLessThan(kept.arenaBytes);
    // Same outputs; without it, later nodes overwrite earlier intermediates, so some differ.
    for (const d of kept.getOutputDetails()) expect(kept.getTensor(d.index)).toEqual(shared.getTensor(d.index));
    const clobbered = intermediates.filter((t) => {
      const a = kept.getTensor(t);
      const b = shared.getTensor(t);
      return a.some((v, i) => v !== b[i]);
    });
    expect(clobbered.length).toBeGreaterThan(0);
    shared.dispose();
    kept.dispose();
  });
});

describe('perNodeCompare', () => {
  it('fp32: reads back every delegated node, all within 1e-4 of the CPU', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const r = await perNodeCompare(bytes, { precision: 'fp32', seed: 1 });
    expect(r.tolerance).toBe(1e-4);
    expect(r.nodes.length).toBe(90);
    expect(r.nodes.every((n) => n.backend === 'webgpu' && n.partition === 0)).toBe(true);
    // Node order is execution order, and every node's outputs were compared.
    expect(r.nodes.map((n) => n.node)).toEqual([...r.nodes.map((n) => n.node)].sort((a, b) => a - b));
    expect(r.nodes.every((n) => n.outputs.length > 0 && n.outputs.every((o) => o.elements > 0 && o.scale > 0))).toBe(true);
    const worst = Math.max(...r.nodes.map((n) => n.maxRel));
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(r.firstDivergent).toBeNull();
    expect(r.outputRel).toBeLessThanOrEqual(1e-4);
    expect(renderPerNode(r, 'face')).toMatch(/no node diverges beyond 0.0001/);
  });

  it('fp16: inner tensors are f16 values (non-zero error, within 1e-2); a tight tolerance names the first node past it', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const r = await perNodeCompare(bytes, { precision: 'fp16', seed: 1 });
    expect(r.tolerance).toBe(1e-2);
    expect(r.partitions[0]?.info.precision).toMatch(/^fp16/);
    expect(r.firstDivergent).toBeNull();
    expect(r.nodes.filter((n) => n.maxRel > 1e-4).length).toBeGreaterThan(45);
    const tight = await perNodeCompare(bytes, { precision: 'fp16', seed: 1, tolerance: 1e-3 });
    const first = tight.nodes.find((n) => n.maxRel > 1e-3);
    expect(first).toBeDefined();
    expect(tight.firstDivergent?.node).toBe(first?.node);
    expect(tight.firstDivergent?.pass).toBe(false);
    expect(tight.nodes.slice(0, tight.nodes.indexOf(first as (typeof tight.nodes)[number])).every((n) => n.pass)).toBe(true);
    const text = renderPerNode(tight, 'face');
    expect(text).toContain(`first divergent node: ${first?.node} ${first?.op} on webgpu`);
    expect(text.split('\n').filter((l) => l.endsWith('DIVERGES')).length).toBe(tight.nodes.filter((n) => !n.pass).length);
  });

  it('compares nodes left on the CPU too, across several partitions', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const r = await perNodeCompare(bytes, { precision: 'fp32', delegateOptions: { forceCpu: ['ADD'] } });
    const cpu = r.nodes.filter((n) => n.backend === 'cpu');
    expect(cpu.length).toBeGreaterThan(0);
    expect(cpu.every((n) => n.op === 'ADD')).toBe(true);
    expect(new Set(r.nodes.flatMap((n) => (n.partition === null ? [] : [n.partition]))).size).toBeGreaterThan(1);
    expect(r.firstDivergent).toBeNull();
    // ADD reads what the GPU computed: its inputs' errors are reported.
    expect(cpu.some((n) => n.inputRel > 0)).toBe(true);
  });
});

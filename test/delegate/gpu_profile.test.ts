// The profile option: one record per dispatch, in order, with the right node indices and
// non-negative GPU times ('timestamp-query'; SwiftShader has it), the same outputs as without
// profiling, a CPU-side-only profile on a device without timestamps, and harness/gpu_profile.ts's
// report and Markdown. No timing thresholds: only shapes of the data.
import { describe, expect, it } from 'vitest';
import { WebGpuDelegate, type WebGpuDelegateOptions } from '../../delegate/index.js';
import { profileModel, renderProfile } from '../../harness/gpu_profile.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { smallModel } from './small_model.js';
import { gpuAvailable, randomValues } from './support.js';

async function run(options: WebGpuDelegateOptions) {
  const delegate = await WebGpuDelegate.create(options);
  const interpreter = await Interpreter.create(smallModel(), { delegates: [delegate] });
  await interpreter.allocateTensors();
  for (const [k, d] of interpreter.getInputDetails().entries()) {
    interpreter.setTensor(
      d.index,
      randomValues(
        d.shape.reduce((a, b) => a * b, 1),
        3 + k,
      ) as TypedArray,
    );
  }
  await interpreter.invoke();
  const outputs = interpreter.getOutputDetails().map((d) => Array.from(interpreter.getTensor(d.index) as Float32Array));
  return { delegate, interpreter, outputs };
}

describe('the profile option', () => {
  it('records every dispatch with its node, op, variant, shape and GPU time; outputs unchanged', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const plain = await run({});
    expect(plain.delegate.lastProfile()).toBeNull();
    const profiled = await run({ profile: true });
    expect(profiled.outputs).toEqual(plain.outputs);

    const profile = profiled.delegate.lastProfile();
    expect(profile?.timestamps).toBe(true);
    const [partition] = profile?.partitions ?? [];
    const placed = profiled.interpreter.placement().partitions[0];
    expect(partition?.nodes).toEqual(placed?.nodes);
    expect(partition?.dispatches.length).toBe(placed?.info.dispatches);
    const ops = ['ADD', 'LOGISTIC', 'MUL', 'TANH'];
    const byNode = (partition?.dispatches ?? []).filter((d) => d.node !== null);
    // Every node has its dispatches, in execution order, named with its op and output shape.
    expect([...new Set(byNode.map((d) => d.node))]).toEqual([0, 1, 2, 3]);
    for (const d of byNode) {
      expect(d.op).toBe(ops[d.node as number]);
      expect(d.shape).toEqual(d.node === 3 ? [1, 2, 2, 8] : [1, 4, 4, 3]);
      expect(d.variant).toMatch(/\S+ \S+:\S+/);
    }
    // Edge conversions: x in (3 channels), a and y out; z and w are dense.
    const edges = (partition?.dispatches ?? []).filter((d) => d.node === null);
    expect(edges.map((d) => d.op)).toEqual(['LAYOUT', 'LAYOUT', 'LAYOUT']);
    for (const d of partition?.dispatches ?? []) {
      expect(d.gpuMs).not.toBeNull();
      expect(d.gpuMs as number).toBeGreaterThanOrEqual(0);
    }
    expect(partition?.uploadBytes).toBe((48 + 32) * 4);
    expect(partition?.readbackBytes).toBe((48 + 48 + 32) * 4);
    expect(partition?.naiveTensorBytes).toBeGreaterThanOrEqual(partition?.plannedTensorBytes ?? 0);
    for (const r of [plain, profiled]) {
      r.interpreter.dispose();
      r.delegate.dispose();
    }
  }, 60_000);

  it("is CPU-side only on a device without 'timestamp-query'", async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const owner = await WebGpuDelegate.create();
    const { device } = await owner.gpu();
    expect(device.features.has('timestamp-query')).toBe(false);
    const shared = await run({ profile: true, device });
    const profile = shared.delegate.lastProfile();
    expect(profile?.timestamps).toBe(false);
    expect(profile?.partitions[0]?.dispatches.every((d) => d.gpuMs === null)).toBe(true);
    const report = await profileModel(shared.interpreter, shared.delegate, 2);
    expect(report.timestamps).toBe(false);
    expect(renderProfile(report)).toMatch(/the profile is CPU-side only/);
    shared.interpreter.dispose();
    shared.delegate.dispose();
    owner.dispose();
  }, 60_000);

  it('profileModel merges GPU dispatch times with CPU fallback nodes, transfers and memory', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const { delegate, interpreter } = await run({ profile: true, forceCpu: ['LOGISTIC'] });
    const report = await profileModel(interpreter, delegate, 3, { top: 4 });
    expect(report.runs).toBe(3);
    expect(report.timestamps).toBe(true);
    expect(report.cpuSideOnly).toBeNull();
    expect(report.topDispatches.length).toBe(4);
    const times = report.topDispatches.map((d) => d.gpuMs as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(report.cpuNodes.map((n) => [n.node, n.op])).toEqual([[1, 'LOGISTIC']]);
    expect(report.partitions.map((p) => p.nodes)).toEqual([1, 2]);
    expect(report.memory?.naiveTensorBytes).toBeGreaterThanOrEqual(report.memory?.plannedTensorBytes ?? 0);
    expect(report.jsHeapBytes).toBeGreaterThan(0);
    const md = renderProfile(report);
    expect(md).toMatch(/### Top 4 dispatches by GPU time/);
    expect(md).toMatch(/\| 1 \| LOGISTIC \|/);
    expect(md).not.toMatch(/CPU-side only/);
    expect(md).toMatch(/GPU tensor bytes planned/);
    interpreter.dispose();
    delegate.dispose();
  }, 60_000);
});

// The seeded subset of `npm run soak`: structure-aware mutations of real models through read ->
// allocateTensors() -> invoke(), on the CPU and on WebGPU. Every case must end in a result or a
// typed error; the test lists each defect with the (model, seed) that reproduces it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FuzzReport, fuzzPipeline, type SoakModel } from '../../harness/soak/fuzz.js';
import { mutateModel } from '../../harness/soak/mutate.js';
import { SOAK_FUZZ_MODELS } from '../../harness/soak/soak.js';
import { acquireGpu } from '../../src/index.js';
import { gpuAvailable } from '../delegate/support.js';
import { corpusModels, hasShared } from '../support/corpus.js';

const MODELS: SoakModel[] = corpusModels()
  .filter((m) => SOAK_FUZZ_MODELS.includes(m.name))
  .map((m) => ({ name: m.name, bytes: new Uint8Array(readFileSync(m.path)) }));
if (!hasShared) console.warn('[soak] ../shared is absent: the pipeline fuzz runs on the npm-shipped model only');

function expectClean(report: FuzzReport): void {
  const defects = report.defects.map((d) => `${d.model} seed ${d.seed} (${d.mutation}) -> ${d.stage} ${d.error}: ${d.message}`);
  expect(defects).toEqual([]);
  expect(report.hangs).toEqual([]);
  expect(report.memory.maxBytes).toBeLessThanOrEqual(report.memory.bound);
  // The mutations reached every stage: otherwise the fuzz would test the reader only.
  const stages = Object.keys(report.outcomes).join(' ');
  for (const stage of ['ok', 'read', 'allocate']) expect(stages).toContain(stage);
}

describe('whole-pipeline fuzz (seeded subset of npm run soak)', () => {
  it('mutations are reproducible from (model, seed)', () => {
    const model = MODELS[0] as SoakModel;
    const a = mutateModel(model.bytes, 1234);
    const b = mutateModel(model.bytes, 1234);
    expect(a?.label).toBe(b?.label);
    expect(a?.bytes).toEqual(b?.bytes);
  });

  it('500 cases on the CPU: results or typed errors only', { timeout: 300_000 }, async () => {
    const report = await fuzzPipeline({ models: MODELS, mutations: 500, seed: 20261208, backend: 'cpu' });
    expectClean(report);
  });

  it('200 cases on WebGPU: results or typed errors only', { timeout: 300_000 }, async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const gpu = await acquireGpu();
    try {
      const report = await fuzzPipeline({ models: MODELS, mutations: 200, seed: 7, backend: 'webgpu', device: gpu.device });
      expectClean(report);
    } finally {
      gpu.device.destroy();
    }
  });
});

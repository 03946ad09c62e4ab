// benchInBrowser: `tflite-webgpu bench --browser`. The same benchModel as in Node, run inside one
// headless Chromium page (harness/web/page_verify.ts's bench API), so ours and LiteRT.js share the
// page, its adapter and its wasm engine.

import type { Backend, Precision } from '../backends.js';
import { BENCH_METHOD, type BenchResult, type BenchRun } from '../bench.js';
import { type BenchRequest, type BenchResponse, decodeJson, type ModelIndexEntry, PAGE_API, type PageApi } from '../web/protocol.js';
import { type BrowserModel, launchHarness } from './driver.js';

export interface BrowserBenchOptions {
  configs: { backend: Backend; precision: Precision }[];
  runs: number;
  warmup: number;
  oursOnly?: boolean;
  profile?: boolean;
  /** Called after each (model, backend) row. */
  onResult?: (result: BenchResult) => void;
  log?: (line: string) => void;
}

function failedRow(model: string, backend: Backend, precision: Precision, runs: number, message: string): BenchResult {
  const side = { loadMs: Number.NaN, firstMs: Number.NaN, error: message };
  return { model, backend, precision, runs, litertAccelerator: backend === 'webgpu' ? 'webgpu' : 'wasm', ours: side, litert: { ...side } };
}

export async function benchInBrowser(models: readonly BrowserModel[], o: BrowserBenchOptions): Promise<BenchRun> {
  const harness = await launchHarness({
    models,
    requireWebGpu: o.configs.some((c) => c.backend === 'webgpu'),
    ...(o.log ? { log: o.log } : {}),
  });
  const environment: BenchRun['environment'] = {
    date: new Date().toISOString(),
    machine: `headless Chromium: ${harness.capabilities.userAgent}`,
    litert: '@litertjs/core (as the page loads it: relaxed-SIMD build where the browser has it; XNNPACK, 1 thread)',
    method: `${BENCH_METHOD}; in one page`,
  };
  const rows: { at: number; result: BenchResult }[] = [];
  // Every cpu row before any webgpu row (as in Node, cli/bench.ts): LiteRT.js's wasm models fail
  // to create host tensor buffers once it has compiled for WebGPU in the same runtime.
  const order = [...o.configs.keys()].sort(
    (a, b) => Number(o.configs[a]?.backend === 'webgpu') - Number(o.configs[b]?.backend === 'webgpu'),
  );
  try {
    for (const ci of order) {
      const c = o.configs[ci] as BrowserBenchOptions['configs'][number];
      for (const [i, m] of models.entries()) {
        const entry = harness.models[i] as ModelIndexEntry;
        const req: BenchRequest = {
          name: m.key,
          url: entry.url,
          ...c,
          runs: o.runs,
          warmup: o.warmup,
          oursOnly: Boolean(o.oursOnly),
          profile: Boolean(o.profile),
        };
        harness.takeProblems();
        let result: BenchResult;
        try {
          const text = await harness.page.evaluate(
            (api: string, r: BenchRequest) => (globalThis as unknown as Record<string, PageApi>)[api]?.bench(r),
            PAGE_API,
            req,
          );
          if (typeof text !== 'string') throw new Error('the page API did not answer');
          const res = decodeJson<BenchResponse>(text);
          result = res.result;
          if (res.adapter) environment.adapter = res.adapter;
        } catch (e) {
          result = failedRow(m.key, c.backend, c.precision, o.runs, `BrowserError: ${(e as Error).message}`);
          await harness.goto('index.html').catch(() => {});
        }
        const problems = harness.takeProblems();
        if (problems.length) result.ours.note = [result.ours.note, `page problems: ${problems.join('; ')}`].filter(Boolean).join('; ');
        rows.push({ at: i * o.configs.length + ci, result });
        o.onResult?.(result);
      }
    }
  } finally {
    await harness.close();
  }
  return { environment, results: rows.sort((a, b) => a.at - b.at).map((r) => r.result) };
}

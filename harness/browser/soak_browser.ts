// soakInBrowser: `tflite-webgpu soak --browser`. The same runSoak as in Node, inside one headless
// Chromium page (harness/web/page_verify.ts's soak API): fuzz, long runs, create/dispose and faults
// with the page's WebGPU, heap from performance.memory.

import type { SoakModel } from '../soak/fuzz.js';
import type { SoakOptions, SoakReport } from '../soak/soak.js';
import { decodeJson, type ModelIndexEntry, PAGE_API, type PageApi, type SoakRequest, type SoakResponse } from '../web/protocol.js';
import { launchHarness } from './driver.js';

export type BrowserSoakOptions = Omit<SoakOptions, 'environment' | 'gc' | 'onStage'> & { log?: (line: string) => void };

export async function soakInBrowser(o: BrowserSoakOptions): Promise<SoakReport> {
  // Every model once, named by its key; the request refers to them by URL.
  const unique = new Map<string, SoakModel>();
  for (const m of [...o.fuzzModels, ...o.longRunModels, o.faultModel]) unique.set(m.name, m);
  const models = [...unique.values()];
  const harness = await launchHarness({
    models: models.map((m) => ({ key: m.name, bytes: m.bytes })),
    requireWebGpu: o.backends.includes('webgpu'),
    ...(o.log ? { log: o.log } : {}),
  });
  try {
    const url = new Map(models.map((m, i) => [m.name, (harness.models[i] as ModelIndexEntry).url]));
    const ref = (m: SoakModel) => ({ name: m.name, url: url.get(m.name) as string });
    const req: SoakRequest = {
      fuzzModels: o.fuzzModels.map(ref),
      longRunModels: o.longRunModels.map(ref),
      faultModel: ref(o.faultModel),
      backends: [...o.backends],
      mutations: o.mutations,
      seed: o.seed,
      inferences: o.inferences,
      loops: o.loops,
    };
    const text = await harness.page.evaluate(
      (api: string, r: SoakRequest) => (globalThis as unknown as Record<string, PageApi>)[api]?.soak(r),
      PAGE_API,
      req,
    );
    if (typeof text !== 'string') throw new Error('the page API did not answer');
    const { report } = decodeJson<SoakResponse>(text);
    const problems = harness.takeProblems();
    // Console errors the page printed are part of the result (the injected shader failure prints its own).
    if (problems.length) report.skipped.push(`page console: ${problems.length} problem(s), first: ${problems[0]?.slice(0, 200)}`);
    return report;
  } finally {
    await harness.close();
  }
}

// Verification in the page: harness/verify.ts's verifyModel (the CLI's code) with the in-page
// oracle (run_oracle.ts: LiteRT.js or tfjs-tflite, as in Node), and the window API the Node
// driver calls.
import { verifyModel } from '../verify.js';
import { describeAdapter, hasWebGpuDelegate } from './backends.js';
import { browserOracle } from './oracle_browser.js';
import { encodeJson, PAGE_API, type PageApi, type PageCapabilities, type VerifyRequest, type VerifyResponse } from './protocol.js';

export type VerifySettings = Omit<VerifyRequest, 'name' | 'url'>;

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Runs verifyModel on one backend against the in-page oracle. */
export async function verifyBytes(name: string, bytes: Uint8Array, s: VerifySettings): Promise<VerifyResponse> {
  const report = await verifyModel(name, bytes, {
    oracle: browserOracle,
    backend: s.backend,
    precision: s.precision,
    seed: s.seed,
    timingRuns: s.timingRuns,
  });
  return { report };
}

export async function capabilities(): Promise<PageCapabilities> {
  const { adapter, error } = await describeAdapter();
  const caps: PageCapabilities = { webgpu: adapter, delegate: hasWebGpuDelegate(), userAgent: navigator.userAgent };
  if (error) caps.webgpuError = error;
  return caps;
}

/** Makes the page drivable: window.__tfliteWebgpu.{capabilities, verify}. */
export function installPageApi(): void {
  const api: PageApi = {
    capabilities,
    verify: async (req) => encodeJson(await verifyBytes(req.name, await fetchBytes(req.url), req)),
  };
  (globalThis as unknown as Record<string, PageApi>)[PAGE_API] = api;
}

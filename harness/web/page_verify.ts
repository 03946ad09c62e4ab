// Verification in the page: harness/verify.ts's verifyModel (the CLI's code) with the in-page
// oracle (run_oracle.ts: LiteRT.js or tfjs-tflite, as in Node), and the window API the Node
// driver calls.

import type { GpuContext } from '../../src/index.js';
import { benchModel, liteRtGpu } from '../bench.js';
import { runSoak } from '../soak/soak.js';
import { verifyModel } from '../verify.js';
import { describeAdapter, hasWebGpuDelegate } from './backends.js';
import { preloadGlue } from './emscripten_browser.js';
import { browserOracle } from './oracle_browser.js';
import {
  type BenchRequest,
  type BenchResponse,
  encodeJson,
  PAGE_API,
  type PageApi,
  type PageCapabilities,
  type SoakRequest,
  type SoakResponse,
  type VerifyRequest,
  type VerifyResponse,
} from './protocol.js';

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

let liteRtDevice: Promise<GpuContext> | null = null;

/** Benchmarks one model in this page, ours and LiteRT.js side by side (harness/bench.ts). */
export async function benchBytes(name: string, bytes: Uint8Array, req: Omit<BenchRequest, 'name' | 'url'>): Promise<BenchResponse> {
  await preloadGlue();
  let gpu: GpuContext | null = null;
  if (req.backend === 'webgpu' && !req.oursOnly) {
    liteRtDevice ??= liteRtGpu();
    gpu = await liteRtDevice;
  }
  const result = await benchModel(name, bytes, req, gpu);
  const a = gpu?.adapter;
  return { result, ...(a ? { adapter: [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') } : {}) };
}

/** Runs the soak (harness/soak/soak.ts) in this page, on the models the request names. */
export async function soakInPage(req: SoakRequest): Promise<SoakResponse> {
  const load = async (m: { name: string; url: string }) => ({ name: m.name, bytes: await fetchBytes(m.url) });
  // Chromium started with --js-flags=--expose-gc offers gc(): memory samples after a full collection.
  const gc = (globalThis as { gc?: () => void }).gc;
  const report = await runSoak({
    fuzzModels: await Promise.all(req.fuzzModels.map(load)),
    longRunModels: await Promise.all(req.longRunModels.map(load)),
    faultModel: await load(req.faultModel),
    backends: req.backends,
    mutations: req.mutations,
    seed: req.seed,
    inferences: req.inferences,
    loops: req.loops,
    ...(gc ? { gc } : {}),
    environment: `headless Chromium: ${navigator.userAgent}`,
  });
  return { report };
}

/** Makes the page drivable: window.__tfliteWebgpu.{capabilities, verify, bench, soak}. */
export function installPageApi(): void {
  const api: PageApi = {
    capabilities,
    verify: async (req) => encodeJson(await verifyBytes(req.name, await fetchBytes(req.url), req)),
    bench: async (req) => encodeJson(await benchBytes(req.name, await fetchBytes(req.url), req)),
    soak: async (req) => encodeJson(await soakInPage(req)),
  };
  (globalThis as unknown as Record<string, PageApi>)[PAGE_API] = api;
}

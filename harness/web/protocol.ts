// What the page and the Node driver (harness/browser/driver.ts) say to each other, and the URLs
// the page fetches relative to itself. Environment-agnostic: compiled into the page and into Node.
import type { BenchResult } from '../bench.js';
import type { SoakReport } from '../soak/soak.js';
import type { Backend, Precision, VerifyReport } from '../verify.js';

/** Where the model list, the models and the oracles' wasm (LiteRT.js, tfjs-tflite) sit, relative to the page. */
export const MODEL_INDEX_URL = 'models/index.json';
export const LITERT_WASM_URL = 'litert-wasm/';
export const TFLITE_WASM_URL = 'tflite-wasm/';

/** One entry of models/index.json. */
export interface ModelIndexEntry {
  /** "shared:<file>", "npm:<package>/<file>" (harness/corpus.ts) or the caller's key. */
  key: string;
  /** File name without .tflite. */
  name: string;
  /** Relative to the page. */
  url: string;
  bytes: number;
}

export interface VerifyRequest {
  name: string;
  /** The model's URL, relative to the page. */
  url: string;
  backend: Backend;
  precision: Precision;
  seed: number;
  timingRuns: number;
}

/** The model's report (an error report when it could not be verified). */
export interface VerifyResponse {
  report: VerifyReport;
}

export interface BenchRequest {
  name: string;
  /** The model's URL, relative to the page. */
  url: string;
  backend: Backend;
  precision: Precision;
  runs: number;
  warmup: number;
  oursOnly: boolean;
  profile: boolean;
}

export interface BenchResponse {
  result: BenchResult;
  /** The adapter LiteRT.js ran on (webgpu rows). */
  adapter?: string;
}

/** `soak --browser`: the models by name and URL (relative to the page); the rest as SoakOptions. */
export interface SoakRequest {
  fuzzModels: { name: string; url: string }[];
  longRunModels: { name: string; url: string }[];
  faultModel: { name: string; url: string };
  backends: ('cpu' | 'webgpu')[];
  mutations: number;
  seed: number;
  inferences: number;
  loops: number;
}

export interface SoakResponse {
  report: SoakReport;
}

export interface PageCapabilities {
  /** The WebGPU adapter, or null (with the reason in webgpuError). */
  webgpu: { vendor: string; architecture: string; isFallbackAdapter: boolean; features: string[] } | null;
  webgpuError?: string;
  /** Whether this build contains the WebGPU delegate (delegate/webgpu_delegate.ts). */
  delegate: boolean;
  userAgent: string;
}

/** What the page installs on window[PAGE_API] for the driver; results travel as encodeJson text. */
export interface PageApi {
  capabilities(): Promise<PageCapabilities>;
  /** encodeJson(VerifyResponse). */
  verify(request: VerifyRequest): Promise<string>;
  /** encodeJson(BenchResponse): harness/bench.ts's benchModel, ours and LiteRT.js in this page. */
  bench(request: BenchRequest): Promise<string>;
  /** encodeJson(SoakResponse): harness/soak/soak.ts's runSoak in this page. */
  soak(request: SoakRequest): Promise<string>;
}

export const PAGE_API = '__tfliteWebgpu';

/** The demo page's state for tests: window[DEMO_STATE] once a run has finished. */
export interface DemoState {
  status: 'running' | 'done' | 'error';
  model?: string;
  error?: string;
  /** Segmentation: share of mask pixels above 0.5. Face detection: boxes drawn. */
  foregroundShare?: number;
  faces?: number;
  msPerInvoke?: Record<string, number>;
}

export const DEMO_STATE = '__tfliteWebgpuDemo';

const NUM = '$num';

/** JSON that keeps ±Infinity and NaN (maxAbs is Infinity on a shape mismatch) and bigints (as numbers). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { [NUM]: String(v) };
    if (typeof v === 'bigint') return Number(v);
    return v;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && Object.keys(v).length === 1 && NUM in v) return Number((v as Record<string, string>)[NUM]);
    return v;
  }) as T;
}

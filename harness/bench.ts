// Benchmarks, side by side with LiteRT.js: per model and backend, ours (CPU interpreter, or the
// WebGPU delegate) against LiteRT.js on the same kind of accelerator (wasm/XNNPACK 1 thread, or
// its WebGPU delegate on a device from the same adapter), in the same process, on the same
// inputs, alternating one inference of each so machine drift hits both. Every timed inference
// writes the inputs and reads every output back to the CPU, on both sides. Timing lives here,
// never in tests.
import { acquireGpu, type GpuContext, Interpreter, type TypedArray, WebGpuDelegate } from '../src/index.js';
import { type Backend, createDelegates, type Precision } from './backends.js';
import { type GpuProfileReport, profileModel } from './gpu_profile.js';
import { makeModelInputs } from './oracle/inputs.js';
import { LiteRtCompiled } from './oracle/litert_compiled.js';

/** Median and spread of one side's timed inferences, in ms. */
export interface Timing {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  minMs: number;
}

/** One side of a pair (ours, or LiteRT.js). */
export interface SideResult {
  /** Model load and preparation (ours: create + allocateTensors, pipelines included; theirs: loadModel + compileModel). */
  loadMs: number;
  /** The first inference after load (compilation it defers included). */
  firstMs: number;
  timing?: Timing;
  /** Where it ran: our placement summary, or whether LiteRT.js accelerated every node. */
  note?: string;
  /** Why this side has no figures. */
  error?: string;
}

export interface BenchResult {
  model: string;
  backend: Backend;
  precision: Precision;
  runs: number;
  /** What LiteRT.js ran on for this row ('wasm' = XNNPACK, 1 thread). */
  litertAccelerator: 'wasm' | 'webgpu';
  ours: SideResult;
  litert: SideResult;
  /** ours / theirs: the median of the per-pair ratios and its p10–p90 (absent unless both ran). */
  ratio?: { median: number; p10: number; p90: number };
  /** ours / theirs for load + first inference. */
  firstRatio?: number;
  /** Where our time goes (bench --profile): per dispatch on the GPU, per node on the CPU. */
  profile?: GpuProfileReport;
  /** Why the profile could not be taken. */
  profileError?: string;
}

export interface BenchOptions {
  backend: Backend;
  precision: Precision;
  runs: number;
  warmup: number;
  /** Leave LiteRT.js out (ours only). */
  oursOnly?: boolean;
  /** Also profile ours, on a separate interpreter after the timed runs (bench --profile). */
  profile?: boolean;
}

export interface BenchEnvironment {
  date: string;
  /** e.g. "node v20.20.2 linux x64, 2 cores" or the browser's user agent. */
  machine: string;
  /** The WebGPU adapter, when a webgpu row ran. */
  adapter?: string;
  /** The LiteRT.js package version and wasm build. */
  litert?: string;
  /** What each timed inference includes. */
  method: string;
}

/** A bench invocation: where and how it ran, and one row per (model, backend). */
export interface BenchRun {
  environment: BenchEnvironment;
  results: BenchResult[];
}

export const BENCH_METHOD =
  'same process, same inputs; one inference of each side alternately (A B A B); each timed inference writes the inputs and reads every output back to the CPU; warm-up runs untimed (at least --warmup pairs, and more until the warm-up has taken 0.5 s, at most 2000: a fast model needs hundreds of runs before JavaScript is optimized as the wasm already is)';

/** Warm-up lasts at least this long (both sides together), as long as WARMUP_MAX_PAIRS allows. */
const WARMUP_MIN_MS = 500;
const WARMUP_MAX_PAIRS = 2000;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export function summarize(times: readonly number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    medianMs: percentile(sorted, 0.5),
    p10Ms: percentile(sorted, 0.1),
    p90Ms: percentile(sorted, 0.9),
    minMs: sorted[0] ?? Number.NaN,
  };
}

/** A side that can be timed one inference at a time. */
interface Runner {
  loadMs: number;
  note?: string;
  run(): Promise<void>;
  dispose(): void;
}

async function openOurs(bytes: Uint8Array, inputs: readonly TypedArray[], o: BenchOptions): Promise<Runner> {
  const t0 = performance.now();
  const interpreter = await Interpreter.create(bytes, { delegates: await createDelegates(o.backend, o.precision) });
  try {
    await interpreter.allocateTensors();
  } catch (e) {
    interpreter.dispose();
    throw e;
  }
  const loadMs = performance.now() - t0;
  const inputDetails = interpreter.getInputDetails();
  const outputDetails = interpreter.getOutputDetails();
  return {
    loadMs,
    ...(o.backend !== 'cpu' ? { note: interpreter.placement().summary } : {}),
    async run() {
      for (const [i, d] of inputDetails.entries()) interpreter.setTensor(d.index, inputs[i] as TypedArray);
      await interpreter.invoke();
      for (const d of outputDetails) interpreter.getTensor(d.index);
    },
    dispose: () => interpreter.dispose(),
  };
}

async function openLiteRt(bytes: Uint8Array, inputs: readonly TypedArray[], o: BenchOptions, gpu: GpuContext | null): Promise<Runner> {
  const compiled = await LiteRtCompiled.open(bytes, {
    accelerator: o.backend === 'webgpu' ? 'webgpu' : 'wasm',
    ...(gpu ? { device: gpu.device } : {}),
    ...(o.backend === 'webgpu' ? { gpuPrecision: o.precision } : {}),
  });
  return {
    loadMs: compiled.compileMs,
    ...(o.backend === 'webgpu' ? { note: compiled.fullyAccelerated ? 'all nodes on WebGPU' : 'some nodes on XNNPACK' } : {}),
    async run() {
      await compiled.run(inputs);
    },
    dispose: () => compiled.dispose(),
  };
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]?.slice(0, 300) ?? '';
}

/** Opens a side and times its first inference; a failure becomes the side's error. */
async function start(open: () => Promise<Runner>): Promise<{ runner?: Runner; side: SideResult }> {
  let runner: Runner | undefined;
  try {
    runner = await open();
    const t = performance.now();
    await runner.run();
    const firstMs = performance.now() - t;
    return { runner, side: { loadMs: runner.loadMs, firstMs, ...(runner.note ? { note: runner.note } : {}) } };
  } catch (e) {
    runner?.dispose();
    return { side: { loadMs: Number.NaN, firstMs: Number.NaN, error: message(e) } };
  }
}

/** Times one inference; a failure stops that side (its error is kept). */
async function timed(runner: Runner): Promise<number> {
  const t = performance.now();
  await runner.run();
  return performance.now() - t;
}

/**
 * Benchmarks one model on one backend, ours against LiteRT.js (see the file comment). `gpu` is
 * the device LiteRT.js runs on for webgpu rows (from the same adapter as ours).
 */
export async function benchModel(name: string, bytes: Uint8Array, o: BenchOptions, gpu: GpuContext | null = null): Promise<BenchResult> {
  const inputs = makeModelInputs(bytes, 1) as TypedArray[];
  const ours = await start(() => openOurs(bytes, inputs, o));
  const theirs = o.oursOnly
    ? { side: { loadMs: Number.NaN, firstMs: Number.NaN, error: 'not run (--ours-only)' } as SideResult }
    : await start(() => openLiteRt(bytes, inputs, o, gpu));
  const a: number[] = [];
  const b: number[] = [];
  try {
    const pair = async (keep: boolean) => {
      for (const [runner, times, side] of [
        [ours.runner, a, ours.side],
        [theirs.runner, b, theirs.side],
      ] as const) {
        if (!runner || side.error) continue;
        try {
          const ms = await timed(runner);
          if (keep) times.push(ms);
        } catch (e) {
          side.error = message(e);
        }
      }
    };
    // Warm-up: the pairs asked for, then more until it has lasted WARMUP_MIN_MS (tiny models).
    const warmStart = performance.now();
    for (let i = 0; i < o.warmup || (i < WARMUP_MAX_PAIRS && performance.now() - warmStart < WARMUP_MIN_MS); i++) await pair(false);
    for (let i = 0; i < o.runs; i++) await pair(true);
  } finally {
    ours.runner?.dispose();
    theirs.runner?.dispose();
  }
  if (!ours.side.error && a.length) ours.side.timing = summarize(a);
  if (!theirs.side.error && b.length) theirs.side.timing = summarize(b);
  const result: BenchResult = {
    model: name,
    backend: o.backend,
    precision: o.precision,
    runs: o.runs,
    litertAccelerator: o.backend === 'webgpu' ? 'webgpu' : 'wasm',
    ours: ours.side,
    litert: theirs.side,
  };
  if (ours.side.timing && theirs.side.timing && a.length === b.length) {
    const ratios = a.map((x, i) => x / (b[i] as number)).sort((p, q) => p - q);
    result.ratio = { median: percentile(ratios, 0.5), p10: percentile(ratios, 0.1), p90: percentile(ratios, 0.9) };
  }
  if (!ours.side.error && !theirs.side.error) {
    result.firstRatio = (ours.side.loadMs + ours.side.firstMs) / (theirs.side.loadMs + theirs.side.firstMs);
  }
  if (o.profile && !ours.side.error) {
    try {
      result.profile = await profileOurs(bytes, inputs, o);
    } catch (e) {
      result.profileError = message(e);
    }
  }
  return result;
}

/**
 * Our side profiled: GPU time per dispatch (the delegate's profile option, with timestamp-query
 * where the adapter has it), CPU time per node and per partition edge. A separate interpreter, so
 * that the timestamps never touch the timed runs.
 */
async function profileOurs(bytes: Uint8Array, inputs: readonly TypedArray[], o: BenchOptions): Promise<GpuProfileReport> {
  const delegates = await createDelegates(o.backend, o.precision, 'integer', { profile: true });
  const interpreter = await Interpreter.create(bytes, { delegates });
  try {
    await interpreter.allocateTensors();
    for (const [i, d] of interpreter.getInputDetails().entries()) interpreter.setTensor(d.index, inputs[i] as TypedArray);
    const delegate = delegates.find((d): d is WebGpuDelegate => d instanceof WebGpuDelegate) ?? null;
    return await profileModel(interpreter, delegate, Math.max(1, Math.min(o.runs, 10)), { warmup: 1 });
  } finally {
    interpreter.dispose();
  }
}

/** The device LiteRT.js gets for webgpu rows: the adapter ours uses, with the features LiteRT.js asks for. */
export async function liteRtGpu(): Promise<GpuContext> {
  return acquireGpu({ features: ['shader-f16', 'subgroups'] });
}

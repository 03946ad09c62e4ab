// The whole-pipeline fuzz: structure-aware mutations of real models, each run read ->
// allocateTensors() -> invoke() on the CPU and with the WebGPU delegate, counted per outcome.
// A case is (model, seed): a defect is reproduced by mutateModel(bytes, seed).

import { mutateModel } from './mutate.js';
import { type CaseOutcome, runPipelineCase } from './pipeline.js';

export interface SoakModel {
  name: string;
  bytes: Uint8Array;
}

export type SoakBackend = 'cpu' | 'webgpu';

export interface FuzzOptions {
  models: readonly SoakModel[];
  mutations: number;
  seed: number;
  backend: SoakBackend;
  /** The device every webgpu case's delegate shares. */
  device?: GPUDevice;
  /** InterpreterOptions.maxArenaBytes of every case (default: the interpreter's). */
  maxArenaBytes?: number;
  /** A case slower than this many times its unmutated model (plus 1 s) counts as slow. */
  slowFactor?: number;
  /** A case that has not settled after this long is a hang (default 60 s). */
  hangMs?: number;
  onCase?: (done: number, total: number) => void;
}

export interface FuzzCase {
  model: string;
  seed: number;
  mutation: string;
  stage?: string;
  error?: string;
  message?: string;
  ms: number;
}

export interface FuzzReport {
  backend: SoakBackend;
  cases: number;
  /** Mutations that do not apply to the drawn model (e.g. no quantized tensor), not run. */
  notApplicable: number;
  /** 'ok', 'typed-error: <stage> <ErrorClass>', 'defect: <stage> <ErrorClass>'. */
  outcomes: Record<string, number>;
  defects: FuzzCase[];
  /** Cases that did not settle within hangMs (an async hang: a synchronous one stalls the run itself). */
  hangs: FuzzCase[];
  slow: FuzzCase[];
  slowest: FuzzCase | null;
  /**
   * The largest ArrayBuffer growth over one case against its bound (8x the file + the arena
   * ceiling); maxBytes is NaN where it cannot be measured (a page).
   */
  memory: { maxBytes: number; bound: number; case: string };
}

/** Bytes held by ArrayBuffers (Node); NaN in a page, which cannot measure them. */
const arrayBufferBytes = () => (typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().arrayBuffers : Number.NaN);

function settleWithin<T>(p: Promise<T>, ms: number): Promise<T | 'hang'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), ms);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

function outcomeKey(o: CaseOutcome): string {
  return o.kind === 'ok' ? 'ok' : `${o.kind}: ${o.stage} ${o.error}`;
}

export async function fuzzPipeline(options: FuzzOptions): Promise<FuzzReport> {
  const { models, mutations, backend, device } = options;
  const slowFactor = options.slowFactor ?? 20;
  const ceiling = options.maxArenaBytes ?? 2 ** 30;
  const report: FuzzReport = {
    backend,
    cases: 0,
    notApplicable: 0,
    outcomes: {},
    defects: [],
    hangs: [],
    slow: [],
    slowest: null,
    memory: { maxBytes: 0, bound: 0, case: '' },
  };
  const caseOptions = { device: backend === 'webgpu' ? device : undefined, maxArenaBytes: options.maxArenaBytes };
  // Each model's own time, unmutated: what "slow" is measured against.
  const baseMs = new Map<string, number>();
  for (const m of models) baseMs.set(m.name, (await runPipelineCase(m.bytes, caseOptions)).ms);
  let worstRatio = -1;
  for (let k = 0; k < mutations; k++) {
    const model = models[k % models.length] as SoakModel;
    const seed = options.seed + k;
    const mutation = mutateModel(model.bytes, seed);
    options.onCase?.(k + 1, mutations);
    if (!mutation) {
      report.notApplicable++;
      continue;
    }
    const before = arrayBufferBytes();
    const outcome = await settleWithin(runPipelineCase(mutation.bytes, caseOptions), options.hangMs ?? 60_000);
    if (outcome === 'hang') {
      report.cases++;
      report.outcomes.hang = (report.outcomes.hang ?? 0) + 1;
      report.hangs.push({ model: model.name, seed, mutation: mutation.label, ms: options.hangMs ?? 60_000 });
      continue;
    }
    const grown = Math.max(0, arrayBufferBytes() - before); // NaN stays NaN
    report.cases++;
    const key = outcomeKey(outcome);
    report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
    const c: FuzzCase = { model: model.name, seed, mutation: mutation.label, ms: outcome.ms };
    if (outcome.kind !== 'ok') Object.assign(c, { stage: outcome.stage, error: outcome.error, message: outcome.message });
    if (outcome.kind === 'defect') report.defects.push(c);
    if (outcome.ms > slowFactor * (baseMs.get(model.name) ?? 0) + 1000) report.slow.push(c);
    if (!report.slowest || outcome.ms > report.slowest.ms) report.slowest = c;
    const bound = 8 * model.bytes.length + ceiling;
    if (Number.isNaN(grown)) report.memory = { maxBytes: Number.NaN, bound, case: 'not measured here' };
    else if (grown / bound > worstRatio) {
      worstRatio = grown / bound;
      report.memory = { maxBytes: grown, bound, case: `${model.name} #${seed}: ${mutation.label}` };
    }
  }
  return report;
}

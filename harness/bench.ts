// Benchmarks: time per inference of corpus models on each backend (median and p90 over runs,
// after warm-up invokes). Timing lives here, never in tests.
import { Interpreter, type TypedArray } from '../src/index.js';
import { type Backend, createDelegates, type Precision } from './backends.js';
import { makeModelInputs } from './oracle/inputs.js';

export interface BenchResult {
  model: string;
  backend: Backend;
  precision: Precision;
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  /** allocateTensors (prepare, folding, delegate compile) in ms. */
  prepareMs: number;
  placement?: string;
  error?: string;
}

export interface BenchOptions {
  backend: Backend;
  precision: Precision;
  runs: number;
  warmup: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

export async function benchModel(name: string, bytes: Uint8Array, o: BenchOptions): Promise<BenchResult> {
  const base = { model: name, backend: o.backend, precision: o.precision, runs: o.runs };
  let interpreter: Interpreter | undefined;
  try {
    interpreter = await Interpreter.create(bytes, { delegates: await createDelegates(o.backend, o.precision) });
    const t0 = performance.now();
    await interpreter.allocateTensors();
    const prepareMs = performance.now() - t0;
    const inputs = makeModelInputs(bytes, 1);
    for (const [i, d] of interpreter.getInputDetails().entries()) interpreter.setTensor(d.index, inputs[i] as TypedArray);
    for (let i = 0; i < o.warmup; i++) await interpreter.invoke();
    const times: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const s = performance.now();
      await interpreter.invoke();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const result: BenchResult = {
      ...base,
      medianMs: percentile(times, 0.5),
      p90Ms: percentile(times, 0.9),
      minMs: times[0] ?? Number.NaN,
      prepareMs,
    };
    if (o.backend !== 'cpu') result.placement = interpreter.placement().summary;
    return result;
  } catch (e) {
    return { ...base, medianMs: Number.NaN, p90Ms: Number.NaN, minMs: Number.NaN, prepareMs: Number.NaN, error: (e as Error).message };
  } finally {
    interpreter?.dispose();
  }
}

// One demo run: the interpreter (with the backend's delegates) on given inputs, timed, with its
// placement and, when the interpreter offers it, a per-step profile.
import { Interpreter, type Placement, type TypedArray } from '../../src/index.js';
import type { Backend, Precision } from '../verify.js';
import { createDelegates } from './backends.js';

/**
 * The profiling hook the demo asks of Interpreter (not there yet):
 *   invoke(options?: { profile?: boolean }): Promise<InvokeProfile | undefined>
 * returning, with profile: true, one entry per executed step (a CPU node or a delegate partition)
 * with its wall time in ms (a delegate step includes its uploads and readback). Until it exists,
 * the demo shows per-invoke totals only.
 */
export interface StepProfile {
  kind: 'cpu' | 'delegate';
  nodes: number[];
  backend: string;
  partition: number | null;
  ms: number;
}
export interface InvokeProfile {
  steps: StepProfile[];
}

function isProfile(x: unknown): x is InvokeProfile {
  return !!x && typeof x === 'object' && Array.isArray((x as InvokeProfile).steps);
}

export interface DemoRun {
  backend: Backend;
  precision: Precision;
  outputs: { name: string; shape: number[]; data: TypedArray }[];
  placement: Placement;
  /** Median of the timed invokes (after one warm-up). */
  msPerInvoke: number;
  msFirstInvoke: number;
  /** Per-step times of the last timed invoke, when Interpreter supports profiling. */
  profile: InvokeProfile | null;
  /** Why the delegate failed and the run finished on the CPU (e.g. the GPU device was lost), or null. */
  delegateFailure: string | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export async function runModel(
  bytes: Uint8Array,
  inputs: readonly TypedArray[],
  backend: Backend,
  precision: Precision,
  timedRuns = 5,
): Promise<DemoRun> {
  // A lost device (driver reset, tab in the background too long) finishes the run on the CPU;
  // the page says so (delegateFailure) instead of failing.
  const interpreter = await Interpreter.create(bytes, {
    delegates: await createDelegates(backend, precision),
    fallbackToCpuOnDelegateError: true,
  });
  try {
    await interpreter.allocateTensors();
    interpreter.getInputDetails().forEach((d, i) => {
      const x = inputs[i];
      if (!x) throw new Error(`input ${i} '${d.name}' is missing`);
      interpreter.setTensor(d.index, x);
    });
    let t0 = performance.now();
    await interpreter.invoke();
    const msFirstInvoke = performance.now() - t0;
    const outputs = interpreter
      .getOutputDetails()
      .map((d) => ({ name: d.name, shape: interpreter.tensorShape(d.index), data: interpreter.getTensor(d.index) }));
    const times: number[] = [];
    for (let r = 0; r < timedRuns; r++) {
      t0 = performance.now();
      await interpreter.invoke();
      times.push(performance.now() - t0);
    }
    // Feature-detects the profiling hook described above; today invoke ignores the argument.
    const invoke = interpreter.invoke as (this: Interpreter, options?: { profile?: boolean }) => Promise<unknown>;
    const maybe = await invoke.call(interpreter, { profile: true });
    return {
      backend,
      precision,
      outputs,
      placement: interpreter.placement(),
      msPerInvoke: median(times),
      msFirstInvoke,
      profile: isProfile(maybe) ? maybe : null,
      delegateFailure: interpreter.delegateFailure ? `${interpreter.delegateFailure.name}: ${interpreter.delegateFailure.message}` : null,
    };
  } finally {
    interpreter.dispose();
  }
}

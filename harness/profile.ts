// Step timing through the interpreter's observer hook: each CPU node, and each delegate
// partition as a whole (upload, GPU work and readback, as the caller waits for them).
import type { Interpreter, StepInfo } from '../src/index.js';

export interface StepTiming extends Omit<StepInfo, 'outputs'> {
  ms: number;
}

export interface InvokeProfile {
  totalMs: number;
  steps: StepTiming[];
}

/** One invoke, timing every step; the interpreter's own observer is restored afterwards. */
export async function invokeProfiled(interpreter: Interpreter): Promise<InvokeProfile> {
  const steps: StepTiming[] = [];
  let started = 0;
  const own = interpreter.observer;
  interpreter.observer = {
    beforeStep(step) {
      own?.beforeStep?.(step);
      started = performance.now();
    },
    afterStep({ backend, partition, nodes, op, outputs }) {
      steps.push({ backend, partition, nodes, op, ms: performance.now() - started });
      own?.afterStep?.({ backend, partition, nodes, op, outputs });
    },
  };
  const start = performance.now();
  try {
    await interpreter.invoke();
  } finally {
    interpreter.observer = own;
  }
  return { totalMs: performance.now() - start, steps };
}

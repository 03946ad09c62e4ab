// The whole pipeline on one (possibly broken) model: read -> create -> allocateTensors() -> invoke(),
// on the CPU or with the WebGPU delegate. Each case ends in a result or a typed error; anything
// else (a TypeError, a RangeError, a plain Error) is a defect, reported with the mutation's label.

import {
  DelegateError,
  DeviceLostError,
  GpuIoError,
  Interpreter,
  KernelError,
  ModelError,
  TensorError,
  UnsupportedOpError,
  WebGpuDelegate,
} from '../../src/index.js';

/** The errors a broken model may end in: each names what and where. */
const TYPED_ERRORS = [ModelError, TensorError, KernelError, UnsupportedOpError, DelegateError, DeviceLostError, GpuIoError] as const;

export type CaseStage = 'read' | 'allocate' | 'invoke';

export type CaseOutcome =
  | { kind: 'ok'; ms: number; arenaBytes: number }
  | { kind: 'typed-error'; ms: number; stage: CaseStage; error: string; message: string }
  | { kind: 'defect'; ms: number; stage: CaseStage; error: string; message: string; stack?: string };

export interface PipelineOptions {
  /** A GPU device shared by every case's delegate (none: the CPU interpreter alone). */
  device?: GPUDevice;
  /** InterpreterOptions.maxArenaBytes for the case. */
  maxArenaBytes?: number;
}

function classify(e: unknown, stage: CaseStage, ms: number): CaseOutcome {
  const err = e instanceof Error ? e : new Error(String(e));
  const typed = TYPED_ERRORS.find((T) => err instanceof T);
  // A typed error must still say something: an empty message is a defect too.
  // err.name, not the constructor's: bundlers rename classes, each error class sets its name.
  if (typed && err.message.length >= 10) return { kind: 'typed-error', ms, stage, error: err.name, message: err.message };
  return { kind: 'defect', ms, stage, error: err.name, message: err.message, stack: err.stack };
}

/** Runs one case; never throws. */
export async function runPipelineCase(bytes: Uint8Array, options: PipelineOptions = {}): Promise<CaseOutcome> {
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  let stage: CaseStage = 'read';
  let interpreter: Interpreter | undefined;
  try {
    const delegates = options.device ? [await WebGpuDelegate.create({ device: options.device })] : [];
    interpreter = await Interpreter.create(bytes, { delegates, maxArenaBytes: options.maxArenaBytes });
    stage = 'allocate';
    await interpreter.allocateTensors();
    stage = 'invoke';
    await interpreter.invoke();
    for (let i = 0; i < interpreter.getOutputDetails().length; i++)
      await interpreter.readTensor(interpreter.getOutputDetails()[i]?.index ?? -1);
    return { kind: 'ok', ms: elapsed(), arenaBytes: interpreter.arenaBytes };
  } catch (e) {
    return classify(e, stage, elapsed());
  } finally {
    try {
      interpreter?.dispose();
    } catch {
      // dispose after a failed create/allocate must not throw; the case outcome already stands
    }
  }
}

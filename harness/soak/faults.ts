// Fault scenarios on one real model, each with the outcome it must have: device loss in the middle
// of an invoke (typed DeviceLostError, or the same invoke completed on the CPU), a new device after
// allocateTensors() again, out-of-memory and shader failures while building, overlapping invokes,
// use after dispose(), bad setTensor calls and NaN/Inf inputs. Environment-agnostic (Node and page).

import {
  acquireGpu,
  DelegateError,
  DeviceLostError,
  Interpreter,
  type InterpreterOptions,
  TensorError,
  type TypedArray,
  WebGpuDelegate,
} from '../../src/index.js';

export interface FaultOutcome {
  scenario: string;
  /** What must happen. */
  expected: string;
  /** What happened (the error's class and message, or "completed ..."). */
  observed: string;
  pass: boolean;
}

type Scenario = { name: string; expected: string; run: (bytes: Uint8Array) => Promise<{ observed: string; pass: boolean }> };

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message.replace(/\s+/g, ' ').slice(0, 160)}` : String(e));

/** Seeded inputs in [-1, 1) for every float input (other dtypes stay zero). */
function fillInputs(interpreter: Interpreter, seed = 1): void {
  let a = seed >>> 0;
  const next = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  for (const d of interpreter.getInputDetails()) {
    if (d.dtype !== 'float32') continue;
    const n = d.shape.reduce((x, y) => x * y, 1);
    interpreter.setTensor(d.index, Float32Array.from({ length: n }, () => next() * 2 - 1) as TypedArray);
  }
}

async function ready(bytes: Uint8Array, options: InterpreterOptions = {}): Promise<Interpreter> {
  const interpreter = await Interpreter.create(bytes, options);
  await interpreter.allocateTensors();
  fillInputs(interpreter);
  return interpreter;
}

function outputs(interpreter: Interpreter): number[][] {
  return interpreter.getOutputDetails().map((d) => Array.from(interpreter.getTensor(d.index) as Float32Array));
}

async function cpuReference(bytes: Uint8Array): Promise<number[][]> {
  const cpu = await ready(bytes);
  await cpu.invoke();
  const out = outputs(cpu);
  cpu.dispose();
  return out;
}

/** Within fp32 GPU rounding of the CPU's values (1e-3 relative). */
const closeTo = (a: number[][], b: number[][]) =>
  a.every((o, i) => o.every((v, j) => Math.abs(v - (b[i]?.[j] ?? 0)) <= 1e-3 * (1 + Math.abs(v))));

const sameValues = (a: number[][], b: number[][]) => a.length === b.length && a.every((x, i) => x.every((v, j) => Object.is(v, b[i]?.[j])));

/** Rejects unless it settles in `ms`: a hang is an outcome too. */
function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle in ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** allocateTensors() with a delegate on `device` (then destroyed): the error, or null. */
async function allocateOn(device: GPUDevice, bytes: Uint8Array): Promise<unknown> {
  const interpreter = await Interpreter.create(bytes, { delegates: [await WebGpuDelegate.create({ device })] });
  try {
    await withDeadline(interpreter.allocateTensors(), 60_000, 'allocateTensors');
    return null;
  } catch (e) {
    return e;
  } finally {
    interpreter.dispose();
    device.destroy();
  }
}

const SCENARIOS: Scenario[] = [
  {
    name: 'device.destroy() during invoke',
    expected: 'the invoke rejects with DeviceLostError (or completes, if the GPU work was already done)',
    async run(bytes) {
      const delegate = await WebGpuDelegate.create();
      const interpreter = await ready(bytes, { delegates: [delegate] });
      await interpreter.invoke();
      const running = interpreter.invoke();
      (await delegate.gpu()).device.destroy();
      const r = await withDeadline(running, 30_000, 'invoke').then(
        () => 'completed',
        (e: unknown) => e,
      );
      interpreter.dispose();
      if (r === 'completed') return { observed: 'completed before the loss was seen', pass: true };
      return { observed: describeError(r), pass: r instanceof DeviceLostError };
    },
  },
  {
    name: 'device lost, then allocateTensors() again',
    expected: 'the next invoke runs on a new device, with the CPU interpreter’s results',
    async run(bytes) {
      const reference = await cpuReference(bytes);
      const delegate = await WebGpuDelegate.create();
      const interpreter = await ready(bytes, { delegates: [delegate] });
      const gpu = await delegate.gpu();
      gpu.device.destroy();
      await gpu.device.lost;
      const failed = await interpreter.invoke().then(
        () => null,
        (e: unknown) => e,
      );
      await interpreter.allocateTensors();
      fillInputs(interpreter);
      await withDeadline(interpreter.invoke(), 30_000, 'invoke after re-allocation');
      const fresh = (await delegate.gpu()).device !== gpu.device;
      const close = closeTo(outputs(interpreter), reference);
      interpreter.dispose();
      return {
        observed: `first invoke: ${failed ? describeError(failed).split(':')[0] : 'completed'}; after allocateTensors(): ${fresh ? 'new device' : 'same device'}, results ${close ? 'match' : 'DIFFER from'} the CPU`,
        pass: failed instanceof DeviceLostError && fresh && close,
      };
    },
  },
  {
    name: 'device lost with fallbackToCpuOnDelegateError',
    expected: 'the same invoke completes on the CPU with the CPU’s exact results; delegateFailure says why',
    async run(bytes) {
      const reference = await cpuReference(bytes);
      const delegate = await WebGpuDelegate.create();
      const interpreter = await ready(bytes, { delegates: [delegate], fallbackToCpuOnDelegateError: true });
      const gpu = await delegate.gpu();
      gpu.device.destroy();
      await gpu.device.lost;
      await withDeadline(interpreter.invoke(), 30_000, 'invoke');
      const equal = sameValues(outputs(interpreter), reference);
      const why = interpreter.delegateFailure ? describeError(interpreter.delegateFailure).split(':')[0] : 'none';
      interpreter.dispose();
      return {
        observed: `completed on the CPU (${equal ? 'equal' : 'DIFFERENT'} results), delegateFailure: ${why}`,
        pass: equal && why === 'DeviceLostError',
      };
    },
  },
  {
    name: 'out of memory creating partition buffers (injected)',
    expected: 'allocateTensors() rejects with a DelegateError naming the partition',
    async run(bytes) {
      const gpu = await acquireGpu();
      const device = gpu.device;
      // The error scope the delegate opens around building reports an out-of-memory error.
      const pop = device.popErrorScope.bind(device);
      let injected = false;
      device.popErrorScope = async () => {
        const real = await pop();
        if (real || injected) return real;
        injected = true;
        return { message: 'injected: vkAllocateMemory failed with VK_ERROR_OUT_OF_DEVICE_MEMORY' } as GPUError;
      };
      const r = await allocateOn(device, bytes);
      return {
        observed: r ? describeError(r) : 'allocated (the injection was not seen)',
        pass: r instanceof DelegateError && /out of GPU memory/.test(String(r)),
      };
    },
  },
  {
    name: 'shader compilation failure (injected)',
    expected: 'allocateTensors() rejects with a typed error (never a hang or an invalid pipeline used)',
    async run(bytes) {
      const gpu = await acquireGpu();
      const device = gpu.device;
      const create = device.createShaderModule.bind(device);
      device.createShaderModule = (d) => create({ ...d, code: `${d.code}\nfn broken( { }` });
      const r = await allocateOn(device, bytes);
      return { observed: r ? describeError(r) : 'allocated with broken shaders', pass: r instanceof DelegateError };
    },
  },
  {
    name: 'two overlapping invoke() calls',
    expected: 'the second rejects with a TensorError at once; the first completes with the CPU’s results',
    async run(bytes) {
      const reference = await cpuReference(bytes);
      const interpreter = await ready(bytes, { delegates: [await WebGpuDelegate.create()] });
      const first = interpreter.invoke();
      const second = await interpreter.invoke().then(
        () => null,
        (e: unknown) => e,
      );
      await first;
      const close = closeTo(outputs(interpreter), reference);
      interpreter.dispose();
      return {
        observed: `second: ${second ? describeError(second) : 'completed'}; first: results ${close ? 'match' : 'DIFFER'}`,
        pass: second instanceof TensorError && close,
      };
    },
  },
  {
    name: 'use after dispose()',
    expected: 'invoke, setTensor and getTensor throw a TensorError',
    async run(bytes) {
      const interpreter = await ready(bytes, { delegates: [await WebGpuDelegate.create()] });
      interpreter.dispose();
      const r = await interpreter.invoke().then(
        () => null,
        (e: unknown) => e,
      );
      let sync: unknown = null;
      try {
        interpreter.getTensor(interpreter.getOutputDetails()[0]?.index ?? 0);
      } catch (e) {
        sync = e;
      }
      return {
        observed: `invoke: ${describeError(r)}; getTensor: ${describeError(sync).split(':')[0]}`,
        pass: r instanceof TensorError && sync instanceof TensorError,
      };
    },
  },
  {
    name: 'setTensor with a wrong dtype, size or index',
    expected: 'each throws a TensorError naming the tensor',
    async run(bytes) {
      const interpreter = await ready(bytes);
      const input = interpreter.getInputDetails()[0] as { index: number; shape: number[] };
      const n = input.shape.reduce((a, b) => a * b, 1);
      const attempts: [string, () => void][] = [
        ['dtype', () => interpreter.setTensor(input.index, new Int32Array(n))],
        ['size', () => interpreter.setTensor(input.index, new Float32Array(n + 1))],
        ['index', () => interpreter.setTensor(10_000, new Float32Array(n))],
        ['not a typed array', () => interpreter.setTensor(input.index, [1, 2, 3] as unknown as Float32Array)],
      ];
      const typed = attempts.map(([what, f]) => {
        try {
          f();
          return `${what}: accepted`;
        } catch (e) {
          return e instanceof TensorError ? null : `${what}: ${describeError(e)}`;
        }
      });
      interpreter.dispose();
      const bad = typed.filter((x) => x !== null);
      return { observed: bad.length ? bad.join('; ') : `${attempts.length} of ${attempts.length} TensorErrors`, pass: bad.length === 0 };
    },
  },
  {
    name: 'NaN and ±Inf inputs on WebGPU',
    // WGSL's min/max/clamp need not propagate NaN (TFLite's GPU delegate is the same), so where
    // NaNs land may differ from the CPU: reported, not judged.
    expected: 'the invoke completes (where NaNs land may differ from the CPU: WGSL min/max need not propagate them)',
    async run(bytes) {
      const poison = (it: Interpreter) => {
        for (const d of it.getInputDetails()) {
          if (d.dtype !== 'float32') continue;
          const v = new Float32Array(d.shape.reduce((a, b) => a * b, 1));
          v.forEach((_, i) => {
            v[i] = i % 3 === 0 ? Number.NaN : i % 3 === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
          });
          it.setTensor(d.index, v as TypedArray);
        }
      };
      const cpu = await ready(bytes);
      poison(cpu);
      await cpu.invoke();
      const gpu = await ready(bytes, { delegates: [await WebGpuDelegate.create()] });
      poison(gpu);
      await withDeadline(gpu.invoke(), 30_000, 'invoke');
      const a = outputs(cpu).flat();
      const b = outputs(gpu).flat();
      const nanMismatch = a.filter((v, i) => Number.isNaN(v) !== Number.isNaN(b[i] as number)).length;
      cpu.dispose();
      gpu.dispose();
      return {
        observed: `completed; ${a.filter(Number.isNaN).length} NaN outputs on the CPU, ${nanMismatch} positions differ in NaN-ness on WebGPU`,
        pass: true,
      };
    },
  },
];

export const FAULT_SCENARIOS = SCENARIOS.map((s) => s.name);

/** Runs every scenario on `bytes` (a float model the delegate takes whole, e.g. face_detection_short_range). */
export async function runFaults(bytes: Uint8Array, onScenario?: (name: string) => void): Promise<FaultOutcome[]> {
  const out: FaultOutcome[] = [];
  for (const s of SCENARIOS) {
    onScenario?.(s.name);
    try {
      const { observed, pass } = await s.run(bytes);
      out.push({ scenario: s.name, expected: s.expected, observed, pass });
    } catch (e) {
      out.push({ scenario: s.name, expected: s.expected, observed: `threw ${describeError(e)}`, pass: false });
    }
  }
  return out;
}

// One differential case: a generated graph run by TFLite (tfjs-tflite: the builtin kernels;
// LiteRT.js: the current runtime) and by us (CPU interpreter, WebGPU delegate fp32 / fp16), each
// output judged against the reference runtime.
import { type Delegate, type Placement, WebGpuDelegate } from '../../src/index.js';
import { errorMessage } from '../oracle/emscripten.js';
import type { OracleError, OracleName, OracleOutput } from '../oracle/types.js';
import {
  type CaseResult,
  type MaterializedCase,
  materialize,
  type OpFuzzer,
  type OutputCheck,
  runInterpreter,
  runTflite,
  type Target,
  type TargetResult,
} from './case.js';
import { checkOutput, FLOAT, judgeAgainstF16Storage } from './judge.js';
import { caseSeed } from './rng.js';

export type { CaseResult, MaterializedCase, OpFuzzer, OutputCheck, Target, TargetResult } from './case.js';

/** True when an input or a float constant of the case holds Inf or NaN. */
function hasNonFinite(c: MaterializedCase): boolean {
  const bad = (v: ArrayLike<number | bigint>) =>
    Array.prototype.some.call(v, (x: number | bigint) => typeof x === 'number' && !Number.isFinite(x));
  const floatConst = c.graph.tensors.some((t) => t.data && t.dtype === 'float32' && bad(t.data));
  const halfConst = c.graph.tensors.some(
    (t) => t.data && t.dtype === 'float16' && Array.prototype.some.call(t.data, (h: number) => (h & 0x7c00) === 0x7c00),
  );
  return floatConst || halfConst || c.inputs.some((d) => d instanceof Float32Array && bad(d));
}

export interface RunTargetsOptions {
  targets: readonly Target[];
  /** A shared device for the WebGPU targets (one per process keeps cases fast). */
  device?: GPUDevice;
}

async function runOurs(
  fuzzer: OpFuzzer,
  c: MaterializedCase,
  target: Target,
  golden: OracleOutput[],
  device: GPUDevice | undefined,
  /** Per output: max |tfjs-tflite - LiteRT.js| / max |golden| (when both ran). */
  runtimeGaps: readonly number[] = [],
): Promise<TargetResult> {
  const delegates: Delegate[] =
    target === 'cpu' ? [] : [new WebGpuDelegate({ precisionLossAllowed: target === 'webgpu-fp16', ...(device ? { device } : {}) })];
  const seen: { placement?: Placement } = {};
  try {
    const ran = await runInterpreter(c, { integerRounding: fuzzer.rounding ?? 'reference', delegates }, (interp) => {
      seen.placement = interp.placement();
      if (target !== 'cpu' && !seen.placement.nodes.some((n) => n.backend === 'webgpu')) {
        return { target, status: 'skipped', outputs: [], message: 'the delegate took no node' };
      }
      // WGSL lets implementations assume finite math: Inf / NaN inputs have no defined GPU result.
      if (target !== 'cpu' && hasNonFinite(c)) {
        return { target, status: 'skipped', outputs: [], message: 'non-finite inputs (WGSL does not promise IEEE Inf / NaN)' };
      }
      return null;
    });
    if (!('shapes' in ran)) return ran;
    const tol = target === 'webgpu-fp16' ? Math.max(1e-2, fuzzer.floatTolerance ?? 0) : (fuzzer.floatTolerance ?? 1e-5);
    if (golden.length === 0) return { target, status: 'pass', outputs: [] }; // nothing to judge: it ran
    let outputs = c.graph.outputs.map((ti, k) => {
      const t = c.graph.tensors[ti];
      const gold = golden[k] as OracleOutput;
      const rules = target === 'cpu' ? 'ieee' : 'wgsl';
      return checkOutput(k, t?.dtype ?? '?', ran.shapes[k] ?? [], ran.data[k] ?? [], gold, tol, fuzzer.lsb ?? 0, rules);
    });
    if (fuzzer.withinRuntimeGap) {
      outputs = outputs.map((o, k) => {
        const gap = runtimeGaps[k] ?? 0;
        if (o.pass || !FLOAT.has(o.dtype) || !(o.maxRel <= 2 * gap)) return o;
        return { ...o, pass: true, problem: `${o.problem}; within 2x the runtimes' own gap ${gap.toExponential(2)}` };
      });
    }
    if (target === 'webgpu-fp16' && seen.placement && outputs.some((o) => !o.pass)) {
      outputs = await judgeAgainstF16Storage(fuzzer, c, seen.placement, golden, outputs, tol);
    }
    if (target !== 'cpu') outputs = await judgeIntegersAgainstCpu(fuzzer, c, ran.data, outputs);
    return { target, status: outputs.every((o) => o.pass) ? 'pass' : 'fail', outputs };
  } catch (e) {
    return { target, status: 'error', outputs: [], message: `${(e as Error).name}: ${errorMessage(e)}` };
  }
}

/**
 * Integer outputs of a GPU run must equal the CPU interpreter's to the bit (the GPU's integer
 * kernels reproduce the CPU's; TFLite's LSB tolerance does not apply to them).
 */
async function judgeIntegersAgainstCpu(
  fuzzer: OpFuzzer,
  c: MaterializedCase,
  gpu: readonly (ArrayLike<number> | ArrayLike<bigint>)[],
  outputs: OutputCheck[],
): Promise<OutputCheck[]> {
  if (outputs.every((o) => FLOAT.has(o.dtype))) return outputs;
  const cpu = await runInterpreter(c, { integerRounding: fuzzer.rounding ?? 'reference' });
  if (!('data' in cpu)) return outputs;
  return outputs.map((o, k) => {
    if (FLOAT.has(o.dtype)) return o;
    const got = gpu[k] ?? [];
    const want = cpu.data[k] ?? [];
    let first = -1;
    let count = 0;
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      if (got[i] !== want[i]) {
        count++;
        if (first < 0) first = i;
      }
    }
    if (first < 0) return o;
    const problem = `${count} value(s) differ from the CPU interpreter (element ${first}: GPU ${got[first]}, CPU ${want[first]})`;
    return { ...o, pass: false, problem: o.problem ? `${o.problem}; ${problem}` : problem };
  });
}

/** Runs one case of `fuzzer` everywhere. Never throws for a bad case: the result says what happened. */
export async function runCase(fuzzer: OpFuzzer, seed: number, size: number, options: RunTargetsOptions): Promise<CaseResult> {
  const name = `${fuzzer.op} ${fuzzer.dtypes}`;
  let c: MaterializedCase;
  try {
    c = await materialize(fuzzer, seed, size);
  } catch (e) {
    const graph = { tensors: [], nodes: [], inputs: [], outputs: [] };
    return { name, seed, size, status: 'fail', targets: [], message: `generator failed: ${errorMessage(e)}`, graph };
  }
  const preferred: OracleName = fuzzer.oracle ?? 'tfjs-tflite';
  const other: OracleName = preferred === 'tfjs-tflite' ? 'litert' : 'tfjs-tflite';
  const first = await runTflite(preferred, c);
  const second = await runTflite(other, c);
  const golden = Array.isArray(first) ? first : Array.isArray(second) ? second : null;
  const oracle = Array.isArray(first) ? preferred : other;
  if (!golden) {
    const cpu = await runOurs(fuzzer, c, 'cpu', [], undefined);
    const ours = cpu.status === 'error' ? `we refuse it too (${cpu.message})` : 'we run it';
    const message = `TFLite refuses the case: ${(first as OracleError).message}; ${(second as OracleError).message}; ${ours}`;
    return { name, seed, size, status: 'invalid', weRefuse: cpu.status === 'error', targets: [], message, graph: c.graph };
  }
  const result: CaseResult = { name, seed, size, status: 'pass', oracle, targets: [], graph: c.graph };
  const gaps: number[] = [];
  if (Array.isArray(first) && Array.isArray(second)) {
    let gap = 0;
    first.forEach((o, k) => {
      const p = second[k];
      let g = 0;
      let top = 0;
      if (!p || p.data.length !== o.data.length) g = Number.POSITIVE_INFINITY;
      else
        for (let i = 0; i < o.data.length; i++) {
          g = Math.max(g, Math.abs(Number(o.data[i]) - Number(p.data[i])) || 0);
          top = Math.max(top, Math.abs(Number(golden[k]?.data[i])) || 0);
        }
      gap = Math.max(gap, g);
      gaps.push(top > 0 ? g / top : g);
    });
    result.runtimeGap = gap;
  }
  for (const target of options.targets) result.targets.push(await runOurs(fuzzer, c, target, golden, options.device, gaps));
  if (result.targets.some((t) => t.status === 'fail' || t.status === 'error')) result.status = 'fail';
  return result;
}

/**
 * Shrinks a failure: the smallest case of the same op (by element count) that fails the same
 * target, searched over smaller sizes (fewer and shorter dimensions) and nearby seeds.
 */
export async function shrinkFailure(fuzzer: OpFuzzer, failed: CaseResult, options: RunTargetsOptions, tries = 12): Promise<CaseResult> {
  const failing = failed.targets.filter((t) => t.status === 'fail' || t.status === 'error').map((t) => t.target);
  const elements = (r: CaseResult) => r.graph.tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  let best = failed;
  for (let size = 1; size < failed.size; size++) {
    for (let k = 0; k < tries; k++) {
      const seed = caseSeed(failed.seed, `shrink${size}`, k);
      const r = await runCase(fuzzer, seed, size, { ...options, targets: failing });
      if (r.status === 'fail' && r.targets.length > 0 && elements(r) < elements(best)) best = r;
    }
    if (best !== failed) return best;
  }
  return best;
}

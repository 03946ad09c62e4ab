// One differential case: a generated graph run by TFLite (tfjs-tflite: the builtin kernels;
// LiteRT.js: the current runtime) and by us (CPU interpreter, WebGPU delegate fp32 / fp16), each
// output judged against the reference runtime.
import {
  type Delegate,
  type DType,
  type IntegerRounding,
  Interpreter,
  type InterpreterOptions,
  type Placement,
  type TypedArray,
  WebGpuDelegate,
} from '../../src/index.js';
import { F16_REFERENCE_FACTOR } from '../compare.js';
import { type HalfRounding, halfStorageObserver } from '../half_storage.js';
import { errorMessage } from '../oracle/emscripten.js';
import { mulberry32, randomTensor } from '../oracle/inputs.js';
import * as litert from '../oracle/litert.js';
import { readModelInfo } from '../oracle/model_info.js';
import * as tfjsTflite from '../oracle/tfjs_tflite.js';
import { type OracleDType, OracleError, type OracleName, type OracleOutput } from '../oracle/types.js';
import { buildModel, encodeValues, type FuzzGraph, withInt32Edges } from './graph.js';
import { caseSeed, Rng } from './rng.js';

/** Generates cases for one (op, dtypes) line of a registry. */
export interface OpFuzzer {
  op: string;
  /** What the cases exercise, e.g. 'int8' or 'float32,int8 -> float32' (the README table's label). */
  dtypes: string;
  /** One random case; `r.size` bounds its dimensions (shrinking lowers it). */
  make(r: Rng): FuzzGraph;
  /** Float outputs: allowed max |ours - golden| / max |golden| (default 1e-5). */
  floatTolerance?: number;
  /** Integer outputs: allowed difference in LSB (default 0: bit-exact). */
  lsb?: number;
  /** The integer rounding that reproduces the reference build (default 'reference'). */
  rounding?: IntegerRounding;
  /** The reference runtime (default tfjs-tflite, TFLite's builtin kernels). */
  oracle?: OracleName;
  /** Why a weaker check than the defaults is right, for the README table. */
  note?: string;
  /**
   * Ill-conditioned graphs (normalisations): a float output also passes when ours is within 2x
   * of the two TFLite builds' own disagreement on it (relative to max |golden|).
   */
  withinRuntimeGap?: boolean;
}

export type Target = 'cpu' | 'webgpu-fp32' | 'webgpu-fp16';

export interface OutputCheck {
  index: number;
  dtype: string;
  shape: number[];
  goldenShape: number[];
  maxAbs: number;
  /** maxAbs / max |golden| over finite values (floats). */
  maxRel: number;
  exact: boolean;
  pass: boolean;
  problem?: string;
}

export interface TargetResult {
  target: Target;
  /** 'skipped': the delegate took no node of the case (it stays on the CPU, which is judged as 'cpu'). */
  status: 'pass' | 'fail' | 'error' | 'skipped';
  outputs: OutputCheck[];
  message?: string;
}

export interface CaseResult {
  name: string;
  seed: number;
  size: number;
  /**
   * 'invalid': no TFLite runtime accepts the case (a generator mistake, or a case TFLite refuses;
   * `ours` says whether we refused too).
   */
  status: 'pass' | 'fail' | 'invalid';
  /** Invalid cases: whether our interpreter refuses the case too (it should: TFLite does). */
  weRefuse?: boolean;
  oracle?: OracleName;
  /** Largest difference between the two TFLite runtimes, when both ran. */
  runtimeGap?: number;
  targets: TargetResult[];
  message?: string;
  graph: FuzzGraph;
}

export interface MaterializedCase {
  graph: FuzzGraph;
  bytes: Uint8Array;
  inputs: TypedArray[];
}

/** The case's inputs: the given data, else random values of each input's range and dtype. */
function makeInputData(graph: FuzzGraph, seed: number): TypedArray[] {
  return graph.inputs.map((ti, k) => {
    const t = graph.tensors[ti];
    if (!t) throw new RangeError(`input ${ti} does not exist`);
    if (t.data) return typedFromBytes(t.dtype, encodeValues(t.dtype, t.data));
    const rand = mulberry32((seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0);
    if (!t.range) return randomTensor(t.dtype as OracleDType, t.shape, rand) as TypedArray;
    const [lo, hi] = t.range;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const float = t.dtype === 'float32' || t.dtype === 'float64';
    const values = Array.from({ length: n }, () => (float ? lo + (hi - lo) * rand() : lo + Math.floor(rand() * (hi - lo + 1))));
    return typedFromBytes(t.dtype, encodeValues(t.dtype, values));
  });
}

function typedFromBytes(dtype: DType, bytes: Uint8Array): TypedArray {
  const b = bytes.slice().buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(b);
    case 'float64':
      return new Float64Array(b);
    case 'int8':
      return new Int8Array(b);
    case 'int16':
      return new Int16Array(b);
    case 'uint16':
    case 'float16':
      return new Uint16Array(b);
    case 'int32':
      return new Int32Array(b);
    case 'uint32':
      return new Uint32Array(b);
    case 'int64':
      return new BigInt64Array(b);
    default:
      return new Uint8Array(b);
  }
}

/** Fills shapes left to prepare from our interpreter (TFLite resizes outputs itself, so a wrong one still shows). */
async function inferShapes(graph: FuzzGraph): Promise<FuzzGraph> {
  if (!graph.tensors.some((t) => t.inferShape)) return graph;
  try {
    const interp = await Interpreter.create(buildModel(graph));
    await interp.allocateTensors();
    const tensors = graph.tensors.map((t, i) => (t.inferShape ? { ...t, shape: interp.tensorShape(i), inferShape: false } : t));
    interp.dispose();
    return { ...graph, tensors };
  } catch {
    return graph; // our prepare refuses: TFLite decides alone whether the case is valid
  }
}

export async function materialize(fuzzer: OpFuzzer, seed: number, size: number): Promise<MaterializedCase> {
  const r = new Rng(seed, size);
  const graph = await inferShapes(withInt32Edges(fuzzer.make(r)));
  return { graph, bytes: buildModel(graph), inputs: makeInputData(graph, seed) };
}

const RUNNERS = { 'tfjs-tflite': tfjsTflite.run, litert: litert.run } as const;

export async function runTflite(name: OracleName, c: MaterializedCase): Promise<OracleOutput[] | OracleError> {
  try {
    return await RUNNERS[name](c.bytes, c.inputs, { info: readModelInfo(c.bytes) });
  } catch (e) {
    return e instanceof OracleError ? e : new OracleError(name, 'run', errorMessage(e), [], e);
  }
}

const FLOAT = new Set(['float32', 'float64', 'float16']);

/** Judges one output: floats by relative error with NaN / Inf in the same places; integers by LSB. */
export function checkOutput(
  index: number,
  dtype: string,
  shape: number[],
  got: ArrayLike<number> | ArrayLike<bigint>,
  golden: OracleOutput,
  floatTolerance: number,
  lsb: number,
  /** 'ignore': elements where TFLite gives Inf / NaN are not judged (WGSL does not promise IEEE specials). */
  nonFinite: 'exact' | 'ignore' = 'exact',
): OutputCheck {
  const base = { index, dtype, shape, goldenShape: golden.shape };
  const sameShape = shape.length === golden.shape.length && shape.every((d, i) => d === golden.shape[i]);
  if (!sameShape || got.length !== golden.data.length) {
    const problem = `shape [${shape}] differs from TFLite's [${golden.shape}]`;
    return { ...base, maxAbs: Number.POSITIVE_INFINITY, maxRel: Number.POSITIVE_INFINITY, exact: false, pass: false, problem };
  }
  let maxAbs = 0;
  let maxGolden = 0;
  let misplaced = 0;
  let worst = -1;
  for (let i = 0; i < got.length; i++) {
    const a = Number(got[i]);
    const b = Number(golden.data[i]);
    if (nonFinite === 'ignore' && !Number.isFinite(b)) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) misplaced++;
      continue;
    }
    maxGolden = Math.max(maxGolden, Math.abs(b));
    const d = Math.abs(a - b);
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
  }
  const maxRel = maxGolden > 0 ? maxAbs / maxGolden : maxAbs;
  const exact = maxAbs === 0 && misplaced === 0;
  const isFloat = FLOAT.has(dtype);
  const pass = misplaced === 0 && (isFloat ? maxRel <= floatTolerance : maxAbs <= lsb);
  const out: OutputCheck = { ...base, maxAbs, maxRel, exact, pass };
  if (!pass) {
    const at = worst >= 0 ? ` (element ${worst}: ours ${Number(got[worst])}, TFLite ${Number(golden.data[worst])})` : '';
    out.problem = misplaced
      ? `${misplaced} NaN/Inf values where TFLite has none, or the reverse`
      : isFloat
        ? `relative error ${maxRel.toExponential(2)} > ${floatTolerance}${at}`
        : `${maxAbs} LSB off${at}`;
  }
  return out;
}

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

/** Runs the case in our interpreter: the outputs' shapes and data, or what `onAllocated` returns instead of running. */
async function runInterpreter(
  c: MaterializedCase,
  options: InterpreterOptions,
  onAllocated?: (interp: Interpreter) => TargetResult | null,
): Promise<{ shapes: number[][]; data: (ArrayLike<number> | ArrayLike<bigint>)[] } | TargetResult> {
  let interp: Interpreter | null = null;
  try {
    interp = await Interpreter.create(c.bytes, options);
    await interp.allocateTensors();
    const early = onAllocated?.(interp);
    if (early) return early;
    for (const [k, ti] of c.graph.inputs.entries()) interp.setTensor(ti, c.inputs[k] as TypedArray);
    await interp.invoke();
    const it = interp;
    return { shapes: c.graph.outputs.map((ti) => it.tensorShape(ti)), data: c.graph.outputs.map((ti) => it.getTensor(ti)) };
  } finally {
    interp?.dispose();
  }
}

/** The f16 storage references verify judges fp16 with (harness/verify.ts): every rounding to f16 WGSL allows. */
const F16_STORAGE_REFERENCES: readonly HalfRounding[] = ['nearest', 'toward-zero', 'away-from-zero', 'stochastic'];

const ALIAS_OPS = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);

/**
 * The tensors our fp16 run stored in f16: outputs of the webgpu partitions' nodes that run at f16
 * (the placement's f32Nodes run at f32), except the partitions' outputs; a RESHAPE-like node's
 * output shares its input's storage.
 */
function delegateF16Tensors(graph: FuzzGraph, placement: Placement): Set<number> {
  const f16 = new Set<number>();
  for (const p of placement.partitions) {
    const f32Nodes = p.info.f32Nodes;
    if (p.backend !== 'webgpu' || p.info.precision === 'fp32' || !Array.isArray(f32Nodes)) continue;
    const boundary = new Set(p.outputs.map((o) => o.index));
    for (const n of p.nodes) {
      const node = graph.nodes[n];
      if (!node || f32Nodes.includes(n)) continue;
      const stored = ALIAS_OPS.has(node.op) ? f16.has(node.inputs[0] as number) : true;
      for (const t of node.outputs) if (stored && !boundary.has(t)) f16.add(t);
    }
  }
  return f16;
}

/**
 * webgpu-fp16 outputs that miss the fp16 bar, judged as verify judges fp16 runs: against what f16
 * storage itself costs on this case, measured by our CPU kernels (math f32) with activations
 * rounded to f16, each rounding WGSL allows, in two placements: every activation (verify's
 * references) and exactly the tensors our run stored in f16 (the others kept f32 by making them
 * outputs of the reference model, which the interpreter never rounds). An output passes when its
 * error is within max(bar, F16_REFERENCE_FACTOR x the worst reference's) of the golden (relative
 * error for floats, LSB for integers): near-ties before a discrete step (ARG_MAX, QUANTIZE) flip
 * at f16 precision, and normalisation amplifies f16 rounding (x * s - mean * s cancels), both
 * legitimately. An output where a reference overflows f16 (Inf / NaN where TFLite is finite) is
 * beyond f16 storage's range and passes with a note.
 */
async function judgeAgainstF16Storage(
  fuzzer: OpFuzzer,
  c: MaterializedCase,
  placement: Placement,
  golden: OracleOutput[],
  outputs: OutputCheck[],
  tol: number,
): Promise<OutputCheck[]> {
  const f16 = delegateF16Tensors(c.graph, placement);
  const keepF32 = c.graph.tensors.flatMap((t, i) =>
    t.dtype === 'float32' && !t.data && !c.graph.inputs.includes(i) && !c.graph.outputs.includes(i) && !f16.has(i) ? [i] : [],
  );
  const mirror = { ...c, bytes: buildModel({ ...c.graph, outputs: [...c.graph.outputs, ...keepF32] }) };
  const worst = outputs.map(() => ({ rel: 0, lsb: 0, overflow: false }));
  for (const model of [c, mirror]) {
    for (const halfRounding of F16_STORAGE_REFERENCES) {
      const options = {
        integerRounding: fuzzer.rounding ?? 'reference',
        observer: halfStorageObserver(model.bytes, halfRounding),
      } as const;
      let ref: Awaited<ReturnType<typeof runInterpreter>>;
      try {
        ref = await runInterpreter(model, options);
      } catch {
        return outputs;
      }
      if (!('shapes' in ref)) return outputs;
      outputs.forEach((o, k) => {
        const r = checkOutput(
          k,
          o.dtype,
          ref.shapes[k] ?? [],
          ref.data[k] ?? [],
          golden[k] as OracleOutput,
          tol,
          fuzzer.lsb ?? 0,
          'ignore',
        );
        const w = worst[k] as (typeof worst)[number];
        w.rel = Math.max(w.rel, r.maxRel);
        w.lsb = Math.max(w.lsb, r.maxAbs);
        w.overflow ||= r.problem?.includes('NaN/Inf') ?? false;
      });
    }
  }
  return outputs.map((o, k) => {
    const w = worst[k] as (typeof worst)[number];
    if (o.pass || o.problem?.startsWith('shape')) return o;
    if (w.overflow) return { ...o, pass: true, problem: `${o.problem}; f16 storage overflows here (a reference has Inf / NaN)` };
    if (!Number.isFinite(o.maxRel) || o.problem?.includes('NaN/Inf')) return o;
    const isFloat = FLOAT.has(o.dtype);
    const bound = isFloat ? Math.max(tol, F16_REFERENCE_FACTOR * w.rel) : Math.max(fuzzer.lsb ?? 0, F16_REFERENCE_FACTOR * w.lsb);
    const err = isFloat ? o.maxRel : o.maxAbs;
    const note = `f16 storage alone (our CPU kernels, activations rounded to f16) is off by ${isFloat ? w.rel.toExponential(2) : `${w.lsb} LSB`}`;
    if (err <= bound) return { ...o, pass: true, problem: `${o.problem}; within ${F16_REFERENCE_FACTOR}x: ${note}` };
    return { ...o, problem: `${o.problem}; ${note}` };
  });
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
      const specials = target === 'cpu' ? 'exact' : 'ignore';
      return checkOutput(k, t?.dtype ?? '?', ran.shapes[k] ?? [], ran.data[k] ?? [], gold, tol, fuzzer.lsb ?? 0, specials);
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
    return { target, status: outputs.every((o) => o.pass) ? 'pass' : 'fail', outputs };
  } catch (e) {
    return { target, status: 'error', outputs: [], message: `${(e as Error).name}: ${errorMessage(e)}` };
  }
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

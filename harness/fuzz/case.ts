// A differential case: what a fuzzer generates, the graph built and fed, and the two ways it
// runs (TFLite's runtimes, our interpreter).
import { type DType, type IntegerRounding, Interpreter, type InterpreterOptions, type TypedArray } from '../../src/index.js';
import { errorMessage } from '../oracle/emscripten.js';
import { mulberry32, randomTensor } from '../oracle/inputs.js';
import * as litert from '../oracle/litert.js';
import { readModelInfo } from '../oracle/model_info.js';
import * as tfjsTflite from '../oracle/tfjs_tflite.js';
import { isOracleDType, type OracleDType, OracleError, type OracleName, type OracleOutput, typedArrayFromBytes } from '../oracle/types.js';
import { buildModel, encodeValues, type FuzzGraph, withInt32Edges } from './graph.js';
import { Rng } from './rng.js';

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
    if (t.data) return typedFrom(t.dtype, encodeValues(t.dtype, t.data));
    const rand = mulberry32((seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0);
    if (!t.range) return randomTensor(t.dtype as OracleDType, t.shape, rand) as TypedArray;
    const [lo, hi] = t.range;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const float = t.dtype === 'float32' || t.dtype === 'float64';
    const values = Array.from({ length: n }, () => (float ? lo + (hi - lo) * rand() : lo + Math.floor(rand() * (hi - lo + 1))));
    return typedFrom(t.dtype, encodeValues(t.dtype, values));
  });
}

/** A typed array of `dtype` holding a copy of `bytes` (raw bytes for what the oracle cannot hold). */
function typedFrom(dtype: DType, bytes: Uint8Array): TypedArray {
  return isOracleDType(dtype) ? typedArrayFromBytes(dtype, bytes) : bytes.slice();
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

/** Runs the case in our interpreter: the outputs' shapes and data, or what `onAllocated` returns instead of running. */
export async function runInterpreter(
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

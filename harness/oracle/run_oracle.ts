// runOracle: golden outputs from the real TFLite runtimes, picked by a fixed policy.
//
// - LiteRT.js (XNNPACK) and tfjs-tflite (TFLite's interpreter and builtin kernels) agree bit for
//   bit on integer models and within ~1.2e-4 on float models.
// - On hybrid (dynamic-range) models they disagree: TFLite's builtin kernels (tfjs-tflite) are the
//   reference there.
// - LiteRT.js refuses models with variable tensors; tfjs-tflite lacks some ops LiteRT.js runs
//   (Convolution2DTransposeBias, int16 x int8 BATCH_MATMUL). Each falls back to the other.
import { errorMessage } from './emscripten.js';
import * as litert from './litert.js';
import { type ModelInfo, readModelInfo } from './model_info.js';
import * as tfjsTflite from './tfjs_tflite.js';
import { OracleError, type OracleName, type OracleOutput } from './types.js';

export type OraclePreference = 'litert' | 'tfjs-tflite' | 'auto';

export interface RunOracleOptions {
  /**
   * Which runtime is the reference. 'auto' (default): tfjs-tflite for hybrid models and models
   * with run-time-shaped outputs, else LiteRT.js. Either way the other is the fallback.
   */
  prefer?: OraclePreference;
  /** The model is hybrid (dynamic-range). Default: detected from the model (ModelInfo.isHybrid). */
  hybrid?: boolean;
  /** Also run the other runtime and return its result as `other` (default true). */
  other?: boolean;
}

export type OtherResult = { oracle: OracleName; outputs: OracleOutput[] } | { oracle: OracleName; error: string };

export interface OracleResult {
  /** The runtime whose outputs are the reference. */
  oracle: OracleName;
  outputs: OracleOutput[];
  /** The other runtime's outputs (to report the difference), or why it could not run. */
  other?: OtherResult;
}

const RUNNERS: Record<
  OracleName,
  (bytes: Uint8Array, inputs: readonly ArrayBufferView[], o: { info: ModelInfo }) => Promise<OracleOutput[]>
> = {
  litert: litert.run,
  'tfjs-tflite': tfjsTflite.run,
};

/** The order in which runtimes are tried for a model. */
export function oracleOrder(prefer: OraclePreference, hybrid: boolean, dynamicOutputs = false): [OracleName, OracleName] {
  if (prefer === 'litert') return ['litert', 'tfjs-tflite'];
  if (prefer === 'tfjs-tflite' || hybrid || dynamicOutputs) return ['tfjs-tflite', 'litert'];
  return ['litert', 'tfjs-tflite'];
}

async function attempt(name: OracleName, bytes: Uint8Array, inputs: readonly ArrayBufferView[], info: ModelInfo) {
  try {
    return { outputs: await RUNNERS[name](bytes, inputs, { info }) };
  } catch (e) {
    return { error: e instanceof OracleError ? e : new OracleError(name, 'run', errorMessage(e), [], e) };
  }
}

/**
 * Runs the model on the preferred runtime, falling back to the other when it refuses or fails.
 * Inputs: subgraph-0 order, typed arrays of each input's dtype (see makeInputs). Throws an
 * OracleError (kind 'no-oracle') naming both failures when neither runtime can run the model.
 */
export async function runOracle(
  modelBytes: Uint8Array,
  inputs: readonly ArrayBufferView[],
  options: RunOracleOptions = {},
): Promise<OracleResult> {
  let info: ModelInfo;
  try {
    info = readModelInfo(modelBytes);
  } catch (e) {
    throw new OracleError('oracle', 'load-model', `cannot read the model: ${errorMessage(e)}`, [], e);
  }
  const [first, second] = oracleOrder(options.prefer ?? 'auto', options.hybrid ?? info.isHybrid, info.dynamicOutputs.length > 0);
  const a = await attempt(first, modelBytes, inputs, info);
  if (a.outputs) {
    if (options.other === false) return { oracle: first, outputs: a.outputs };
    const b = await attempt(second, modelBytes, inputs, info);
    return {
      oracle: first,
      outputs: a.outputs,
      other: b.outputs ? { oracle: second, outputs: b.outputs } : { oracle: second, error: b.error.message },
    };
  }
  const b = await attempt(second, modelBytes, inputs, info);
  if (b.outputs) return { oracle: second, outputs: b.outputs, other: { oracle: first, error: a.error.message } };
  // Input mistakes are the caller's: report the preferred runtime's complaint as is.
  if (a.error.kind === 'input') throw a.error;
  throw new OracleError('oracle', 'no-oracle', `neither runtime can run the model: ${a.error.message}; ${b.error.message}`, [
    ...a.error.log,
    ...b.error.log,
  ]);
}

export interface OutputDiff {
  name: string;
  /** Largest |a - b| over the elements (as numbers; NaN on both sides counts as equal). */
  maxAbsDiff: number;
  /** Elements that differ at all. */
  mismatches: number;
  shapeMatch: boolean;
}

/** Element-wise comparison of two runs' outputs (same model, same inputs). */
export function compareOutputs(a: readonly OracleOutput[], b: readonly OracleOutput[]): { maxAbsDiff: number; outputs: OutputDiff[] } {
  if (a.length !== b.length) throw new RangeError(`output counts differ: ${a.length} vs ${b.length}`);
  const outputs = a.map((x, i): OutputDiff => {
    const y = b[i] as OracleOutput;
    const shapeMatch = x.shape.length === y.shape.length && x.shape.every((d, j) => d === y.shape[j]);
    if (x.data.length !== y.data.length)
      return { name: x.name, maxAbsDiff: Number.POSITIVE_INFINITY, mismatches: Math.max(x.data.length, y.data.length), shapeMatch };
    let maxAbsDiff = 0;
    let mismatches = 0;
    for (let j = 0; j < x.data.length; j++) {
      const p = Number(x.data[j]);
      const q = Number(y.data[j]);
      if (p === q || (Number.isNaN(p) && Number.isNaN(q))) continue;
      mismatches += 1;
      const d = Math.abs(p - q);
      maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, d);
    }
    return { name: x.name, maxAbsDiff, mismatches, shapeMatch };
  });
  return { maxAbsDiff: outputs.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0), outputs };
}

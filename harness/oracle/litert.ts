// LiteRT.js (@litertjs/core) as an oracle, through its low-level embind API.
//
// LiteRT.js's own loader wants a browser (self, importScripts, navigator.gpu) and its Tensor API
// takes float32 / int32 / uint8 only, so we evaluate the emscripten glue ourselves (see
// emscripten.ts) and drive the wasm classes the package's dist/index.js drives (loadModel,
// compileModel, tensor buffers, run: litert_compiled.ts). That works for every element type.
// The oracle always runs on XNNPACK (1 thread). Node 20 gets the "compat" wasm unless relaxed
// SIMD is enabled (--experimental-wasm-relaxed-simd). Models with variable tensors are refused.
import { errorMessage, isWasmTrap } from './emscripten.js';
import { LiteRtCompiled } from './litert_compiled.js';
import { ELEMENT_DTYPES, type LiteRtModel, type RankedTensorType, type SignatureMap, typeOf } from './litert_embind.js';
import { type LiteRtRuntime, loadLiteRt, markRuntimeBroken, modelInfoOf, openModel, runCleanups } from './litert_runtime.js';
import type { ModelInfo } from './model_info.js';
import { OracleError, type OracleOutput, type OracleTensorDetails } from './types.js';

export const ORACLE_NAME = 'litert';

export { type LiteRtRuntime, loadLiteRt } from './litert_runtime.js';

export interface RunOptions {
  /** Model info already read from the same bytes (saves a parse). */
  info?: ModelInfo;
  /** Run even when some output is shaped at run time (its result is then unreliable). */
  allowDynamicOutputs?: boolean;
}

/** Parses the model, loads the runtime and opens the model; hands all to `body`, then frees it. */
async function withModel<T>(
  modelBytes: Uint8Array,
  info: ModelInfo | undefined,
  body: (ctx: {
    rt: LiteRtRuntime;
    model: LiteRtModel;
    info: ModelInfo;
    sig: SignatureMap;
    mark: number;
    defer: (f: () => void) => void;
  }) => Promise<T>,
): Promise<T> {
  const modelInfo = modelInfoOf(modelBytes, info);
  const rt = await loadLiteRt();
  const { env, log } = rt;
  const mark = log.mark();
  const cleanups: (() => void)[] = [];
  try {
    const { model, sig } = openModel(rt, env, modelBytes, modelInfo, mark, cleanups);
    return await body({ rt, model, info: modelInfo, sig, mark, defer: (f) => cleanups.push(f) });
  } catch (e) {
    if (e instanceof OracleError) throw e;
    if (isWasmTrap(e)) markRuntimeBroken(rt);
    throw new OracleError('litert', isWasmTrap(e) ? 'crash' : 'run', errorMessage(e), log.since(mark), e);
  } finally {
    runCleanups(cleanups);
  }
}

/**
 * Runs the model once on fresh state. `inputs` are in subgraph-0 input order, each a typed array
 * of the input's dtype holding raw values (Int8Array for int8, Uint8Array of 0/1 for bool, ...).
 * Outputs come back in subgraph-0 output order, named by their tensor names.
 */
export async function run(modelBytes: Uint8Array, inputs: readonly ArrayBufferView[], options: RunOptions = {}): Promise<OracleOutput[]> {
  const info = modelInfoOf(modelBytes, options.info);
  if (info.dynamicOutputs.length > 0 && !options.allowDynamicOutputs) {
    throw new OracleError(
      'litert',
      'unsupported',
      `output(s) ${info.dynamicOutputs.map((n) => `'${n}'`).join(', ')} get their shape at run time; LiteRT.js returns ` +
        'buffers of the declared shape for them (garbage or a truncated scalar)',
      [],
    );
  }
  const compiled = await LiteRtCompiled.open(modelBytes, { accelerator: 'wasm', info });
  try {
    return await compiled.run(inputs);
  } finally {
    compiled.dispose();
  }
}

/** The model's inputs and outputs as LiteRT.js declares them (names are its signature names; -1 = dynamic), in subgraph-0 order. */
export function modelDetails(modelBytes: Uint8Array): Promise<{ inputs: OracleTensorDetails[]; outputs: OracleTensorDetails[] }> {
  return withModel(modelBytes, undefined, async ({ model, sig, info, rt, mark }) => {
    const details = (
      positions: number[],
      names: string[],
      get: (j: number) => RankedTensorType,
      specs: ModelInfo['inputs'],
    ): OracleTensorDetails[] => {
      const out: OracleTensorDetails[] = new Array(positions.length);
      positions.forEach((pos, j) => {
        const type = get(j);
        let t: { elementType: number; dims: number[] };
        try {
          t = typeOf(type);
        } finally {
          type.delete();
        }
        const dtype = ELEMENT_DTYPES[t.elementType] ?? specs[pos]?.dtype;
        if (!dtype)
          throw new OracleError('litert', 'load-model', `tensor '${names[j]}' has element type ${t.elementType}`, rt.log.since(mark));
        out[pos] = { name: names[j] ?? '', dtype, shape: t.dims };
      });
      return out;
    };
    return {
      inputs: details(sig.inputs, sig.inputNames, (j) => model.getInputTensorType(sig.index, j), info.inputs),
      outputs: details(sig.outputs, sig.outputNames, (j) => model.getOutputTensorType(sig.index, j), info.outputs),
    };
  });
}

/** Input details only (see modelDetails). */
export async function inputDetails(modelBytes: Uint8Array): Promise<OracleTensorDetails[]> {
  return (await modelDetails(modelBytes)).inputs;
}

// The LiteRT.js wasm runtime, one per process: the relaxed-SIMD build where the engine has
// relaxed SIMD, else the "compat" build; a CPU (XNNPACK) environment made once.
import { errorMessage, evaluateGlue, isWasmTrap, packageFile, RuntimeLog, WASM_RELAXED_SIMD_PROBE, wasmSupports } from './emscripten.js';
import { LazyRuntime } from './lazy_runtime.js';
import { type Deletable, type GlueFactory, type LiteRtModel, type LiteRtWasm, mapSignature, type SignatureMap } from './litert_embind.js';
import { type ModelInfo, readModelInfo } from './model_info.js';
import { OracleError } from './types.js';

export interface LiteRtRuntime {
  wasm: LiteRtWasm;
  env: Deletable;
  log: RuntimeLog;
  /** The glue file loaded (compat or relaxed-SIMD build). */
  file: string;
}

const runtime = new LazyRuntime(async (): Promise<LiteRtRuntime> => {
  const log = new RuntimeLog('litert');
  let file = '';
  try {
    const name = wasmSupports(WASM_RELAXED_SIMD_PROBE) ? 'litert_wasm_internal.js' : 'litert_wasm_compat_internal.js';
    file = packageFile('@litertjs/core', `wasm/${name}`);
    const factory = evaluateGlue(file) as GlueFactory;
    const wasm = await factory({ print: log.write, printErr: log.write });
    wasm.setupLogging();
    const env = wasm.LiteRtEnvironment.create(null);
    return { wasm, env, log, file };
  } catch (e) {
    throw new OracleError('litert', 'load-runtime', `cannot load ${file || '@litertjs/core'}: ${errorMessage(e)}`, log.since(0), e);
  }
});

/** Loads the LiteRT.js wasm once (lazily) and returns it; a failed load is retried next call. */
export function loadLiteRt(): Promise<LiteRtRuntime> {
  return runtime.get();
}

/** Forgets `rt` after a trap (its heap cannot be trusted): the next loadLiteRt() reloads. */
export function markRuntimeBroken(rt: LiteRtRuntime): void {
  runtime.discard(rt);
}

/**
 * Copies the model into the wasm heap and opens it in `env`, with the signature that runs
 * subgraph 0; what to free is pushed on `cleanups`. Failures are load-model OracleErrors.
 */
export function openModel(
  rt: LiteRtRuntime,
  env: Deletable,
  modelBytes: Uint8Array,
  info: ModelInfo,
  mark: number,
  cleanups: (() => void)[],
): { model: LiteRtModel; sig: SignatureMap } {
  const { wasm, log } = rt;
  const ptr = wasm._malloc(modelBytes.byteLength);
  cleanups.push(() => wasm._free(ptr));
  wasm.HEAPU8.set(modelBytes, ptr);
  let model: LiteRtModel;
  try {
    model = wasm.loadModel(env, ptr, modelBytes.byteLength);
  } catch (e) {
    if (isWasmTrap(e)) markRuntimeBroken(rt);
    throw new OracleError('litert', 'load-model', errorMessage(e), log.since(mark), e);
  }
  cleanups.push(() => model.delete());
  const sig = mapSignature(model, info);
  if (typeof sig === 'string') throw new OracleError('litert', 'load-model', sig, log.since(mark));
  return { model, sig };
}

/** Runs the cleanups, last first, and empties the list; a failing one does not stop the rest. */
export function runCleanups(cleanups: (() => void)[]): void {
  for (const f of cleanups.reverse()) {
    try {
      f();
    } catch {
      // Freeing after a failure must not hide the failure.
    }
  }
  cleanups.length = 0;
}

/** The model's info: `given` when the caller already read it, else read now (a load-model OracleError if unreadable). */
export function modelInfoOf(modelBytes: Uint8Array, given?: ModelInfo): ModelInfo {
  if (given) return given;
  try {
    return readModelInfo(modelBytes);
  } catch (e) {
    throw new OracleError('litert', 'load-model', `cannot read the model: ${errorMessage(e)}`, [], e);
  }
}

// The LiteRT.js wasm runtime, one per process: the relaxed-SIMD build where the engine has
// relaxed SIMD, else the "compat" build; a CPU (XNNPACK) environment made once.
import { errorMessage, evaluateGlue, packageFile, RuntimeLog, WASM_RELAXED_SIMD_PROBE, wasmSupports } from './emscripten.js';
import { LazyRuntime } from './lazy_runtime.js';
import type { Deletable, GlueFactory, LiteRtWasm } from './litert_embind.js';
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

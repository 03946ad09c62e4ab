// LiteRT.js (@litertjs/core) as an oracle, through its low-level embind API.
//
// LiteRT.js's own loader wants a browser (self, importScripts, navigator.gpu) and its Tensor API
// takes float32 / int32 / uint8 only, so we evaluate the emscripten glue ourselves (see
// emscripten.ts) and drive the wasm classes the package's dist/index.js drives: loadModel,
// compileModel(accelerator 'wasm'), LiteRtTensorBuffer.createManaged + lock/unlock, run. That works
// for every element type. It always runs on XNNPACK (1 thread). Node 20 gets the "compat" wasm
// unless started with --experimental-wasm-relaxed-simd. Models with variable tensors are refused.
import { errorMessage, evaluateGlue, isWasmTrap, packageFile, RuntimeLog, WASM_RELAXED_SIMD_PROBE, wasmSupports } from './emscripten.js';
import { LazyRuntime } from './lazy_runtime.js';
import {
  type CompiledModel,
  type Deletable,
  ELEMENT_DTYPES,
  type GlueFactory,
  type LiteRtModel,
  type LiteRtWasm,
  mapSignature,
  type RankedTensorType,
  type SignatureMap,
  type TensorBuffer,
  typeOf,
} from './litert_embind.js';
import { type ModelInfo, readModelInfo } from './model_info.js';
import {
  bytesPerElement,
  describeView,
  matchesDType,
  numElements,
  OracleError,
  type OracleOutput,
  type OracleTensorDetails,
  typedArrayFromBytes,
  viewBytes,
} from './types.js';

export const ORACLE_NAME = 'litert';

const COMPILE_OPTIONS = { accelerator: 'wasm', cpuOptions: { numThreads: 1 }, gpuOptions: {}, webNNOptions: {} };

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
  let modelInfo: ModelInfo;
  try {
    modelInfo = info ?? readModelInfo(modelBytes);
  } catch (e) {
    throw new OracleError('litert', 'load-model', `cannot read the model: ${errorMessage(e)}`, [], e);
  }
  const rt = await loadLiteRt();
  const { wasm, env, log } = rt;
  const mark = log.mark();
  const cleanups: (() => void)[] = [];
  try {
    const ptr = wasm._malloc(modelBytes.byteLength);
    cleanups.push(() => wasm._free(ptr));
    wasm.HEAPU8.set(modelBytes, ptr);
    let model: LiteRtModel;
    try {
      model = wasm.loadModel(env, ptr, modelBytes.byteLength);
    } catch (e) {
      if (isWasmTrap(e)) runtime.discard(rt);
      throw new OracleError('litert', 'load-model', errorMessage(e), log.since(mark), e);
    }
    cleanups.push(() => model.delete());
    const sig = mapSignature(model, modelInfo);
    if (typeof sig === 'string') throw new OracleError('litert', 'load-model', sig, log.since(mark));
    return await body({ rt, model, info: modelInfo, sig, mark, defer: (f) => cleanups.push(f) });
  } catch (e) {
    if (e instanceof OracleError) throw e;
    if (isWasmTrap(e)) runtime.discard(rt);
    throw new OracleError('litert', isWasmTrap(e) ? 'crash' : 'run', errorMessage(e), log.since(mark), e);
  } finally {
    for (const f of cleanups.reverse()) {
      try {
        f();
      } catch {
        // Freeing after a failure must not hide the failure.
      }
    }
  }
}

/**
 * Runs the model once on fresh state. `inputs` are in subgraph-0 input order, each a typed array
 * of the input's dtype holding raw values (Int8Array for int8, Uint8Array of 0/1 for bool, ...).
 * Outputs come back in subgraph-0 output order, named by their tensor names.
 */
export function run(modelBytes: Uint8Array, inputs: readonly ArrayBufferView[], options: RunOptions = {}): Promise<OracleOutput[]> {
  return withModel(modelBytes, options.info, async ({ rt, model, info, sig, mark, defer }) => {
    const { wasm, env, log } = rt;
    const fail = (kind: 'input' | 'run' | 'crash' | 'output' | 'load-model' | 'unsupported', message: string, cause?: unknown) =>
      new OracleError('litert', kind, message, log.since(mark), cause);
    if (inputs.length !== info.inputs.length) {
      throw fail('input', `the model has ${info.inputs.length} inputs, ${inputs.length} given`);
    }
    if (info.dynamicOutputs.length > 0 && !options.allowDynamicOutputs) {
      throw fail(
        'unsupported',
        `output(s) ${info.dynamicOutputs.map((n) => `'${n}'`).join(', ')} get their shape at run time; LiteRT.js returns ` +
          'buffers of the declared shape for them (garbage or a truncated scalar)',
      );
    }
    let compiled: CompiledModel;
    try {
      compiled = await wasm.compileModel(env, model, COMPILE_OPTIONS);
    } catch (e) {
      if (isWasmTrap(e)) runtime.discard(rt);
      throw fail('load-model', `compileModel: ${errorMessage(e)}`, e);
    }
    defer(() => compiled.delete());

    const buffers: TensorBuffer[] = [];
    for (let j = 0; j < sig.inputs.length; j++) {
      const pos = sig.inputs[j] ?? -1;
      const spec = info.inputs[pos];
      const data = inputs[pos];
      if (!spec || !data) throw fail('input', `input ${pos} missing`);
      const declared = model.getInputTensorType(sig.index, j);
      let elementType: number;
      try {
        elementType = declared.elementType().value;
      } finally {
        declared.delete();
      }
      const dtype = ELEMENT_DTYPES[elementType];
      if (!dtype) throw fail('input', `input ${pos} '${spec.name}' has element type ${elementType}, which the oracle cannot feed`);
      if (!matchesDType(data, dtype)) throw fail('input', `input ${pos} '${spec.name}' is ${dtype}, got ${describeView(data)}`);
      const size = numElements(spec.shape) * bytesPerElement(dtype);
      if (data.byteLength !== size) {
        throw fail('input', `input ${pos} '${spec.name}' of shape [${spec.shape}] needs ${size} bytes, got ${data.byteLength}`);
      }
      const dims = new wasm.VectorInt32();
      for (const d of spec.shape) dims.push_back(d);
      const layout = wasm.LiteRtLayout.create(dims);
      dims.delete();
      const type = wasm.LiteRtRankedTensorType.create({ value: elementType }, layout);
      layout.delete();
      let buffer: TensorBuffer;
      try {
        buffer = wasm.LiteRtTensorBuffer.createManaged(env, wasm.LiteRtTensorBufferType.HOST_MEMORY, type, Math.max(size, 1));
      } finally {
        type.delete();
      }
      defer(() => buffer.delete());
      const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
      try {
        wasm.HEAPU8.set(viewBytes(data), ptr);
      } finally {
        buffer.unlock();
      }
      buffers.push(buffer);
    }

    let results: TensorBuffer[];
    try {
      results = await compiled.run(sig.index, buffers);
    } catch (e) {
      if (isWasmTrap(e)) {
        runtime.discard(rt);
        throw fail('crash', `run trapped: ${errorMessage(e)}`, e);
      }
      throw fail('run', errorMessage(e), e);
    }
    for (const r of results) defer(() => r.delete());
    if (results.length !== info.outputs.length) {
      throw fail('output', `run returned ${results.length} outputs, the model has ${info.outputs.length}`);
    }

    const outputs: OracleOutput[] = new Array(info.outputs.length);
    results.forEach((buffer, k) => {
      const pos = sig.outputs[k] ?? -1;
      const spec = info.outputs[pos];
      if (!spec) throw fail('output', `output ${k} does not map to subgraph 0`);
      const type = buffer.tensorType();
      let t: { elementType: number; dims: number[] };
      try {
        t = typeOf(type);
      } finally {
        type.delete();
      }
      const dtype = ELEMENT_DTYPES[t.elementType] ?? spec.dtype;
      if (!dtype) throw fail('output', `output ${pos} '${spec.name}' has element type ${t.elementType}, which the oracle cannot read`);
      const bytes = buffer.packedSize();
      const fits = (shape: number[]) => shape.every((d) => d >= 0) && numElements(shape) * bytesPerElement(dtype) === bytes;
      // Dynamic outputs (e.g. TFLite_Detection_PostProcess) can come back without a usable layout.
      const shape = fits(t.dims) ? t.dims : fits(spec.shape) ? spec.shape : [bytes / bytesPerElement(dtype)];
      const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.READ);
      try {
        outputs[pos] = { name: spec.name, dtype, shape, data: typedArrayFromBytes(dtype, wasm.HEAPU8.subarray(ptr, ptr + bytes)) };
      } finally {
        buffer.unlock();
      }
    });
    return outputs;
  });
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

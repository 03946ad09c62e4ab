// @tensorflow/tfjs-tflite as an oracle: TFLite's own interpreter and builtin kernels compiled to
// wasm (float ops still go through its XNNPACK delegate; hybrid / dynamic-range ops do not).
//
// The package's JS client loads its wasm through importScripts or a <script> tag and needs
// self / location / a MessageChannel trick in Node. We skip the client: we evaluate the
// non-threaded emscripten glue ourselves (emscripten.ts), hand it the .wasm bytes, and call the
// embind class the client wraps, TFLiteWebModelRunner (CreateFromBufferAndOptions, GetInputs,
// Infer, GetOutputs). Each run builds a fresh interpreter, so stateful models start from zero.
import {
  errorMessage,
  evaluateGlue,
  isWasmTrap,
  packageFile,
  RuntimeLog,
  readBinary,
  WASM_SIMD_PROBE,
  wasmSupports,
} from './emscripten.js';
import { LazyRuntime } from './lazy_runtime.js';
import { type ModelInfo, readModelInfo } from './model_info.js';
import {
  bytesPerElement,
  describeView,
  isOracleDType,
  matchesDType,
  numElements,
  type OracleDType,
  OracleError,
  type OracleOutput,
  type OracleTensorDetails,
  typedArrayFromBytes,
  viewBytes,
} from './types.js';

export const ORACLE_NAME = 'tfjs-tflite';

interface Deletable {
  delete(): void;
}
interface EmVector<T> extends Deletable {
  size(): number;
  get(i: number): T;
}
interface TensorInfo {
  id: number;
  dataType: string;
  name: string;
  shape: string;
  data(): ArrayBufferView;
  delete?(): void;
}
interface Runner extends Deletable {
  GetInputs(): EmVector<TensorInfo>;
  GetOutputs(): EmVector<TensorInfo>;
  Infer(): boolean;
}
interface StatusOrRunner {
  ok(): boolean;
  errorMessage(): string;
  value(): Runner;
  delete?(): void;
}
interface TfliteWasm {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(
      ptr: number,
      size: number,
      options: { numThreads: number; enableProfiling: boolean; maxProfilingBufferEntries: number },
    ): StatusOrRunner;
  };
}
type GlueFactory = (moduleArg: object) => Promise<TfliteWasm>;

export interface TfliteRuntime {
  wasm: TfliteWasm;
  log: RuntimeLog;
  file: string;
}

const runtime = new LazyRuntime(async (): Promise<TfliteRuntime> => {
  const log = new RuntimeLog('tfjs-tflite');
  let file = '';
  try {
    const name = wasmSupports(WASM_SIMD_PROBE) ? 'tflite_web_api_cc_simd' : 'tflite_web_api_cc';
    file = packageFile('@tensorflow/tfjs-tflite', `wasm/${name}.js`);
    const wasmBinary = await readBinary(file.replace(/\.js$/, '.wasm'));
    const factory = evaluateGlue(file) as GlueFactory;
    const wasm = await factory({ wasmBinary, print: log.write, printErr: log.write });
    return { wasm, log, file };
  } catch (e) {
    const what = file || '@tensorflow/tfjs-tflite';
    throw new OracleError('tfjs-tflite', 'load-runtime', `cannot load ${what}: ${errorMessage(e)}`, log.since(0), e);
  }
});

/** Loads the tfjs-tflite wasm once (lazily) and returns it; a failed load is retried next call. */
export function loadTfliteWasm(): Promise<TfliteRuntime> {
  return runtime.get();
}

/** Reads a vector of tensor infos and frees the embind handles. */
function tensorInfos(v: EmVector<TensorInfo>): { id: number; dataType: string; name: string; shape: number[]; info: TensorInfo }[] {
  const out = [];
  try {
    for (let i = 0; i < v.size(); i++) {
      const info = v.get(i);
      const shape = info.shape === '' ? [] : info.shape.split(',').map(Number);
      out.push({ id: info.id, dataType: info.dataType, name: info.name, shape, info });
    }
  } finally {
    v.delete();
  }
  return out;
}

/** Maps the runner's tensors (by tensor id) to subgraph-0 positions. */
function positions(tensors: { id: number; name: string }[], specs: ModelInfo['inputs'], what: string): number[] | string {
  const pos = tensors.map((t) => specs.findIndex((s) => s.tensorIndex === t.id));
  if (pos.length !== specs.length || pos.some((p) => p < 0) || new Set(pos).size !== pos.length) {
    return `the interpreter's ${what} (${tensors.map((t) => `${t.id}:${t.name}`).join(', ')}) do not match subgraph 0's (${specs.map((s) => `${s.tensorIndex}:${s.name}`).join(', ')})`;
  }
  return pos;
}

export interface RunOptions {
  info?: ModelInfo;
}

async function withRunner<T>(
  modelBytes: Uint8Array,
  info: ModelInfo | undefined,
  body: (ctx: { rt: TfliteRuntime; runner: Runner; info: ModelInfo; mark: number }) => T,
): Promise<T> {
  let modelInfo: ModelInfo;
  try {
    modelInfo = info ?? readModelInfo(modelBytes);
  } catch (e) {
    throw new OracleError('tfjs-tflite', 'load-model', `cannot read the model: ${errorMessage(e)}`, [], e);
  }
  const rt = await loadTfliteWasm();
  const { wasm, log } = rt;
  const mark = log.mark();
  const ptr = wasm._malloc(modelBytes.byteLength);
  let runner: Runner | undefined;
  try {
    wasm.HEAPU8.set(modelBytes, ptr);
    let status: StatusOrRunner;
    try {
      status = wasm.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, modelBytes.byteLength, {
        numThreads: 1,
        enableProfiling: false,
        maxProfilingBufferEntries: 1024,
      });
    } catch (e) {
      if (isWasmTrap(e)) runtime.discard(rt);
      throw new OracleError('tfjs-tflite', 'load-model', errorMessage(e), log.since(mark), e);
    }
    try {
      if (!status.ok()) throw new OracleError('tfjs-tflite', 'load-model', status.errorMessage(), log.since(mark));
      runner = status.value();
    } finally {
      status.delete?.();
    }
    return body({ rt, runner, info: modelInfo, mark });
  } catch (e) {
    if (e instanceof OracleError) throw e;
    if (isWasmTrap(e)) runtime.discard(rt);
    throw new OracleError('tfjs-tflite', isWasmTrap(e) ? 'crash' : 'run', errorMessage(e), log.since(mark), e);
  } finally {
    try {
      runner?.delete();
      wasm._free(ptr);
    } catch {
      // Freeing after a failure must not hide the failure.
    }
  }
}

/**
 * Runs the model once on a fresh interpreter. `inputs` in subgraph-0 input order, typed arrays of
 * each input's dtype with raw values; outputs in subgraph-0 output order, named by tensor name.
 */
export function run(modelBytes: Uint8Array, inputs: readonly ArrayBufferView[], options: RunOptions = {}): Promise<OracleOutput[]> {
  return withRunner(modelBytes, options.info, ({ rt, runner, info, mark }) => {
    const fail = (kind: 'input' | 'run' | 'crash' | 'output', message: string, cause?: unknown) =>
      new OracleError('tfjs-tflite', kind, message, rt.log.since(mark), cause);
    if (inputs.length !== info.inputs.length) throw fail('input', `the model has ${info.inputs.length} inputs, ${inputs.length} given`);
    const ins = tensorInfos(runner.GetInputs());
    try {
      const inPos = positions(ins, info.inputs, 'inputs');
      if (typeof inPos === 'string') throw fail('input', inPos);
      ins.forEach((t, j) => {
        const pos = inPos[j] ?? -1;
        const data = inputs[pos];
        const spec = info.inputs[pos];
        if (!data || !spec) throw fail('input', `input ${pos} missing`);
        const dtype = spec.dtype;
        if (!dtype) throw fail('input', `input ${pos} '${spec.name}' is ${spec.type}, which the oracle cannot feed`);
        if (!matchesDType(data, dtype)) throw fail('input', `input ${pos} '${spec.name}' is ${dtype}, got ${describeView(data)}`);
        const target = t.info.data();
        if (target.byteLength !== data.byteLength) {
          throw fail('input', `input ${pos} '${spec.name}' of shape [${t.shape}] needs ${target.byteLength} bytes, got ${data.byteLength}`);
        }
        viewBytes(target).set(viewBytes(data));
      });
    } finally {
      for (const t of ins) t.info.delete?.();
    }

    let ok: boolean;
    try {
      ok = runner.Infer();
    } catch (e) {
      if (isWasmTrap(e)) {
        runtime.discard(rt);
        throw fail('crash', `Invoke trapped: ${errorMessage(e)}`, e);
      }
      throw fail('run', errorMessage(e), e);
    }
    if (!ok) throw fail('run', 'Invoke failed');

    const outs = tensorInfos(runner.GetOutputs());
    try {
      const outPos = positions(outs, info.outputs, 'outputs');
      if (typeof outPos === 'string') throw fail('output', outPos);
      const outputs: OracleOutput[] = new Array(outs.length);
      outs.forEach((t, k) => {
        const pos = outPos[k] ?? -1;
        const spec = info.outputs[pos];
        if (!spec) throw fail('output', `output ${k} does not map to subgraph 0`);
        // The runner names float64 / uint32 etc.; types it does not name (int64) come from the model.
        const dtype: OracleDType | undefined = isOracleDType(t.dataType) ? t.dataType : spec.dtype;
        if (!dtype) throw fail('output', `output ${pos} '${spec.name}' is ${t.dataType}, which the oracle cannot read`);
        const bytes = viewBytes(t.info.data());
        if (bytes.byteLength !== numElements(t.shape) * bytesPerElement(dtype)) {
          throw fail('output', `output ${pos} '${spec.name}': ${bytes.byteLength} bytes for ${dtype}[${t.shape}]`);
        }
        outputs[pos] = { name: spec.name, dtype, shape: t.shape, data: typedArrayFromBytes(dtype, bytes) };
      });
      return outputs;
    } finally {
      for (const t of outs) t.info.delete?.();
    }
  });
}

/** The model's inputs and outputs as the TFLite interpreter allocated them, in subgraph-0 order. */
export function modelDetails(modelBytes: Uint8Array): Promise<{ inputs: OracleTensorDetails[]; outputs: OracleTensorDetails[] }> {
  return withRunner(modelBytes, undefined, ({ runner, info, rt, mark }) => {
    const details = (tensors: ReturnType<typeof tensorInfos>, specs: ModelInfo['inputs'], what: string) => {
      try {
        const pos = positions(tensors, specs, what);
        if (typeof pos === 'string') throw new OracleError('tfjs-tflite', 'load-model', pos, rt.log.since(mark));
        const out: OracleTensorDetails[] = new Array(tensors.length);
        tensors.forEach((t, j) => {
          const p = pos[j] ?? -1;
          const dtype = isOracleDType(t.dataType) ? t.dataType : specs[p]?.dtype;
          if (!dtype) throw new OracleError('tfjs-tflite', 'load-model', `tensor '${t.name}' is ${t.dataType}`, rt.log.since(mark));
          out[p] = { name: t.name, dtype, shape: t.shape };
        });
        return out;
      } finally {
        for (const t of tensors) t.info.delete?.();
      }
    };
    return {
      inputs: details(tensorInfos(runner.GetInputs()), info.inputs, 'inputs'),
      outputs: details(tensorInfos(runner.GetOutputs()), info.outputs, 'outputs'),
    };
  });
}

export async function inputDetails(modelBytes: Uint8Array): Promise<OracleTensorDetails[]> {
  return (await modelDetails(modelBytes)).inputs;
}

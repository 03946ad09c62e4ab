// A LiteRT.js model compiled once and run many times, on its wasm (XNNPACK, 1 thread) or WebGPU
// accelerator: what the oracle runs once per case and the benchmark runs side by side with ours.
//
// WebGPU goes through the same embind classes as the package's own Tensor API: an environment
// made with our GPUDevice, inputs as WEB_GPU_BUFFER_PACKED tensor buffers over GPUBuffers we own
// (written each run with queue.writeBuffer), outputs read back through one staging buffer each.
import { errorMessage, isWasmTrap } from './emscripten.js';
import {
  type CompiledModel,
  type Deletable,
  ELEMENT_DTYPES,
  type LiteRtModel,
  type RankedTensorType,
  type SignatureMap,
  type TensorBuffer,
  typeOf,
} from './litert_embind.js';
import { type LiteRtRuntime, loadLiteRt, markRuntimeBroken, modelInfoOf, openModel, runCleanups } from './litert_runtime.js';
import type { ModelInfo } from './model_info.js';
import {
  bytesPerElement,
  describeView,
  matchesDType,
  numElements,
  type OracleDType,
  OracleError,
  type OracleErrorKind,
  type OracleOutput,
  typedArrayFromBytes,
  viewBytes,
} from './types.js';

export type LiteRtAccelerator = 'wasm' | 'webgpu';

export interface LiteRtCompileOptions {
  accelerator: LiteRtAccelerator;
  /** Required for 'webgpu': the device LiteRT.js runs on. */
  device?: GPUDevice;
  /** LiteRT.js's GPU precision ('fp16' lets it store activations in half where the device can). */
  gpuPrecision?: 'fp32' | 'fp16';
  info?: ModelInfo;
}

// GPUBufferUsage / GPUMapMode values (the globals are absent in Node).
const STORAGE_COPY = 0x80 | 0x08 | 0x04; // STORAGE | COPY_DST | COPY_SRC
const READBACK = 0x01 | 0x08; // MAP_READ | COPY_DST
const MAP_READ = 0x01;

interface GpuInput {
  buffer: GPUBuffer;
  tensor: TensorBuffer;
}

/** One compiled model; dispose() frees everything it holds. */
export class LiteRtCompiled {
  /** loadModel + compileModel, in ms. */
  readonly compileMs: number;
  private readonly cleanups: (() => void)[] = [];
  private readonly inputs: TensorBuffer[] = [];
  private readonly gpuInputs: GpuInput[] = [];
  private readonly staging = new Map<number, GPUBuffer>();
  private disposed = false;

  private constructor(
    private readonly rt: LiteRtRuntime,
    readonly info: ModelInfo,
    private readonly sig: SignatureMap,
    private readonly compiled: CompiledModel,
    private readonly device: GPUDevice | undefined,
    compileMs: number,
    cleanups: (() => void)[],
  ) {
    this.compileMs = compileMs;
    this.cleanups = cleanups;
  }

  /** Loads and compiles `modelBytes`; failures are OracleErrors saying at which step. */
  static async open(modelBytes: Uint8Array, options: LiteRtCompileOptions): Promise<LiteRtCompiled> {
    const info = modelInfoOf(modelBytes, options.info);
    if (options.accelerator === 'webgpu' && !options.device) {
      throw new OracleError('litert', 'load-runtime', 'the webgpu accelerator needs a GPUDevice', []);
    }
    const rt = await loadLiteRt();
    const { wasm, log } = rt;
    const mark = log.mark();
    const cleanups: (() => void)[] = [];
    const fail = (kind: OracleErrorKind, e: unknown, what: string) => {
      if (isWasmTrap(e)) markRuntimeBroken(rt);
      return new OracleError('litert', isWasmTrap(e) ? 'crash' : kind, `${what}: ${errorMessage(e)}`, log.since(mark), e);
    };
    const started = performance.now();
    try {
      let env: Deletable = rt.env;
      if (options.accelerator === 'webgpu') {
        const own = wasm.LiteRtEnvironment.create(options.device ?? null);
        cleanups.push(() => own.delete());
        env = own;
      }
      const { model, sig } = openModel(rt, env, modelBytes, info, mark, cleanups);
      let compiled: CompiledModel;
      try {
        compiled = await wasm.compileModel(env, model, {
          accelerator: options.accelerator,
          cpuOptions: { numThreads: 1 },
          gpuOptions: options.gpuPrecision ? { precision: options.gpuPrecision } : {},
          webNNOptions: {},
        });
      } catch (e) {
        throw fail('load-model', e, 'compileModel');
      }
      cleanups.push(() => compiled.delete());
      const self = new LiteRtCompiled(rt, info, sig, compiled, options.device, performance.now() - started, cleanups);
      self.createInputs(model, env);
      return self;
    } catch (e) {
      runCleanups(cleanups);
      if (e instanceof OracleError) throw e;
      throw fail('load-model', e, 'open');
    }
  }

  /** Whether every node runs on the chosen accelerator (false: LiteRT.js left some to XNNPACK). */
  get fullyAccelerated(): boolean {
    const c = this.compiled as CompiledModel & { isFullyAccelerated?: () => boolean };
    return c.isFullyAccelerated?.() ?? true;
  }

  /** The log lines LiteRT.js wrote since it loaded (its explanations for refusals). */
  logTail(lines = 20): string[] {
    const all = this.rt.log.since(0);
    return all.slice(-lines);
  }

  /**
   * Writes `inputs` (subgraph-0 order, raw values of each input's dtype), runs, and reads every
   * output back to the CPU (subgraph-0 order, named by tensor name).
   */
  async run(inputs: readonly ArrayBufferView[]): Promise<OracleOutput[]> {
    if (this.disposed) throw new OracleError('litert', 'run', 'the compiled model was disposed', []);
    const { wasm, log } = this.rt;
    const mark = log.mark();
    const fail = (kind: OracleErrorKind, message: string, cause?: unknown) =>
      new OracleError('litert', kind, message, log.since(mark), cause);
    if (inputs.length !== this.info.inputs.length) {
      throw fail('input', `the model has ${this.info.inputs.length} inputs, ${inputs.length} given`);
    }
    this.sig.inputs.forEach((pos, j) => {
      const spec = this.info.inputs[pos];
      const data = inputs[pos];
      const buffer = this.inputs[j];
      if (!spec || !data || !buffer) throw fail('input', `input ${pos} missing`);
      const dtype = this.inputDtypes[j] as OracleDType;
      if (!matchesDType(data, dtype)) throw fail('input', `input ${pos} '${spec.name}' is ${dtype}, got ${describeView(data)}`);
      const size = numElements(spec.shape) * bytesPerElement(dtype);
      if (data.byteLength !== size) {
        throw fail('input', `input ${pos} '${spec.name}' of shape [${spec.shape}] needs ${size} bytes, got ${data.byteLength}`);
      }
      const gpu = this.gpuInputs[j];
      if (gpu && this.device) {
        const bytes = viewBytes(data);
        if (bytes.byteLength % 4 === 0) {
          this.device.queue.writeBuffer(gpu.buffer, 0, bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
        } else {
          const words = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4); // writeBuffer takes whole words
          words.set(bytes);
          this.device.queue.writeBuffer(gpu.buffer, 0, words);
        }
        return;
      }
      const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
      try {
        wasm.HEAPU8.set(viewBytes(data), ptr);
      } finally {
        buffer.unlock();
      }
    });

    let results: TensorBuffer[];
    try {
      results = await this.compiled.run(this.sig.index, this.inputs);
    } catch (e) {
      if (isWasmTrap(e)) {
        markRuntimeBroken(this.rt);
        throw fail('crash', `run trapped: ${errorMessage(e)}`, e);
      }
      throw fail('run', errorMessage(e), e);
    }
    try {
      if (results.length !== this.info.outputs.length) {
        throw fail('output', `run returned ${results.length} outputs, the model has ${this.info.outputs.length}`);
      }
      return await this.readOutputs(results, fail);
    } finally {
      for (const r of results) r.delete();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.staging.values()) b.destroy();
    runCleanups(this.cleanups);
  }

  private inputDtypes: OracleDType[] = [];

  /** One input tensor buffer per LiteRT input, kept for every run (host memory, or GPUBuffers for webgpu). */
  private createInputs(model: LiteRtModel, env: Deletable): void {
    const { wasm } = this.rt;
    this.sig.inputs.forEach((pos, j) => {
      const spec = this.info.inputs[pos];
      const declared = model.getInputTensorType(this.sig.index, j);
      try {
        const elementType = declared.elementType().value;
        const dtype = ELEMENT_DTYPES[elementType];
        if (!spec || !dtype) {
          throw new OracleError('litert', 'input', `input ${pos} has element type ${elementType}, which the oracle cannot feed`, []);
        }
        this.inputDtypes.push(dtype);
        const size = Math.max(numElements(spec.shape) * bytesPerElement(dtype), 1);
        const type = rankedType(this.rt, elementType, spec.shape);
        try {
          if (this.device) {
            const buffer = this.device.createBuffer({ size: Math.ceil(size / 4) * 4, usage: STORAGE_COPY, label: `litert input ${j}` });
            this.cleanups.push(() => buffer.destroy());
            const handle = wasm.WebGPU.importJsBuffer(buffer);
            const tensor = wasm.LiteRtTensorBuffer.createFromWebGpuBuffer(
              env,
              type,
              wasm.LiteRtTensorBufferType.WEB_GPU_BUFFER_PACKED,
              handle,
              buffer.size,
            );
            this.cleanups.push(() => tensor.delete());
            this.gpuInputs.push({ buffer, tensor });
            this.inputs.push(tensor);
          } else {
            const tensor = wasm.LiteRtTensorBuffer.createManaged(env, wasm.LiteRtTensorBufferType.HOST_MEMORY, type, size);
            this.cleanups.push(() => tensor.delete());
            this.inputs.push(tensor);
          }
        } finally {
          type.delete();
        }
      } finally {
        declared.delete();
      }
    });
  }

  private async readOutputs(
    results: TensorBuffer[],
    fail: (kind: OracleErrorKind, message: string) => OracleError,
  ): Promise<OracleOutput[]> {
    const { wasm } = this.rt;
    const outputs: OracleOutput[] = new Array(this.info.outputs.length);
    const pending: { pos: number; dtype: OracleDType; shape: number[]; bytes: number; staging: GPUBuffer }[] = [];
    const encoder = this.device?.createCommandEncoder();
    results.forEach((buffer, k) => {
      const pos = this.sig.outputs[k] ?? -1;
      const spec = this.info.outputs[pos];
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
      if (buffer.bufferType().value === wasm.LiteRtTensorBufferType.WEB_GPU_BUFFER_PACKED.value && this.device && encoder) {
        const source = wasm.WebGPU.getJsObject(buffer.getWebGpuBuffer()) as GPUBuffer;
        const staging = this.stagingFor(k, source.size);
        encoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
        pending.push({ pos, dtype, shape, bytes, staging });
        return;
      }
      const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.READ);
      try {
        outputs[pos] = { name: spec.name, dtype, shape, data: typedArrayFromBytes(dtype, wasm.HEAPU8.subarray(ptr, ptr + bytes)) };
      } finally {
        buffer.unlock();
      }
    });
    if (pending.length > 0 && this.device && encoder) {
      this.device.queue.submit([encoder.finish()]);
      await Promise.all(pending.map((p) => p.staging.mapAsync(MAP_READ)));
      for (const p of pending) {
        const mapped = new Uint8Array(p.staging.getMappedRange(), 0, p.bytes);
        const spec = this.info.outputs[p.pos];
        outputs[p.pos] = { name: spec?.name ?? '', dtype: p.dtype, shape: p.shape, data: typedArrayFromBytes(p.dtype, mapped) };
        p.staging.unmap();
      }
    }
    return outputs;
  }

  private stagingFor(output: number, size: number): GPUBuffer {
    const have = this.staging.get(output);
    if (have && have.size >= size) return have;
    have?.destroy();
    const device = this.device as GPUDevice;
    const made = device.createBuffer({ size, usage: READBACK, label: `litert readback ${output}` });
    this.staging.set(output, made);
    return made;
  }
}

function rankedType(rt: LiteRtRuntime, elementType: number, shape: readonly number[]): RankedTensorType {
  const { wasm } = rt;
  const dims = new wasm.VectorInt32();
  for (const d of shape) dims.push_back(d);
  const layout = wasm.LiteRtLayout.create(dims);
  dims.delete();
  try {
    return wasm.LiteRtRankedTensorType.create({ value: elementType }, layout);
  } finally {
    layout.delete();
  }
}

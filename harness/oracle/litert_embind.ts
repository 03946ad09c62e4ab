// The parts of LiteRT.js's embind API the oracle drives, and the helpers that read them.
import type { ModelInfo } from './model_info.js';
import type { OracleDType } from './types.js';

// The embind classes (see node_modules/@litertjs/core/dist/index.d.ts).
export interface Deletable {
  delete(): void;
}
export interface EmVector<T> extends Deletable {
  size(): number;
  get(i: number): T;
  push_back(x: T): void;
}
export interface EnumValue {
  value: number;
}
export interface Layout extends Deletable {
  dimensions(): EmVector<number>;
}
export interface RankedTensorType extends Deletable {
  elementType(): EnumValue;
  layout(): Layout;
  bytes(): number;
}
export interface Signature extends Deletable {
  key(): string;
  inputNames(): EmVector<string>;
  outputNames(): EmVector<string>;
}
export interface LiteRtModel extends Deletable {
  getNumSignatures(): number;
  getSignature(i: number): Signature;
  getInputTensorType(signature: number, input: number): RankedTensorType;
  getOutputTensorType(signature: number, output: number): RankedTensorType;
}
export interface TensorBuffer extends Deletable {
  lock(mode: EnumValue): number;
  unlock(): void;
  tensorType(): RankedTensorType;
  packedSize(): number;
  bufferType(): EnumValue;
  /** A WebGPU tensor buffer's GPUBuffer, as an emdawnwebgpu handle (WebGPU.getJsObject). */
  getWebGpuBuffer(): number;
}
export interface CompiledModel extends Deletable {
  run(signature: number, inputs: TensorBuffer[]): TensorBuffer[] | Promise<TensorBuffer[]>;
}
export interface LiteRtWasm {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  setupLogging(): void;
  LiteRtEnvironment: { create(webGpuDevice: GPUDevice | null): Deletable };
  loadModel(env: Deletable, ptr: number, size: number): LiteRtModel;
  compileModel(env: Deletable, model: LiteRtModel, options: object): CompiledModel | Promise<CompiledModel>;
  LiteRtTensorBuffer: {
    createManaged(env: Deletable, type: EnumValue, tensorType: RankedTensorType, size: number): TensorBuffer;
    createFromWebGpuBuffer(env: Deletable, tensorType: RankedTensorType, type: EnumValue, buffer: number, size: number): TensorBuffer;
  };
  LiteRtTensorBufferType: { HOST_MEMORY: EnumValue; WEB_GPU_BUFFER_PACKED: EnumValue };
  /** emdawnwebgpu's table of JS WebGPU objects. */
  WebGPU: { importJsBuffer(buffer: GPUBuffer): number; getJsObject(handle: number): unknown };
  LiteRtTensorBufferLockMode: { READ: EnumValue; WRITE: EnumValue };
  LiteRtLayout: { create(dims: EmVector<number>): Layout };
  LiteRtRankedTensorType: { create(elementType: EnumValue, layout: Layout): RankedTensorType };
  VectorInt32: new () => EmVector<number>;
}
export type GlueFactory = (moduleArg: object) => Promise<LiteRtWasm>;

/** litert::ElementType values (litert_model_types.h) the oracle handles. */
export const ELEMENT_DTYPES: Record<number, OracleDType> = {
  1: 'float32',
  2: 'int32',
  3: 'uint8',
  4: 'int64',
  6: 'bool',
  7: 'int16',
  9: 'int8',
  10: 'float16',
  11: 'float64',
  16: 'uint32',
  17: 'uint16',
};

export function vectorToArray<T>(v: EmVector<T>): T[] {
  const out: T[] = [];
  try {
    for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  } finally {
    v.delete();
  }
  return out;
}

export function typeOf(t: RankedTensorType): { elementType: number; dims: number[] } {
  const layout = t.layout();
  try {
    // elementType() can come back undefined for outputs shaped at run time.
    return { elementType: t.elementType()?.value ?? -1, dims: vectorToArray(layout.dimensions()) };
  } finally {
    layout.delete();
  }
}

export interface SignatureMap {
  index: number;
  /** For each LiteRT input j, its position among subgraph-0 inputs. */
  inputs: number[];
  outputs: number[];
  inputNames: string[];
  outputNames: string[];
}

/** Finds the LiteRT signature that runs subgraph 0 and maps its tensors to subgraph-0 order. */
export function mapSignature(model: LiteRtModel, info: ModelInfo): SignatureMap | string {
  const reasons: string[] = [];
  for (let s = 0; s < model.getNumSignatures(); s++) {
    const sig = model.getSignature(s);
    let key: string;
    let inputNames: string[];
    let outputNames: string[];
    try {
      key = sig.key();
      inputNames = vectorToArray(sig.inputNames());
      outputNames = vectorToArray(sig.outputNames());
    } finally {
      sig.delete();
    }
    const def = info.signatures.find((d) => d.key === key);
    if (def && def.subgraphIndex !== 0) continue;
    const position = (names: string[], tensors: ModelInfo['inputs'], map: { name: string; tensorIndex: number }[] | undefined) =>
      names.map((name, j) => {
        const tensorIndex = map?.find((m) => m.name === name)?.tensorIndex;
        if (tensorIndex !== undefined) return tensors.findIndex((t) => t.tensorIndex === tensorIndex);
        const byName = tensors.findIndex((t) => t.name === name);
        return byName >= 0 ? byName : map ? -1 : j; // a placeholder signature lists subgraph 0 in order
      });
    const inputs = position(inputNames, info.inputs, def?.inputs);
    const outputs = position(outputNames, info.outputs, def?.outputs);
    const covers = (p: number[], n: number) => p.length === n && new Set(p).size === n && p.every((x) => x >= 0 && x < n);
    if (covers(inputs, info.inputs.length) && covers(outputs, info.outputs.length)) {
      return { index: s, inputs, outputs, inputNames, outputNames };
    }
    reasons.push(`signature '${key}' (${inputNames.length} inputs, ${outputNames.length} outputs) does not match subgraph 0`);
  }
  return reasons.join('; ') || 'the model has no signature';
}

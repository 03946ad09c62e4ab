// Small TFLite graphs described as plain data, and the .tflite bytes for them (flatc's object API),
// for the differential op tests: one op, or a short chain, with constants, quantization and options.

import type * as flatbuffers from 'flatbuffers';
import { type DType, schema as fb } from '../../src/index.js';
import { packModel } from '../model_variant.js';

export interface FuzzQuant {
  scale: number[];
  zeroPoint: number[];
  /** Quantized dimension of per-channel parameters. */
  axis?: number;
}

export type FuzzValues = ArrayLike<number> | ArrayLike<bigint>;

/** Element type of a sparse index vector (the SparseIndexVector union member). */
export type FuzzIndexType = 'int32' | 'uint16' | 'uint8';

/** One level of a sparse constant's layout (schema.fbs DimensionMetadata), in traversal order. */
export interface FuzzSparseDim {
  format: 'dense' | 'sparse_csr';
  /** Dense levels: the level's size. */
  denseSize?: number;
  /** CSR levels: array_segments and array_indices, and the vector type each is written as (default int32). */
  segments?: number[];
  indices?: number[];
  segmentsType?: FuzzIndexType;
  indicesType?: FuzzIndexType;
}

/** SparsityParameters of a constant: `data` then holds only the stored values, in traversal order. */
export interface FuzzSparsity {
  traversalOrder: number[];
  blockMap?: number[];
  dimMetadata: FuzzSparseDim[];
}

export interface FuzzTensor {
  dtype: DType;
  shape: number[];
  quant?: FuzzQuant;
  /** Constant contents (a buffer in the file). Inputs: fixed values instead of random ones. */
  data?: FuzzValues;
  /** Random inputs: inclusive value range (integers) or [lo, hi) (floats). */
  range?: [number, number];
  name?: string;
  /** A variable tensor (state of SVDF / LSTM): zero at the start of every run. */
  isVariable?: boolean;
  /** Shape left to prepare: the runner fills it in from our interpreter before building the file. */
  inferShape?: boolean;
  /** A sparse constant (DENSIFY's input): `shape` is the dense shape, `data` the stored values. */
  sparsity?: FuzzSparsity;
}

export interface FuzzNode {
  /** BuiltinOperator name (e.g. 'CONV_2D') or 'CUSTOM:<code>'. */
  op: string;
  version?: number;
  /** BuiltinOptions union member (e.g. 'Conv2DOptions') and its fields, named as flatc's object API. */
  options?: { type: string; values: Record<string, unknown> };
  /** Tensor indices; -1 for an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** Raw custom options (custom ops: e.g. a flexbuffer map, or a packed struct). */
  customOptions?: Uint8Array;
  /** Intermediate tensors some kernels take (integer LSTM). */
  intermediates?: number[];
}

export interface FuzzGraph {
  tensors: FuzzTensor[];
  nodes: FuzzNode[];
  inputs: number[];
  outputs: number[];
}

/** Builds a FuzzGraph step by step: tensors return their index. */
export class GraphBuilder {
  readonly graph: FuzzGraph = { tensors: [], nodes: [], inputs: [], outputs: [] };

  tensor(t: FuzzTensor): number {
    this.graph.tensors.push({ ...t, name: t.name ?? `t${this.graph.tensors.length}` });
    return this.graph.tensors.length - 1;
  }
  /** A subgraph input (random data in `range`, or the given `data`). */
  input(dtype: DType, shape: number[], extra: Omit<FuzzTensor, 'dtype' | 'shape'> = {}): number {
    const i = this.tensor({ dtype, shape, ...extra });
    this.graph.inputs.push(i);
    return i;
  }
  constant(dtype: DType, shape: number[], data: FuzzValues, quant?: FuzzQuant): number {
    return this.tensor(quant ? { dtype, shape, data, quant } : { dtype, shape, data });
  }
  /** An intermediate tensor; without a shape, prepare infers it (see FuzzTensor.inferShape). */
  activation(dtype: DType, shape?: number[], quant?: FuzzQuant): number {
    const t: FuzzTensor = { dtype, shape: shape ?? [], inferShape: shape === undefined };
    if (quant) t.quant = quant;
    return this.tensor(t);
  }
  output(dtype: DType, shape?: number[], quant?: FuzzQuant): number {
    const i = this.activation(dtype, shape, quant);
    this.graph.outputs.push(i);
    return i;
  }
  node(
    op: string,
    inputs: number[],
    outputs: number[],
    options?: FuzzNode['options'],
    version?: number,
    extra: Pick<FuzzNode, 'customOptions' | 'intermediates'> = {},
  ): this {
    const n: FuzzNode = { op, inputs, outputs, ...extra };
    if (options) n.options = options;
    if (version !== undefined) n.version = version;
    this.graph.nodes.push(n);
    return this;
  }
}

const TENSOR_TYPE = fb.TensorType as unknown as Record<string, number>;
const BUILTIN = fb.BuiltinOperator as unknown as Record<string, number>;
const OPTIONS = fb.BuiltinOptions as unknown as Record<string, number>;
const OPTIONS_CLASSES = fb as unknown as Record<string, new () => object>;

function tensorType(dtype: DType): number {
  const t = TENSOR_TYPE[dtype.toUpperCase()];
  if (t === undefined) throw new TypeError(`no TensorType for ${dtype}`);
  return t;
}

/** Little-endian bytes of `values` stored as `dtype`. */
export function encodeValues(dtype: DType, values: FuzzValues): Uint8Array {
  const n = values.length;
  const v = values as ArrayLike<number>;
  const big = values as ArrayLike<bigint>;
  const make = (): ArrayBufferView => {
    switch (dtype) {
      case 'float32':
        return Float32Array.from(v);
      case 'float64':
        return Float64Array.from(v);
      case 'int8':
        return Int8Array.from(v);
      case 'uint8':
      case 'bool':
        return Uint8Array.from(v, Number);
      case 'int16':
        return Int16Array.from(v);
      case 'uint16':
      case 'float16':
        return Uint16Array.from(v);
      case 'int32':
        return Int32Array.from(v);
      case 'uint32':
        return Uint32Array.from(v);
      case 'int64':
        return BigInt64Array.from({ length: n }, (_, i) => BigInt(big[i] as bigint | number));
      default:
        throw new TypeError(`cannot encode ${dtype} values`);
    }
  };
  const view = make();
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function quantization(q: FuzzQuant | undefined): fb.QuantizationParametersT | null {
  if (!q) return null;
  const t = new fb.QuantizationParametersT();
  t.scale = [...q.scale];
  t.zeroPoint = q.zeroPoint.map((z) => BigInt(z));
  t.quantizedDimension = q.axis ?? 0;
  return t;
}

const INDEX_VECTORS = {
  int32: [fb.SparseIndexVector.Int32Vector, fb.Int32VectorT],
  uint16: [fb.SparseIndexVector.Uint16Vector, fb.Uint16VectorT],
  uint8: [fb.SparseIndexVector.Uint8Vector, fb.Uint8VectorT],
} as const;

function sparsityParameters(s: FuzzSparsity | undefined): fb.SparsityParametersT | null {
  if (!s) return null;
  const dims = s.dimMetadata.map((d) => {
    const m = new fb.DimensionMetadataT(d.format === 'dense' ? fb.DimensionType.DENSE : fb.DimensionType.SPARSE_CSR, d.denseSize ?? 0);
    if (d.format === 'sparse_csr') {
      const [segType, SegClass] = INDEX_VECTORS[d.segmentsType ?? 'int32'];
      const [idxType, IdxClass] = INDEX_VECTORS[d.indicesType ?? 'int32'];
      m.arraySegmentsType = segType;
      m.arraySegments = new SegClass([...(d.segments ?? [])]);
      m.arrayIndicesType = idxType;
      m.arrayIndices = new IdxClass([...(d.indices ?? [])]);
    }
    return m;
  });
  return new fb.SparsityParametersT([...s.traversalOrder], [...(s.blockMap ?? [])], dims);
}

function builtinOptions(node: FuzzNode): { type: number; table: object | null } {
  if (!node.options) return { type: fb.BuiltinOptions.NONE, table: null };
  const type = OPTIONS[node.options.type];
  const Class = OPTIONS_CLASSES[`${node.options.type}T`];
  if (type === undefined || !Class) throw new TypeError(`unknown BuiltinOptions ${node.options.type}`);
  const table = new Class() as Record<string, unknown>;
  for (const [k, value] of Object.entries(node.options.values)) {
    if (!(k in table)) throw new TypeError(`${node.options.type} has no field ${k}`);
    table[k] = value;
  }
  return { type, table };
}

/**
 * The object API writes every vector, even empty ones; TFLite then sees "custom options" on a
 * builtin op (and logs it). Pack operators with absent fields where the vectors are empty.
 */
function withoutEmptyVectors(op: fb.OperatorT): fb.OperatorT {
  const pack = (builder: flatbuffers.Builder): flatbuffers.Offset => {
    const vec = (v: number[], make: (b: flatbuffers.Builder, d: number[]) => flatbuffers.Offset) => (v.length ? make(builder, v) : 0);
    const inputs = fb.Operator.createInputsVector(builder, op.inputs);
    const outputs = fb.Operator.createOutputsVector(builder, op.outputs);
    const options = builder.createObjectOffset(op.builtinOptions);
    const custom = vec(op.customOptions, fb.Operator.createCustomOptionsVector);
    const intermediates = vec(op.intermediates, fb.Operator.createIntermediatesVector);
    fb.Operator.startOperator(builder);
    fb.Operator.addOpcodeIndex(builder, op.opcodeIndex);
    fb.Operator.addInputs(builder, inputs);
    fb.Operator.addOutputs(builder, outputs);
    fb.Operator.addBuiltinOptionsType(builder, op.builtinOptionsType);
    if (options) fb.Operator.addBuiltinOptions(builder, options);
    if (custom) fb.Operator.addCustomOptions(builder, custom);
    if (intermediates) fb.Operator.addIntermediates(builder, intermediates);
    return fb.Operator.endOperator(builder);
  };
  return Object.assign(op, { pack });
}

/** The .tflite bytes of a graph (schema v3, one subgraph). */
export function buildModel(graph: FuzzGraph): Uint8Array {
  const model = new fb.ModelT();
  model.version = 3;
  model.description = 'tflite-webgpu fuzz case';
  const buffers: fb.BufferT[] = [new fb.BufferT()];
  const tensors = graph.tensors.map((t, i) => {
    const isInput = graph.inputs.includes(i);
    let buffer = 0;
    if (t.data && !isInput) {
      buffers.push(new fb.BufferT([...encodeValues(t.dtype, t.data)]));
      buffer = buffers.length - 1;
    }
    const tensor = new fb.TensorT(t.shape, tensorType(t.dtype), buffer, t.name ?? `t${i}`, quantization(t.quant));
    tensor.hasRank = !t.inferShape;
    tensor.isVariable = t.isVariable ?? false;
    tensor.sparsity = sparsityParameters(t.sparsity);
    return tensor;
  });
  const codes: fb.OperatorCodeT[] = [];
  const codeIndex = new Map<string, number>();
  const operators = graph.nodes.map((n) => {
    const version = n.version ?? 1;
    const key = `${n.op}/${version}`;
    let index = codeIndex.get(key);
    if (index === undefined) {
      const custom = n.op.startsWith('CUSTOM:');
      const code = custom ? fb.BuiltinOperator.CUSTOM : BUILTIN[n.op];
      if (code === undefined) throw new TypeError(`unknown op ${n.op}`);
      // Codes past 127 live only in builtin_code; deprecated_builtin_code then says "look there".
      codes.push(new fb.OperatorCodeT(Math.min(code, 127), custom ? n.op.slice(7) : null, version, code));
      index = codes.length - 1;
      codeIndex.set(key, index);
    }
    const { type, table } = builtinOptions(n);
    const op = new fb.OperatorT(index, [...n.inputs], [...n.outputs]);
    op.builtinOptionsType = type;
    op.builtinOptions = table as fb.OperatorT['builtinOptions'];
    if (n.customOptions) op.customOptions = [...n.customOptions];
    if (n.intermediates) op.intermediates = [...n.intermediates];
    return withoutEmptyVectors(op);
  });
  model.operatorCodes = codes;
  model.subgraphs = [new fb.SubGraphT(tensors, [...graph.inputs], [...graph.outputs], operators, 'main')];
  model.buffers = buffers;
  return packModel(model);
}

/**
 * The same graph with int32 at its edges where it has int64 inputs or outputs: an int32 input and a
 * CAST to int64 in front, a CAST to int32 behind. Neither TFLite build in the harness can feed or
 * read an int64 tensor (tfjs-tflite has no int64 binding, LiteRT.js returns garbage), so the int64
 * kernels are judged through CAST, whose int32 <-> int64 conversion is exact for the values drawn.
 */
export function withInt32Edges(graph: FuzzGraph): FuzzGraph {
  const isInt64 = (i: number) => graph.tensors[i]?.dtype === 'int64';
  if (!graph.inputs.some(isInt64) && !graph.outputs.some(isInt64)) return graph;
  const tensors = [...graph.tensors];
  const front: FuzzNode[] = [];
  const back: FuzzNode[] = [];
  const add = (t: FuzzTensor) => tensors.push(t) - 1;
  const inputs = graph.inputs.map((i) => {
    const t = tensors[i] as FuzzTensor;
    if (t.dtype !== 'int64') return i;
    const edge: FuzzTensor = { ...t, dtype: 'int32', name: `${t.name ?? `t${i}`}_int32` };
    if (t.data) edge.data = Array.from(t.data as ArrayLike<number | bigint>, Number);
    const e = add(edge);
    tensors[i] = { dtype: t.dtype, shape: t.shape, name: t.name ?? `t${i}` };
    front.push({ op: 'CAST', inputs: [e], outputs: [i] });
    return e;
  });
  const outputs = graph.outputs.map((i) => {
    const t = tensors[i] as FuzzTensor;
    if (t.dtype !== 'int64') return i;
    const e = add({ dtype: 'int32', shape: t.shape, inferShape: t.inferShape === true, name: `${t.name ?? `t${i}`}_int32` });
    back.push({ op: 'CAST', inputs: [i], outputs: [e] });
    return e;
  });
  return { tensors, nodes: [...front, ...graph.nodes, ...back], inputs, outputs };
}

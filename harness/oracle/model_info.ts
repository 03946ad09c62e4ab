// The little the oracle needs to know about a .tflite file, read straight from the flatbuffer with
// the `flatbuffers` runtime: subgraph 0's inputs and outputs, the signature that maps runtime
// names to them, whether the model has variable tensors or hybrid (dynamic-range) ops, and which
// inputs are shape operands. Deliberately independent of src/model (the code under test).
import { ByteBuffer } from 'flatbuffers';
import { isOracleDType, type OracleDType } from './types.js';

/** TFLite TensorType codes, in schema order. */
const TENSOR_TYPES = [
  'float32',
  'float16',
  'int32',
  'uint8',
  'int64',
  'string',
  'bool',
  'int16',
  'complex64',
  'int8',
  'float64',
  'complex128',
  'uint64',
  'resource',
  'variant',
  'uint32',
  'uint16',
  'int4',
  'bfloat16',
  'int2',
  'uint4',
  'float8_e4m3fn',
  'float8_e5m2',
] as const;

const OP = {
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  RESHAPE: 22,
  RESIZE_BILINEAR: 23,
  PAD: 34,
  STRIDED_SLICE: 45,
  PADV2: 60,
  SLICE: 65,
  TRANSPOSE_CONV: 67,
  TILE: 69,
  FILL: 94,
  RESIZE_NEAREST_NEIGHBOR: 97,
  MIRROR_PAD: 100,
  BROADCAST_TO: 130,
  SHAPE: 77,
} as const;

/** Operand slots that decide an op's output shape: non-constant there makes the output dynamic. */
const SHAPE_SLOTS: Record<number, number[]> = {
  [OP.RESHAPE]: [1],
  [OP.RESIZE_BILINEAR]: [1],
  [OP.PAD]: [1],
  [OP.STRIDED_SLICE]: [1, 2, 3],
  [OP.PADV2]: [1],
  [OP.SLICE]: [1, 2],
  [OP.TRANSPOSE_CONV]: [0],
  [OP.TILE]: [1],
  [OP.FILL]: [0],
  [OP.RESIZE_NEAREST_NEIGHBOR]: [1],
  [OP.MIRROR_PAD]: [1],
  [OP.BROADCAST_TO]: [1],
};

export interface ModelQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface ModelTensorInfo {
  /** Index of the tensor in subgraph 0. */
  tensorIndex: number;
  name: string;
  /** Lower-case TensorType name ('float32', 'int8', ... also 'string', 'resource' ...). */
  type: string;
  /** The dtype the oracle uses for it, or undefined when the oracle cannot feed / read it. */
  dtype: OracleDType | undefined;
  /** The declared (allocation) shape. */
  shape: number[];
  /** shape_signature, where -1 marks a dynamic dimension; undefined when absent. */
  shapeSignature: number[] | undefined;
  /** has_rank: false with shape [] means rank and shape unknown until run time (or an old file's scalar). */
  hasRank: boolean;
  quantization: ModelQuantization | undefined;
}

export interface SignatureInfo {
  key: string;
  subgraphIndex: number;
  inputs: { name: string; tensorIndex: number }[];
  outputs: { name: string; tensorIndex: number }[];
}

export interface ModelInfo {
  /** Subgraph-0 inputs, in order. */
  inputs: ModelTensorInfo[];
  /** Subgraph-0 outputs, in order. */
  outputs: ModelTensorInfo[];
  signatures: SignatureInfo[];
  /** Some tensor is a variable (LSTM state...): LiteRT.js refuses such models. */
  hasVariableTensors: boolean;
  /**
   * Some op takes a float activation and constant int8/uint8/int4 weights (dynamic-range
   * quantization): XNNPACK (LiteRT.js) computes those differently from TFLite's builtin kernels.
   */
  isHybrid: boolean;
  /**
   * Names of subgraph-0 outputs whose shape is only known at run time: produced downstream of an
   * op whose shape operand is not constant (TRANSPOSE_CONV output_shape fed as an input...), or
   * declared without a shape (TFLite_Detection_PostProcess). LiteRT.js binds output buffers of
   * the declared shape before running and hands back garbage or a truncated scalar for these.
   */
  dynamicOutputs: string[];
  /** Builtin op codes used (custom ops as their custom_code). */
  ops: (number | string)[];
  /**
   * Inputs that are shape operands (TRANSPOSE_CONV output_shape, RESHAPE new_shape, RESIZE_* size,
   * FILL / BROADCAST_TO shape), keyed by input position, holding the value the model's declared
   * shapes imply. Random values there make the run meaningless (or crash it).
   */
  shapeOperands: Map<number, Int32Array | BigInt64Array>;
}

/** A table in the flatbuffer, read by field id. */
class Table {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {}
  private off(id: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * id);
  }
  has(id: number): boolean {
    return this.off(id) !== 0;
  }
  table(id: number): Table | undefined {
    const o = this.off(id);
    return o ? new Table(this.bb, this.bb.__indirect(this.pos + o)) : undefined;
  }
  tables(id: number): Table[] {
    const o = this.off(id);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    const out: Table[] = [];
    for (let i = 0; i < n; i++) out.push(new Table(this.bb, this.bb.__indirect(start + 4 * i)));
    return out;
  }
  private vector(id: number, width: number, read: (at: number) => number): number[] {
    const o = this.off(id);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(read(start + width * i));
    return out;
  }
  vectorLength(id: number): number {
    const o = this.off(id);
    return o ? this.bb.__vector_len(this.pos + o) : 0;
  }
  int32s(id: number): number[] {
    return this.vector(id, 4, (at) => this.bb.readInt32(at));
  }
  float32s(id: number): number[] {
    return this.vector(id, 4, (at) => this.bb.readFloat32(at));
  }
  int64s(id: number): number[] {
    return this.vector(id, 8, (at) => Number(this.bb.readInt64(at)));
  }
  int8(id: number, dflt: number): number {
    const o = this.off(id);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }
  int32(id: number, dflt: number): number {
    const o = this.off(id);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }
  uint32(id: number, dflt: number): number {
    const o = this.off(id);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }
  uint64(id: number, dflt: number): number {
    const o = this.off(id);
    return o ? Number(this.bb.readUint64(this.pos + o)) : dflt;
  }
  bool(id: number, dflt: boolean): boolean {
    const o = this.off(id);
    return o ? this.bb.readInt8(this.pos + o) !== 0 : dflt;
  }
  string(id: number): string | undefined {
    const o = this.off(id);
    return o ? (this.bb.__string(this.pos + o) as string) : undefined;
  }
}

// Field ids from schema.fbs.
const MODEL = { subgraphs: 2, buffers: 4, operatorCodes: 1, signatureDefs: 7 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, shapeSignature: 7, hasRank: 8 };
const QUANT = { scale: 2, zeroPoint: 3, quantizedDimension: 6 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2 };
const OPCODE = { deprecatedBuiltinCode: 0, customCode: 1, builtinCode: 3 };
const BUFFER = { data: 0, offset: 1 };
const SIGNATURE = { inputs: 0, outputs: 1, key: 2, subgraphIndex: 4 };
const TENSOR_MAP = { name: 0, tensorIndex: 1 };

function tensorInfo(t: Table, index: number): ModelTensorInfo {
  const type = TENSOR_TYPES[t.int8(TENSOR.type, 0)] ?? `type${t.int8(TENSOR.type, 0)}`;
  const q = t.table(TENSOR.quantization);
  const scale = q ? q.float32s(QUANT.scale) : [];
  return {
    tensorIndex: index,
    name: t.string(TENSOR.name) ?? `tensor${index}`,
    type,
    dtype: isOracleDType(type) ? type : undefined,
    shape: t.int32s(TENSOR.shape),
    shapeSignature: t.has(TENSOR.shapeSignature) ? t.int32s(TENSOR.shapeSignature) : undefined,
    hasRank: t.bool(TENSOR.hasRank, false),
    quantization:
      q && scale.length > 0
        ? { scale, zeroPoint: q.int64s(QUANT.zeroPoint), quantizedDimension: q.int32(QUANT.quantizedDimension, 0) }
        : undefined,
  };
}

/** Reads what the oracle needs from a .tflite file. Throws on a file that is not a TFLite model. */
export function readModelInfo(modelBytes: Uint8Array): ModelInfo {
  const bb = new ByteBuffer(modelBytes);
  if (modelBytes.byteLength < 8 || !bb.__has_identifier('TFL3')) {
    throw new Error('not a TFLite flatbuffer (no TFL3 identifier)');
  }
  const model = new Table(bb, bb.readInt32(bb.position()) + bb.position());
  const subgraphs = model.tables(MODEL.subgraphs);
  const sg0 = subgraphs[0];
  if (!sg0) throw new Error('model has no subgraph');
  const buffers = model.tables(MODEL.buffers);
  const opcodes = model.tables(MODEL.operatorCodes).map((c) => {
    const custom = c.string(OPCODE.customCode);
    const code = Math.max(c.int8(OPCODE.deprecatedBuiltinCode, 0), c.int32(OPCODE.builtinCode, 0));
    return custom !== undefined && code === 32 ? custom : code;
  });

  const isConstant = (t: Table): boolean => {
    const b = buffers[t.uint32(TENSOR.buffer, 0)];
    return b !== undefined && t.uint32(TENSOR.buffer, 0) !== 0 && (b.vectorLength(BUFFER.data) > 0 || b.uint64(BUFFER.offset, 0) > 1);
  };

  let hasVariableTensors = false;
  let isHybrid = false;
  const ops = new Set<number | string>();
  for (const sg of subgraphs) {
    const tensors = sg.tables(SUBGRAPH.tensors);
    if (tensors.some((t) => t.bool(TENSOR.isVariable, false))) hasVariableTensors = true;
    for (const op of sg.tables(SUBGRAPH.operators)) {
      const code = opcodes[op.uint32(OPERATOR.opcodeIndex, 0)] ?? -1;
      ops.add(code);
      if (code === OP.DEQUANTIZE) continue;
      const ins = op.int32s(OPERATOR.inputs).map((i) => (i >= 0 ? tensors[i] : undefined));
      const first = ins[0];
      if (!first || isConstant(first) || first.int8(TENSOR.type, 0) !== 0) continue;
      const intWeights = ins.slice(1).some((t) => {
        if (!t || !isConstant(t)) return false;
        const type = t.int8(TENSOR.type, 0);
        return type === 9 || type === 3 || type === 17; // int8, uint8, int4
      });
      if (intWeights) isHybrid = true;
    }
  }

  const sg0Tensors = sg0.tables(SUBGRAPH.tensors);
  const info = (i: number): ModelTensorInfo => {
    const t = sg0Tensors[i];
    if (!t) throw new Error(`subgraph 0 refers to tensor ${i}, which does not exist`);
    return tensorInfo(t, i);
  };
  const inputIdx = sg0.int32s(SUBGRAPH.inputs);
  const inputs = inputIdx.map(info);
  const outputs = sg0.int32s(SUBGRAPH.outputs).map(info);

  const shapeOperands = new Map<number, Int32Array | BigInt64Array>();
  for (const op of sg0.tables(SUBGRAPH.operators)) {
    const code = opcodes[op.uint32(OPERATOR.opcodeIndex, 0)];
    const opIns = op.int32s(OPERATOR.inputs);
    const out = op.int32s(OPERATOR.outputs)[0];
    if (out === undefined || out < 0) continue;
    const outShape = info(out).shape;
    let slot = -1;
    let value: number[] = [];
    if (code === OP.TRANSPOSE_CONV || code === OP.FILL) [slot, value] = [0, outShape];
    else if (code === OP.RESHAPE || code === OP.BROADCAST_TO) [slot, value] = [1, outShape];
    else if (code === OP.RESIZE_BILINEAR || code === OP.RESIZE_NEAREST_NEIGHBOR) [slot, value] = [1, outShape.slice(1, 3)];
    const tensor = slot >= 0 ? opIns[slot] : undefined;
    if (tensor === undefined) continue;
    const position = inputIdx.indexOf(tensor);
    if (position < 0) continue;
    const type = inputs[position]?.type;
    if (type === 'int32') shapeOperands.set(position, Int32Array.from(value));
    else if (type === 'int64') shapeOperands.set(position, BigInt64Array.from(value.map(BigInt)));
  }

  // Dynamic tensors: outputs of ops whose shape operand depends on the values of a model input
  // (or a variable), and everything downstream. Values derived only from SHAPE of a tensor are
  // known when TFLite prepares the graph (it keeps them persistent), so they do not count.
  const dynamic = new Set<number>();
  const fromInputValues = new Set<number>(inputIdx);
  sg0Tensors.forEach((t, i) => {
    if (t.bool(TENSOR.isVariable, false)) fromInputValues.add(i);
  });
  for (const op of sg0.tables(SUBGRAPH.operators)) {
    const code = opcodes[op.uint32(OPERATOR.opcodeIndex, 0)] ?? -1;
    const opIns = op.int32s(OPERATOR.inputs);
    const opOuts = op.int32s(OPERATOR.outputs).filter((i) => i >= 0);
    if (code !== OP.SHAPE && opIns.some((i) => fromInputValues.has(i))) for (const i of opOuts) fromInputValues.add(i);
    const fromDynamic = opIns.some((i) => dynamic.has(i));
    const computedShape = (typeof code === 'number' ? (SHAPE_SLOTS[code] ?? []) : []).some((slot) => {
      const i = opIns[slot];
      return i !== undefined && fromInputValues.has(i);
    });
    if (fromDynamic || computedShape) for (const i of opOuts) dynamic.add(i);
  }
  // An output declared without rank or shape (TFLite_Detection_PostProcess) is sized at run time.
  const unshaped = (t: ModelTensorInfo) => t.shape.length === 0 && !t.hasRank && !inputIdx.includes(t.tensorIndex);
  const dynamicOutputs = outputs.filter((t) => dynamic.has(t.tensorIndex) || unshaped(t)).map((t) => t.name);

  const signatures = model.tables(MODEL.signatureDefs).map((s) => ({
    key: s.string(SIGNATURE.key) ?? '',
    subgraphIndex: s.uint32(SIGNATURE.subgraphIndex, 0),
    inputs: s.tables(SIGNATURE.inputs).map((m) => ({
      name: m.string(TENSOR_MAP.name) ?? '',
      tensorIndex: m.uint32(TENSOR_MAP.tensorIndex, 0),
    })),
    outputs: s.tables(SIGNATURE.outputs).map((m) => ({
      name: m.string(TENSOR_MAP.name) ?? '',
      tensorIndex: m.uint32(TENSOR_MAP.tensorIndex, 0),
    })),
  }));

  return { inputs, outputs, signatures, hasVariableTensors, isHybrid, dynamicOutputs, ops: [...ops], shapeOperands };
}

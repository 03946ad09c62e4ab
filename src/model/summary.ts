// What `inspect` reports about a model: I/O, op and dtype histograms, constant bytes, and the
// quantization mode the converter produced.
import type { DType } from './dtype.js';
import type { Model, Operator, Quantization, Subgraph, Tensor } from './types.js';

export type QuantizationMode = 'float32' | 'fp16-weights' | 'dynamic-range' | 'weight-only-int8' | 'int8' | 'uint8' | '16x8' | 'mixed';

export interface TensorSummary {
  name: string;
  index: number;
  dtype: DType;
  shape: number[];
  shapeSignature?: number[];
  quantization: Quantization | null;
}

export interface ModelSummary {
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  ops: Record<string, number>;
  tensorTypes: Record<string, number>;
  constantBytes: Record<string, number>;
  mode: QuantizationMode;
  subgraphs: number;
  signatures: { key: string; subgraph: number; inputs: string[]; outputs: string[] }[];
  description: string;
  bytes: number;
}

/** Ops whose float activations with int8 constant weights make the dynamic-range (hybrid) path. */
const HYBRID_OPS = new Set([
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'FULLY_CONNECTED',
  'BATCH_MATMUL',
  'SVDF',
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'BIDIRECTIONAL_SEQUENCE_LSTM',
  'LSTM',
  'EMBEDDING_LOOKUP',
]);
const EDGE_OPS = new Set(['QUANTIZE', 'DEQUANTIZE']);
const INT_QUANT = new Set<DType>(['int8', 'uint8', 'int16']);

function tensorSummary(t: Tensor): TensorSummary {
  const s: TensorSummary = { name: t.name, index: t.index, dtype: t.dtype, shape: t.shape, quantization: t.quantization };
  if (t.shapeSignature) s.shapeSignature = t.shapeSignature;
  return s;
}

function increment(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Classifies how the model was quantized, from the dtypes that reach each op. */
export function detectMode(model: Model): QuantizationMode {
  let hybrid = false;
  let floatCompute = false;
  let quantCompute = false;
  let fp16Weights = false;
  let int8Dequant = false;
  const quantActivations: Record<string, number> = {};
  for (const sg of model.subgraphs) {
    const tensorOf = (i: number) => (i < 0 ? undefined : sg.tensors[i]);
    for (const op of sg.operators) {
      const ins = op.inputs.map(tensorOf).filter((t): t is Tensor => t !== undefined);
      const runtime = ins.filter((t) => !t.data);
      const constants = ins.filter((t) => t.data);
      if (op.op === 'DEQUANTIZE' && constants.some((t) => t.dtype === 'float16')) fp16Weights = true;
      if (op.op === 'DEQUANTIZE' && constants.some((t) => t.dtype === 'int8' || t.dtype === 'uint8')) int8Dequant = true;
      if (EDGE_OPS.has(op.op) || op.op.startsWith('CUSTOM:')) continue;
      const floatIn = runtime.some((t) => t.dtype === 'float32');
      const quantIn = runtime.some((t) => INT_QUANT.has(t.dtype) && t.quantization !== null);
      if (HYBRID_OPS.has(op.op) && floatIn && constants.some((t) => t.dtype === 'int8' || t.dtype === 'uint8')) hybrid = true;
      else if (floatIn) floatCompute = true;
      if (quantIn) quantCompute = true;
    }
    for (const t of sg.tensors) if (!t.data && t.quantization && INT_QUANT.has(t.dtype)) increment(quantActivations, t.dtype);
  }
  if (quantCompute) {
    if (hybrid || floatCompute) return 'mixed';
    const dominant = Object.entries(quantActivations).sort((a, b) => b[1] - a[1])[0]?.[0];
    if (dominant === 'int16') return '16x8';
    return dominant === 'uint8' ? 'uint8' : 'int8';
  }
  if (hybrid) return 'dynamic-range';
  if (fp16Weights) return 'fp16-weights';
  if (int8Dequant) return 'weight-only-int8';
  return 'float32';
}

function countOps(subgraphs: Subgraph[]): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const sg of subgraphs) for (const op of sg.operators as Operator[]) increment(ops, op.op);
  return ops;
}

export function summarize(model: Model): ModelSummary {
  const main = model.subgraphs[0] as Subgraph;
  const tensorTypes: Record<string, number> = {};
  const constantBytes: Record<string, number> = {};
  for (const sg of model.subgraphs) {
    for (const t of sg.tensors) {
      increment(tensorTypes, t.dtype.toUpperCase());
      if (t.data) increment(constantBytes, t.dtype, t.data.byteLength);
    }
  }
  return {
    inputs: main.inputs.map((i) => tensorSummary(main.tensors[i] as Tensor)),
    outputs: main.outputs.map((i) => tensorSummary(main.tensors[i] as Tensor)),
    ops: countOps(model.subgraphs),
    tensorTypes,
    constantBytes,
    mode: detectMode(model),
    subgraphs: model.subgraphs.length,
    signatures: model.signatures.map((s) => ({
      key: s.key,
      subgraph: s.subgraphIndex,
      inputs: s.inputs.map((m) => m.name),
      outputs: s.outputs.map((m) => m.name),
    })),
    description: model.description,
    bytes: model.bytes.byteLength,
  };
}

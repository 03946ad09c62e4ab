import type { DType } from './dtype.js';

/** Per-tensor (one scale) or per-axis (one scale per slice of `quantizedDimension`) affine quantization. */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  min?: number[];
  max?: number[];
}

/** One dimension of a sparse tensor (TACO-style), see schema.fbs DimensionMetadata. */
export interface DimensionMetadata {
  format: 'dense' | 'sparse_csr';
  denseSize: number;
  arraySegments: number[];
  arrayIndices: number[];
}

export interface Sparsity {
  traversalOrder: number[];
  blockMap: number[];
  dimMetadata: DimensionMetadata[];
}

export interface Tensor {
  index: number;
  name: string;
  dtype: DType;
  shape: number[];
  /** Shape with -1 for dynamic dimensions, when the model gives one. */
  shapeSignature: number[] | null;
  quantization: Quantization | null;
  /** Index into Model.buffers. */
  buffer: number;
  /** Constant bytes (zero-copy view of the model file), or null for activations. */
  data: Uint8Array | null;
  isVariable: boolean;
  sparsity: Sparsity | null;
}

export type OptionValue = number | boolean | string | number[] | null;
/** Decoded builtin options: the schema's field names in camelCase, e.g. `{ padding: 0, strideW: 2 }`. */
export type Options = Record<string, OptionValue>;

export interface Operator {
  /** Index of this node within its subgraph. */
  index: number;
  /** BuiltinOperator name (e.g. "CONV_2D"), or "CUSTOM:<custom_code>". */
  op: string;
  builtinCode: number;
  customCode: string | null;
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  intermediates: number[];
  /** Name of the schema's options table, e.g. "Conv2DOptions"; null when absent. */
  optionsType: string | null;
  options: Options;
  customOptions: Uint8Array | null;
}

export interface Subgraph {
  index: number;
  name: string;
  tensors: Tensor[];
  operators: Operator[];
  inputs: number[];
  outputs: number[];
}

export interface SignatureTensor {
  name: string;
  tensorIndex: number;
}

export interface SignatureDef {
  key: string;
  subgraphIndex: number;
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
}

export interface Metadata {
  name: string;
  buffer: number;
  data: Uint8Array | null;
}

export interface Model {
  version: number;
  description: string;
  subgraphs: Subgraph[];
  signatures: SignatureDef[];
  metadata: Metadata[];
  /** Buffer contents, inline or stored after the flatbuffer (offset/size); null when empty. */
  buffers: (Uint8Array | null)[];
  /** The whole file. */
  bytes: Uint8Array;
}

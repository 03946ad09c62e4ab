// Public API of tflite-webgpu.

export { TensorError, type UnsupportedNode, UnsupportedOpError } from './interpreter/errors.js';
export { Interpreter, type InterpreterOptions, type TensorDetails } from './interpreter/interpreter.js';
export { KernelError } from './kernels/kernel.js';
export type { DType, TypedArray } from './model/dtype.js';
export { ModelError } from './model/errors.js';
export { readModel } from './model/reader.js';
export { detectMode, type ModelSummary, type QuantizationMode, summarize } from './model/summary.js';
export type { Model, Operator, Quantization, SignatureDef, Subgraph, Tensor } from './model/types.js';

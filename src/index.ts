// Public API of tflite-webgpu.

// The WebGPU delegate (it plugs in through the delegate contract above; the interpreter never imports it).
export {
  acquireGpu,
  DeviceLostError,
  GpuUnavailableError,
  WebGpuDelegate,
  type WebGpuDelegateOptions,
} from '../delegate/index.js';
export {
  contiguousPartitions,
  type Delegate,
  type DelegateClaims,
  DelegateError,
  type DelegateGraph,
  type DelegateKernel,
  type DelegateNode,
  type PartitionSpec,
} from './interpreter/delegate.js';
export { TensorError, type UnsupportedNode, UnsupportedOpError } from './interpreter/errors.js';
export {
  Interpreter,
  type InterpreterOptions,
  type NodePlacement,
  type PartitionPlacement,
  type Placement,
  type StepInfo,
  type StepObserver,
  type TensorDetails,
} from './interpreter/interpreter.js';
export type { RuntimeTensor } from './kernels/kernel.js';
export { KernelError } from './kernels/kernel.js';
export { type DType, numElements, type TypedArray, typedView } from './model/dtype.js';
export { ModelError } from './model/errors.js';
export { readModel } from './model/reader.js';
export { detectMode, type ModelSummary, type QuantizationMode, summarize, type TensorSummary } from './model/summary.js';
export type { Model, Operator, Quantization, SignatureDef, Subgraph, Tensor } from './model/types.js';

// Public API of tflite-webgpu.

// The WebGPU delegate (it plugs in through the delegate contract below; the interpreter never imports it).
export {
  acquireGpu,
  type DelegateProfile,
  DeviceLostError,
  type DispatchTiming,
  type GpuContext,
  type GpuInputOptions,
  GpuIoError,
  GpuUnavailableError,
  type PartitionProfile,
  type QuantizedExecution,
  type TransferCounts,
  WebGpuDelegate,
  type WebGpuDelegateOptions,
} from '../delegate/index.js';
// The delegate contract and the interpreter.
export {
  contiguousPartitions,
  type Delegate,
  type DelegateClaims,
  DelegateError,
  type DelegateGraph,
  type DelegateKernel,
  type DelegateNode,
  type PartitionSpec,
  preparedBy,
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
// Half-precision conversion (float16 tensors hold raw half bits).
export { floatToHalf, halfToFloat, halfToFloatTable } from './kernels/dequantize.js';
// Named input slots of multi-input ops (for tools that build or inspect such nodes).
export { DETECTION_INPUTS, type DetectionFlexOptions } from './kernels/detection_postprocess.js';
// The kernel contract and the CPU registry (for tools that list or check what runs).
export type {
  IntegerRounding,
  Kernel,
  KernelConfig,
  KernelRegistration,
  NodeContext,
  RuntimeTensor,
} from './kernels/kernel.js';
export { KernelError } from './kernels/kernel.js';
export { LSTM_GATES, LSTM_INPUTS, type LstmGateName, type LstmGateSlots } from './kernels/lstm_shared.js';
export { type LookupResult, lookupKernel, registeredKernels, registeredOps } from './kernels/registry.js';
export { SVDF_INPUTS } from './kernels/svdf.js';
// Element types.
export { byteSize, type DType, numElements, type TypedArray, typedView } from './model/dtype.js';
// The model: reading, summary, and the flatbuffer schema (for tools that write models).
export { ModelError } from './model/errors.js';
// Typed builtin options, checked against the schema.
export { builtinOptions, type OptionsOf, type OptionsTable } from './model/options.js';
export { readModel } from './model/reader.js';
export * as schema from './model/schema/tflite_generated.js';
export { detectMode, type ModelSummary, type QuantizationMode, summarize, type TensorSummary } from './model/summary.js';
export type { Model, Operator, Quantization, SignatureDef, Subgraph, Tensor } from './model/types.js';
export { packModel, unpackModel } from './model/writer.js';
// Post-training quantization (float16, dynamic range, int8, 16x8).
export {
  asymmetricInt8Params,
  type InferenceType,
  type NodeReport,
  QuantizeError,
  type QuantizeMode,
  type QuantizeOptions,
  type QuantizeReport,
  type QuantizeResult,
  quantize,
  quantizeBiasInt32,
  quantizeSymmetricInt8,
  type RepresentativeDataset,
  roundHalfAway,
  symmetricInt16Params,
  toFloat16,
} from './quantize/index.js';

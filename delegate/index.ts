// Public surface of the WebGPU delegate.
export type { QuantizedExecution } from './plan/float_view.js';
export { PRECISION_LABEL, type Precision } from './plan/precision.js';
export { OP_IMPLEMENTATIONS } from './registry.js';
export { type AcquireOptions, type AdapterSummary, acquireGpu, type GpuContext, type GpuLimits } from './runtime/device.js';
export { DeviceLostError, GpuIoError, GpuUnavailableError, GpuValidationError, ShaderError } from './runtime/errors.js';
export type { TransferCounts } from './runtime/partition_kernel.js';
export type { DispatchIdentity, DispatchTiming, PartitionProfile } from './runtime/profiling.js';
export { type DelegateProfile, type GpuInputOptions, WebGpuDelegate, type WebGpuDelegateOptions } from './webgpu_delegate.js';

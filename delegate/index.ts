// Public surface of the WebGPU delegate.
export { type AcquireOptions, type AdapterSummary, acquireGpu, type GpuContext, type GpuLimits } from './device.js';
export { DeviceLostError, GpuUnavailableError, GpuValidationError, ShaderError } from './errors.js';
export { PRECISION_LABEL, type Precision } from './precision.js';
export { OP_IMPLEMENTATIONS } from './registry.js';
export { WebGpuDelegate, type WebGpuDelegateOptions } from './webgpu_delegate.js';

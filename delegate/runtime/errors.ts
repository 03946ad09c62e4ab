// Errors of the WebGPU delegate. Each says what failed and, where there is one, what to do. All
// but GpuUnavailableError are DelegateErrors: a delegate kernel failed.

import { DelegateError } from '../../src/interpreter/delegate.js';

/** No WebGPU adapter or device could be obtained. */
export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

/**
 * The GPUDevice was lost (driver reset, destroy(), out of memory...). To continue: on the CPU,
 * interpreter.removeDelegates() (or create the interpreter with fallbackToCpuOnDelegateError);
 * on a new device, interpreter.allocateTensors() again (a delegate that created its device
 * requests a new one; one given an application device needs a new delegate).
 */
export class DeviceLostError extends DelegateError {
  override name = 'DeviceLostError';
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(
      `the WebGPU device was lost (${reason})${detail ? `: ${detail}` : ''}; continue on the CPU with interpreter.removeDelegates(), or call allocateTensors() again to rebuild on a new device`,
    );
  }
}

/** A WebGPU validation or out-of-memory error raised by the delegate's own GPU work. */
export class GpuValidationError extends DelegateError {
  override name = 'GpuValidationError';
}

/** A shader template was instantiated with missing or unknown values, or failed to compile. */
export class ShaderError extends DelegateError {
  override name = 'ShaderError';
}

/**
 * A GPU input or output buffer cannot be used as asked: wrong size, dtype or usage flags, a
 * destroyed buffer or one of another device, or a tensor that is not a graph input / output
 * computed by this delegate. The message names the tensor and the call.
 */
export class GpuIoError extends DelegateError {
  override name = 'GpuIoError';
}

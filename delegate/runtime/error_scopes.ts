// Error scopes around the delegate's own GPU work (the debug option): validation and
// out-of-memory errors become a GpuValidationError naming what was being done.
import { GpuValidationError } from './errors.js';

export function pushScopes(device: GPUDevice): void {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
}

export async function popScopes(device: GPUDevice, what: string): Promise<void> {
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  const error = validation ?? oom;
  if (error) throw new GpuValidationError(`${what}: ${error.message}`);
}

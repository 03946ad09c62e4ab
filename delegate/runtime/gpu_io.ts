// GPU-resident partition edges: graph inputs the caller hands over as GPUBuffers (dense, on the
// delegate's device), and graph outputs copied into delegate-owned GPUBuffers instead of being
// read back. The delegate fills these bindings (webgpu_delegate.ts); each partition kernel reads
// them at invoke and records the copies in its one command encoder.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { numElements } from '../../src/model/dtype.js';
import { GpuIoError } from './errors.js';
import { BufferUsage, MapMode } from './gpu_flags.js';

/** Bytes per element of the dtypes the delegate moves at a partition edge. */
const ELEMENT_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, int16: 2, int8: 1, uint8: 1 };

/** The typed array of each of those dtypes. */
export const ARRAY_OF = {
  float32: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
} as const;
export type StoredArray = InstanceType<(typeof ARRAY_OF)[keyof typeof ARRAY_OF]>;

export interface BoundOutput {
  readonly buffer: GPUBuffer;
  readonly device: GPUDevice;
  /** Read back as well: a CPU node or another partition reads the tensor too. */
  readonly readBack: boolean;
}

export class GpuIoBindings {
  /** Graph input tensor index -> the caller's buffer holding its dense values. */
  readonly inputs = new Map<number, GPUBuffer>();
  /** Graph output tensor index -> the delegate's buffer the output is copied into. */
  readonly outputs = new Map<number, BoundOutput>();

  get empty(): boolean {
    return this.inputs.size === 0 && this.outputs.size === 0;
  }
}

/** Bytes of a tensor's dense values in its dtype, rounded up to whole words (what copies move); null for dtypes the delegate does not store. */
export function denseEdgeBytes(t: RuntimeTensor): number | null {
  const size = ELEMENT_BYTES[t.dtype];
  return size === undefined ? null : Math.ceil((numElements(t.shape) * size) / 4) * 4;
}

export function describeTensor(t: RuntimeTensor): string {
  return `tensor ${t.index} '${t.name}' (${t.dtype} [${t.shape}])`;
}

/** Throws GpuIoError unless `buffer` can hold `bytes` and has `usage`. */
export function checkBuffer(buffer: GPUBuffer, t: RuntimeTensor, bytes: number, usage: number, where: string): void {
  if (!buffer || typeof buffer.size !== 'number' || typeof buffer.usage !== 'number') {
    throw new GpuIoError(`${where}: ${describeTensor(t)}: expected a GPUBuffer, got ${String(buffer)}`);
  }
  if (buffer.size < bytes) {
    throw new GpuIoError(
      `${where}: ${describeTensor(t)} needs ${bytes} bytes of dense ${t.dtype} values; buffer '${buffer.label}' has ${buffer.size}`,
    );
  }
  if ((buffer.usage & usage) !== usage) {
    throw new GpuIoError(
      `${where}: ${describeTensor(t)}: buffer '${buffer.label}' lacks the usage ${usageNames(usage)} (has ${usageNames(buffer.usage)})`,
    );
  }
}

function usageNames(usage: number): string {
  const names = Object.entries(BufferUsage)
    .filter(([, bit]) => usage & bit)
    .map(([name]) => name);
  return names.length ? names.join(' | ') : 'none';
}

/** Reads `bytes` from the start of `source` into `target` through a temporary mapped buffer (one transfer). */
export async function readBufferInto(
  device: GPUDevice,
  source: GPUBuffer,
  bytes: number,
  target: StoredArray,
  label: string,
): Promise<void> {
  const staging = device.createBuffer({
    label: `${label} read`,
    size: Math.max(bytes, 4),
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: `${label} read` });
    encoder.copyBufferToBuffer(source, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MapMode.READ);
    const ctor = target.constructor as new (b: ArrayBuffer, offset: number, length: number) => StoredArray;
    target.set(new ctor(staging.getMappedRange(), 0, target.length) as never);
    staging.unmap();
  } finally {
    staging.destroy();
  }
}

// The GPU buffers of a partition: its pooled tensor storage, boundary staging buffers, constants
// (uploaded once at build) and the mapped readback buffer; created and destroyed together.
import { DelegateError } from '../../src/interpreter/delegate.js';
import type { BufferRef, PartitionPlan } from '../plan/partition_plan.js';
import { bytesPerSlice } from '../plan/precision.js';
import { BufferUsage } from './gpu_flags.js';

export const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** Buffers the kernel owns. */
export class BufferSet {
  readonly all: GPUBuffer[] = [];
  bytes = 0;

  constructor(private readonly device: GPUDevice) {}

  create(label: string, size: number, usage: number): GPUBuffer {
    const b = this.device.createBuffer({ label, size: align(Math.max(size, 16), 16), usage });
    this.all.push(b);
    this.bytes += b.size;
    return b;
  }

  /** A read-only storage buffer holding `data`. */
  constant(label: string, data: ArrayBufferView): GPUBuffer {
    const b = this.device.createBuffer({
      label,
      size: align(Math.max(data.byteLength, 16), 16),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
      mappedAtCreation: true,
    });
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    this.all.push(b);
    this.bytes += b.size;
    return b;
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.length = 0;
  }
}

/** The plan's buffers on the device, and its buffer references resolved to bindings. */
export interface PartitionBuffers {
  resolve(ref: BufferRef): GPUBufferBinding;
  readonly readback: GPUBuffer;
}

export function allocateBuffers(buffers: BufferSet, plan: PartitionPlan, label: string): PartitionBuffers {
  const pooled = plan.pool.buffers.map((bytes, i) =>
    buffers.create(`${label} tensors #${i}`, bytes, BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST),
  );
  const staging = plan.staging.map((s) =>
    buffers.create(s.label, s.bytes, BufferUsage.STORAGE | (s.direction === 'input' ? BufferUsage.COPY_DST : BufferUsage.COPY_SRC)),
  );
  const constants = plan.constants.map((c) => buffers.constant(c.label, c.data));
  const readback = buffers.create(`${label} readback`, plan.readbackBytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
  const resolve = (ref: BufferRef): GPUBufferBinding => {
    switch (ref.kind) {
      case 'group': {
        const g = plan.storage.groups[ref.group];
        const b = plan.pool.bufferOf.get(ref.group);
        if (!g || b === undefined) throw new DelegateError(`${label}: storage group ${ref.group} has no buffer`);
        return { buffer: pooled[b] as GPUBuffer, offset: 0, size: ref.slices * bytesPerSlice(g.storage) };
      }
      case 'staging':
        return { buffer: staging[ref.index] as GPUBuffer, offset: 0, size: (plan.staging[ref.index] as { bytes: number }).bytes };
      case 'constant':
        return {
          buffer: constants[ref.index] as GPUBuffer,
          offset: 0,
          size: (plan.constants[ref.index] as { data: ArrayBufferView }).data.byteLength,
        };
    }
  };
  return { resolve, readback };
}

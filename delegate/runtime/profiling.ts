// The profile option: GPU time per dispatch from 'timestamp-query' (a begin and an end timestamp
// written around each dispatch's own compute pass, resolved once per submit), and the CPU time
// of the partition's edges (uploads, waiting for the GPU, copying outputs out).
import type { PartitionPlan } from '../plan/partition_plan.js';
import type { BufferSet } from './buffers.js';
import type { GpuContext } from './device.js';
import { BufferUsage, MapMode } from './gpu_flags.js';

/** What one dispatch computes, fixed at build. */
export interface DispatchIdentity {
  /** The node it runs (or converts storage for); null for a partition-edge layout conversion. */
  readonly node: number | null;
  /** The node's op, or 'LAYOUT' for edge conversions. */
  readonly op: string;
  /** The implementation and shader entry, e.g. 'conv2d_1x1 conv_1x1:main'. */
  readonly variant: string;
  /** The node's first output shape (the converted tensor's for edge conversions). */
  readonly shape: readonly number[];
  readonly label: string;
}

export interface DispatchTiming extends DispatchIdentity {
  /** GPU time between the pass's begin and end timestamps; null without 'timestamp-query'. */
  readonly gpuMs: number | null;
}

/** One partition's last profiled invoke. */
export interface PartitionProfile {
  readonly label: string;
  /** The partition's nodes as the interpreter sees them. */
  readonly nodes: readonly number[];
  /** Whether GPU times were measured ('timestamp-query'); else the profile is CPU-side only. */
  readonly timestamps: boolean;
  readonly dispatches: readonly DispatchTiming[];
  /** CPU ms writing the partition inputs (queue.writeBuffer), and their bytes (0 for bound GPU inputs). */
  readonly uploadMs: number;
  readonly uploadBytes: number;
  /** CPU ms from submit until the outputs were mapped (the GPU work, as the CPU waits for it). */
  readonly waitMs: number;
  /** CPU ms copying mapped outputs into the tensors, and the bytes read back (0 for bound GPU outputs). */
  readonly readbackMs: number;
  readonly readbackBytes: number;
  /** Tensor bytes as planned (pooled buffers reused by lifetime) and as the sum of every tensor's own storage. */
  readonly plannedTensorBytes: number;
  readonly naiveTensorBytes: number;
  /** Every buffer the partition holds (tensors, constants, staging, uniforms, readback). */
  readonly totalBufferBytes: number;
}

/** Begin/end timestamps around each of `count` compute passes, resolved and read once per submit. */
export class TimestampQueries {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readable: GPUBuffer;

  constructor(
    device: GPUDevice,
    private readonly count: number,
    label: string,
    buffers: BufferSet,
  ) {
    this.querySet = device.createQuerySet({ label: `${label} timestamps`, type: 'timestamp', count: 2 * count });
    this.resolved = buffers.create(`${label} timestamps resolved`, 16 * count, BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC);
    this.readable = buffers.create(`${label} timestamps read`, 16 * count, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
  }

  /** The pass descriptor of dispatch `i`: its own pass, timestamps 2i and 2i + 1. */
  pass(i: number, label: string): GPUComputePassDescriptor {
    return { label, timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  /** Records the resolve and the copy to the mapped buffer (after every pass). */
  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.count, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.readable, 0, 16 * this.count);
  }

  /** Per dispatch, end - begin in ms (after the submit). Clamped at 0: implementations may quantize or reorder timestamps. */
  async read(): Promise<number[]> {
    await this.readable.mapAsync(MapMode.READ);
    try {
      const ns = new BigUint64Array(this.readable.getMappedRange(), 0, 2 * this.count);
      const ms: number[] = [];
      for (let i = 0; i < this.count; i++) {
        const begin = ns[2 * i] as bigint;
        const end = ns[2 * i + 1] as bigint;
        ms.push(end > begin ? Number(end - begin) / 1e6 : 0);
      }
      return ms;
    } finally {
      this.readable.unmap();
    }
  }

  destroy(): void {
    this.querySet.destroy();
  }
}

/** What a profiled kernel adds: each dispatch's identity, and the timestamp queries. */
export interface Profiler {
  readonly identities: readonly DispatchIdentity[];
  /** Null when the device lacks 'timestamp-query': the profile is then CPU-side only. */
  readonly timestamps: TimestampQueries | null;
}

export function makeProfiler(gpu: GpuContext, plan: PartitionPlan, buffers: BufferSet, label: string): Profiler {
  const byNode = new Map(plan.nodes.map((p) => [p.node.index, p]));
  const tensors = new Map([...plan.uploads, ...plan.readbacks].map((x) => [x.tensor.index, x.tensor]));
  const identities = plan.dispatches.map((d): DispatchIdentity => {
    const entry = `${d.shader.template}:${d.shader.entryPoint ?? 'main'}`;
    const p = d.node === undefined ? undefined : byNode.get(d.node);
    if (p)
      return {
        node: p.node.index,
        op: p.node.op.op,
        variant: `${p.name} ${entry}`,
        shape: [...(p.node.outputs[0]?.shape ?? [])],
        label: d.label,
      };
    const t = d.tensor === undefined ? undefined : tensors.get(d.tensor);
    return { node: null, op: 'LAYOUT', variant: entry, shape: [...(t?.shape ?? [])], label: d.label };
  });
  const timestamps = gpu.features.has('timestamp-query')
    ? new TimestampQueries(gpu.device, Math.max(1, plan.dispatches.length), label, buffers)
    : null;
  return { identities, timestamps };
}

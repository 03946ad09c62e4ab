// Buffer planning inside a partition: each tensor (or group of tensors sharing storage) needs
// bytes from the step that writes it first to the step that reads it last; buffers of tensors
// that are dead are reused for later tensors of the same size class.
import type { PartitionSpec } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import { bytesPerSlice, integerStorage, type Precision, type Storage } from './precision.js';
import { describeNode, type NodePlan } from './programs.js';
import { type Mutable, newGroup, type StorageGroup, type StoragePlan } from './storage.js';

export interface StorageRequest {
  readonly id: number;
  readonly bytes: number;
  /** First step that writes it. */
  readonly first: number;
  /** Last step that reads it (inclusive: a step never writes into a buffer it still reads). */
  readonly last: number;
}

export interface BufferPlan {
  /** Bytes of each buffer. */
  readonly buffers: readonly number[];
  /** Buffer index per request id. */
  readonly bufferOf: ReadonlyMap<number, number>;
}

/** Power-of-two size classes from 256 bytes: a freed buffer serves any later request of its class. */
export function sizeClass(bytes: number): number {
  let c = 256;
  while (c < bytes) c *= 2;
  return c;
}

export function planBuffers(requests: readonly StorageRequest[]): BufferPlan {
  const order = [...requests].sort((a, b) => a.first - b.first || a.id - b.id);
  const buffers: number[] = [];
  const bufferOf = new Map<number, number>();
  const live: StorageRequest[] = [];
  const free = new Map<number, number[]>();
  for (const r of order) {
    // Release what died before this request's first write.
    for (let i = live.length - 1; i >= 0; i--) {
      const l = live[i] as StorageRequest;
      if (l.last < r.first) {
        const b = bufferOf.get(l.id) as number;
        const cls = buffers[b] as number;
        free.set(cls, [...(free.get(cls) ?? []), b]);
        live.splice(i, 1);
      }
    }
    const cls = sizeClass(r.bytes);
    const reuse = free.get(cls)?.shift();
    if (reuse !== undefined) bufferOf.set(r.id, reuse);
    else {
      bufferOf.set(r.id, buffers.length);
      buffers.push(cls);
    }
    live.push(r);
  }
  return { buffers, bufferOf };
}

export function groupBytes(g: StorageGroup): number {
  return g.slices * bytesPerSlice(g.storage);
}

/** Builds the groups while the steps are walked. */
class StorageBuilder {
  readonly groupOf = new Map<number, number>();
  readonly groups: Mutable<StorageGroup>[] = [];

  /** A group for `t`: integer tensors in their type, float ones in `precision`. */
  define(t: RuntimeTensor, step: number, precision: Precision): Mutable<StorageGroup> {
    const known = this.groupOf.get(t.index);
    if (known !== undefined) return this.groups[known] as Mutable<StorageGroup>;
    const storage: Storage = integerStorage(t.dtype) ?? precision;
    const g = newGroup(this.groups.length, sliceLayout(t.shape).sliceCount, step, storage, false);
    this.groups.push(g);
    this.groupOf.set(t.index, g.id);
    return g;
  }

  use(t: RuntimeTensor, step: number, label: string): Mutable<StorageGroup> {
    const id = this.groupOf.get(t.index);
    if (id === undefined)
      throw new DelegateError(`${label}: tensor ${t.index} '${t.name}' is read before anything in the partition writes it`);
    const g = this.groups[id] as Mutable<StorageGroup>;
    g.last = Math.max(g.last, step);
    return g;
  }

  alias(out: RuntimeTensor, input: RuntimeTensor, step: number, label: string): void {
    const g = this.use(input, step, label);
    g.slices = Math.max(g.slices, sliceLayout(out.shape).sliceCount);
    this.groupOf.set(out.index, g.id);
  }
}

export interface Lifetimes {
  readonly storage: StoragePlan;
  /** With readbackAll: every tensor the partition computes that is not an output, in execution order. */
  readonly debugTensors: readonly RuntimeTensor[];
}

/**
 * Step 0 uploads the inputs, step k + 1 runs node k, the last step reads the outputs back. Nodes'
 * float outputs start in the partition's precision (planNodePrecision settles it), integer ones
 * are stored as their type.
 */
export function planLifetimes(
  spec: PartitionSpec,
  nodes: readonly NodePlan[],
  precision: Precision,
  readbackAll: boolean,
  label: string,
): Lifetimes {
  const storage = new StorageBuilder();
  for (const t of spec.inputs) {
    if (t.dtype !== 'float32' && !integerStorage(t.dtype)) {
      throw new DelegateError(`${label}: input tensor ${t.index} '${t.name}' is ${t.dtype}, not float32 or an integer type`);
    }
    storage.define(t, 0, 'fp32').partitionInput = true;
  }
  nodes.forEach(({ node, program, reads }, k) => {
    const step = k + 1;
    const where = `${label}: ${describeNode(node)}`;
    if (program.kind === 'alias') {
      storage.alias(node.outputs[0] as RuntimeTensor, node.inputs[0] as RuntimeTensor, step, where);
      return;
    }
    for (const t of node.outputs) storage.define(t, step, precision);
    for (const t of reads) storage.use(t, step, where);
  });
  const lastStep = nodes.length + 1;
  for (const t of spec.outputs) storage.use(t, lastStep, `${label}: partition output`).partitionOutput = true;
  // readbackAll: every tensor the partition computes is read back at the end, so none may be reused.
  const debugTensors: RuntimeTensor[] = [];
  if (readbackAll) {
    const outputs = new Set(spec.outputs.map((t) => t.index));
    for (const { node } of nodes) {
      for (const t of node.outputs) {
        if (outputs.has(t.index)) continue;
        storage.use(t, lastStep, `${label}: read back for debugging`);
        debugTensors.push(t);
      }
    }
  }
  return { storage: { groups: storage.groups, groupOf: storage.groupOf }, debugTensors };
}

/** Pooled buffers for the storage groups, reused by lifetime. */
export function planPool(storage: StoragePlan): BufferPlan {
  return planBuffers(storage.groups.map((g) => ({ id: g.id, bytes: groupBytes(g), first: g.first, last: g.last })));
}

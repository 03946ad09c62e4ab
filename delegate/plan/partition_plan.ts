// A partition's plan, all plain data: the nodes' programs, tensor storage by lifetime and
// precision, the pooled buffers, constants, and every dispatch in order with its bindings named
// as buffer references. The runtime (runtime/partition_kernel.ts) turns it into GPU objects.
import type { DelegateGraph, PartitionSpec } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { isDenseLayout, sliceLayout, toIntSlices, toSlices } from '../layout.js';
import type { BindingSource, OpContext } from '../program.js';
import type { ShaderRef } from '../runtime/pipeline_cache.js';
import type { UniformValues } from '../runtime/uniforms.js';
import { convertStorage, denseIntBytes, inputToSlices, outputToDense, planConversions, type StorageConversion } from './conversions.js';
import { type BufferPlan, planLifetimes, planPool } from './planner.js';
import {
  bytesPerSlice,
  encodeSlices,
  encodeWeights,
  intElementBytes,
  integerStorage,
  isIntStorage,
  type Precision,
  planNodePrecision,
  type Storage,
} from './precision.js';
import { describeNode, type NodePlan, planPrograms } from './programs.js';
import { newGroup, type StoragePlan, storageOf } from './storage.js';

/** Where a binding's bytes live. */
export type BufferRef =
  /** `slices` slices of a storage group's pooled buffer, in the group's storage. */
  | { readonly kind: 'group'; readonly group: number; readonly slices: number }
  /** A dense buffer at the partition's boundary (plan.staging): f32, or the tensor's integer type. */
  | { readonly kind: 'staging'; readonly index: number }
  /** Constant data uploaded once (plan.constants). */
  | { readonly kind: 'constant'; readonly index: number };

export interface StagingBuffer {
  readonly label: string;
  readonly bytes: number;
  /** 'input': written by uploads; 'output': copied to the readback buffer. */
  readonly direction: 'input' | 'output';
}

export interface ConstantData {
  readonly label: string;
  readonly data: Float32Array | Uint16Array | Uint32Array | Int32Array;
}

export interface PlannedDispatch {
  readonly label: string;
  /** The node the dispatch computes (its own work, or a storage conversion for it); for the profile. */
  readonly node?: number;
  /** The partition input or output a boundary conversion converts; for the profile. */
  readonly tensor?: number;
  /** The precision (prelude) the shader is compiled in: the storage of its tensor bindings. */
  readonly precision: Precision;
  readonly shader: ShaderRef;
  readonly bindings: ReadonlyMap<string, BufferRef>;
  readonly uniforms: UniformValues;
  readonly invocations: number;
}

export interface PlannedUpload {
  readonly tensor: RuntimeTensor;
  readonly target: BufferRef;
}

export interface PlannedReadback {
  readonly tensor: RuntimeTensor;
  readonly source: BufferRef;
  /** Byte offset in the readback buffer. */
  readonly offset: number;
  readonly elements: number;
  /** Bytes copied: the dense values, rounded up to whole words. */
  readonly bytes: number;
  /** Read for debugging (readbackAll), into the kernel's own array rather than the tensor. */
  readonly debug: boolean;
}

export interface PlanStats {
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
  /** Nodes run with f32 storage in an f16 partition (they read a partition input or write a partition output). */
  readonly f32Nodes: readonly number[];
  /** Activation storage groups (a tensor and its aliases) per storage: f32, f16, integer types. */
  readonly storage: { readonly f32: number; readonly f16: number; readonly int: number };
  /** Storage conversion dispatches between f32 and f16 tensors. */
  readonly conversions: number;
}

export interface PartitionPlan {
  readonly nodes: readonly NodePlan[];
  readonly storage: StoragePlan;
  readonly pool: BufferPlan;
  readonly staging: readonly StagingBuffer[];
  readonly constants: readonly ConstantData[];
  /** Input conversions, then each node's (after its storage conversions), then output conversions. */
  readonly dispatches: readonly PlannedDispatch[];
  readonly uploads: readonly PlannedUpload[];
  readonly readbacks: readonly PlannedReadback[];
  readonly readbackBytes: number;
  readonly stats: PlanStats;
}

export interface PlanOptions {
  readonly precision: Precision;
  /** Names the partition in labels and errors. */
  readonly label: string;
  /** Read back every tensor the partition computes; no buffer is reused. */
  readonly readbackAll: boolean;
  /** Epilogue fusion (WebGpuDelegateOptions.fuseEpilogues); never with readbackAll. */
  readonly fuse?: boolean;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

export function planPartition(graph: DelegateGraph, spec: PartitionSpec, ctx: OpContext, options: PlanOptions): PartitionPlan {
  const { precision, label } = options;
  // Fusion hides intermediates, which per-node debugging (readbackAll) wants to see.
  const nodes = planPrograms(graph, spec, ctx, label, !options.readbackAll && (options.fuse ?? true));
  const lifetimes = planLifetimes(spec, nodes, precision, options.readbackAll, label);
  const { nodePrecision, storage: stored } = planNodePrecision(nodes, lifetimes.storage, precision);
  const converted = planConversions(nodes, stored, nodePrecision);
  const { conversions } = converted;
  const { storage, scratchOf } = planScratch(nodes, converted.storage);
  const pool = planPool(storage);

  const tensorRef = (t: RuntimeTensor): BufferRef => ({
    kind: 'group',
    group: storageOf(storage, t).id,
    slices: sliceLayout(t.shape).sliceCount,
  });
  const staging: StagingBuffer[] = [];
  const stage = (s: StagingBuffer): BufferRef => ({ kind: 'staging', index: staging.push(s) - 1 });
  const constants: ConstantData[] = [];
  const constant = (c: ConstantData): BufferRef => ({ kind: 'constant', index: constants.push(c) - 1 });
  // Constant tensors are uploaded once per storage precision they are read in.
  const constantTensors = new Map<string, BufferRef>();
  const resolve = (
    src: BindingSource,
    p: Precision,
    copies: ReadonlyMap<number, StorageConversion>,
    where: string,
    step: number,
  ): BufferRef => {
    switch (src.kind) {
      case 'scratch': {
        const ref = scratchOf.get(`${step}:${src.name}`);
        if (!ref) throw new DelegateError(`${where}: scratch '${src.name}' was not planned`);
        return ref;
      }
      case 'tensor': {
        const t = src.tensor;
        if (!isKnown(t)) {
          const copy = copies.get(t.index);
          return copy ? { kind: 'group', group: copy.to, slices: sliceLayout(t.shape).sliceCount } : tensorRef(t);
        }
        const int = integerStorage(t.dtype);
        if (t.dtype !== 'float32' && !int)
          throw new DelegateError(`${where}: constant tensor ${t.index} is ${t.dtype}, not float32 or an integer type`);
        const key = int ? `${t.index}` : `${t.index}:${p}`;
        let ref = constantTensors.get(key);
        if (!ref) {
          const data = int
            ? toIntSlices(t.data as ArrayLike<number>, t.shape, intElementBytes(int))
            : encodeSlices(p, toSlices(t.data as Float32Array, t.shape));
          ref = constant({ label: `${label} constant ${t.name}`, data });
          constantTensors.set(key, ref);
        }
        return ref;
      }
      case 'weights':
        if (src.values.length % 4 !== 0) throw new DelegateError(`${where}: weights of ${src.values.length} values are not whole slices`);
        return constant({ label: `${where} weights`, data: encodeWeights(p, src.values) });
      case 'raw':
        return constant({ label: `${where} table`, data: src.data });
    }
  };

  const dispatches: PlannedDispatch[] = [];
  const uploads: PlannedUpload[] = [];
  const storedAs = (t: RuntimeTensor): Storage => storageOf(storage, t).storage;
  /** Bytes of a tensor's dense values, in whole words. */
  const denseBytes = (t: RuntimeTensor, stored: Storage): number => {
    const { rows, channels } = sliceLayout(t.shape);
    return isIntStorage(stored) ? denseIntBytes(rows * channels, stored) : rows * channels * 4;
  };
  for (const t of spec.inputs) {
    if (isDenseLayout(t.shape)) {
      uploads.push({ tensor: t, target: tensorRef(t) });
      continue;
    }
    const stored = storedAs(t);
    const dense = stage({ label: `${label} input ${t.name}`, bytes: denseBytes(t, stored), direction: 'input' });
    uploads.push({ tensor: t, target: dense });
    dispatches.push({ ...inputToSlices(label, t, stored, dense, tensorRef(t)), tensor: t.index });
  }
  nodes.forEach(({ node, program }, k) => {
    if (program.kind === 'alias') return;
    const where = `${label}: ${describeNode(node)}`;
    const p = nodePrecision[k] as Precision;
    const copies = conversions[k] as ReadonlyMap<number, StorageConversion>;
    for (const { from, to } of copies.values()) {
      const target: BufferRef = { kind: 'group', group: to, slices: sliceLayout(from.shape).sliceCount };
      dispatches.push({ ...convertStorage(where, from, storedAs(from) as Precision, p, tensorRef(from), target), node: node.index });
    }
    for (const d of program.dispatches) {
      const bindings = new Map<string, BufferRef>();
      for (const [name, src] of Object.entries(d.bindings)) bindings.set(name, resolve(src, p, copies, where, k + 1));
      dispatches.push({
        label: where,
        node: node.index,
        precision: p,
        shader: d.shader,
        bindings,
        uniforms: d.uniforms,
        invocations: d.invocations,
      });
    }
  });
  const readbacks: PlannedReadback[] = [];
  let readbackBytes = 0;
  const toRead = [...spec.outputs.map((t) => ({ t, debug: false })), ...lifetimes.debugTensors.map((t) => ({ t, debug: true }))];
  for (const { t, debug } of toRead) {
    const layout = sliceLayout(t.shape);
    const elements = layout.rows * layout.channels;
    const stored = storedAs(t);
    const bytes = denseBytes(t, stored);
    let source = tensorRef(t);
    if ((stored !== 'fp32' && !isIntStorage(stored)) || !isDenseLayout(t.shape)) {
      const dense = stage({ label: `${label} output ${t.name}`, bytes, direction: 'output' });
      dispatches.push({ ...outputToDense(label, t, stored, source, dense), tensor: t.index });
      source = dense;
    }
    readbacks.push({ tensor: t, source, offset: readbackBytes, elements, bytes, debug });
    readbackBytes += align(bytes, 8);
  }

  const activations = storage.groups.filter((g) => !g.conversion);
  const stats: PlanStats = {
    pooledBuffers: pool.buffers.length,
    pooledBytes: pool.buffers.reduce((a, b) => a + b, 0),
    f32Nodes: nodes.filter((n, k) => n.program.kind !== 'alias' && nodePrecision[k] === 'fp32').map((n) => n.node.index),
    storage: {
      f32: activations.filter((g) => g.storage === 'fp32').length,
      f16: activations.filter((g) => g.storage === 'fp16' || g.storage === 'fp16-storage').length,
      int: activations.filter((g) => isIntStorage(g.storage)).length,
    },
    conversions: conversions.reduce((a, c) => a + c.size, 0),
  };
  return { nodes, storage, pool, staging, constants, dispatches, uploads, readbacks, readbackBytes, stats };
}

/**
 * Scratch buffers (a node's working memory): one storage group per (node, name) with the largest
 * size its dispatches ask for, live for that node's step only, so the pool reuses it.
 */
function planScratch(nodes: readonly NodePlan[], storage: StoragePlan): { storage: StoragePlan; scratchOf: Map<string, BufferRef> } {
  const sizes = new Map<string, { step: number; bytes: number }>();
  nodes.forEach(({ program }, k) => {
    if (program.kind === 'alias') return;
    for (const d of program.dispatches) {
      for (const src of Object.values(d.bindings)) {
        if (src.kind !== 'scratch') continue;
        const key = `${k + 1}:${src.name}`;
        sizes.set(key, { step: k + 1, bytes: Math.max(sizes.get(key)?.bytes ?? 0, src.bytes) });
      }
    }
  });
  const groups = [...storage.groups];
  const scratchOf = new Map<string, BufferRef>();
  for (const [key, { step, bytes }] of sizes) {
    const slices = Math.max(1, Math.ceil(bytes / bytesPerSlice('int32')));
    const g = newGroup(groups.length, slices, step, 'int32', true);
    groups.push(g);
    scratchOf.set(key, { kind: 'group', group: g.id, slices });
  }
  return { storage: { groups, groupOf: storage.groupOf }, scratchOf };
}

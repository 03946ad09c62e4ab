// A partition's plan, all plain data: the nodes' programs, tensor storage by lifetime and
// precision, the pooled buffers, constants, and every dispatch in order with its bindings named
// as buffer references. The runtime (runtime/partition_kernel.ts) turns it into GPU objects.
import type { DelegateGraph, PartitionSpec } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { isDenseLayout, sliceLayout, toSlices } from '../layout.js';
import type { BindingSource, OpContext } from '../program.js';
import type { ShaderRef } from '../runtime/pipeline_cache.js';
import type { UniformValues } from '../runtime/uniforms.js';
import { convertStorage, inputToSlices, outputToDense, planConversions, type StorageConversion } from './conversions.js';
import { type BufferPlan, planLifetimes, planPool } from './planner.js';
import { encodeSlices, encodeWeights, type Precision, planNodePrecision } from './precision.js';
import { describeNode, type NodePlan, planPrograms } from './programs.js';
import { type StoragePlan, storageOf } from './storage.js';

/** Where a binding's bytes live. */
export type BufferRef =
  /** `slices` slices of a storage group's pooled buffer, in the group's precision. */
  | { readonly kind: 'group'; readonly group: number; readonly slices: number }
  /** A dense f32 buffer at the partition's boundary (plan.staging). */
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
  /** Read for debugging (readbackAll), into the kernel's own array rather than the tensor. */
  readonly debug: boolean;
}

export interface PlanStats {
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
  /** Nodes run with f32 storage in an f16 partition (they read a partition input or write a partition output). */
  readonly f32Nodes: readonly number[];
  /** Activation storage groups (a tensor and its aliases) per storage precision. */
  readonly storage: { readonly f32: number; readonly f16: number };
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
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

export function planPartition(graph: DelegateGraph, spec: PartitionSpec, ctx: OpContext, options: PlanOptions): PartitionPlan {
  const { precision, label } = options;
  const nodes = planPrograms(graph, spec, ctx, label);
  const lifetimes = planLifetimes(spec, nodes, precision, options.readbackAll, label);
  const { nodePrecision, storage: stored } = planNodePrecision(nodes, lifetimes.storage, precision);
  const { storage, conversions } = planConversions(nodes, stored, nodePrecision);
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
  const resolve = (src: BindingSource, p: Precision, copies: ReadonlyMap<number, StorageConversion>, where: string): BufferRef => {
    switch (src.kind) {
      case 'tensor': {
        const t = src.tensor;
        if (!isKnown(t)) {
          const copy = copies.get(t.index);
          return copy ? { kind: 'group', group: copy.to, slices: sliceLayout(t.shape).sliceCount } : tensorRef(t);
        }
        if (t.dtype !== 'float32') throw new DelegateError(`${where}: constant tensor ${t.index} is ${t.dtype}, not float32`);
        const key = `${t.index}:${p}`;
        let ref = constantTensors.get(key);
        if (!ref) {
          ref = constant({ label: `${label} constant ${t.name}`, data: encodeSlices(p, toSlices(t.data as Float32Array, t.shape)) });
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
  for (const t of spec.inputs) {
    if (isDenseLayout(t.shape)) {
      uploads.push({ tensor: t, target: tensorRef(t) });
      continue;
    }
    const layout = sliceLayout(t.shape);
    const dense = stage({ label: `${label} input ${t.name}`, bytes: layout.rows * layout.channels * 4, direction: 'input' });
    uploads.push({ tensor: t, target: dense });
    dispatches.push(inputToSlices(label, t, dense, tensorRef(t)));
  }
  nodes.forEach(({ node, program }, k) => {
    if (program.kind === 'alias') return;
    const where = `${label}: ${describeNode(node)}`;
    const p = nodePrecision[k] as Precision;
    const copies = conversions[k] as ReadonlyMap<number, StorageConversion>;
    for (const { from, to } of copies.values()) {
      const target: BufferRef = { kind: 'group', group: to, slices: sliceLayout(from.shape).sliceCount };
      dispatches.push(convertStorage(where, from, storageOf(storage, from).precision, p, tensorRef(from), target));
    }
    for (const d of program.dispatches) {
      const bindings = new Map<string, BufferRef>();
      for (const [name, src] of Object.entries(d.bindings)) bindings.set(name, resolve(src, p, copies, where));
      dispatches.push({ label: where, precision: p, shader: d.shader, bindings, uniforms: d.uniforms, invocations: d.invocations });
    }
  });
  const readbacks: PlannedReadback[] = [];
  let readbackBytes = 0;
  const toRead = [...spec.outputs.map((t) => ({ t, debug: false })), ...lifetimes.debugTensors.map((t) => ({ t, debug: true }))];
  for (const { t, debug } of toRead) {
    const layout = sliceLayout(t.shape);
    const elements = layout.rows * layout.channels;
    const kind = storageOf(storage, t).precision;
    let source = tensorRef(t);
    if (kind !== 'fp32' || !isDenseLayout(t.shape)) {
      const dense = stage({ label: `${label} output ${t.name}`, bytes: elements * 4, direction: 'output' });
      dispatches.push(outputToDense(label, t, kind, source, dense));
      source = dense;
    }
    readbacks.push({ tensor: t, source, offset: readbackBytes, elements, debug });
    readbackBytes += align(elements * 4, 8);
  }

  const activations = storage.groups.filter((g) => !g.conversion);
  const stats: PlanStats = {
    pooledBuffers: pool.buffers.length,
    pooledBytes: pool.buffers.reduce((a, b) => a + b, 0),
    f32Nodes: nodes.filter((n, k) => n.program.kind !== 'alias' && nodePrecision[k] === 'fp32').map((n) => n.node.index),
    storage: {
      f32: activations.filter((g) => g.precision === 'fp32').length,
      f16: activations.filter((g) => g.precision !== 'fp32').length,
    },
    conversions: conversions.reduce((a, c) => a + c.size, 0),
  };
  return { nodes, storage, pool, staging, constants, dispatches, uploads, readbacks, readbackBytes, stats };
}

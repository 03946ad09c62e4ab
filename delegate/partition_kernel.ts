// One claimed partition on the GPU. Built once: op programs, tensor storage planned by lifetime
// (dead tensors' buffers reused), constants uploaded, pipelines compiled, uniforms written and
// bind groups made. Each invoke then uploads the partition inputs, records every dispatch in one
// compute pass of one command encoder, submits once, and reads the partition outputs back
// through one mapped staging buffer. Tensors inside the partition never leave the GPU.
//
// Storage precision per tensor. In an f16 precision, tensors inside the partition are stored in
// f16, but the tensors at its boundary are not (like TFLite's GPU delegate, which never
// downgrades external tensors to f16): the nodes that read a partition input or write a
// partition output run with f32 storage (the fp32 prelude), so inputs are read exactly and
// outputs are written before any f16 rounding. Where an f16 node reads an f32 tensor, or an f32
// node an f16 one, a conversion dispatch makes a short-lived copy in the node's storage.
import type { DelegateGraph, DelegateKernel, DelegateNode, PartitionSpec } from '../src/interpreter/delegate.js';
import { DelegateError } from '../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../src/kernels/kernel.js';
import type { GpuContext } from './device.js';
import { GpuValidationError } from './errors.js';
import { BufferUsage, MapMode } from './gpu_flags.js';
import { isDenseLayout, sliceLayout, toSlices } from './layout.js';
import type { CompiledShader, PipelineCache, ShaderRef } from './pipeline_cache.js';
import { planBuffers } from './planner.js';
import { bytesPerSlice, encodeSlices, encodeWeights, PRECISION_LABEL, type Precision } from './precision.js';
import type { BindingSource, NodeProgram, OpContext, OpImpl } from './program.js';
import { selectImpl } from './registry.js';
import { packUniforms, type UniformValues } from './uniforms.js';

export interface PartitionOptions {
  readonly precision: Precision;
  /** Error scopes around building and every submission, and shader compilation messages. */
  readonly debug: boolean;
  readonly cache: PipelineCache;
  /** Names the partition in labels and errors. */
  readonly label: string;
  /** Called once when the kernel is disposed (the delegate's bookkeeping). */
  readonly onDispose?: (kernel: PartitionKernel) => void;
  /**
   * Also read back every tensor the partition computes (not only its outputs), for per-node
   * comparisons: the same dispatches, but no buffer is reused, and each invoke copies every
   * tensor into the kernel's own arrays (debugTensor). Slow; for debugging only.
   */
  readonly readbackAll?: boolean;
}

/** A dispatch whose bindings are resolved to buffers, before compilation. */
interface PendingDispatch {
  readonly label: string;
  /** The precision (prelude) the shader is compiled in: the storage of its tensor bindings. */
  readonly precision: Precision;
  readonly shader: ShaderRef;
  readonly bindings: ReadonlyMap<string, GPUBufferBinding>;
  readonly uniforms: UniformValues;
  readonly invocations: number;
}

interface ReadyDispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number];
}

interface Upload {
  readonly tensor: RuntimeTensor;
  readonly target: GPUBuffer;
}

interface Readback {
  readonly tensor: RuntimeTensor;
  readonly source: GPUBuffer;
  readonly offset: number;
  readonly elements: number;
  /** Where the values go: the tensor's CPU view when null (partition outputs), else the kernel's own array (readbackAll). */
  readonly target: Float32Array | null;
}

/** Storage shared by a tensor and its aliases (RESHAPE outputs), live from `first` to `last` step. */
interface StorageGroup {
  readonly id: number;
  /** Slices of its largest member. */
  slices: number;
  readonly first: number;
  last: number;
  /** Holds a partition input (or an alias of one). */
  partitionInput: boolean;
  /** Holds a partition output (or an alias of one). */
  partitionOutput: boolean;
  /** How its values are stored: the precision of the node that writes it ('fp32' for partition inputs). */
  precision: Precision;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** Maps every non-constant tensor of the partition to a storage group with its lifetime. */
class TensorStorage {
  private readonly groupOf = new Map<number, StorageGroup>();
  readonly groups: StorageGroup[] = [];

  /** A group of `slices` slices, written at `step`. */
  add(slices: number, step: number, precision: Precision): StorageGroup {
    const g: StorageGroup = {
      id: this.groups.length,
      slices,
      first: step,
      last: step,
      partitionInput: false,
      partitionOutput: false,
      precision,
    };
    this.groups.push(g);
    return g;
  }

  define(t: RuntimeTensor, step: number, precision: Precision): StorageGroup {
    const known = this.groupOf.get(t.index);
    if (known) return known;
    const g = this.add(sliceLayout(t.shape).sliceCount, step, precision);
    this.groupOf.set(t.index, g);
    return g;
  }

  use(t: RuntimeTensor, step: number, label: string): void {
    const g = this.groupOf.get(t.index);
    if (!g) throw new DelegateError(`${label}: tensor ${t.index} '${t.name}' is read before anything in the partition writes it`);
    g.last = Math.max(g.last, step);
  }

  alias(out: RuntimeTensor, input: RuntimeTensor, step: number, label: string): void {
    this.use(input, step, label);
    const g = this.groupOf.get(input.index) as StorageGroup;
    g.slices = Math.max(g.slices, sliceLayout(out.shape).sliceCount);
    this.groupOf.set(out.index, g);
  }

  group(t: RuntimeTensor): StorageGroup {
    const g = this.groupOf.get(t.index);
    if (!g) throw new DelegateError(`tensor ${t.index} '${t.name}' has no storage in this partition`);
    return g;
  }

  has(t: RuntimeTensor): boolean {
    return this.groupOf.has(t.index);
  }
}

function groupBytes(g: StorageGroup): number {
  return g.slices * bytesPerSlice(g.precision);
}

/** Tensors a node's dispatches read that something in the partition computes (not constants, not its outputs). */
function activationReads(node: DelegateNode, program: NodeProgram): RuntimeTensor[] {
  if (program.kind === 'alias') return [node.inputs[0] as RuntimeTensor];
  const outputs = new Set(node.outputs.map((t) => t.index));
  const seen = new Map<number, RuntimeTensor>();
  for (const d of program.dispatches) {
    for (const src of Object.values(d.bindings)) {
      if (src.kind === 'tensor' && !isKnown(src.tensor) && !outputs.has(src.tensor.index)) seen.set(src.tensor.index, src.tensor);
    }
  }
  return [...seen.values()];
}

/** Buffers the kernel owns, created and destroyed together. */
class BufferSet {
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

interface NodePlan {
  readonly node: DelegateNode;
  readonly impl: OpImpl;
  readonly program: NodeProgram;
}

function describeNode(node: DelegateNode): string {
  return `node ${node.index} (${node.op.op})`;
}

/** Builds the kernel of one partition. */
export async function createPartitionKernel(
  gpu: GpuContext,
  graph: DelegateGraph,
  spec: PartitionSpec,
  options: PartitionOptions,
): Promise<PartitionKernel> {
  const { device } = gpu;
  if (options.debug) {
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
  }
  const buffers = new BufferSet(device);
  try {
    const kernel = await build(gpu, graph, spec, options, buffers);
    if (options.debug) await popScopes(device, `${options.label}: building`);
    return kernel;
  } catch (e) {
    buffers.destroy();
    if (options.debug) await popScopes(device, `${options.label}: building`).catch(() => {});
    throw e;
  }
}

async function popScopes(device: GPUDevice, what: string): Promise<void> {
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  const error = validation ?? oom;
  if (error) throw new GpuValidationError(`${what}: ${error.message}`);
}

async function build(
  gpu: GpuContext,
  graph: DelegateGraph,
  spec: PartitionSpec,
  options: PartitionOptions,
  buffers: BufferSet,
): Promise<PartitionKernel> {
  const { device, limits } = gpu;
  const { precision, label } = options;
  const ctx: OpContext = { limits: gpu.limits, features: gpu.features };

  // 1. Each node's program.
  const byIndex = new Map(graph.nodes.map((n) => [n.index, n]));
  const plans: NodePlan[] = spec.nodes.map((i) => {
    const node = byIndex.get(i);
    if (!node) throw new DelegateError(`${label}: node ${i} is not in the graph`);
    const chosen = selectImpl(node, ctx);
    if (!chosen.ok) throw new DelegateError(`${label}: ${describeNode(node)} cannot run on the GPU: ${chosen.reason}`);
    return { node, impl: chosen.impl, program: chosen.impl.build(node, ctx) };
  });

  // 2. Lifetimes. Step 0 uploads the inputs, step k + 1 runs node k, the last step reads the outputs back.
  const storage = new TensorStorage();
  for (const t of spec.inputs) {
    if (t.dtype !== 'float32') throw new DelegateError(`${label}: input tensor ${t.index} '${t.name}' is ${t.dtype}, not float32`);
    storage.define(t, 0, 'fp32').partitionInput = true;
  }
  plans.forEach(({ node, program }, k) => {
    const step = k + 1;
    const where = `${label}: ${describeNode(node)}`;
    if (program.kind === 'alias') {
      storage.alias(node.outputs[0] as RuntimeTensor, node.inputs[0] as RuntimeTensor, step, where);
      return;
    }
    for (const t of node.outputs) storage.define(t, step, precision);
    for (const t of activationReads(node, program)) storage.use(t, step, where);
  });
  const lastStep = plans.length + 1;
  for (const t of spec.outputs) {
    storage.use(t, lastStep, `${label}: partition output`);
    storage.group(t).partitionOutput = true;
  }
  // readbackAll: every tensor the partition computes is read back at the end, so none may be reused.
  const debugTensors: RuntimeTensor[] = [];
  if (options.readbackAll) {
    const outputs = new Set(spec.outputs.map((t) => t.index));
    for (const { node } of plans) {
      for (const t of node.outputs) {
        if (outputs.has(t.index)) continue;
        storage.use(t, lastStep, `${label}: read back for debugging`);
        debugTensors.push(t);
      }
    }
  }

  // 3. Storage precision: nodes at the partition's boundary run with f32 storage (see the top of
  // this file), the others in the partition's precision; a node's outputs are stored as it runs.
  const nodePrecision = plans.map(({ node, program }): Precision => {
    if (precision === 'fp32' || program.kind === 'alias') return 'fp32';
    const boundary =
      activationReads(node, program).some((t) => storage.group(t).partitionInput) ||
      node.outputs.some((t) => storage.group(t).partitionOutput);
    const p = boundary ? 'fp32' : precision;
    for (const t of node.outputs) storage.group(t).precision = p;
    return p;
  });
  // Reads of a tensor stored otherwise than the node runs: a conversion into a copy live for that step only.
  const conversions = plans.map(({ node, program }, k) => {
    const copies = new Map<number, { from: RuntimeTensor; to: StorageGroup }>();
    if (program.kind === 'alias') return copies;
    const p = nodePrecision[k] as Precision;
    for (const t of activationReads(node, program)) {
      if (storage.group(t).precision !== p) copies.set(t.index, { from: t, to: storage.add(sliceLayout(t.shape).sliceCount, k + 1, p) });
    }
    return copies;
  });

  // 4. Buffers by lifetime.
  const plan = planBuffers(storage.groups.map((g) => ({ id: g.id, bytes: groupBytes(g), first: g.first, last: g.last })));
  const pooled = plan.buffers.map((bytes, i) =>
    buffers.create(`${label} tensors #${i}`, bytes, BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST),
  );
  const groupBinding = (g: StorageGroup, slices: number): GPUBufferBinding => ({
    buffer: pooled[plan.bufferOf.get(g.id) as number] as GPUBuffer,
    offset: 0,
    size: slices * bytesPerSlice(g.precision),
  });
  const tensorBinding = (t: RuntimeTensor): GPUBufferBinding => groupBinding(storage.group(t), sliceLayout(t.shape).sliceCount);

  // 5. Constants, uploaded once (per storage precision they are read in).
  const constantTensors = new Map<string, GPUBufferBinding>();
  const resolve = (src: BindingSource, p: Precision, copies: Map<number, { to: StorageGroup }>, where: string): GPUBufferBinding => {
    switch (src.kind) {
      case 'tensor': {
        const t = src.tensor;
        if (!isKnown(t)) {
          const copy = copies.get(t.index);
          return copy ? groupBinding(copy.to, sliceLayout(t.shape).sliceCount) : tensorBinding(t);
        }
        if (t.dtype !== 'float32') throw new DelegateError(`${where}: constant tensor ${t.index} is ${t.dtype}, not float32`);
        const key = `${t.index}:${p}`;
        let b = constantTensors.get(key);
        if (!b) {
          const data = encodeSlices(p, toSlices(t.data as Float32Array, t.shape));
          b = { buffer: buffers.constant(`${label} constant ${t.name}`, data), offset: 0, size: data.byteLength };
          constantTensors.set(key, b);
        }
        return b;
      }
      case 'weights': {
        if (src.values.length % 4 !== 0) throw new DelegateError(`${where}: weights of ${src.values.length} values are not whole slices`);
        const data = encodeWeights(p, src.values);
        return { buffer: buffers.constant(`${where} weights`, data), offset: 0, size: data.byteLength };
      }
      case 'raw':
        return { buffer: buffers.constant(`${where} table`, src.data), offset: 0, size: src.data.byteLength };
    }
  };

  // 6. Dispatches: input conversions, the nodes' (each after its storage conversions), output conversions.
  const pending: PendingDispatch[] = [];
  const uploads: Upload[] = [];
  for (const t of spec.inputs) {
    const target = tensorBinding(t);
    if (isDenseLayout(t.shape)) {
      uploads.push({ tensor: t, target: target.buffer });
      continue;
    }
    const layout = sliceLayout(t.shape);
    const dense = buffers.create(`${label} input ${t.name}`, layout.rows * layout.channels * 4, BufferUsage.STORAGE | BufferUsage.COPY_DST);
    uploads.push({ tensor: t, target: dense });
    pending.push({
      label: `${label}: input ${t.name} to slices`,
      precision: 'fp32',
      shader: { template: 'layout', entryPoint: 'to_slices', constants: {} },
      bindings: new Map([
        ['dense_in', { buffer: dense, offset: 0, size: layout.rows * layout.channels * 4 }],
        ['sliced_out', target],
      ]),
      uniforms: { channels: layout.channels, slices: layout.slices },
      invocations: layout.sliceCount,
    });
  }
  plans.forEach(({ node, program }, k) => {
    if (program.kind === 'alias') return;
    const where = `${label}: ${describeNode(node)}`;
    const p = nodePrecision[k] as Precision;
    const copies = conversions[k] as Map<number, { from: RuntimeTensor; to: StorageGroup }>;
    for (const { from, to } of copies.values()) {
      const layout = sliceLayout(from.shape);
      const source = tensorBinding(from);
      const target = groupBinding(to, layout.sliceCount);
      // The shader runs in the f16 side's precision: f32 slices in, S4 out, or S4 in, f32 slices out.
      const toF16 = p !== 'fp32';
      pending.push({
        label: `${where}: input ${from.name} to ${toF16 ? p : 'fp32'} storage`,
        precision: toF16 ? p : storage.group(from).precision,
        shader: { template: 'layout', entryPoint: toF16 ? 'from_f32' : 'to_f32', constants: {} },
        bindings: new Map(
          toF16
            ? [
                ['f32_in', source],
                ['sliced_out', target],
              ]
            : [
                ['sliced_in', source],
                ['f32_out', target],
              ],
        ),
        uniforms: { channels: layout.channels, slices: layout.slices },
        invocations: layout.sliceCount,
      });
    }
    for (const d of program.dispatches) {
      const bindings = new Map<string, GPUBufferBinding>();
      for (const [name, src] of Object.entries(d.bindings)) bindings.set(name, resolve(src, p, copies, where));
      pending.push({ label: where, precision: p, shader: d.shader, bindings, uniforms: d.uniforms, invocations: d.invocations });
    }
  });
  const readbacks: Readback[] = [];
  let readbackBytes = 0;
  const toRead = [...spec.outputs.map((t) => ({ t, debug: false })), ...debugTensors.map((t) => ({ t, debug: true }))];
  for (const { t, debug } of toRead) {
    const layout = sliceLayout(t.shape);
    const elements = layout.rows * layout.channels;
    const source = tensorBinding(t);
    const stored = storage.group(t).precision;
    let from = source.buffer;
    if (stored !== 'fp32' || !isDenseLayout(t.shape)) {
      from = buffers.create(`${label} output ${t.name}`, elements * 4, BufferUsage.STORAGE | BufferUsage.COPY_SRC);
      pending.push({
        label: `${label}: output ${t.name} to dense`,
        precision: stored,
        shader: { template: 'layout', entryPoint: 'to_dense', constants: {} },
        bindings: new Map([
          ['sliced_in', source],
          ['dense_out', { buffer: from, offset: 0, size: elements * 4 }],
        ]),
        uniforms: { channels: layout.channels, slices: layout.slices },
        invocations: elements,
      });
    }
    readbacks.push({ tensor: t, source: from, offset: readbackBytes, elements, target: debug ? new Float32Array(elements) : null });
    readbackBytes += align(elements * 4, 8);
  }
  const readback = buffers.create(`${label} readback`, readbackBytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST);

  // 7. Pipelines (compiled in parallel, shared across the device), uniforms, bind groups.
  const compiled = await Promise.all(pending.map((p) => options.cache.get(p.shader, p.precision, options.debug)));
  const uniformAlign = limits.minUniformBufferOffsetAlignment;
  const uniformOffsets: number[] = [];
  let uniformBytes = 0;
  for (const c of compiled) {
    uniformOffsets.push(uniformBytes);
    if (c.uniforms) uniformBytes = align(uniformBytes + c.uniforms.size, uniformAlign);
  }
  const uniformData = new ArrayBuffer(Math.max(uniformBytes, 16));
  const uniformView = new DataView(uniformData);
  const uniformBuffer = buffers.create(`${label} uniforms`, uniformData.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  const ready = pending.map((p, i) =>
    prepareDispatch(device, gpu, p, compiled[i] as CompiledShader, uniformBuffer, uniformView, uniformOffsets[i] as number),
  );
  device.queue.writeBuffer(uniformBuffer, 0, uniformData);

  const activations = storage.groups.filter((g) => !conversions.some((c) => [...c.values()].some((x) => x.to === g)));
  return new PartitionKernel(gpu, options, plans, ready, uploads, readbacks, readback, buffers, {
    pooledBuffers: pooled.length,
    pooledBytes: plan.buffers.reduce((a, b) => a + b, 0),
    pipelines: new Set(compiled.map((c) => c.key)).size,
    f32Nodes: plans.filter((pl, k) => pl.program.kind !== 'alias' && nodePrecision[k] === 'fp32').map((pl) => pl.node.index),
    storage: {
      f32: activations.filter((g) => g.precision === 'fp32').length,
      f16: activations.filter((g) => g.precision !== 'fp32').length,
    },
    conversions: conversions.reduce((a, c) => a + c.size, 0),
  });
}

function prepareDispatch(
  device: GPUDevice,
  gpu: GpuContext,
  p: PendingDispatch,
  shader: CompiledShader,
  uniformBuffer: GPUBuffer,
  uniformView: DataView,
  uniformOffset: number,
): ReadyDispatch {
  const entries: GPUBindGroupEntry[] = [];
  for (const name of p.bindings.keys()) {
    if (!shader.bindings.has(name)) throw new DelegateError(`${p.label}: ${shader.label} has no binding '${name}'`);
  }
  for (const [name, { binding, kind }] of shader.bindings) {
    if (kind === 'uniform') {
      const layout = shader.uniforms as NonNullable<CompiledShader['uniforms']>;
      packUniforms(layout, { ...p.uniforms, invocations: p.invocations }, uniformView, uniformOffset, p.label);
      entries.push({ binding, resource: { buffer: uniformBuffer, offset: uniformOffset, size: layout.size } });
      continue;
    }
    const resource = p.bindings.get(name);
    if (!resource) throw new DelegateError(`${p.label}: no buffer for ${shader.label}'s binding '${name}'`);
    entries.push({ binding, resource });
  }
  const groups = Math.ceil(p.invocations / shader.workgroupSize);
  const maxPerDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.max(1, Math.min(groups, maxPerDim));
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new DelegateError(`${p.label}: ${p.invocations} invocations exceed the dispatch limits`);
  const bindGroup = device.createBindGroup({ label: p.label, layout: shader.bindGroupLayout, entries });
  return { label: p.label, pipeline: shader.pipeline, bindGroup, workgroups: [x, y] };
}

interface KernelStats {
  pooledBuffers: number;
  pooledBytes: number;
  pipelines: number;
  /** Nodes run with f32 storage in an f16 partition (they read a partition input or write a partition output). */
  f32Nodes: number[];
  /** Activation storage groups (a tensor and its aliases) per storage precision. */
  storage: { f32: number; f16: number };
  /** Storage conversion dispatches between f32 and f16 tensors. */
  conversions: number;
}

export class PartitionKernel implements DelegateKernel {
  private running: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly gpu: GpuContext,
    private readonly options: PartitionOptions,
    private readonly plans: readonly NodePlan[],
    private readonly dispatches: readonly ReadyDispatch[],
    private readonly uploads: readonly Upload[],
    private readonly readbacks: readonly Readback[],
    private readonly readback: GPUBuffer,
    private readonly buffers: BufferSet,
    private readonly stats: KernelStats,
  ) {}

  /** One invoke at a time: a second call waits for the first. */
  invoke(): Promise<void> {
    const run = this.running.then(() => this.run());
    this.running = run.catch(() => {});
    return run;
  }

  private async run(): Promise<void> {
    const { device, health } = this.gpu;
    const label = this.options.label;
    if (this.disposed) throw new DelegateError(`${label}: the kernel was disposed`);
    health.check(label);
    for (const u of this.uploads) {
      const data = u.tensor.data;
      device.queue.writeBuffer(u.target, 0, data.buffer, data.byteOffset, data.byteLength);
    }
    if (this.options.debug) {
      device.pushErrorScope('validation');
      device.pushErrorScope('out-of-memory');
    }
    const encoder = device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({ label });
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
    pass.end();
    for (const r of this.readbacks) encoder.copyBufferToBuffer(r.source, 0, this.readback, r.offset, r.elements * 4);
    device.queue.submit([encoder.finish()]);
    if (this.options.debug) await popScopes(device, `${label}: invoke`);
    try {
      await this.readback.mapAsync(MapMode.READ);
    } catch (e) {
      throw (await health.lostError()) ?? new DelegateError(`${label}: reading the outputs back failed: ${(e as Error).message}`);
    }
    try {
      const mapped = this.readback.getMappedRange();
      for (const r of this.readbacks) {
        const out = r.target ?? r.tensor.data;
        if (!(out instanceof Float32Array) || out.length !== r.elements) {
          throw new DelegateError(
            `${label}: output tensor ${r.tensor.index} '${r.tensor.name}' does not hold ${r.elements} float32 values`,
          );
        }
        out.set(new Float32Array(mapped, r.offset, r.elements));
      }
    } finally {
      this.readback.unmap();
    }
    health.check(label);
  }

  /**
   * The value the last invoke computed for a tensor of this partition (an output, or with
   * readbackAll any tensor it computes), dense row-major f32; undefined for other tensors.
   */
  debugTensor(index: number): Float32Array | undefined {
    const r = this.readbacks.find((x) => x.tensor.index === index);
    if (!r) return undefined;
    return (r.target ?? (r.tensor.data as Float32Array)).slice();
  }

  /** Tensors debugTensor can return, in execution order. */
  get readbackTensors(): number[] {
    return this.readbacks.map((r) => r.tensor.index);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buffers.destroy();
    this.options.onDispose?.(this);
  }

  describe(): Record<string, unknown> {
    const requested = this.options.precision;
    const { storage, f32Nodes, conversions } = this.stats;
    // What the partition really stores: 'fp32' when every tensor of an f16 partition is at its boundary.
    const precision = requested !== 'fp32' && storage.f16 === 0 ? 'fp32' : PRECISION_LABEL[requested];
    const f16Details =
      requested === 'fp32'
        ? {}
        : {
            requestedPrecision: PRECISION_LABEL[requested],
            /** Activation tensors (with their aliases) stored in f16 and in f32. */
            tensorStorage: { f16: storage.f16, f32: storage.f32 },
            /** Nodes run with f32 storage: they read a partition input or write a partition output. */
            f32Nodes,
            conversions,
            weights: requested === 'fp16' ? 'f16' : 'f32',
          };
    return {
      precision,
      ...f16Details,
      nodes: this.plans.length,
      /** Nodes per implementation, e.g. { conv2d_1x1: 12, depthwise_conv2d: 9 }. */
      implementations: this.plans.reduce<Record<string, number>>((acc, p) => {
        acc[p.impl.name] = (acc[p.impl.name] ?? 0) + 1;
        return acc;
      }, {}),
      dispatches: this.dispatches.length,
      pipelines: this.stats.pipelines,
      tensorBuffers: this.stats.pooledBuffers,
      tensorBufferBytes: this.stats.pooledBytes,
      totalBufferBytes: this.buffers.bytes,
      adapter: `${this.gpu.adapter.vendor} ${this.gpu.adapter.architecture}`.trim(),
    };
  }
}

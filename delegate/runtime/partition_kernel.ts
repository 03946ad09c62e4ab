// One claimed partition on the GPU, built once from its plan (plan/partition_plan.ts): buffers
// allocated, constants uploaded, pipelines compiled, uniforms written and bind groups made. Each
// invoke then uploads the partition inputs, records every dispatch in one compute pass of one
// command encoder, submits once, and reads the partition outputs back through one mapped
// staging buffer. Tensors inside the partition never leave the GPU.
import type { DelegateKernel } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import type { PartitionPlan, PlanStats } from '../plan/partition_plan.js';
import { PRECISION_LABEL, type Precision } from '../plan/precision.js';
import type { NodePlan } from '../plan/programs.js';
import { allocateBuffers, BufferSet } from './buffers.js';
import type { GpuContext } from './device.js';
import { prepareDispatches, type ReadyDispatch } from './dispatches.js';
import { popScopes, pushScopes } from './error_scopes.js';
import { MapMode } from './gpu_flags.js';
import type { PipelineCache } from './pipeline_cache.js';

export interface PartitionOptions {
  /** The precision the partition was planned in (reported by describe()). */
  readonly precision: Precision;
  /** The delegate's quantizedExecution, and how many quantized nodes of the partition run as float twins. */
  readonly quantizedExecution?: 'integer' | 'float';
  readonly floatQuantizedNodes?: number;
  /** Error scopes around building and every submission, and shader compilation messages. */
  readonly debug: boolean;
  readonly cache: PipelineCache;
  /** Names the partition in labels and errors. */
  readonly label: string;
  /** Called once when the kernel is disposed (the delegate's bookkeeping). */
  readonly onDispose?: (kernel: PartitionKernel) => void;
}

interface Upload {
  readonly tensor: RuntimeTensor;
  readonly target: GPUBuffer;
  /** Whole words for tensors whose bytes are not (int8 / int16 with odd sizes): writeBuffer copies words. */
  padded: Uint8Array<ArrayBuffer> | null;
}

/** The typed arrays the delegate reads back into, per dtype it stores. */
const ARRAY_OF = {
  float32: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
} as const;
type StoredArray = InstanceType<(typeof ARRAY_OF)[keyof typeof ARRAY_OF]>;

function arrayOf(t: RuntimeTensor): (typeof ARRAY_OF)[keyof typeof ARRAY_OF] {
  const ctor = ARRAY_OF[t.dtype as keyof typeof ARRAY_OF];
  if (!ctor) throw new DelegateError(`tensor ${t.index} '${t.name}' is ${t.dtype}, which the delegate does not store`);
  return ctor;
}

interface Readback {
  readonly tensor: RuntimeTensor;
  readonly source: GPUBuffer;
  readonly offset: number;
  readonly elements: number;
  readonly bytes: number;
  /** Where the values go: the tensor's CPU view when null (partition outputs), else the kernel's own array (readbackAll). */
  readonly target: StoredArray | null;
}

interface KernelStats extends PlanStats {
  readonly pipelines: number;
}

/** Builds the kernel of one planned partition. */
export async function createPartitionKernel(gpu: GpuContext, plan: PartitionPlan, options: PartitionOptions): Promise<PartitionKernel> {
  const { device } = gpu;
  if (options.debug) pushScopes(device);
  const buffers = new BufferSet(device);
  try {
    const { resolve, readback } = allocateBuffers(buffers, plan, options.label);
    const ready = await prepareDispatches(gpu, plan.dispatches, resolve, options.cache, buffers, options);
    const uploads = plan.uploads.map((u) => ({ tensor: u.tensor, target: resolve(u.target).buffer, padded: null }));
    const readbacks = plan.readbacks.map((r) => ({
      tensor: r.tensor,
      source: resolve(r.source).buffer,
      offset: r.offset,
      elements: r.elements,
      bytes: r.bytes,
      target: r.debug ? new (arrayOf(r.tensor))(r.elements) : null,
    }));
    const stats = { ...plan.stats, pipelines: ready.pipelines };
    const kernel = new PartitionKernel(gpu, options, plan.nodes, ready.dispatches, uploads, readbacks, readback, buffers, stats);
    if (options.debug) await popScopes(device, `${options.label}: building`);
    return kernel;
  } catch (e) {
    buffers.destroy();
    if (options.debug) await popScopes(device, `${options.label}: building`).catch(() => {});
    throw e;
  }
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
      if (data.byteLength % 4) {
        if (u.padded?.length !== Math.ceil(data.byteLength / 4) * 4) u.padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
        u.padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        device.queue.writeBuffer(u.target, 0, u.padded);
      } else device.queue.writeBuffer(u.target, 0, data.buffer, data.byteOffset, data.byteLength);
    }
    if (this.options.debug) pushScopes(device);
    const encoder = device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({ label });
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
    pass.end();
    for (const r of this.readbacks) encoder.copyBufferToBuffer(r.source, 0, this.readback, r.offset, r.bytes);
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
        const ctor = arrayOf(r.tensor);
        if (!(out instanceof ctor) || out.length !== r.elements) {
          throw new DelegateError(
            `${label}: output tensor ${r.tensor.index} '${r.tensor.name}' does not hold ${r.elements} ${r.tensor.dtype} values`,
          );
        }
        out.set(new ctor(mapped, r.offset, r.elements) as never);
      }
    } finally {
      this.readback.unmap();
    }
    health.check(label);
  }

  /**
   * The value the last invoke computed for a tensor of this partition (an output, or with
   * readbackAll any tensor it computes), dense row-major f32 (integer tensors: their values as
   * f32, exact); undefined for other tensors.
   */
  debugTensor(index: number): Float32Array | undefined {
    const r = this.readbacks.find((x) => x.tensor.index === index);
    if (!r) return undefined;
    return Float32Array.from(r.target ?? (r.tensor.data as StoredArray));
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
      /** Activation tensors stored as integers (int8 / uint8 / int16 / int32). */
      ...(storage.int ? { integerTensors: storage.int } : {}),
      /** Quantized nodes: integer arithmetic (bit-exact), or float twins ('float', as TFLite's GPU delegate). */
      ...(storage.int || this.options.floatQuantizedNodes
        ? {
            quantizedExecution: this.options.floatQuantizedNodes ? 'float' : 'integer',
            ...(this.options.floatQuantizedNodes ? { floatQuantizedNodes: this.options.floatQuantizedNodes } : {}),
          }
        : {}),
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

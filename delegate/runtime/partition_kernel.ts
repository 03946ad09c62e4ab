// One claimed partition on the GPU, built once from its plan (plan/partition_plan.ts): buffers
// allocated, constants uploaded, pipelines compiled, uniforms written and bind groups made. Each
// invoke then uploads the partition inputs, records every dispatch in one compute pass of one
// command encoder, submits once, and reads the partition outputs back through one mapped
// staging buffer. Tensors inside the partition never leave the GPU. Graph inputs and outputs the
// caller bound to GPUBuffers (gpu_io.ts) are copied on the device in the same encoder instead of
// being uploaded or read back; with the profile option each dispatch gets its own timed pass.
import type { DelegateKernel } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import type { PartitionPlan, PlanStats } from '../plan/partition_plan.js';
import { groupBytes } from '../plan/planner.js';
import { PRECISION_LABEL, type Precision } from '../plan/precision.js';
import type { NodePlan } from '../plan/programs.js';
import { allocateBuffers, BufferSet } from './buffers.js';
import type { GpuContext } from './device.js';
import { prepareDispatches, type ReadyDispatch } from './dispatches.js';
import { popScopes, pushScopes } from './error_scopes.js';
import { GpuIoError, GpuValidationError } from './errors.js';
import { BufferUsage, MapMode } from './gpu_flags.js';
import { ARRAY_OF, checkBuffer, describeTensor, type GpuIoBindings, readBufferInto, type StoredArray } from './gpu_io.js';
import type { PipelineCache } from './pipeline_cache.js';
import { makeProfiler, type PartitionProfile, type Profiler } from './profiling.js';

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
  /** The delegate's GPU input / output bindings, read at every invoke. */
  readonly io?: GpuIoBindings;
  /** Time every dispatch ('timestamp-query' when the device has it) and the partition's edges. */
  readonly profile?: boolean;
  /** The partition's nodes as the interpreter gave them (profile records). */
  readonly partitionNodes?: readonly number[];
}

interface Upload {
  readonly tensor: RuntimeTensor;
  readonly target: GPUBuffer;
  /** Dense bytes in whole words (what a bound GPU input is copied as). */
  readonly bytes: number;
  /** Whole words for tensors whose bytes are not (int8 / int16 with odd sizes): writeBuffer copies words. */
  padded: Uint8Array<ArrayBuffer> | null;
}

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
  /** Bytes of every tensor's storage group added up, as if no buffer were reused. */
  readonly naiveTensorBytes: number;
}

/** Transfers between the CPU and the partition, counted over the kernel's life. */
export interface TransferCounts {
  uploads: number;
  uploadBytes: number;
  /** Mapped readbacks of outputs (one per invoke that reads any output back). */
  readbacks: number;
  readbackBytes: number;
}

/** A tensor the last invoke left on the device, and where its value is. */
interface Resident {
  readonly tensor: RuntimeTensor;
  readonly buffer: GPUBuffer;
  readonly bytes: number;
}

async function popOutOfMemory(device: GPUDevice, label: string): Promise<void> {
  const oom = await device.popErrorScope();
  if (oom) throw new GpuValidationError(`${label}: out of GPU memory while creating its buffers: ${oom.message}`);
}

/** Builds the kernel of one planned partition. */
export async function createPartitionKernel(gpu: GpuContext, plan: PartitionPlan, options: PartitionOptions): Promise<PartitionKernel> {
  const { device } = gpu;
  // Always: a partition too large for the device fails here, named, instead of running on invalid buffers.
  device.pushErrorScope('out-of-memory');
  let scoped = true;
  let debugScoped = Boolean(options.debug);
  if (debugScoped) pushScopes(device);
  const buffers = new BufferSet(device);
  try {
    const { resolve, readback } = allocateBuffers(buffers, plan, options.label);
    const ready = await prepareDispatches(gpu, plan.dispatches, resolve, options.cache, buffers, options);
    const uploads = plan.uploads.map((u) => {
      const target = resolve(u.target);
      return { tensor: u.tensor, target: target.buffer, bytes: target.size ?? target.buffer.size, padded: null };
    });
    const readbacks = plan.readbacks.map((r) => ({
      tensor: r.tensor,
      source: resolve(r.source).buffer,
      offset: r.offset,
      elements: r.elements,
      bytes: r.bytes,
      target: r.debug ? new (arrayOf(r.tensor))(r.elements) : null,
    }));
    const naiveTensorBytes = plan.storage.groups.reduce((a, g) => a + groupBytes(g), 0);
    const stats = { ...plan.stats, pipelines: ready.pipelines, naiveTensorBytes };
    const profiler = options.profile ? makeProfiler(gpu, plan, buffers, options.label) : null;
    const kernel = new PartitionKernel(gpu, options, plan.nodes, ready.dispatches, uploads, readbacks, readback, buffers, stats, profiler);
    debugScoped = false;
    if (options.debug) await popScopes(device, `${options.label}: building`);
    scoped = false;
    await popOutOfMemory(device, options.label);
    return kernel;
  } catch (e) {
    buffers.destroy();
    if (debugScoped) await popScopes(device, `${options.label}: building`).catch(() => {});
    if (scoped) await popOutOfMemory(device, options.label).catch(() => {});
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
    private readonly profiler: Profiler | null,
  ) {}

  /** CPU <-> GPU transfers so far (tests check that bound GPU outputs are never read back). */
  readonly transfers: TransferCounts = { uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0 };
  private resident: Resident[] = [];
  private profiled: PartitionProfile | null = null;

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
    const io = this.options.io;
    const bound = io !== undefined && !io.empty;
    const resident: Resident[] = [];
    // Until this invoke completes, every bound tensor's CPU view is stale (and a failed invoke
    // leaves it so: the interpreter then neither reads it nor reruns the invoke on the CPU).
    this.resident = this.boundTensors(io);
    if (bound) this.checkBound(io);
    const encoder = device.createCommandEncoder({ label });
    const uploadStart = performance.now();
    let uploadBytes = 0;
    for (const u of this.uploads) {
      const gpuInput = io?.inputs.get(u.tensor.index);
      if (gpuInput) {
        encoder.copyBufferToBuffer(gpuInput, 0, u.target, 0, u.bytes);
        resident.push({ tensor: u.tensor, buffer: gpuInput, bytes: u.bytes });
        continue;
      }
      const data = u.tensor.data;
      if (data.byteLength % 4) {
        if (u.padded?.length !== Math.ceil(data.byteLength / 4) * 4) u.padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
        u.padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        device.queue.writeBuffer(u.target, 0, u.padded);
      } else device.queue.writeBuffer(u.target, 0, data.buffer, data.byteOffset, data.byteLength);
      uploadBytes += data.byteLength;
      this.transfers.uploads++;
    }
    this.transfers.uploadBytes += uploadBytes;
    const uploadMs = performance.now() - uploadStart;
    if (this.options.debug) pushScopes(device);
    // Innermost, so that a destroyed buffer or one of another device (which fails the submit) is a GpuIoError.
    if (bound) device.pushErrorScope('validation');
    this.record(encoder);
    const toRead: Readback[] = [];
    for (const r of this.readbacks) {
      const gpuOutput = r.target ? undefined : io?.outputs.get(r.tensor.index);
      if (gpuOutput) {
        encoder.copyBufferToBuffer(r.source, 0, gpuOutput.buffer, 0, r.bytes);
        if (!gpuOutput.readBack) {
          resident.push({ tensor: r.tensor, buffer: gpuOutput.buffer, bytes: r.bytes });
          continue;
        }
      }
      encoder.copyBufferToBuffer(r.source, 0, this.readback, r.offset, r.bytes);
      toRead.push(r);
    }
    this.profiler?.timestamps?.resolve(encoder);
    const submitted = performance.now();
    device.queue.submit([encoder.finish()]);
    const boundError = bound ? await device.popErrorScope() : null;
    if (this.options.debug) await popScopes(device, `${label}: invoke`);
    if (boundError) {
      throw new GpuIoError(`${label}: the bound GPU buffers (${this.boundNames(io)}) could not be used: ${boundError.message}`);
    }
    let readbackMs = 0;
    let readbackBytes = 0;
    if (toRead.length) {
      try {
        await this.readback.mapAsync(MapMode.READ);
      } catch (e) {
        throw (await health.lostError()) ?? new DelegateError(`${label}: reading the outputs back failed: ${(e as Error).message}`);
      }
      const copyStart = performance.now();
      try {
        const mapped = this.readback.getMappedRange();
        for (const r of toRead) {
          const out = r.target ?? r.tensor.data;
          const ctor = arrayOf(r.tensor);
          if (!(out instanceof ctor) || out.length !== r.elements) {
            throw new DelegateError(
              `${label}: output tensor ${r.tensor.index} '${r.tensor.name}' does not hold ${r.elements} ${r.tensor.dtype} values`,
            );
          }
          out.set(new ctor(mapped, r.offset, r.elements) as never);
          readbackBytes += r.bytes;
        }
      } finally {
        this.readback.unmap();
      }
      readbackMs = performance.now() - copyStart;
      this.transfers.readbacks++;
      this.transfers.readbackBytes += readbackBytes;
    }
    const gpuMs = this.profiler?.timestamps ? await this.profiler.timestamps.read() : null;
    const waitMs = performance.now() - submitted - readbackMs;
    this.resident = resident;
    if (this.profiler) {
      this.profiled = {
        label,
        nodes: this.options.partitionNodes ?? this.plans.map((p) => p.node.index),
        timestamps: gpuMs !== null,
        dispatches: this.profiler.identities.map((d, i) => ({ ...d, gpuMs: gpuMs ? (gpuMs[i] as number) : null })),
        uploadMs,
        uploadBytes,
        waitMs,
        readbackMs,
        readbackBytes,
        plannedTensorBytes: this.stats.pooledBytes,
        naiveTensorBytes: this.stats.naiveTensorBytes,
        totalBufferBytes: this.buffers.bytes,
      };
    }
    health.check(label);
  }

  /** Every dispatch in one compute pass; when profiling with timestamps, one timed pass per dispatch. */
  private record(encoder: GPUCommandEncoder): void {
    const timestamps = this.profiler?.timestamps;
    if (timestamps) {
      this.dispatches.forEach((d, i) => {
        const pass = encoder.beginComputePass(timestamps.pass(i, d.label));
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
        pass.end();
      });
      return;
    }
    const pass = encoder.beginComputePass({ label: this.options.label });
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
    pass.end();
  }

  /** Size and usage of the bound buffers (the tensors' shapes may have changed since binding). */
  private checkBound(io: GpuIoBindings): void {
    const label = this.options.label;
    for (const u of this.uploads) {
      const b = io.inputs.get(u.tensor.index);
      if (b) checkBuffer(b, u.tensor, u.bytes, BufferUsage.COPY_SRC, `${label}: GPU input`);
    }
    for (const r of this.readbacks) {
      const b = r.target ? undefined : io.outputs.get(r.tensor.index);
      if (b && b.buffer.size < r.bytes) {
        throw new GpuIoError(
          `${label}: GPU output ${describeTensor(r.tensor)} needs ${r.bytes} bytes; its buffer has ${b.buffer.size} (the shape changed: call getOutputBuffer again)`,
        );
      }
    }
  }

  private boundTensors(io: GpuIoBindings | undefined): Resident[] {
    if (!io || io.empty) return [];
    const bound: Resident[] = [];
    for (const u of this.uploads) {
      const b = io.inputs.get(u.tensor.index);
      if (b) bound.push({ tensor: u.tensor, buffer: b, bytes: u.bytes });
    }
    for (const r of this.readbacks) {
      const b = r.target ? undefined : io.outputs.get(r.tensor.index);
      if (b) bound.push({ tensor: r.tensor, buffer: b.buffer, bytes: r.bytes });
    }
    return bound;
  }

  private boundNames(io: GpuIoBindings | undefined): string {
    const names: string[] = [];
    for (const u of this.uploads) {
      const b = io?.inputs.get(u.tensor.index);
      if (b) names.push(`input ${describeTensor(u.tensor)} <- '${b.label}'`);
    }
    for (const r of this.readbacks) {
      const b = io?.outputs.get(r.tensor.index);
      if (b) names.push(`output ${describeTensor(r.tensor)} -> '${b.buffer.label}'`);
    }
    return names.join(', ');
  }

  /** Tensors the last invoke left on the device: bound GPU inputs, and bound GPU outputs nothing on the CPU reads. */
  residentTensors(): readonly number[] {
    return this.resident.map((r) => r.tensor.index);
  }

  /** Reads a resident tensor's value from its GPU buffer into its CPU view (one transfer). */
  async readResident(index: number): Promise<void> {
    await this.running;
    const r = this.resident.find((x) => x.tensor.index === index);
    if (!r) return;
    const target = r.tensor.data;
    if (!(target instanceof arrayOf(r.tensor)))
      throw new DelegateError(`${this.options.label}: ${describeTensor(r.tensor)} has no CPU view`);
    await readBufferInto(this.gpu.device, r.buffer, r.bytes, target as StoredArray, this.options.label);
    this.transfers.readbacks++;
    this.transfers.readbackBytes += r.bytes;
    this.resident = this.resident.filter((x) => x !== r);
  }

  /** The last invoke's profile (the profile option), else null. */
  lastProfile(): PartitionProfile | null {
    return this.profiled;
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
    this.profiler?.timestamps?.destroy();
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
      nodes: this.plans.reduce((n, p) => n + 1 + p.fused.length, 0),
      /**
       * Nodes per implementation, e.g. { conv2d_1x1: 12, depthwise_conv2d: 9 }; a fused group
       * (one dispatch) counts once under its name, e.g. 'conv2d_1x1+add+relu'.
       */
      implementations: this.plans.reduce<Record<string, number>>((acc, p) => {
        acc[p.name] = (acc[p.name] ?? 0) + 1;
        return acc;
      }, {}),
      /** Nodes absorbed into another node's dispatch (epilogue fusion). */
      fusedNodes: this.plans.reduce((n, p) => n + p.fused.length, 0),
      dispatches: this.dispatches.length,
      pipelines: this.stats.pipelines,
      tensorBuffers: this.stats.pooledBuffers,
      tensorBufferBytes: this.stats.pooledBytes,
      /** What the tensors would take with a buffer each (no reuse by lifetime). */
      naiveTensorBufferBytes: this.stats.naiveTensorBytes,
      totalBufferBytes: this.buffers.bytes,
      adapter: `${this.gpu.adapter.vendor} ${this.gpu.adapter.architecture}`.trim(),
    };
  }
}

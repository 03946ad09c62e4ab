// The WebGPU delegate: a thin composition of the plan (plan/: which nodes run on the GPU and
// why not, partitions, each partition's plan as data) and the runtime (runtime/: the device, and
// one PartitionKernel per partition). Options mirror TfLiteGpuDelegateOptionsV2 where they mean
// the same thing. GPU-resident I/O (setInputBuffer / getOutputBuffer) and the profile
// (lastProfile) are the delegate's own methods, beside the interpreter's CPU-side API.
import type { Delegate, DelegateClaims, DelegateGraph, DelegateKernel, PartitionSpec } from '../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../src/kernels/kernel.js';
import { type FloatView, floatViewOf, type QuantizedExecution } from './plan/float_view.js';
import { planPartition } from './plan/partition_plan.js';
import { choosePartitions } from './plan/partitions.js';
import { choosePrecision, PRECISION_LABEL, type Precision } from './plan/precision.js';
import { withPreparedNodes } from './plan/prepared.js';
import type { OpContext } from './program.js';
import { hasIntegerActivations } from './registry.js';
import { type AcquireOptions, type GpuContext, GpuSlot } from './runtime/device.js';
import { GpuIoError } from './runtime/errors.js';
import { BufferUsage } from './runtime/gpu_flags.js';
import { checkBuffer, denseEdgeBytes, describeTensor, GpuIoBindings } from './runtime/gpu_io.js';
import { createPartitionKernel, type PartitionKernel, type TransferCounts } from './runtime/partition_kernel.js';
import { pipelineCacheFor } from './runtime/pipeline_cache.js';
import type { PartitionProfile } from './runtime/profiling.js';

export interface WebGpuDelegateOptions extends AcquireOptions {
  /**
   * Allow f16 storage (TFLite's is_precision_loss_allowed). Default false: fp32. When true:
   * 'fp16' (f16 storage and math, f32 sums) with the 'shader-f16' feature, else
   * 'fp16-storage' (f16 storage, f32 math).
   */
  precisionLossAllowed?: boolean;
  /**
   * At most this many partitions, the largest kept. Default: unlimited. TFLite defaults to 1;
   * here every partition still moves work to the GPU, and each costs one upload, submit and
   * readback per invoke, so the caller decides (1 reproduces TFLite).
   */
  maxDelegatedPartitions?: number;
  /** Partitions with fewer nodes stay on the CPU. Default 1. */
  minNodesPerPartition?: number;
  /** Node indices or op names (e.g. 'SOFTMAX') kept on the CPU. */
  forceCpu?: readonly (number | string)[];
  /** Error scopes around building and every submission, and shader compilation messages. Default false. */
  debug?: boolean;
  /**
   * Read back every tensor a partition computes on each invoke, not only the partition outputs
   * (debugTensor). The partitions stay the same; nodes are not fused (plan/fusion.ts), so each
   * node's output exists, and buffers are not reused. For per-node comparisons
   * (harness/per_node.ts); slow. Default false.
   */
  debugReadbackAll?: boolean;
  /**
   * Fuse a conv / depthwise / fully-connected node with the activation, residual ADD and channel
   * PAD after it (one dispatch per group, plan/fusion.ts). Default true: fewer dispatches per
   * invoke; false: fewer, simpler pipelines to compile (on CPU-backed adapters such as
   * SwiftShader the fused shaders roughly double load + first-inference time).
   */
  fuseEpilogues?: boolean;
  /**
   * Integer dot products with dot4I8Packed / dot4U8Packed where WGSL has
   * 'packed_4x8_integer_dot_product' (same results as the plain path, which false forces). Default true.
   */
  integerDotProduct?: boolean;
  /**
   * How quantized (int8 / uint8 / 16x8) nodes run. 'integer' (default): TFLite's integer
   * arithmetic, equal to the CPU interpreter to the bit. 'float': as TFLite's GPU delegate runs
   * them, the float kernels on dequantized weights and activations, each quantized output rounded
   * to its grid (quantize -> dequantize); nodes without a float form keep the integer kernels.
   */
  quantizedExecution?: QuantizedExecution;
  /**
   * Profile every invoke (read with lastProfile()): with 'timestamp-query' (requested when the
   * adapter has it) each dispatch runs in its own timestamped compute pass and its GPU time is
   * recorded; the partition edges' CPU time (uploads, waiting, readback) always. Default false:
   * one compute pass per partition, no timestamps.
   */
  profile?: boolean;
}

/** The delegate's profile of the last invoke: one entry per partition, in execution order. */
export interface DelegateProfile {
  /** Whether GPU times were measured; false: the profile is CPU-side only (no 'timestamp-query'). */
  readonly timestamps: boolean;
  readonly partitions: readonly PartitionProfile[];
}

export interface GpuInputOptions {
  /** The dtype the buffer holds; must be the tensor's (a guard against handing f32 to an int8 input). Default: the tensor's. */
  dtype?: string;
}

export class WebGpuDelegate implements Delegate {
  readonly name = 'webgpu';
  private readonly forceCpu: ReadonlySet<number | string>;
  private readonly kernels = new Set<PartitionKernel>();
  private readonly slot: GpuSlot;
  /** The spec each live kernel was built for (node membership for GPU I/O checks). */
  private readonly specs = new Map<PartitionKernel, PartitionSpec>();
  private readonly io = new GpuIoBindings();
  /** The graph of the last prepare: which tensors are graph inputs / outputs and who reads them. */
  private graph: DelegateGraph | null = null;
  private device: GPUDevice | null = null;

  constructor(private readonly options: WebGpuDelegateOptions = {}) {
    this.forceCpu = new Set(options.forceCpu ?? []);
    this.slot = new GpuSlot({ ...options, timestampQuery: options.profile ?? false });
    const max = options.maxDelegatedPartitions;
    if (max !== undefined && !(max >= 1)) throw new RangeError(`maxDelegatedPartitions must be >= 1, got ${max}`);
    const min = options.minNodesPerPartition;
    if (min !== undefined && !(min >= 1)) throw new RangeError(`minNodesPerPartition must be >= 1, got ${min}`);
  }

  /** A delegate whose device is acquired now (GpuUnavailableError here rather than at the first prepare). */
  static async create(options: WebGpuDelegateOptions = {}): Promise<WebGpuDelegate> {
    const delegate = new WebGpuDelegate(options);
    await delegate.gpu();
    return delegate;
  }

  /**
   * The device, acquired on first use. After a device loss, a delegate that created its device
   * requests a new one here (so allocateTensors() again rebuilds the partitions on it); a lost
   * application device is reported as DeviceLostError.
   */
  gpu(): Promise<GpuContext> {
    return this.slot.get();
  }

  /** The precision partitions use on this device. */
  async precision(): Promise<Precision> {
    return choosePrecision(this.options.precisionLossAllowed ?? false, (await this.gpu()).features);
  }

  /** Adapter, precision and the limits the delegate plans against. */
  async info(): Promise<Record<string, unknown>> {
    const gpu = await this.gpu();
    return {
      adapter: gpu.adapter,
      precision: PRECISION_LABEL[await this.precision()],
      features: [...gpu.features].sort(),
      wgslFeatures: [...gpu.wgslFeatures].sort(),
      integerDotProduct: this.opContext(gpu).integerDotProduct,
      limits: gpu.limits,
      sharedDevice: !gpu.ownsDevice,
    };
  }

  async prepare(graph: DelegateGraph): Promise<DelegateClaims> {
    const gpu = await this.gpu();
    this.graph = graph;
    const prepared = withPreparedNodes(graph);
    return choosePartitions(prepared, this.opContext(gpu), {
      floatView: this.floatView(prepared),
      forceCpu: this.forceCpu,
      minNodesPerPartition: this.options.minNodesPerPartition ?? 1,
      maxDelegatedPartitions: this.options.maxDelegatedPartitions ?? Number.POSITIVE_INFINITY,
    });
  }

  async createKernel(graph: DelegateGraph, spec: PartitionSpec): Promise<DelegateKernel> {
    const gpu = await this.gpu();
    this.adoptDevice(gpu.device);
    const precision = await this.precision();
    const label = `webgpu partition [nodes ${spec.nodes[0]}..${spec.nodes[spec.nodes.length - 1]}]`;
    const ctx = this.opContext(gpu);
    let planned = { graph: withPreparedNodes(graph), spec };
    const view = this.floatView(planned.graph);
    let floatNodes = 0;
    if (view) {
      const byIndex = new Map(planned.graph.nodes.map((n) => [n.index, n]));
      const float = new Set(
        spec.nodes.filter((i) => {
          const node = byIndex.get(i);
          return node !== undefined && hasIntegerActivations(node) && view.floatVerdict(node, ctx) === true;
        }),
      );
      floatNodes = float.size;
      planned = view.expand(spec, float);
    }
    const plan = planPartition(planned.graph, planned.spec, ctx, {
      precision,
      label,
      readbackAll: this.options.debugReadbackAll ?? false,
      fuse: this.options.fuseEpilogues ?? true,
    });
    const kernel = await createPartitionKernel(gpu, plan, {
      precision,
      quantizedExecution: this.options.quantizedExecution ?? 'integer',
      floatQuantizedNodes: floatNodes,
      debug: this.options.debug ?? false,
      cache: pipelineCacheFor(gpu.device),
      label,
      onDispose: (k) => {
        this.kernels.delete(k);
        this.specs.delete(k);
      },
      io: this.io,
      profile: this.options.profile ?? false,
      partitionNodes: spec.nodes,
    });
    this.kernels.add(kernel);
    this.specs.set(kernel, spec);
    return kernel;
  }

  /**
   * Takes graph input `index` (an interpreter tensor index) from `buffer` at every invoke from
   * now on, instead of its CPU values: the dense row-major values in the tensor's dtype (float32;
   * int8 / uint8 bytes and int16 pairs packed little-endian, whole words), at offset 0, on this
   * delegate's device, with COPY_SRC usage. The copy is recorded in the partition's own encoder
   * (no CPU transfer). Call after allocateTensors; the binding lasts until clearInputBuffer.
   * While bound, interpreter.getTensor(index) throws and readTensor reads the buffer back.
   * Throws GpuIoError when the tensor is not a graph input, a CPU node reads it, or the buffer is
   * too small or lacks COPY_SRC; a destroyed buffer or one of another device fails the next invoke
   * with GpuIoError (copy through the CPU with setTensor for another device).
   */
  setInputBuffer(index: number, buffer: GPUBuffer, options: GpuInputOptions = {}): void {
    const where = 'setInputBuffer';
    const graph = this.requireGraph(where);
    const t = this.graphTensor(graph, index, where);
    if (!graph.inputs.includes(index)) {
      throw new GpuIoError(`${where}: ${describeTensor(t)} is not a graph input (inputs: ${graph.inputs.join(', ')})`);
    }
    if (options.dtype !== undefined && options.dtype !== t.dtype) {
      throw new GpuIoError(`${where}: ${describeTensor(t)} is ${t.dtype}; the buffer holds ${options.dtype}`);
    }
    const bytes = denseEdgeBytes(t);
    if (bytes === null) throw new GpuIoError(`${where}: ${describeTensor(t)}: the delegate does not store ${t.dtype} tensors`);
    const onCpu = graph.nodes.filter((n) => n.inputs.some((x) => x?.index === index) && !this.kernelOfNode(n.index));
    if (onCpu.length) {
      throw new GpuIoError(
        `${where}: ${describeTensor(t)} is read on the CPU by ${onCpu.map((n) => `node ${n.index} (${n.op.op})`).join(', ')}; only inputs every reader of which runs on the GPU can stay there (use setTensor)`,
      );
    }
    checkBuffer(buffer, t, bytes, BufferUsage.COPY_SRC, where);
    this.io.inputs.set(index, buffer);
  }

  /** Takes graph input `index` from its CPU values (setTensor) again. */
  clearInputBuffer(index: number): void {
    this.io.inputs.delete(index);
  }

  /**
   * A GPUBuffer on the delegate's device that every invoke from now on fills with graph output
   * `index`'s dense row-major values in its dtype (float32; int8 / uint8 / int16 packed, whole
   * words), with usage STORAGE | COPY_SRC | COPY_DST, owned by the delegate (do not destroy it;
   * releaseOutputBuffer or dispose does). The copy is recorded in the partition's encoder, and
   * the output is not read back: interpreter.getTensor(index) then throws, and
   * interpreter.readTensor(index) reads it back once on demand. When a CPU node (or another
   * partition) reads the tensor too, it is still read back for it, and getTensor works. The same
   * buffer is returned while the tensor's size allows; call again after allocateTensors.
   * Throws GpuIoError when the tensor is not a graph output or its producer runs on the CPU.
   */
  getOutputBuffer(index: number): GPUBuffer {
    const where = 'getOutputBuffer';
    const graph = this.requireGraph(where);
    const t = this.graphTensor(graph, index, where);
    if (!graph.outputs.includes(index)) {
      throw new GpuIoError(`${where}: ${describeTensor(t)} is not a graph output (outputs: ${graph.outputs.join(', ')})`);
    }
    const producer = graph.nodes.find((n) => n.outputs.some((o) => o.index === index));
    if (!producer) throw new GpuIoError(`${where}: ${describeTensor(t)} is not computed by any node at invoke (an input or a constant)`);
    const kernel = this.kernelOfNode(producer.index);
    const spec = kernel && this.specs.get(kernel);
    if (!spec || !this.device) {
      throw new GpuIoError(
        `${where}: ${describeTensor(t)} is produced by node ${producer.index} (${producer.op.op}), which runs on the CPU; only outputs of GPU partitions can stay on the GPU`,
      );
    }
    const inPartition = new Set(spec.nodes);
    const readBack = graph.nodes.some((n) => !inPartition.has(n.index) && n.inputs.some((x) => x?.index === index));
    const bytes = denseEdgeBytes(t) as number;
    const known = this.io.outputs.get(index);
    if (known && known.device === this.device && known.buffer.size >= bytes) {
      this.io.outputs.set(index, { ...known, readBack });
      return known.buffer;
    }
    known?.buffer.destroy();
    const buffer = this.device.createBuffer({
      label: `webgpu output ${t.name}`,
      size: Math.max(bytes, 16),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    this.io.outputs.set(index, { buffer, device: this.device, readBack });
    return buffer;
  }

  /** Reads graph output `index` back to the CPU again (getTensor), and destroys its GPU buffer. */
  releaseOutputBuffer(index: number): void {
    this.io.outputs.get(index)?.buffer.destroy();
    this.io.outputs.delete(index);
  }

  /** CPU <-> GPU transfers of every live partition so far (uploads and mapped readbacks, with bytes). */
  transfers(): TransferCounts {
    const sum: TransferCounts = { uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0 };
    for (const k of this.kernels) {
      sum.uploads += k.transfers.uploads;
      sum.uploadBytes += k.transfers.uploadBytes;
      sum.readbacks += k.transfers.readbacks;
      sum.readbackBytes += k.transfers.readbackBytes;
    }
    return sum;
  }

  /**
   * The last invoke's profile (the profile option): per partition, each dispatch with its node,
   * op, variant, output shape and GPU ms (null without 'timestamp-query'), and the edges' CPU
   * ms and bytes. Null when the option is off or nothing ran yet.
   */
  lastProfile(): DelegateProfile | null {
    if (!this.options.profile) return null;
    const partitions = [...this.kernels]
      .map((k) => k.lastProfile())
      .filter((p): p is PartitionProfile => p !== null)
      .sort((a, b) => (a.nodes[0] ?? 0) - (b.nodes[0] ?? 0));
    if (!partitions.length) return null;
    return { timestamps: partitions.every((p) => p.timestamps), partitions };
  }

  private requireGraph(where: string): DelegateGraph {
    if (!this.graph || !this.kernels.size) {
      throw new GpuIoError(`${where}: the delegate has no partitions yet; call interpreter.allocateTensors() first`);
    }
    return this.graph;
  }

  private graphTensor(graph: DelegateGraph, index: number, where: string): RuntimeTensor {
    const t = graph.tensors[index];
    if (!t) throw new GpuIoError(`${where}: tensor ${index} does not exist (the graph has ${graph.tensors.length})`);
    return t;
  }

  private kernelOfNode(node: number): PartitionKernel | undefined {
    for (const [k, spec] of this.specs) if (spec.nodes.includes(node)) return k;
    return undefined;
  }

  /** Output buffers of a lost device are useless: forget them (getOutputBuffer makes new ones). */
  private adoptDevice(device: GPUDevice): void {
    if (this.device === device) return;
    for (const o of this.io.outputs.values()) if (o.device !== device) o.buffer.destroy();
    this.io.outputs.clear();
    this.io.inputs.clear();
    this.device = device;
  }

  /**
   * The last invoke's value of a tensor computed on the GPU (a partition output, or with
   * debugReadbackAll any tensor a partition computes), dense f32; undefined when no live
   * kernel of this delegate computes it.
   */
  debugTensor(index: number): Float32Array | undefined {
    for (const k of this.kernels) {
      const v = k.debugTensor(index);
      if (v) return v;
    }
    return undefined;
  }

  private floatView(graph: DelegateGraph): FloatView | null {
    return this.options.quantizedExecution === 'float' ? floatViewOf(graph) : null;
  }

  private opContext(gpu: GpuContext): OpContext {
    const dot = (this.options.integerDotProduct ?? true) && gpu.wgslFeatures.has('packed_4x8_integer_dot_product');
    return { limits: gpu.limits, features: gpu.features, integerDotProduct: dot };
  }

  /** Disposes every kernel still alive and releases the device (destroying it if the delegate created it). */
  dispose(): void {
    for (const k of [...this.kernels]) k.dispose();
    for (const o of this.io.outputs.values()) o.buffer.destroy();
    this.io.outputs.clear();
    this.io.inputs.clear();
    this.graph = null;
    this.device = null;
    this.slot.release();
  }
}

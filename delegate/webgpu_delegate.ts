// The WebGPU delegate: decides per node whether the GPU runs it (with a reason for every node it
// leaves on the CPU), groups supported nodes into partitions, and builds one PartitionKernel per
// partition. Options mirror TfLiteGpuDelegateOptionsV2 where they mean the same thing.
import {
  contiguousPartitions,
  type Delegate,
  type DelegateClaims,
  type DelegateGraph,
  type DelegateKernel,
  type DelegateNode,
  type PartitionSpec,
} from '../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../src/kernels/kernel.js';
import { type AcquireOptions, acquireGpu, type GpuContext } from './device.js';
import { sliceLayout } from './layout.js';
import { createPartitionKernel, type PartitionKernel } from './partition_kernel.js';
import { pipelineCacheFor } from './pipeline_cache.js';
import { choosePrecision, PRECISION_LABEL, type Precision } from './precision.js';
import type { OpContext } from './program.js';
import { selectImpl } from './registry.js';

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
   * (debugTensor). The partitions and dispatches stay the same; buffers are not reused. For
   * per-node comparisons (harness/per_node.ts); slow. Default false.
   */
  debugReadbackAll?: boolean;
}

/** Largest rank any delegated tensor may have. */
const MAX_RANK = 6;

export class WebGpuDelegate implements Delegate {
  readonly name = 'webgpu';
  private gpuContext: Promise<GpuContext> | null = null;
  private readonly forceCpu: ReadonlySet<number | string>;
  private readonly kernels = new Set<PartitionKernel>();

  constructor(private readonly options: WebGpuDelegateOptions = {}) {
    this.forceCpu = new Set(options.forceCpu ?? []);
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
  async gpu(): Promise<GpuContext> {
    const current = this.gpuContext;
    if (current) {
      const ctx = await current;
      if (!ctx.health.lost) return ctx;
      if (!ctx.ownsDevice) throw ctx.health.lostNow();
      if (this.gpuContext === current) {
        ctx.release();
        this.gpuContext = null;
      }
      return this.gpu();
    }
    const acquiring = acquireGpu(this.options);
    this.gpuContext = acquiring;
    acquiring.catch(() => {
      if (this.gpuContext === acquiring) this.gpuContext = null;
    });
    return acquiring;
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
      limits: gpu.limits,
      sharedDevice: !gpu.ownsDevice,
    };
  }

  async prepare(graph: DelegateGraph): Promise<DelegateClaims> {
    const gpu = await this.gpu();
    const ctx: OpContext = { limits: gpu.limits, features: gpu.features };
    const reasons = new Map<number, string>();
    const supported = new Set<number>();
    for (const node of graph.nodes) {
      const verdict = this.judge(node, ctx);
      if (verdict === true) supported.add(node.index);
      else reasons.set(node.index, `${node.op.op}: ${verdict}`);
    }
    const opOf = new Map(graph.nodes.map((n) => [n.index, n.op.op]));
    const leave = (part: readonly number[], why: string) => {
      for (const i of part) reasons.set(i, `${opOf.get(i)}: ${why}`);
    };
    let partitions = contiguousPartitions(graph.nodes, (n) => supported.has(n.index));
    const min = this.options.minNodesPerPartition ?? 1;
    partitions = partitions.filter((p) => {
      if (p.length >= min) return true;
      leave(p, `partition of ${p.length} node(s) is smaller than minNodesPerPartition=${min}`);
      return false;
    });
    const max = this.options.maxDelegatedPartitions ?? Number.POSITIVE_INFINITY;
    if (partitions.length > max) {
      const keep = new Set([...partitions].sort((a, b) => b.length - a.length).slice(0, max));
      for (const p of partitions) {
        if (!keep.has(p)) leave(p, `partition of ${p.length} node(s) not delegated: maxDelegatedPartitions=${max} keeps the largest`);
      }
      partitions = partitions.filter((p) => keep.has(p));
    }
    return { partitions, reasons };
  }

  /** true, or why the node stays on the CPU. */
  private judge(node: DelegateNode, ctx: OpContext): true | string {
    if (this.forceCpu.has(node.index) || this.forceCpu.has(node.op.op)) return 'forced to CPU by options.forceCpu';
    const tensors = [...node.inputs.filter((t): t is RuntimeTensor => t !== null && !isKnown(t)), ...node.outputs];
    for (const t of tensors) {
      // Like TFLite's GPU delegate: static shapes only (the plan, buffers and uniforms are fixed at build).
      if (t.kind === 'dynamic') return `tensor ${t.index} '${t.name}' has a shape known only at run time`;
      if (t.dtype !== 'float32')
        return `dtype ${t.dtype} not supported (tensor ${t.index} '${t.name}'): only float32 activations run on the GPU`;
      if (t.shape.length > MAX_RANK) return `tensor ${t.index} '${t.name}' has rank ${t.shape.length} (at most ${MAX_RANK})`;
      const layout = sliceLayout(t.shape);
      if (layout.sliceCount === 0) return `tensor ${t.index} '${t.name}' is empty (shape [${t.shape}])`;
      if (layout.sliceCount * 16 > ctx.limits.maxStorageBufferBindingSize) {
        return `tensor ${t.index} '${t.name}' needs ${layout.sliceCount * 16} bytes, above maxStorageBufferBindingSize (${ctx.limits.maxStorageBufferBindingSize})`;
      }
    }
    try {
      const chosen = selectImpl(node, ctx);
      return chosen.ok ? true : chosen.reason;
    } catch (e) {
      return `internal error while checking support: ${(e as Error).message}`;
    }
  }

  async createKernel(graph: DelegateGraph, spec: PartitionSpec): Promise<DelegateKernel> {
    const gpu = await this.gpu();
    const first = spec.nodes[0];
    const last = spec.nodes[spec.nodes.length - 1];
    const kernel = await createPartitionKernel(gpu, graph, spec, {
      precision: await this.precision(),
      debug: this.options.debug ?? false,
      cache: pipelineCacheFor(gpu.device),
      label: `webgpu partition [nodes ${first}..${last}]`,
      onDispose: (k) => this.kernels.delete(k),
      readbackAll: this.options.debugReadbackAll ?? false,
    });
    this.kernels.add(kernel);
    return kernel;
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

  /** Disposes every kernel still alive and releases the device (destroying it if the delegate created it). */
  dispose(): void {
    for (const k of [...this.kernels]) k.dispose();
    const pending = this.gpuContext;
    this.gpuContext = null;
    pending?.then(
      (g) => g.release(),
      () => {},
    );
  }
}

// The WebGPU delegate: a thin composition of the plan (plan/: which nodes run on the GPU and
// why not, partitions, each partition's plan as data) and the runtime (runtime/: the device, and
// one PartitionKernel per partition). Options mirror TfLiteGpuDelegateOptionsV2 where they mean
// the same thing.
import type { Delegate, DelegateClaims, DelegateGraph, DelegateKernel, PartitionSpec } from '../src/interpreter/delegate.js';
import { type FloatView, floatViewOf, type QuantizedExecution } from './plan/float_view.js';
import { planPartition } from './plan/partition_plan.js';
import { choosePartitions } from './plan/partitions.js';
import { choosePrecision, PRECISION_LABEL, type Precision } from './plan/precision.js';
import { withPreparedNodes } from './plan/prepared.js';
import type { OpContext } from './program.js';
import { hasIntegerActivations } from './registry.js';
import { type AcquireOptions, type GpuContext, GpuSlot } from './runtime/device.js';
import { createPartitionKernel, type PartitionKernel } from './runtime/partition_kernel.js';
import { pipelineCacheFor } from './runtime/pipeline_cache.js';

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
}

export class WebGpuDelegate implements Delegate {
  readonly name = 'webgpu';
  private readonly forceCpu: ReadonlySet<number | string>;
  private readonly kernels = new Set<PartitionKernel>();
  private readonly slot: GpuSlot;

  constructor(private readonly options: WebGpuDelegateOptions = {}) {
    this.forceCpu = new Set(options.forceCpu ?? []);
    this.slot = new GpuSlot(options);
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
    });
    const kernel = await createPartitionKernel(gpu, plan, {
      precision,
      quantizedExecution: this.options.quantizedExecution ?? 'integer',
      floatQuantizedNodes: floatNodes,
      debug: this.options.debug ?? false,
      cache: pipelineCacheFor(gpu.device),
      label,
      onDispose: (k) => this.kernels.delete(k),
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
    this.slot.release();
  }
}

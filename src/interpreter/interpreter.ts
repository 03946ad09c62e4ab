// The CPU interpreter, shaped after tf.lite.Interpreter: create → allocateTensors → setTensor →
// invoke → getTensor. Prepare runs once per input shape: it infers shapes, constant-folds nodes
// whose inputs are all known (FLOAT16 → DEQUANTIZE weights, SHAPE arithmetic), and plans the
// activation arena by tensor lifetimes, so invoke only runs kernels over preallocated views.

import {
  type IntegerRounding,
  isKnown,
  type Kernel,
  type KernelConfig,
  KernelError,
  type NodeContext,
  type RuntimeTensor,
} from '../kernels/kernel.js';
import { lookupKernel } from '../kernels/registry.js';
import { xnnpackDelegateFails } from '../kernels/xnnpack_graph.js';
import { allocTyped, byteSize, type DType, hasTypedView, numElements, type TypedArray, typedView } from '../model/dtype.js';
import { readModel } from '../model/reader.js';
import type { Model, Quantization, Subgraph, Tensor } from '../model/types.js';
import { planArena } from './arena.js';
import {
  type Delegate,
  DelegateError,
  type DelegateGraph,
  type DelegateKernel,
  type DelegateNode,
  type PartitionSpec,
} from './delegate.js';
import { TensorError, type UnsupportedNode, UnsupportedOpError } from './errors.js';

export interface TensorDetails {
  name: string;
  /** Tensor index in subgraph 0: the handle for setTensor / getTensor. */
  index: number;
  shape: number[];
  shapeSignature: number[] | null;
  dtype: DType;
  quantization: Quantization | null;
}

export interface InterpreterOptions {
  /** Subgraph to run (default 0). */
  subgraph?: number;
  /** See IntegerRounding: 'reference' (TFLite's builtin kernels, default) or 'xnnpack'. */
  integerRounding?: IntegerRounding;
  /** Delegates, asked in order to claim nodes after prepare (TFLite's ModifyGraphWithDelegate). */
  delegates?: Delegate[];
  /**
   * Give every activation its own bytes (no arena sharing by lifetime), so getTensor returns
   * any intermediate's value after invoke (TFLite's preserve_all_tensors). For debugging and
   * per-node comparisons: the arena grows to the sum of all activations.
   */
  preserveAllTensors?: boolean;
  /**
   * When a delegate kernel fails during invoke (device lost, validation error...), remove every
   * delegate (disposing them), re-plan on the CPU keeping the input values, and run the whole
   * invoke again on the CPU. The failure is kept in `delegateFailure`. Default false: the
   * error propagates (and removeDelegates() recovers explicitly).
   */
  fallbackToCpuOnDelegateError?: boolean;
  /** Called around every step of invoke (harness tools: step timing, storage references). */
  observer?: StepObserver;
}

/** One step of invoke as observers see it: a CPU node, or a delegate partition as a whole. */
export interface StepInfo {
  /** 'cpu' or the delegate's name. */
  readonly backend: string;
  readonly partition: number | null;
  readonly nodes: readonly number[];
  /** The op name of a CPU node, or "partition <id>". */
  readonly op: string;
  /** The tensors the step writes (after it ran, they hold its results). */
  readonly outputs: readonly RuntimeTensor[];
}

export interface StepObserver {
  beforeStep?(step: StepInfo): void;
  /** After the step ran (for a delegate step: after its outputs were read back). */
  afterStep?(step: StepInfo): void;
}

type Step =
  | { kind: 'cpu'; ctx: NodeContext; kernel: Kernel<unknown>; params: unknown; info?: StepInfo }
  | { kind: 'delegate'; delegate: Delegate; spec: PartitionSpec; kernel: DelegateKernel; partition: number; info?: StepInfo };

export interface NodePlacement {
  node: number;
  op: string;
  /** 'cpu', a delegate's name, or 'folded' (computed once at prepare from constants). */
  backend: string;
  partition: number | null;
  /** Why the node is not delegated, when delegates were given. */
  reason?: string;
}

export interface PartitionPlacement {
  id: number;
  backend: string;
  nodes: number[];
  inputs: { index: number; name: string; bytes: number }[];
  outputs: { index: number; name: string; bytes: number }[];
  /** Bytes copied to the delegate and back per invoke. */
  bytesIn: number;
  bytesOut: number;
  info: Record<string, unknown>;
}

export interface Placement {
  nodes: NodePlacement[];
  partitions: PartitionPlacement[];
  /** e.g. "120 nodes on webgpu in 2 partitions, 3 on cpu, 74 folded at prepare" */
  summary: string;
}

const TYPED_NAMES: Partial<Record<DType, string>> = {
  float32: 'Float32Array',
  float16: 'Uint16Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
  int16: 'Int16Array',
  int32: 'Int32Array',
  int64: 'BigInt64Array',
  float64: 'Float64Array',
};

export class Interpreter {
  readonly model: Model;
  private readonly subgraph: Subgraph;
  private readonly tensors: RuntimeTensor[];
  private readonly nodes: { ctx: NodeContext; kernel: Kernel<unknown> }[];
  private steps: Step[] = [];
  private allocated = false;
  private delegates: Delegate[];
  private readonly options: InterpreterOptions;
  /** The delegate error that made invoke fall back to the CPU (fallbackToCpuOnDelegateError), else null. */
  delegateFailure: Error | null = null;
  private reasons = new Map<number, string>();
  /** Bytes of the activation arena after allocateTensors. */
  arenaBytes = 0;
  /** Called around every step of invoke (InterpreterOptions.observer; harness tools may swap it). */
  observer: StepObserver | undefined;

  private constructor(model: Model, subgraphIndex: number, options: InterpreterOptions) {
    this.model = model;
    this.options = options;
    this.observer = options.observer;
    this.delegates = [...(options.delegates ?? [])];
    const subgraph = model.subgraphs[subgraphIndex];
    if (!subgraph) throw new TensorError(`subgraph ${subgraphIndex} does not exist (the model has ${model.subgraphs.length})`);
    this.subgraph = subgraph;
    const inputs = new Set(subgraph.inputs);
    this.tensors = subgraph.tensors.map((t) => runtimeTensor(t, inputs.has(t.index)));
    const unsupported: UnsupportedNode[] = [];
    this.nodes = [];
    const config: { -readonly [K in keyof KernelConfig]: KernelConfig[K] } = { integerRounding: options.integerRounding ?? 'reference' };
    for (const op of subgraph.operators) {
      const ctx: NodeContext = {
        config,
        index: op.index,
        op,
        inputs: op.inputs.map((i) => (i < 0 ? null : (this.tensors[i] as RuntimeTensor))),
        outputs: op.outputs.map((i) => this.tensors[i] as RuntimeTensor),
        intermediates: op.intermediates.map((i) => this.tensors[i] as RuntimeTensor),
      };
      const inDtypes = ctx.inputs.map((t) => t?.dtype ?? null);
      const outDtypes = ctx.outputs.map((t) => t.dtype);
      const found = lookupKernel(op.op, op.version, inDtypes, outDtypes);
      if (found.ok) this.nodes.push({ ctx, kernel: found.registration.kernel });
      else
        unsupported.push({
          node: op.index,
          op: op.op,
          version: op.version,
          inputs: inDtypes.map((d) => d ?? '-'),
          outputs: outDtypes,
          reason: found.reason,
        });
    }
    if (unsupported.length) throw new UnsupportedOpError(unsupported);
    if (config.integerRounding === 'xnnpack') config.xnnpackDelegate = !xnnpackDelegateFails(this.nodes.map((n) => n.ctx));
  }

  /** Reads the model and finds a kernel for every node; throws ModelError / UnsupportedOpError. */
  static async create(modelBytes: Uint8Array | ArrayBuffer, options: InterpreterOptions = {}): Promise<Interpreter> {
    const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
    return new Interpreter(readModel(bytes), options.subgraph ?? 0, options);
  }

  getInputDetails(): TensorDetails[] {
    return this.subgraph.inputs.map((i) => this.details(i));
  }

  getOutputDetails(): TensorDetails[] {
    return this.subgraph.outputs.map((i) => this.details(i));
  }

  private details(index: number): TensorDetails {
    const t = this.tensors[index] as RuntimeTensor;
    const m = this.subgraph.tensors[index] as Tensor;
    return { name: t.name, index, shape: [...t.shape], shapeSignature: m.shapeSignature, dtype: t.dtype, quantization: t.quantization };
  }

  /** Changes an input's shape; takes effect at the next allocateTensors (or invoke). */
  resizeInput(index: number, shape: readonly number[]): void {
    const t = this.inputTensor(index);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new TensorError(`resizeInput: input tensor ${index} '${t.name}': shape [${shape}] must be non-negative integers`);
    }
    const signature = (this.subgraph.tensors[index] as Tensor).shapeSignature;
    if (signature) {
      const fits = signature.length === shape.length && signature.every((d, i) => d === -1 || d === shape[i]);
      if (!fits) {
        throw new TensorError(
          `resizeInput: input tensor ${index} '${t.name}': shape [${shape}] does not fit its signature [${signature}] (only -1 dimensions may change)`,
        );
      }
    }
    t.shape = [...shape];
    this.allocated = false;
  }

  /**
   * Runs every node's prepare (shape inference, checks), folds nodes whose inputs are all
   * constant, lets the delegates claim nodes, and plans the arena.
   */
  async allocateTensors(): Promise<void> {
    this.releaseDelegateKernels();
    this.allocated = false;
    for (const t of this.tensors) if (t.kind === 'folded' || t.kind === 'dynamic') t.kind = 'activation';
    let steps: Step[] = [];
    for (const { ctx, kernel } of this.nodes) {
      const dynamicInput = ctx.inputs.find((t) => t?.kind === 'dynamic');
      if (dynamicInput) {
        throw new KernelError(
          ctx.index,
          ctx.op.op,
          `input tensor ${dynamicInput.index} '${dynamicInput.name}' has a shape known only at run time; ops after such a tensor are not supported yet`,
        );
      }
      const params = kernel.prepare(ctx);
      const inputsKnown = kernel.readsShapesOnly || ctx.inputs.every((t) => t === null || isKnown(t));
      const foldable = inputsKnown && ctx.outputs.every((t) => t.kind === 'activation');
      if (foldable) {
        for (const o of ctx.outputs) {
          o.data = allocTyped(o.dtype, numElements(o.shape));
          o.kind = 'folded';
        }
        kernel.eval(ctx, params);
      } else steps.push({ kind: 'cpu', ctx, kernel, params });
    }
    this.reasons = new Map();
    for (const delegate of this.delegates) steps = await this.delegateSteps(delegate, steps);
    for (const s of steps) s.info = stepInfo(s);
    this.bindArena(steps);
    this.steps = steps;
    this.allocated = true;
  }

  /** Asks one delegate to claim CPU steps; replaces each claimed subset by one delegate step. */
  private async delegateSteps(delegate: Delegate, steps: Step[]): Promise<Step[]> {
    const cpuSteps = steps.filter((s): s is Extract<Step, { kind: 'cpu' }> => s.kind === 'cpu');
    const graph: DelegateGraph = {
      nodes: cpuSteps.map(
        (s): DelegateNode => ({
          index: s.ctx.index,
          op: s.ctx.op,
          inputs: s.ctx.inputs,
          outputs: s.ctx.outputs,
          kernel: s.kernel,
          params: s.params,
          config: s.ctx.config,
        }),
      ),
      tensors: this.tensors,
      inputs: this.subgraph.inputs,
      outputs: this.subgraph.outputs,
    };
    const claims = await delegate.prepare(graph);
    for (const [node, why] of claims.reasons) if (!this.reasons.has(node)) this.reasons.set(node, why);
    const position = new Map<number, number>(steps.map((s, k) => [s.kind === 'cpu' ? s.ctx.index : -1 - k, k]));
    const claimedBy = new Map<number, number>();
    claims.partitions.forEach((nodes, p) => {
      for (const n of nodes) {
        if (!position.has(n) || steps[position.get(n) as number]?.kind !== 'cpu') {
          throw new DelegateError(`${delegate.name} claimed node ${n}, which is not a CPU node of this plan`);
        }
        if (claimedBy.has(n)) throw new DelegateError(`${delegate.name} claimed node ${n} twice`);
        claimedBy.set(n, p);
      }
    });
    const specs = claims.partitions.map((nodes) => this.partitionSpec(delegate, nodes, position, steps));
    const replaced: Step[] = [];
    const emitted = new Set<number>();
    let next = steps.filter((s) => s.kind === 'delegate').length;
    for (const s of steps) {
      const p = s.kind === 'cpu' ? claimedBy.get(s.ctx.index) : undefined;
      if (p === undefined) replaced.push(s);
      else if (!emitted.has(p)) {
        emitted.add(p);
        const spec = specs[p] as PartitionSpec;
        const kernel = await delegate.createKernel(graph, spec);
        replaced.push({ kind: 'delegate', delegate, spec, kernel, partition: next++ });
      }
    }
    return replaced;
  }

  /** Boundary tensors of a claimed subset; checks it can run as one step at its first node's place. */
  private partitionSpec(delegate: Delegate, nodes: number[], position: Map<number, number>, steps: Step[]): PartitionSpec {
    const members = new Set(nodes);
    const ordered = [...nodes].sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
    const start = position.get(ordered[0] as number) as number;
    const producer = new Map<number, number>();
    steps.forEach((s, k) => {
      if (s.kind === 'cpu') for (const t of s.ctx.outputs) producer.set(t.index, k);
      else for (const t of s.spec.outputs) producer.set(t.index, k);
    });
    const inputs = new Map<number, RuntimeTensor>();
    const produced = new Set<number>();
    for (const n of ordered) {
      const s = steps[position.get(n) as number] as Extract<Step, { kind: 'cpu' }>;
      for (const t of s.ctx.inputs) {
        if (!t || isKnown(t) || produced.has(t.index)) continue;
        const from = producer.get(t.index);
        if (from !== undefined && from >= start) {
          throw new DelegateError(
            `${delegate.name}: partition [${nodes}] needs tensor ${t.index} '${t.name}' from a node that runs inside its span; it would form a cycle`,
          );
        }
        inputs.set(t.index, t);
      }
      for (const t of s.ctx.outputs) produced.add(t.index);
    }
    const readOutside = new Set<number>(this.subgraph.outputs);
    for (const s of steps) {
      if (s.kind === 'cpu' && members.has(s.ctx.index)) continue;
      const reads = s.kind === 'cpu' ? s.ctx.inputs : s.spec.inputs;
      for (const t of reads) if (t) readOutside.add(t.index);
    }
    const outputs = [...produced].filter((i) => readOutside.has(i)).map((i) => this.tensors[i] as RuntimeTensor);
    return { nodes: ordered, inputs: [...inputs.values()], outputs };
  }

  private bindArena(steps: Step[]): void {
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    const touch = (t: RuntimeTensor | null, step: number) => {
      if (!t || (t.kind !== 'activation' && t.kind !== 'input')) return;
      if (!first.has(t.index)) first.set(t.index, step);
      last.set(t.index, step);
    };
    for (const i of this.subgraph.inputs) touch(this.tensors[i] as RuntimeTensor, -1);
    steps.forEach((s, k) => {
      const tensors =
        s.kind === 'cpu' ? [...s.ctx.inputs, ...s.ctx.outputs, ...s.ctx.intermediates] : [...s.spec.inputs, ...s.spec.outputs];
      for (const t of tensors) touch(t, k);
    });
    // Inputs and outputs keep their bytes across invokes: the caller may invoke again on the same inputs.
    for (const i of [...this.subgraph.inputs, ...this.subgraph.outputs]) touch(this.tensors[i] as RuntimeTensor, steps.length);
    if (this.options.preserveAllTensors) for (const id of first.keys()) last.set(id, steps.length);
    const requests = [...first.keys()].map((id) => {
      const t = this.tensors[id] as RuntimeTensor;
      const bytes = byteSize(t.dtype, numElements(t.shape));
      if (bytes === undefined || !hasTypedView(t.dtype)) {
        throw new TensorError(`tensor ${id} '${t.name}': dtype ${t.dtype} cannot live in the activation arena`);
      }
      return { id, bytes, first: first.get(id) as number, last: last.get(id) as number };
    });
    const plan = planArena(requests);
    const arena = new ArrayBuffer(plan.totalBytes);
    for (const [id, offset] of plan.offsets) {
      const t = this.tensors[id] as RuntimeTensor;
      t.data = typedView(new Uint8Array(arena, offset, byteSize(t.dtype, numElements(t.shape))), t.dtype);
    }
    this.arenaBytes = plan.totalBytes;
  }

  private inputTensor(index: number): RuntimeTensor {
    if (!this.subgraph.inputs.includes(index)) {
      throw new TensorError(
        `tensor ${index} is not an input of subgraph ${this.subgraph.index} (inputs: ${this.subgraph.inputs.join(', ')})`,
      );
    }
    return this.tensors[index] as RuntimeTensor;
  }

  private requireAllocated(what: string): void {
    if (!this.allocated) throw new TensorError(`${what}: call allocateTensors() first (and again after resizeInput)`);
  }

  /** Copies values into an input tensor; the typed array must match its dtype and element count. */
  setTensor(index: number, values: TypedArray): void {
    const t = this.inputTensor(index);
    this.requireAllocated('setTensor');
    const want = TYPED_NAMES[t.dtype];
    const got = (values as { constructor?: { name?: string } })?.constructor?.name;
    if (!ArrayBuffer.isView(values) || got !== want) {
      throw new TensorError(
        `setTensor: input tensor ${index} '${t.name}' is ${t.dtype} and needs a ${want ?? t.dtype}; got ${got ?? typeof values}`,
      );
    }
    const n = numElements(t.shape);
    if (values.length !== n) {
      throw new TensorError(
        `setTensor: input tensor ${index} '${t.name}' has shape [${t.shape}] (${n} elements); got ${values.length} elements. Use resizeInput to change its shape.`,
      );
    }
    (t.data as unknown as { set(a: ArrayLike<unknown>): void }).set(values as ArrayLike<unknown>);
  }

  /** A copy of a tensor's current values (any tensor of the subgraph). */
  getTensor(index: number): TypedArray {
    const t = this.tensors[index];
    if (!t) throw new TensorError(`tensor ${index} does not exist (subgraph ${this.subgraph.index} has ${this.tensors.length})`);
    this.requireAllocated('getTensor');
    return t.data.slice() as TypedArray;
  }

  /** The current shape of a tensor. */
  tensorShape(index: number): number[] {
    const t = this.tensors[index];
    if (!t) throw new TensorError(`tensor ${index} does not exist`);
    return [...t.shape];
  }

  /** Runs the graph on the current inputs. */
  async invoke(): Promise<void> {
    if (!this.allocated) await this.allocateTensors();
    const observer = this.observer;
    try {
      for (const s of this.steps) {
        observer?.beforeStep?.(s.info as StepInfo);
        if (s.kind === 'cpu') s.kernel.eval(s.ctx, s.params);
        else await this.invokeDelegateStep(s);
        observer?.afterStep?.(s.info as StepInfo);
      }
    } catch (e) {
      if (!(e instanceof DelegateStepFailure)) throw e;
      if (!this.options.fallbackToCpuOnDelegateError) throw e.cause;
      this.delegateFailure = e.cause;
      await this.removeDelegates();
      await this.invoke();
    }
  }

  private async invokeDelegateStep(s: Extract<Step, { kind: 'delegate' }>): Promise<void> {
    try {
      await s.kernel.invoke();
    } catch (e) {
      throw new DelegateStepFailure(e instanceof Error ? e : new DelegateError(String(e)));
    }
  }

  /**
   * Runs everything on the CPU from now on: disposes every delegate kernel and delegate,
   * re-plans (allocateTensors) and restores the input values, so invoke can run again at once.
   * The recovery after a delegate failure such as DeviceLostError.
   */
  async removeDelegates(): Promise<void> {
    const saved = this.allocated ? this.subgraph.inputs.map((i) => this.getTensor(i)) : null;
    this.releaseDelegateKernels();
    for (const d of this.delegates) d.dispose?.();
    this.delegates = [];
    await this.allocateTensors();
    saved?.forEach((v, k) => {
      const t = this.tensors[this.subgraph.inputs[k] as number] as RuntimeTensor;
      if (t.data.length === v.length) (t.data as unknown as { set(a: ArrayLike<unknown>): void }).set(v as ArrayLike<unknown>);
    });
  }

  /** What runs where, and why: per node and per delegated partition. */
  placement(): Placement {
    this.requireAllocated('placement');
    const where = new Map<number, { backend: string; partition: number | null }>();
    const partitions: PartitionPlacement[] = [];
    for (const s of this.steps) {
      if (s.kind === 'cpu') {
        where.set(s.ctx.index, { backend: 'cpu', partition: null });
        continue;
      }
      for (const n of s.spec.nodes) where.set(n, { backend: s.delegate.name, partition: s.partition });
      const list = (ts: readonly RuntimeTensor[]) => ts.map((t) => ({ index: t.index, name: t.name, bytes: t.data.byteLength }));
      const inputs = list(s.spec.inputs);
      const outputs = list(s.spec.outputs);
      partitions.push({
        id: s.partition,
        backend: s.delegate.name,
        nodes: [...s.spec.nodes],
        inputs,
        outputs,
        bytesIn: inputs.reduce((a, t) => a + t.bytes, 0),
        bytesOut: outputs.reduce((a, t) => a + t.bytes, 0),
        info: s.kernel.describe?.() ?? {},
      });
    }
    const nodes = this.subgraph.operators.map((op): NodePlacement => {
      const w = where.get(op.index) ?? { backend: 'folded', partition: null };
      const p: NodePlacement = { node: op.index, op: op.op, backend: w.backend, partition: w.partition };
      const reason = this.reasons.get(op.index);
      if (w.backend === 'cpu' && reason) p.reason = reason;
      return p;
    });
    const count = (b: string) => nodes.filter((n) => n.backend === b).length;
    const delegated = nodes.length - count('cpu') - count('folded');
    const names = [...new Set(partitions.map((p) => p.backend))].join('+') || 'delegates';
    const summary = `${delegated} nodes on ${names} in ${partitions.length} partition(s), ${count('cpu')} on cpu, ${count('folded')} folded at prepare`;
    return { nodes, partitions, summary };
  }

  private releaseDelegateKernels(): void {
    for (const s of this.steps) if (s.kind === 'delegate') s.kernel.dispose();
    this.steps = [];
  }

  /** Frees delegate resources (GPU buffers, pipelines); the interpreter is unusable afterwards. */
  dispose(): void {
    this.releaseDelegateKernels();
    for (const d of this.delegates) d.dispose?.();
    this.allocated = false;
  }

  /** Restores every variable tensor (e.g. LSTM state) to its initial value. */
  resetVariableTensors(): void {
    for (const t of this.tensors) {
      if (t.kind !== 'variable') continue;
      const m = this.subgraph.tensors[t.index] as Tensor;
      t.data = initialVariable(m);
    }
  }

  /** Number of nodes run per invoke (the rest were folded at prepare). */
  get executedNodes(): number {
    return this.steps.length;
  }
}

/** Wraps an error thrown by a delegate kernel's invoke, to tell it from CPU kernel errors. */
class DelegateStepFailure extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/**
 * A variable tensor's value after reset. TFLite (ResetVariableTensor) ignores any buffer and
 * fills int8 tensors with their zero point, every other type with zeros.
 */
function initialVariable(m: Tensor): TypedArray {
  const fresh = allocTyped(m.dtype, numElements(m.shape));
  const zeroPoint = m.quantization?.zeroPoint[0] ?? 0;
  if (m.dtype === 'int8' && zeroPoint !== 0) (fresh as Int8Array).fill(zeroPoint);
  return fresh;
}

function runtimeTensor(m: Tensor, isInput: boolean): RuntimeTensor {
  const base = { index: m.index, name: m.name, dtype: m.dtype, shape: [...m.shape], quantization: m.quantization, sparsity: m.sparsity };
  if (m.isVariable) return { ...base, kind: 'variable', data: initialVariable(m) };
  if (m.data && !isInput) {
    const data = hasTypedView(m.dtype) ? typedView(m.data, m.dtype) : m.data;
    return { ...base, kind: 'constant', data };
  }
  return { ...base, kind: isInput ? 'input' : 'activation', data: new Float32Array(0) };
}

function stepInfo(s: Step): StepInfo {
  if (s.kind === 'cpu') return { backend: 'cpu', partition: null, nodes: [s.ctx.index], op: s.ctx.op.op, outputs: s.ctx.outputs };
  return { backend: s.delegate.name, partition: s.partition, nodes: s.spec.nodes, op: `partition ${s.partition}`, outputs: s.spec.outputs };
}

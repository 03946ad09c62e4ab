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
import { allocTyped, type DType, hasTypedView, numElements, type TypedArray, typedView } from '../model/dtype.js';
import { readModel } from '../model/reader.js';
import type { Model, Quantization, Subgraph, Tensor } from '../model/types.js';
import { bindArena } from './arena.js';
import { type Delegate, DelegateError, type DelegateKernel } from './delegate.js';
import { delegateSteps } from './delegate_steps.js';
import { TensorError, type UnsupportedNode, UnsupportedOpError } from './errors.js';
import { checkDeclaredSizes, checkOutputSizes, checkSchedule, DEFAULT_MAX_ARENA_BYTES, evalNode, prepareNode } from './limits.js';
import { type Placement, placementOf } from './placement.js';
import { type Step, type StepInfo, type StepObserver, stepInfo } from './steps.js';

export type { NodePlacement, PartitionPlacement, Placement } from './placement.js';
export type { StepInfo, StepObserver } from './steps.js';

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
   * error propagates (and removeDelegates() recovers explicitly). It propagates too while a
   * delegate holds tensors on its device (GPU input / output buffers the caller bound): their
   * values cannot move to the CPU.
   */
  fallbackToCpuOnDelegateError?: boolean;
  /** Called around every step of invoke (harness tools: step timing, storage references). */
  observer?: StepObserver;
  /**
   * The most bytes the model's activations may need: a tensor (declared or inferred) or all of them
   * together above it is refused with a TensorError / KernelError before anything is allocated.
   * Default 1 GiB.
   */
  maxArenaBytes?: number;
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
  /** The async call in flight (invoke, allocateTensors, removeDelegates), if any: calls do not overlap. */
  private busy: string | null = null;
  private disposed = false;
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
      const omitted = op.outputs.indexOf(-1);
      if (omitted >= 0) throw new KernelError(op.index, op.op, `output ${omitted} is omitted (-1); every output must be a tensor`);
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
    checkSchedule(
      this.nodes.map((n) => n.ctx),
      subgraph.outputs.map((i) => this.tensors[i] as RuntimeTensor),
    );
    checkDeclaredSizes(
      this.tensors,
      this.nodes.map((n) => n.ctx),
      this.maxArenaBytes,
    );
    this.resetVariableTensors();
    if (config.integerRounding === 'xnnpack') config.xnnpackDelegate = !xnnpackDelegateFails(this.nodes.map((n) => n.ctx));
  }

  /** Reads the model and finds a kernel for every node; throws ModelError / UnsupportedOpError. */
  private get maxArenaBytes(): number {
    return this.options.maxArenaBytes ?? DEFAULT_MAX_ARENA_BYTES;
  }

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
    this.usable('resizeInput');
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
    await this.exclusive('allocateTensors', () => this.allocate());
  }

  /**
   * One async call at a time: a second invoke() while one runs would mix the two runs' tensors
   * in the shared arena, so it fails at once, as does any call after dispose().
   */
  private async exclusive(what: string, f: () => Promise<void>): Promise<void> {
    this.usable(what);
    this.busy = what;
    try {
      await f();
    } finally {
      this.busy = null;
    }
  }

  /** Throws a TensorError when the interpreter was disposed or an async call is still running. */
  private usable(what: string): void {
    if (this.disposed) throw new TensorError(`${what}: this interpreter was disposed; create a new one`);
    if (this.busy) {
      throw new TensorError(
        `${what}: called while ${this.busy}() is still running on this interpreter; await it first (one call at a time per interpreter)`,
      );
    }
  }

  private async allocate(): Promise<void> {
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
      const params = prepareNode(ctx, kernel);
      checkOutputSizes(ctx, this.maxArenaBytes);
      const inputsKnown = kernel.readsShapesOnly || ctx.inputs.every((t) => t === null || isKnown(t));
      const foldable = inputsKnown && ctx.outputs.every((t) => t.kind === 'activation');
      if (foldable) {
        for (const o of ctx.outputs) {
          o.data = allocTyped(o.dtype, numElements(o.shape));
          o.kind = 'folded';
        }
        evalNode(ctx, kernel, params);
      } else steps.push({ kind: 'cpu', ctx, kernel, params });
    }
    // Shapes inferred at prepare (broadcasts, reshapes) are checked again, before any delegate allocates.
    checkDeclaredSizes(
      this.tensors,
      this.nodes.map((n) => n.ctx),
      this.maxArenaBytes,
    );
    this.reasons = new Map();
    for (const delegate of this.delegates) steps = await delegateSteps(delegate, steps, this.tensors, this.subgraph, this.reasons);
    for (const s of steps) s.info = stepInfo(s);
    this.arenaBytes = bindArena(steps, this.tensors, this.subgraph, this.options.preserveAllTensors ?? false, this.maxArenaBytes);
    this.steps = steps;
    this.allocated = true;
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
    this.usable('setTensor');
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

  /**
   * A copy of a tensor's current values (any tensor of the subgraph). A tensor a delegate left on
   * the device (a GPU input or output buffer the caller bound) throws: read it with readTensor.
   */
  getTensor(index: number): TypedArray {
    this.usable('getTensor');
    const t = this.tensors[index];
    if (!t) throw new TensorError(`tensor ${index} does not exist (subgraph ${this.subgraph.index} has ${this.tensors.length})`);
    this.requireAllocated('getTensor');
    if (this.residentKernel(index)) {
      throw new TensorError(
        `getTensor: tensor ${index} '${t.name}' is held on the device by a delegate (a GPU buffer was bound to it), so its CPU copy is stale; use await interpreter.readTensor(${index}) to read it back`,
      );
    }
    return t.data.slice() as TypedArray;
  }

  /** Like getTensor, and reads a device-resident tensor back first (one transfer; getTensor then works until the next invoke). */
  async readTensor(index: number): Promise<TypedArray> {
    this.usable('readTensor');
    this.requireAllocated('readTensor');
    const kernel = this.residentKernel(index);
    if (kernel) await kernel.readResident?.(index);
    return this.getTensor(index);
  }

  private holdsDeviceTensors(): boolean {
    return this.steps.some((s) => s.kind === 'delegate' && (s.kernel.residentTensors?.().length ?? 0) > 0);
  }

  /** The delegate kernel that holds tensor `index` on its device after the last invoke, if any. */
  private residentKernel(index: number): DelegateKernel | undefined {
    for (const s of this.steps) if (s.kind === 'delegate' && s.kernel.residentTensors?.().includes(index)) return s.kernel;
    return undefined;
  }

  /** The current shape of a tensor. */
  tensorShape(index: number): number[] {
    const t = this.tensors[index];
    if (!t) throw new TensorError(`tensor ${index} does not exist`);
    return [...t.shape];
  }

  /** Runs the graph on the current inputs. */
  async invoke(): Promise<void> {
    await this.exclusive('invoke', () => this.run());
  }

  private async run(): Promise<void> {
    if (!this.allocated) await this.allocate();
    const observer = this.observer;
    try {
      for (const s of this.steps) {
        observer?.beforeStep?.(s.info as StepInfo);
        if (s.kind === 'cpu') evalNode(s.ctx, s.kernel, s.params);
        else await this.invokeDelegateStep(s);
        observer?.afterStep?.(s.info as StepInfo);
      }
    } catch (e) {
      if (!(e instanceof DelegateStepFailure)) throw e;
      // Tensors a delegate holds on its device (bound GPU buffers) cannot move to the CPU.
      if (!this.options.fallbackToCpuOnDelegateError || this.holdsDeviceTensors()) throw e.cause;
      this.delegateFailure = e.cause;
      await this.dropDelegates();
      await this.run();
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
    await this.exclusive('removeDelegates', () => this.dropDelegates());
  }

  private async dropDelegates(): Promise<void> {
    const saved = this.allocated ? this.subgraph.inputs.map((i) => (this.tensors[i] as RuntimeTensor).data.slice() as TypedArray) : null;
    this.releaseDelegateKernels();
    for (const d of this.delegates) d.dispose?.();
    this.delegates = [];
    await this.allocate();
    saved?.forEach((v, k) => {
      const t = this.tensors[this.subgraph.inputs[k] as number] as RuntimeTensor;
      if (t.data.length === v.length) (t.data as unknown as { set(a: ArrayLike<unknown>): void }).set(v as ArrayLike<unknown>);
    });
  }

  /** What runs where, and why: per node and per delegated partition. */
  placement(): Placement {
    this.requireAllocated('placement');
    return placementOf(this.steps, this.subgraph.operators, this.reasons);
  }

  private releaseDelegateKernels(): void {
    for (const s of this.steps) if (s.kind === 'delegate') s.kernel.dispose();
    this.steps = [];
  }

  /** Frees delegate resources (GPU buffers, pipelines); the interpreter is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.releaseDelegateKernels();
    for (const d of this.delegates) d.dispose?.();
    this.allocated = false;
    this.disposed = true;
  }

  /** Restores every variable tensor (e.g. LSTM state) to its initial value. */
  resetVariableTensors(): void {
    this.usable('resetVariableTensors');
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
  // Variables get their bytes once the declared sizes are checked (resetVariableTensors).
  if (m.isVariable) return { ...base, kind: 'variable', data: new Float32Array(0) };
  if (m.data && !isInput) {
    const data = hasTypedView(m.dtype) ? typedView(m.data, m.dtype) : m.data;
    return { ...base, kind: 'constant', data };
  }
  return { ...base, kind: isInput ? 'input' : 'activation', data: new Float32Array(0) };
}

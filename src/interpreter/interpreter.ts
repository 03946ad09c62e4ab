// The CPU interpreter, shaped after tf.lite.Interpreter: create → allocateTensors → setTensor →
// invoke → getTensor. Prepare runs once per input shape: it infers shapes, constant-folds nodes
// whose inputs are all known (FLOAT16 → DEQUANTIZE weights, SHAPE arithmetic), and plans the
// activation arena by tensor lifetimes, so invoke only runs kernels over preallocated views.

import { isKnown, type Kernel, type NodeContext, type RuntimeTensor } from '../kernels/kernel.js';
import { lookupKernel } from '../kernels/registry.js';
import { allocTyped, byteSize, type DType, hasTypedView, numElements, type TypedArray, typedView } from '../model/dtype.js';
import { readModel } from '../model/reader.js';
import type { Model, Quantization, Subgraph, Tensor } from '../model/types.js';
import { planArena } from './arena.js';
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
}

interface Step {
  ctx: NodeContext;
  kernel: Kernel<unknown>;
  params: unknown;
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
  /** Bytes of the activation arena after allocateTensors. */
  arenaBytes = 0;

  private constructor(model: Model, subgraphIndex: number) {
    this.model = model;
    const subgraph = model.subgraphs[subgraphIndex];
    if (!subgraph) throw new TensorError(`subgraph ${subgraphIndex} does not exist (the model has ${model.subgraphs.length})`);
    this.subgraph = subgraph;
    const inputs = new Set(subgraph.inputs);
    this.tensors = subgraph.tensors.map((t) => runtimeTensor(t, inputs.has(t.index)));
    const unsupported: UnsupportedNode[] = [];
    this.nodes = [];
    for (const op of subgraph.operators) {
      const ctx: NodeContext = {
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
  }

  /** Reads the model and finds a kernel for every node; throws ModelError / UnsupportedOpError. */
  static async create(modelBytes: Uint8Array | ArrayBuffer, options: InterpreterOptions = {}): Promise<Interpreter> {
    const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
    return new Interpreter(readModel(bytes), options.subgraph ?? 0);
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

  /** Runs every node's prepare, folds constants, plans the arena. */
  allocateTensors(): void {
    for (const t of this.tensors) if (t.kind === 'folded') t.kind = 'activation';
    const steps: Step[] = [];
    for (const { ctx, kernel } of this.nodes) {
      const params = kernel.prepare(ctx);
      const foldable = ctx.inputs.every((t) => t === null || isKnown(t)) && ctx.outputs.every((t) => t.kind === 'activation');
      if (foldable) {
        for (const o of ctx.outputs) {
          o.data = allocTyped(o.dtype, numElements(o.shape));
          o.kind = 'folded';
        }
        kernel.eval(ctx, params);
      } else steps.push({ ctx, kernel, params });
    }
    this.bindArena(steps);
    this.steps = steps;
    this.allocated = true;
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
      for (const t of s.ctx.inputs) touch(t, k);
      for (const t of s.ctx.outputs) touch(t, k);
      for (const t of s.ctx.intermediates) touch(t, k);
    });
    for (const i of this.subgraph.outputs) touch(this.tensors[i] as RuntimeTensor, steps.length);
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

  /** Copies values into an input tensor; the typed array must match its dtype and element count. */
  setTensor(index: number, values: TypedArray): void {
    const t = this.inputTensor(index);
    if (!this.allocated) this.allocateTensors();
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
    if (!this.allocated) this.allocateTensors();
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
    if (!this.allocated) this.allocateTensors();
    for (const s of this.steps) s.kernel.eval(s.ctx, s.params);
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

function initialVariable(m: Tensor): TypedArray {
  const fresh = allocTyped(m.dtype, numElements(m.shape));
  if (m.data) (fresh as unknown as { set(a: ArrayLike<unknown>): void }).set(typedView(m.data, m.dtype) as ArrayLike<unknown>);
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

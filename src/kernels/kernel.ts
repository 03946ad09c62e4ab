// The contract between the interpreter and every CPU kernel (TFLite's TfLiteRegistration:
// prepare once per shape, eval per invoke). Kernels import only from here, ../model and ../quant.
import { allocTyped, type DType, numElements, type TypedArray } from '../model/dtype.js';
import type { Operator, Quantization, Sparsity } from '../model/types.js';

export type TensorKind =
  /** Data from the model file. */
  | 'constant'
  /** Computed once at prepare time from constants and shapes (e.g. FLOAT16 -> DEQUANTIZE, SHAPE). */
  | 'folded'
  /** A subgraph input, written by setTensor. */
  | 'input'
  /** A variable tensor (e.g. LSTM state): persists across invokes. */
  | 'variable'
  /** An intermediate or output living in the activation arena. */
  | 'activation'
  /**
   * An output whose shape depends on input values known only at eval (TFLite's dynamic
   * tensors, e.g. TRANSPOSE_CONV fed its output_shape at run time): the kernel's prepare marks
   * it with markDynamic, its eval sizes it with resizeDynamic; it lives outside the arena.
   */
  | 'dynamic';

export interface RuntimeTensor {
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  /** Set by the producing node's prepare (outputs) or by the model / resizeInput (inputs). */
  shape: number[];
  readonly quantization: Quantization | null;
  /** Sparse layout of a constant (DENSIFY input), else null. */
  readonly sparsity?: Sparsity | null;
  kind: TensorKind;
  /**
   * Elements as a typed array (FLOAT16 as raw Uint16 bits). Valid in prepare only for
   * 'constant' and 'folded' tensors (see isKnown); valid for every tensor in eval.
   */
  data: TypedArray;
}

/** True when the tensor's values are available at prepare time. */
export function isKnown(t: RuntimeTensor): boolean {
  return t.kind === 'constant' || t.kind === 'folded';
}

/**
 * How integer kernels round where TFLite's two CPU paths differ. TFLite (and LiteRT.js, always)
 * runs int8/uint8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV and BATCH_MATMUL
 * on its default XNNPACK delegate when that delegate accepts the node; XNNPACK requantizes in
 * float32 (ties to even) where the builtin reference kernels use fixed point (ties away from zero).
 * - 'reference' (default): TFLite's builtin reference kernels everywhere — the specification;
 * - 'xnnpack': the nodes XNNPACK would take round as XNNPACK does (what the runtimes compute).
 */
export type IntegerRounding = 'reference' | 'xnnpack';

export interface KernelConfig {
  readonly integerRounding: IntegerRounding;
  /**
   * Under 'xnnpack': false when XNNPACK's delegate would fail on this graph (see
   * xnnpackDelegateFails), so TFLite restores its builtin kernels for every node. Default true.
   */
  readonly xnnpackDelegate?: boolean;
}

export const DEFAULT_KERNEL_CONFIG: KernelConfig = { integerRounding: 'reference' };

/** Whether nodes XNNPACK accepts get XNNPACK's arithmetic (integerRounding 'xnnpack', delegate applied). */
export function xnnpackRuns(ctx: NodeContext): boolean {
  return ctx.config.integerRounding === 'xnnpack' && ctx.config.xnnpackDelegate !== false;
}

export interface NodeContext {
  /** Interpreter-wide choices kernels read in prepare. */
  readonly config: KernelConfig;
  /** Node index in the subgraph. */
  readonly index: number;
  readonly op: Operator;
  /** null where the model omits an optional input (index -1). */
  readonly inputs: readonly (RuntimeTensor | null)[];
  readonly outputs: readonly RuntimeTensor[];
  readonly intermediates: readonly RuntimeTensor[];
}

export interface Kernel<P = unknown> {
  /**
   * Checks the node (throw KernelError with a clear message), sets every output's shape,
   * and precomputes what eval needs (returned as params; scratch buffers belong here too).
   */
  prepare(ctx: NodeContext): P;
  /** Computes the outputs. Must not allocate per call beyond what is unavoidable. */
  eval(ctx: NodeContext, params: P): void;
  /**
   * The outputs depend on the inputs' shapes only (SHAPE, RANK), so the node is folded at
   * prepare even when its inputs' values are not known.
   */
  readonly readsShapesOnly?: boolean;
}

/** A node the kernel cannot run: names the node, op and problem. */
export class KernelError extends Error {
  override name = 'KernelError';
  constructor(
    readonly node: number,
    readonly op: string,
    detail: string,
  ) {
    super(`node ${node} (${op}): ${detail}`);
  }
}

/** Throws a KernelError for this node. */
export function fail(ctx: NodeContext, detail: string): never {
  throw new KernelError(ctx.index, ctx.op.op, detail);
}

/** In prepare: the output's shape is decided in eval (see TensorKind 'dynamic'). */
export function markDynamic(t: RuntimeTensor): void {
  t.kind = 'dynamic';
  t.shape = [];
}

/** In eval: gives a dynamic output its shape and storage (reused while the size fits). */
export function resizeDynamic(t: RuntimeTensor, shape: readonly number[]): void {
  const n = numElements(shape);
  t.shape = [...shape];
  if (t.data.length !== n || t.data.constructor !== allocTyped(t.dtype, 0).constructor) t.data = allocTyped(t.dtype, n);
}

/** Input i, which must be present. */
export function input(ctx: NodeContext, i: number): RuntimeTensor {
  const t = ctx.inputs[i];
  if (!t) fail(ctx, `input ${i} is missing`);
  return t;
}

/** Output i, which must be present. */
export function output(ctx: NodeContext, i: number): RuntimeTensor {
  const t = ctx.outputs[i];
  if (!t) fail(ctx, `output ${i} is missing`);
  return t;
}

export interface KernelRegistration {
  /** BuiltinOperator name, or "CUSTOM:<code>". */
  op: string;
  /** Inclusive op version range. */
  versions: readonly [number, number];
  /** dtypes of the leading inputs, comma-separated; '*' matches any, '-' an omitted input. */
  inputs: string;
  /** dtypes of the leading outputs, when the inputs alone do not decide. */
  outputs?: string;
  // biome-ignore lint/suspicious/noExplicitAny: params are private to each kernel
  kernel: Kernel<any>;
}

/** Shorthand for one registry line. */
export function reg(
  op: string,
  versions: readonly [number, number],
  inputs: string,
  // biome-ignore lint/suspicious/noExplicitAny: params are private to each kernel
  kernel: Kernel<any>,
  outputs?: string,
): KernelRegistration {
  return outputs === undefined ? { op, versions, inputs, kernel } : { op, versions, inputs, outputs, kernel };
}

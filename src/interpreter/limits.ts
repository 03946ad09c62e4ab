// What a model may make the interpreter allocate, and the errors of nodes that fail: a file that
// declares a 2^40-element tensor is refused before any allocation, and a node whose parameters
// no kernel can use fails as a KernelError naming it — never as a RangeError from deep inside.

import { type Kernel, KernelError, type NodeContext, type RuntimeTensor } from '../kernels/kernel.js';
import { byteSize, hasTypedView, numElements } from '../model/dtype.js';
import { QuantizationParamError } from '../quant/errors.js';
import { TensorError } from './errors.js';

/** Default InterpreterOptions.maxArenaBytes: 1 GiB of activations (models for the web use far less). */
export const DEFAULT_MAX_ARENA_BYTES = 2 ** 30;

/** Bytes of a tensor at its current shape (Infinity where the shape or dtype makes no sense). */
export function tensorBytes(t: RuntimeTensor): number {
  const n = numElements(t.shape);
  const bytes = Number.isSafeInteger(n) && n >= 0 ? byteSize(t.dtype, n) : undefined;
  return bytes ?? Number.POSITIVE_INFINITY;
}

function ceilingMessage(t: RuntimeTensor, bytes: number, ceiling: number): string {
  const size = Number.isFinite(bytes) ? `${bytes} bytes` : 'an unrepresentable size';
  return `tensor ${t.index} '${t.name}' of shape [${t.shape}] (${t.dtype}) needs ${size}, above the arena ceiling of ${ceiling} bytes (InterpreterOptions.maxArenaBytes)`;
}

/**
 * Declared sizes and dtypes, before anything is allocated: a tensor the nodes compute whose dtype
 * has no storage, or one tensor, or all activations together, above the ceiling.
 */
export function checkDeclaredSizes(tensors: readonly RuntimeTensor[], nodes: readonly NodeContext[], ceiling: number): void {
  const computed = new Set(nodes.flatMap((n) => n.outputs));
  let total = 0;
  for (const t of tensors) {
    if (t.kind === 'constant') continue;
    if ((computed.has(t) || t.kind === 'variable') && !hasTypedView(t.dtype)) {
      const what = t.kind === 'variable' ? 'is a variable' : 'is computed by a node';
      throw new TensorError(`tensor ${t.index} '${t.name}' ${what} but has dtype ${t.dtype}, which no kernel stores`);
    }
    const bytes = tensorBytes(t);
    if (bytes > ceiling) throw new TensorError(ceilingMessage(t, bytes, ceiling));
    total += bytes;
  }
  if (total > ceiling) {
    throw new TensorError(
      `the model's activations declare ${total} bytes together, above the arena ceiling of ${ceiling} bytes (InterpreterOptions.maxArenaBytes)`,
    );
  }
}

/** After a node's prepare: the shapes it inferred for its outputs stay under the ceiling. */
export function checkOutputSizes(ctx: NodeContext, ceiling: number): void {
  for (const t of ctx.outputs) {
    const bytes = tensorBytes(t);
    if (bytes > ceiling) throw new KernelError(ctx.index, ctx.op.op, `output ${ceilingMessage(t, bytes, ceiling)}`);
  }
}

/** An allocation the engine refused (a size past what typed arrays hold, or out of memory). */
function isAllocationFailure(e: unknown): e is RangeError {
  return e instanceof RangeError && /Invalid typed array length|Array buffer allocation failed|Invalid array buffer length/.test(e.message);
}

/**
 * A kernel's prepare or eval failure as it should reach the caller: parameters no kernel can use
 * (QuantizationParamError) and refused allocations become a KernelError naming the node; any
 * other error passes unchanged.
 */
function asNodeError(ctx: NodeContext, stage: 'prepare' | 'eval', e: unknown): unknown {
  if (e instanceof QuantizationParamError) return new KernelError(ctx.index, ctx.op.op, e.message);
  if (isAllocationFailure(e)) return new KernelError(ctx.index, ctx.op.op, `${stage} could not allocate its buffers (${e.message})`);
  return e;
}

/** kernel.prepare(ctx), its failures named (asNodeError). */
export function prepareNode(ctx: NodeContext, kernel: Kernel<unknown>): unknown {
  try {
    return kernel.prepare(ctx);
  } catch (e) {
    throw asNodeError(ctx, 'prepare', e);
  }
}

/** kernel.eval(ctx, params), its failures named; no closure, as it runs for every node of every invoke. */
export function evalNode(ctx: NodeContext, kernel: Kernel<unknown>, params: unknown): void {
  try {
    kernel.eval(ctx, params);
  } catch (e) {
    throw asNodeError(ctx, 'eval', e);
  }
}

/**
 * The node order is a schedule: every tensor a node reads is a constant, a subgraph input, a
 * variable or the output of an earlier node, and nothing writes a constant, an input or a tensor
 * another node already wrote, and every graph output is computed. A cycle or a dangling read in
 * a broken file ends here, named.
 */
export function checkSchedule(nodes: readonly NodeContext[], graphOutputs: readonly RuntimeTensor[]): void {
  const written = new Set<RuntimeTensor>();
  for (const ctx of nodes) {
    for (const t of ctx.inputs) {
      // A zero-element tensor has no values to read (converters write shape-[0] placeholders).
      if (t === null || t.kind !== 'activation' || written.has(t) || numElements(t.shape) === 0) continue;
      const later = nodes.some((n) => n.index >= ctx.index && n.outputs.includes(t));
      throw new KernelError(
        ctx.index,
        ctx.op.op,
        `reads tensor ${t.index} '${t.name}' ${later ? 'that it or a later node writes (a cycle or an unsorted graph)' : 'which no node writes and which is neither a constant nor a subgraph input'}`,
      );
    }
    for (const t of ctx.outputs) {
      const clash =
        t.kind === 'constant'
          ? 'a constant'
          : t.kind === 'input'
            ? 'a subgraph input'
            : written.has(t)
              ? 'already written by an earlier node'
              : null;
      if (clash) throw new KernelError(ctx.index, ctx.op.op, `writes tensor ${t.index} '${t.name}', which is ${clash}`);
      if (t.kind !== 'variable') written.add(t);
    }
  }
  for (const t of graphOutputs) {
    if (t.kind === 'activation' && !written.has(t) && numElements(t.shape) > 0) {
      throw new TensorError(`subgraph output tensor ${t.index} '${t.name}' is written by no node (and is neither a constant nor an input)`);
    }
  }
}

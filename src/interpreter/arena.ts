// Activation memory planned by tensor lifetimes (TFLite's ArenaPlanner, greedy by size):
// tensors whose lifetimes do not overlap share bytes of one ArrayBuffer.
import type { RuntimeTensor } from '../kernels/kernel.js';
import { byteSize, hasTypedView, numElements, typedView } from '../model/dtype.js';
import type { Subgraph } from '../model/types.js';
import { TensorError } from './errors.js';
import type { Step } from './steps.js';

export interface ArenaRequest {
  /** Caller's id for the tensor. */
  id: number;
  bytes: number;
  /** First and last step (inclusive) at which the tensor must hold its value. */
  first: number;
  last: number;
}

export interface ArenaPlan {
  /** Byte offset per request id. */
  offsets: Map<number, number>;
  totalBytes: number;
}

/** Every offset is a multiple of this, so any typed-array view (and SIMD-friendly rows) fits. */
export const ARENA_ALIGNMENT = 64;

const align = (n: number) => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

/** Places the largest tensors first, each at the lowest offset free during its whole lifetime. */
export function planArena(requests: readonly ArenaRequest[]): ArenaPlan {
  const order = [...requests].sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const placed: { offset: number; end: number; first: number; last: number }[] = [];
  const offsets = new Map<number, number>();
  let totalBytes = 0;
  for (const r of order) {
    const size = align(r.bytes);
    // Intervals already placed that are alive at the same time, by offset.
    const live = placed.filter((p) => p.first <= r.last && r.first <= p.last).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of live) {
      if (offset + size <= p.offset) break;
      offset = Math.max(offset, p.end);
    }
    placed.push({ offset, end: offset + size, first: r.first, last: r.last });
    offsets.set(r.id, offset);
    totalBytes = Math.max(totalBytes, offset + size);
  }
  return { offsets, totalBytes };
}

/**
 * Gives every activation and input its bytes in one arena, shared by tensors whose lifetimes
 * over the steps do not overlap; returns the arena's size.
 */
export function bindArena(
  steps: readonly Step[],
  tensors: readonly RuntimeTensor[],
  subgraph: Subgraph,
  preserveAll: boolean,
  ceiling: number,
): number {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const touch = (t: RuntimeTensor | null, step: number) => {
    if (!t || (t.kind !== 'activation' && t.kind !== 'input')) return;
    if (!first.has(t.index)) first.set(t.index, step);
    last.set(t.index, step);
  };
  for (const i of subgraph.inputs) touch(tensors[i] as RuntimeTensor, -1);
  steps.forEach((s, k) => {
    const tensors = s.kind === 'cpu' ? [...s.ctx.inputs, ...s.ctx.outputs, ...s.ctx.intermediates] : [...s.spec.inputs, ...s.spec.outputs];
    for (const t of tensors) touch(t, k);
  });
  // Inputs and outputs keep their bytes across invokes: the caller may invoke again on the same inputs.
  for (const i of [...subgraph.inputs, ...subgraph.outputs]) touch(tensors[i] as RuntimeTensor, steps.length);
  if (preserveAll) for (const id of first.keys()) last.set(id, steps.length);
  const requests = [...first.keys()].map((id) => {
    const t = tensors[id] as RuntimeTensor;
    const bytes = byteSize(t.dtype, numElements(t.shape));
    if (bytes === undefined || !hasTypedView(t.dtype)) {
      throw new TensorError(`tensor ${id} '${t.name}': dtype ${t.dtype} cannot live in the activation arena`);
    }
    return { id, bytes, first: first.get(id) as number, last: last.get(id) as number };
  });
  const plan = planArena(requests);
  if (plan.totalBytes > ceiling) {
    throw new TensorError(
      `the activation arena needs ${plan.totalBytes} bytes, above the ceiling of ${ceiling} bytes (InterpreterOptions.maxArenaBytes)`,
    );
  }
  const arena = new ArrayBuffer(plan.totalBytes);
  for (const [id, offset] of plan.offsets) {
    const t = tensors[id] as RuntimeTensor;
    t.data = typedView(new Uint8Array(arena, offset, byteSize(t.dtype, numElements(t.shape))), t.dtype);
  }
  return plan.totalBytes;
}

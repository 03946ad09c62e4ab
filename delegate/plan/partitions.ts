// Which nodes the GPU runs, with a reason for every node left on the CPU, and how the supported
// nodes are grouped into partitions (contiguous runs, filtered by size and count).
import { contiguousPartitions, type DelegateClaims, type DelegateGraph, type DelegateNode } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { OpContext } from '../program.js';
import { hasIntegerActivations, selectImpl } from '../registry.js';
import type { FloatView } from './float_view.js';
import { bytesPerSlice, integerStorage } from './precision.js';
import { unpreparedReason } from './prepared.js';

/** Largest rank any delegated tensor may have. */
const MAX_RANK = 6;

export interface PartitionChoice {
  /** Node indices or op names kept on the CPU. */
  readonly forceCpu: ReadonlySet<number | string>;
  /** Partitions with fewer nodes stay on the CPU. */
  readonly minNodesPerPartition: number;
  /** At most this many partitions, the largest kept. */
  readonly maxDelegatedPartitions: number;
  /** quantizedExecution 'float': the graph's float view, else null. */
  readonly floatView: FloatView | null;
}

/** true, or why the node stays on the CPU. */
export function supportVerdict(
  node: DelegateNode,
  ctx: OpContext,
  forceCpu: ReadonlySet<number | string>,
  floatView: FloatView | null = null,
): true | string {
  if (forceCpu.has(node.index) || forceCpu.has(node.op.op)) return 'forced to CPU by options.forceCpu';
  const unprepared = unpreparedReason(node);
  if (unprepared) return unprepared;
  const tensors = [...node.inputs.filter((t): t is RuntimeTensor => t !== null && !isKnown(t)), ...node.outputs];
  for (const t of tensors) {
    // Like TFLite's GPU delegate: static shapes only (the plan, buffers and uniforms are fixed at build).
    if (t.kind === 'dynamic') return `tensor ${t.index} '${t.name}' has a shape known only at run time`;
    const stored = t.dtype === 'float32' ? 'fp32' : integerStorage(t.dtype);
    if (!stored)
      return `dtype ${t.dtype} not supported (tensor ${t.index} '${t.name}'): the GPU runs float32, int8, uint8, int16 and int32 activations`;
    if (t.shape.length > MAX_RANK) return `tensor ${t.index} '${t.name}' has rank ${t.shape.length} (at most ${MAX_RANK})`;
    const layout = sliceLayout(t.shape);
    if (layout.sliceCount === 0) return `tensor ${t.index} '${t.name}' is empty (shape [${t.shape}])`;
    const bytes = layout.sliceCount * bytesPerSlice(stored);
    if (bytes > ctx.limits.maxStorageBufferBindingSize) {
      return `tensor ${t.index} '${t.name}' needs ${bytes} bytes, above maxStorageBufferBindingSize (${ctx.limits.maxStorageBufferBindingSize})`;
    }
  }
  try {
    // quantizedExecution 'float': a quantized node whose float twin runs on the GPU runs as that.
    if (floatView && hasIntegerActivations(node) && floatView.floatVerdict(node, ctx) === true) return true;
    const chosen = selectImpl(node, ctx);
    return chosen.ok ? true : chosen.reason;
  } catch (e) {
    return `internal error while checking support: ${(e as Error).message}`;
  }
}

/** The partitions to delegate, and the reason for every node that stays on the CPU. */
export function choosePartitions(graph: DelegateGraph, ctx: OpContext, choice: PartitionChoice): DelegateClaims {
  const reasons = new Map<number, string>();
  const supported = new Set<number>();
  for (const node of graph.nodes) {
    const verdict = supportVerdict(node, ctx, choice.forceCpu, choice.floatView);
    if (verdict === true) supported.add(node.index);
    else reasons.set(node.index, `${node.op.op}: ${verdict}`);
  }
  const opOf = new Map(graph.nodes.map((n) => [n.index, n.op.op]));
  const leave = (part: readonly number[], why: string) => {
    for (const i of part) reasons.set(i, `${opOf.get(i)}: ${why}`);
  };
  let partitions = contiguousPartitions(graph.nodes, (n) => supported.has(n.index));
  const min = choice.minNodesPerPartition;
  partitions = partitions.filter((p) => {
    if (p.length >= min) return true;
    leave(p, `partition of ${p.length} node(s) is smaller than minNodesPerPartition=${min}`);
    return false;
  });
  const max = choice.maxDelegatedPartitions;
  if (partitions.length > max) {
    const keep = new Set([...partitions].sort((a, b) => b.length - a.length).slice(0, max));
    for (const p of partitions) {
      if (!keep.has(p)) leave(p, `partition of ${p.length} node(s) not delegated: maxDelegatedPartitions=${max} keeps the largest`);
    }
    partitions = partitions.filter((p) => keep.has(p));
  }
  return { partitions, reasons };
}

// The placement report: what runs where, and why — per node and per delegated partition.
import type { RuntimeTensor } from '../kernels/kernel.js';
import type { Operator } from '../model/types.js';
import type { Step } from './steps.js';

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

/** What runs where, and why: per node and per delegated partition. */
export function placementOf(steps: readonly Step[], operators: readonly Operator[], reasons: ReadonlyMap<number, string>): Placement {
  const where = new Map<number, { backend: string; partition: number | null }>();
  const partitions: PartitionPlacement[] = [];
  for (const s of steps) {
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
  const nodes = operators.map((op): NodePlacement => {
    const w = where.get(op.index) ?? { backend: 'folded', partition: null };
    const p: NodePlacement = { node: op.index, op: op.op, backend: w.backend, partition: w.partition };
    const reason = reasons.get(op.index);
    if (w.backend === 'cpu' && reason) p.reason = reason;
    return p;
  });
  const count = (b: string) => nodes.filter((n) => n.backend === b).length;
  const delegated = nodes.length - count('cpu') - count('folded');
  const names = [...new Set(partitions.map((p) => p.backend))].join('+') || 'delegates';
  const summary = `${delegated} nodes on ${names} in ${partitions.length} partition(s), ${count('cpu')} on cpu, ${count('folded')} folded at prepare`;
  return { nodes, partitions, summary };
}

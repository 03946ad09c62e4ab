// Step 1 of a partition's plan: each node's implementation and its GPU work as data.
import type { DelegateGraph, DelegateNode, PartitionSpec } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { selectImpl } from '../registry.js';

export interface NodePlan {
  readonly node: DelegateNode;
  readonly impl: OpImpl;
  readonly program: NodeProgram;
  /** What its dispatches read that the partition computes (activationReads). */
  readonly reads: readonly RuntimeTensor[];
}

export function describeNode(node: DelegateNode): string {
  return `node ${node.index} (${node.op.op})`;
}

/** The partition's nodes in order, each with the program of its first supporting implementation. */
export function planPrograms(graph: DelegateGraph, spec: PartitionSpec, ctx: OpContext, label: string): NodePlan[] {
  const byIndex = new Map(graph.nodes.map((n) => [n.index, n]));
  return spec.nodes.map((i) => {
    const node = byIndex.get(i);
    if (!node) throw new DelegateError(`${label}: node ${i} is not in the graph`);
    const chosen = selectImpl(node, ctx);
    if (!chosen.ok) throw new DelegateError(`${label}: ${describeNode(node)} cannot run on the GPU: ${chosen.reason}`);
    const program = chosen.impl.build(node, ctx);
    return { node, impl: chosen.impl, program, reads: activationReads(node, program) };
  });
}

/** Tensors a node's dispatches read that something in the partition computes (not constants, not its outputs). */
export function activationReads(node: DelegateNode, program: NodeProgram): RuntimeTensor[] {
  if (program.kind === 'alias') return [node.inputs[0] as RuntimeTensor];
  const outputs = new Set(node.outputs.map((t) => t.index));
  const seen = new Map<number, RuntimeTensor>();
  for (const d of program.dispatches) {
    for (const src of Object.values(d.bindings)) {
      if (src.kind === 'tensor' && !isKnown(src.tensor) && !outputs.has(src.tensor.index)) seen.set(src.tensor.index, src.tensor);
    }
  }
  return [...seen.values()];
}

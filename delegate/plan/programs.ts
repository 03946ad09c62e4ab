// Step 1 of a partition's plan: each node's implementation and its GPU work as data, with
// epilogue fusion (fusion.ts) unless every tensor is to be read back.
import type { DelegateGraph, DelegateNode, PartitionSpec } from '../../src/interpreter/delegate.js';
import { DelegateError } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { epilogueName, withEpilogue } from '../ops/epilogue.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { selectImpl } from '../registry.js';
import { type FusedGroup, planFusion } from './fusion.js';

export interface NodePlan {
  /**
   * The node; for a fused group its producer, with the outputs of the group's last node (what the
   * group writes).
   */
  readonly node: DelegateNode;
  readonly impl: OpImpl;
  /** The implementation's name, or the fused group's, e.g. 'conv2d_1x1+add+relu'. */
  readonly name: string;
  /** Nodes absorbed into this one's dispatch (fusion.ts), in order. */
  readonly fused: readonly DelegateNode[];
  readonly program: NodeProgram;
  /** What its dispatches read that the partition computes (activationReads). */
  readonly reads: readonly RuntimeTensor[];
}

export function describeNode(node: DelegateNode): string {
  return `node ${node.index} (${node.op.op})`;
}

/**
 * The partition's nodes in order, each with the program of its first supporting implementation;
 * with `fuse`, a fused group in place of its last member (fusion.ts says why there).
 */
export function planPrograms(graph: DelegateGraph, spec: PartitionSpec, ctx: OpContext, label: string, fuse: boolean): NodePlan[] {
  const byIndex = new Map(graph.nodes.map((n) => [n.index, n]));
  const impls = new Map<number, OpImpl>();
  const nodes = spec.nodes.map((i) => {
    const node = byIndex.get(i);
    if (!node) throw new DelegateError(`${label}: node ${i} is not in the graph`);
    const chosen = selectImpl(node, ctx);
    if (!chosen.ok) throw new DelegateError(`${label}: ${describeNode(node)} cannot run on the GPU: ${chosen.reason}`);
    impls.set(i, chosen.impl);
    return node;
  });
  const groups = fuse ? planFusion(graph, spec, impls) : new Map<number, FusedGroup>();
  // Where each group runs: at its last member.
  const groupAt = new Map([...groups.values()].map((g) => [(g.absorbed[g.absorbed.length - 1] as DelegateNode).index, g]));
  const inGroup = new Set([...groups.values()].flatMap((g) => [g.head.index, ...g.absorbed.map((n) => n.index)]));
  const plans: NodePlan[] = [];
  for (const node of nodes) {
    const group = groupAt.get(node.index);
    if (group) {
      plans.push(fusedPlan(group, impls.get(group.head.index) as OpImpl, ctx, label));
      continue;
    }
    if (inGroup.has(node.index)) continue;
    const impl = impls.get(node.index) as OpImpl;
    const program = impl.build(node, ctx);
    plans.push({ node, impl, name: impl.name, fused: [], program, reads: activationReads(node, program) });
  }
  return plans;
}

function fusedPlan(group: FusedGroup, impl: OpImpl, ctx: OpContext, label: string): NodePlan {
  const last = group.absorbed[group.absorbed.length - 1] as DelegateNode;
  const output = last.outputs[0] as RuntimeTensor;
  const where = `${label}: ${describeNode(group.head)}`;
  const program = withEpilogue(impl.build(group.head, ctx), group.epilogue, output, where);
  const node: DelegateNode = { ...group.head, outputs: last.outputs };
  const name = `${impl.name}${epilogueName(group.epilogue)}`;
  return { node, impl, name, fused: group.absorbed, program, reads: activationReads(node, program) };
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

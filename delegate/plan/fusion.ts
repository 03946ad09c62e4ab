// Epilogue fusion: a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED whose implementation stores
// through shaders/epilogue.wgsl absorbs the nodes that follow it elementwise (an activation, a
// same-shape residual ADD, an activation after that ADD), so the group is one dispatch and the
// intermediates are never stored. A residual made by a zero PAD of the channels is read unpadded
// (the PAD is absorbed too). A tensor between two members must have no other reader and
// must not leave the partition (graph output, or read by a CPU node); every member must be in
// the partition. The group runs where its last member ran: the residual is computed by then,
// and the producer's inputs live until then.
import type { DelegateGraph, DelegateNode, PartitionSpec } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { channelPad, type Epilogue, type EpilogueActivation, epilogueActivation, epilogueResidual } from '../ops/epilogue.js';
import type { OpImpl } from '../program.js';

export interface FusedGroup {
  /** The producer (the group's first node). */
  readonly head: DelegateNode;
  /** The absorbed nodes in chain order (a folded PAD before its ADD); the group writes the last one's output. */
  readonly absorbed: readonly DelegateNode[];
  readonly epilogue: Epilogue;
}

/** Readers of each tensor (one entry per input slot that reads it), over the whole graph. */
function readersOf(graph: DelegateGraph): Map<number, DelegateNode[]> {
  const readers = new Map<number, DelegateNode[]>();
  for (const n of graph.nodes) {
    for (const t of n.inputs) if (t) readers.set(t.index, [...(readers.get(t.index) ?? []), n]);
  }
  return readers;
}

/** Fused groups by head node index; nodes not in any group run on their own. */
export function planFusion(graph: DelegateGraph, spec: PartitionSpec, impls: ReadonlyMap<number, OpImpl>): Map<number, FusedGroup> {
  const readers = readersOf(graph);
  const inPartition = new Set(spec.nodes);
  const leaves = new Set([...graph.outputs, ...spec.outputs.map((t) => t.index)]);
  const byIndex = new Map(graph.nodes.map((n) => [n.index, n]));
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((t) => [t.index, n] as const)));
  /** `t` is read only by `reader`, inside the partition, and nowhere else. */
  const onlyFor = (t: RuntimeTensor, reader: DelegateNode) => {
    const r = readers.get(t.index) ?? [];
    return r.length === 1 && r[0] === reader && !leaves.has(t.index) && inPartition.has(reader.index);
  };
  const taken = new Set<number>();
  const groups = new Map<number, FusedGroup>();
  for (const i of spec.nodes) {
    const head = byIndex.get(i);
    if (!head || taken.has(i) || !impls.get(i)?.epilogue || head.outputs.length !== 1) continue;
    let pre: EpilogueActivation | null = null;
    let residual: Epilogue['residual'] = null;
    let post: EpilogueActivation | null = null;
    const absorbed: DelegateNode[] = [];
    let current = head.outputs[0] as RuntimeTensor;
    for (;;) {
      const next = readers.get(current.index)?.[0];
      if (!next || !onlyFor(current, next) || taken.has(next.index)) break;
      const activation = epilogueActivation(next, current);
      if (typeof activation !== 'string') {
        // An activation before the ADD, or one after it; PRELU's alpha binding serves one PRELU.
        if (activation.alpha && (pre?.alpha || post?.alpha)) break;
        if (!residual && !pre) pre = activation;
        else if (residual && !post) post = activation;
        else break;
      } else {
        const add: Epilogue['residual'] | string = residual || post ? 'one ADD per group' : epilogueResidual(next, current);
        if (typeof add === 'string') break;
        const padNode = producer.get(add.tensor.index);
        const pad: ReturnType<typeof channelPad> =
          padNode && !taken.has(padNode.index) && onlyFor(add.tensor, next) ? channelPad(padNode) : 'no PAD';
        if (typeof pad !== 'string' && inPartition.has(pad.node.index)) {
          residual = { ...add, pad };
          absorbed.push(pad.node);
        } else residual = add;
      }
      absorbed.push(next);
      current = next.outputs[0] as RuntimeTensor;
    }
    if (!absorbed.length) continue;
    for (const n of absorbed) taken.add(n.index);
    groups.set(i, { head, absorbed, epilogue: { pre, residual, post } });
  }
  return groups;
}

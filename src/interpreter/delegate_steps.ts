// Delegation of a plan (TFLite's ModifyGraphWithDelegate): shows a delegate the prepared CPU
// steps, checks its claims, and replaces each claimed subset by one delegate step with the
// tensors that cross the subset's boundary.
import { isKnown, type RuntimeTensor } from '../kernels/kernel.js';
import type { Subgraph } from '../model/types.js';
import { type Delegate, DelegateError, type DelegateGraph, type DelegateNode, type PartitionSpec } from './delegate.js';
import type { CpuStep, Step } from './steps.js';

/** Asks one delegate to claim CPU steps (each with its kernel's prepared params); replaces each claimed subset by one delegate step. */
export async function delegateSteps(
  delegate: Delegate,
  steps: Step[],
  tensors: readonly RuntimeTensor[],
  subgraph: Subgraph,
  reasons: Map<number, string>,
): Promise<Step[]> {
  const cpuSteps = steps.filter((s): s is CpuStep => s.kind === 'cpu');
  const graph: DelegateGraph = {
    nodes: cpuSteps.map(
      (s): DelegateNode => ({
        index: s.ctx.index,
        op: s.ctx.op,
        inputs: s.ctx.inputs,
        outputs: s.ctx.outputs,
        kernel: s.kernel,
        params: s.params,
        config: s.ctx.config,
      }),
    ),
    tensors,
    inputs: subgraph.inputs,
    outputs: subgraph.outputs,
  };
  const claims = await delegate.prepare(graph);
  for (const [node, why] of claims.reasons) if (!reasons.has(node)) reasons.set(node, why);
  const position = new Map<number, number>(steps.map((s, k) => [s.kind === 'cpu' ? s.ctx.index : -1 - k, k]));
  const claimedBy = new Map<number, number>();
  claims.partitions.forEach((nodes, p) => {
    for (const n of nodes) {
      if (!position.has(n) || steps[position.get(n) as number]?.kind !== 'cpu') {
        throw new DelegateError(`${delegate.name} claimed node ${n}, which is not a CPU node of this plan`);
      }
      if (claimedBy.has(n)) throw new DelegateError(`${delegate.name} claimed node ${n} twice`);
      claimedBy.set(n, p);
    }
  });
  const specs = claims.partitions.map((nodes) => partitionSpec(delegate, nodes, position, steps, tensors, subgraph));
  const replaced: Step[] = [];
  const emitted = new Set<number>();
  let next = steps.filter((s) => s.kind === 'delegate').length;
  for (const s of steps) {
    const p = s.kind === 'cpu' ? claimedBy.get(s.ctx.index) : undefined;
    if (p === undefined) replaced.push(s);
    else if (!emitted.has(p)) {
      emitted.add(p);
      const spec = specs[p] as PartitionSpec;
      const kernel = await delegate.createKernel(graph, spec);
      replaced.push({ kind: 'delegate', delegate, spec, kernel, partition: next++ });
    }
  }
  return replaced;
}

/** Boundary tensors of a claimed subset; checks it can run as one step at its first node's place. */
function partitionSpec(
  delegate: Delegate,
  nodes: number[],
  position: Map<number, number>,
  steps: Step[],
  tensors: readonly RuntimeTensor[],
  subgraph: Subgraph,
): PartitionSpec {
  const members = new Set(nodes);
  const ordered = [...nodes].sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
  const start = position.get(ordered[0] as number) as number;
  const producer = new Map<number, number>();
  steps.forEach((s, k) => {
    if (s.kind === 'cpu') for (const t of s.ctx.outputs) producer.set(t.index, k);
    else for (const t of s.spec.outputs) producer.set(t.index, k);
  });
  const inputs = new Map<number, RuntimeTensor>();
  const produced = new Set<number>();
  for (const n of ordered) {
    const s = steps[position.get(n) as number] as CpuStep;
    for (const t of s.ctx.inputs) {
      if (!t || isKnown(t) || produced.has(t.index)) continue;
      const from = producer.get(t.index);
      if (from !== undefined && from >= start) {
        throw new DelegateError(
          `${delegate.name}: partition [${nodes}] needs tensor ${t.index} '${t.name}' from a node that runs inside its span; it would form a cycle`,
        );
      }
      inputs.set(t.index, t);
    }
    for (const t of s.ctx.outputs) produced.add(t.index);
  }
  const readOutside = new Set<number>(subgraph.outputs);
  for (const s of steps) {
    if (s.kind === 'cpu' && members.has(s.ctx.index)) continue;
    const reads = s.kind === 'cpu' ? s.ctx.inputs : s.spec.inputs;
    for (const t of reads) if (t) readOutside.add(t.index);
  }
  const outputs = [...produced].filter((i) => readOutside.has(i)).map((i) => tensors[i] as RuntimeTensor);
  return { nodes: ordered, inputs: [...inputs.values()], outputs };
}

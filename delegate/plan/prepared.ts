// Graphs from other interpreters: nodes that arrive without this runtime's CPU prepare (no
// kernel / params in the DelegateNode) get it here, once per graph, so the GPU builders always
// build from a prepared plan. A node the CPU kernels cannot prepare stays unprepared, and its
// reason says why.
import type { DelegateGraph, DelegateNode } from '../../src/interpreter/delegate.js';
import { DEFAULT_KERNEL_CONFIG, KernelError, type NodeContext } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';

const preparedGraphs = new WeakMap<DelegateGraph, DelegateGraph>();
const unpreparedWhy = new WeakMap<DelegateNode, string>();

/** The graph with every node prepared where the CPU kernels can (the graph itself when all are). */
export function withPreparedNodes(graph: DelegateGraph): DelegateGraph {
  if (graph.nodes.every((n) => n.kernel)) return graph;
  let prepared = preparedGraphs.get(graph);
  if (!prepared) {
    prepared = { ...graph, nodes: graph.nodes.map((n) => (n.kernel ? n : prepareNode(n))) };
    preparedGraphs.set(graph, prepared);
  }
  return prepared;
}

/** Why a node arrived unprepared and could not be prepared here, or null. */
export function unpreparedReason(node: DelegateNode): string | null {
  return node.kernel ? null : (unpreparedWhy.get(node) ?? 'the node was not prepared by a CPU kernel');
}

/** The node prepared by the CPU kernel the registry picks, or unprepared with the reason. */
export function prepareNode(node: DelegateNode): DelegateNode {
  const found = lookupKernel(
    node.op.op,
    node.op.version,
    node.inputs.map((t) => t?.dtype ?? null),
    node.outputs.map((t) => t.dtype),
  );
  if (!found.ok) return unprepared(node, found.reason);
  const ctx: NodeContext = {
    config: DEFAULT_KERNEL_CONFIG,
    index: node.index,
    op: node.op,
    inputs: node.inputs,
    outputs: node.outputs,
    intermediates: [],
  };
  try {
    const kernel = found.registration.kernel;
    return { ...node, kernel, params: kernel.prepare(ctx), config: DEFAULT_KERNEL_CONFIG };
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return unprepared(node, `the CPU prepare refuses it: ${e.message.replace(/^node \d+ \([^)]*\): /, '')}`);
  }
}

function unprepared(node: DelegateNode, why: string): DelegateNode {
  const copy = { ...node };
  unpreparedWhy.set(copy, why);
  return copy;
}

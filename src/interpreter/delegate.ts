// The public delegate contract, in the spirit of TfLiteDelegate. After the shared prepare step
// (shapes inferred, constants folded), the interpreter shows each delegate the graph; the
// delegate claims disjoint node subsets and says why it leaves the others; the interpreter
// replaces each subset by one delegate kernel, and moves the tensors that cross a partition
// boundary: it hands the kernel its input tensors' current values and expects the outputs back.
import type { Kernel, KernelConfig, RuntimeTensor } from '../kernels/kernel.js';
import type { Operator } from '../model/types.js';

export interface DelegateNode {
  /** Node index in the subgraph. */
  readonly index: number;
  readonly op: Operator;
  readonly inputs: readonly (RuntimeTensor | null)[];
  readonly outputs: readonly RuntimeTensor[];
  /**
   * The CPU kernel this runtime's interpreter chose for the node, and what its prepare computed
   * (one prepare for CPU and GPU). Absent when another interpreter built the graph: a delegate
   * then runs the CPU prepare itself (the WebGPU delegate does).
   */
  readonly kernel?: Kernel<unknown>;
  readonly params?: unknown;
  /** The interpreter-wide choices the prepare saw. */
  readonly config?: KernelConfig;
}

/**
 * The node's prepared params when `kernel` prepared it, else null: how a delegate takes the
 * geometry, plans and tables the CPU prepare computed instead of deriving them again.
 */
export function preparedBy<P>(node: DelegateNode, kernel: Kernel<P>): P | null {
  return node.kernel === kernel ? (node.params as P) : null;
}

export interface DelegateGraph {
  /** Nodes that run per invoke, in execution order (folded nodes are gone: their outputs are constants). */
  readonly nodes: readonly DelegateNode[];
  readonly tensors: readonly RuntimeTensor[];
  /** Subgraph input and output tensor indices. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface DelegateClaims {
  /** Disjoint node subsets (node indices) to run as one delegate kernel each. */
  partitions: number[][];
  /** Why each node not claimed stays on the CPU. */
  reasons: Map<number, string>;
}

export interface PartitionSpec {
  /** Node indices, in execution order. */
  readonly nodes: readonly number[];
  /** Tensors the partition reads that other nodes or the caller produce (not constants). */
  readonly inputs: readonly RuntimeTensor[];
  /** Tensors the partition produces that are read outside it (by CPU nodes or the caller). */
  readonly outputs: readonly RuntimeTensor[];
}

export interface DelegateKernel {
  /**
   * Runs the partition: read `spec.inputs[i].data`, write `spec.outputs[j].data` (both are
   * CPU views the interpreter owns). One call per invoke.
   */
  invoke(): Promise<void>;
  /** Frees what the kernel holds (GPU buffers, pipelines). */
  dispose(): void;
  /** Facts for the placement report, e.g. `{ precision: 'fp16-storage' }`. */
  describe?(): Record<string, unknown>;
  /**
   * Tensors whose value the last invoke left on the device only (a partition input taken from,
   * or an output written to, a device buffer the caller bound): their CPU views are stale, so
   * the interpreter's getTensor refuses them and readTensor reads them through readResident.
   */
  residentTensors?(): readonly number[];
  /** Copies a resident tensor's device value into its CPU view; it is then no longer resident. */
  readResident?(index: number): Promise<void>;
}

export interface Delegate {
  readonly name: string;
  /** Picks the nodes it will run. Called after every allocateTensors. */
  prepare(graph: DelegateGraph): Promise<DelegateClaims> | DelegateClaims;
  /** Builds the kernel for one claimed subset (compile pipelines, upload weights: once). */
  createKernel(graph: DelegateGraph, spec: PartitionSpec): Promise<DelegateKernel> | DelegateKernel;
  /** Releases everything (device, caches). */
  dispose?(): void;
}

/** A delegate broke the contract, or a delegate kernel failed. */
export class DelegateError extends Error {
  override name = 'DelegateError';
}

/**
 * Groups supported nodes into partitions that can run as one unit without a cycle: maximal runs
 * of consecutive supported nodes in execution order. Delegates may use it or partition their own way.
 */
export function contiguousPartitions(nodes: readonly DelegateNode[], supported: (node: DelegateNode) => boolean): number[][] {
  const out: number[][] = [];
  let run: number[] = [];
  for (const n of nodes) {
    if (supported(n)) run.push(n.index);
    else if (run.length) {
      out.push(run);
      run = [];
    }
  }
  if (run.length) out.push(run);
  return out;
}

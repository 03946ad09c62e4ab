// The plan invoke walks: CPU nodes and delegate partitions in execution order, and the view of
// each step that observers (harness tools) get.
import type { Kernel, NodeContext, RuntimeTensor } from '../kernels/kernel.js';
import type { Delegate, DelegateKernel, PartitionSpec } from './delegate.js';

/** One step of invoke as observers see it: a CPU node, or a delegate partition as a whole. */
export interface StepInfo {
  /** 'cpu' or the delegate's name. */
  readonly backend: string;
  readonly partition: number | null;
  readonly nodes: readonly number[];
  /** The op name of a CPU node, or "partition <id>". */
  readonly op: string;
  /** The tensors the step writes (after it ran, they hold its results). */
  readonly outputs: readonly RuntimeTensor[];
}

export interface StepObserver {
  beforeStep?(step: StepInfo): void;
  /** After the step ran (for a delegate step: after its outputs were read back). */
  afterStep?(step: StepInfo): void;
}

export type Step =
  | { kind: 'cpu'; ctx: NodeContext; kernel: Kernel<unknown>; params: unknown; info?: StepInfo }
  | { kind: 'delegate'; delegate: Delegate; spec: PartitionSpec; kernel: DelegateKernel; partition: number; info?: StepInfo };

export type CpuStep = Extract<Step, { kind: 'cpu' }>;

/** The observers' view of a step, made once at plan time. */
export function stepInfo(s: Step): StepInfo {
  if (s.kind === 'cpu') return { backend: 'cpu', partition: null, nodes: [s.ctx.index], op: s.ctx.op.op, outputs: s.ctx.outputs };
  return { backend: s.delegate.name, partition: s.partition, nodes: s.spec.nodes, op: `partition ${s.partition}`, outputs: s.spec.outputs };
}

// verify --per-node: where in the graph does the delegated run part from the CPU interpreter?
// Runs the model twice on the same inputs: on the CPU interpreter alone, and with the WebGPU
// delegate. Both keep every intermediate (the interpreter's preserveAllTensors; the delegate's
// debugReadbackAll reads back every tensor its partitions compute, with partitions and
// dispatches unchanged), so every executed node's outputs can be compared with the CPU's value
// of the same tensor. The error of a node is what it hands on: its own error plus what it was
// handed (inputRel says how much that was).

import { Interpreter, type TypedArray, WebGpuDelegate, type WebGpuDelegateOptions } from '../src/index.js';
import type { Precision } from './backends.js';
import { TOLERANCE } from './compare.js';
import { makeModelInputs } from './oracle/inputs.js';
import { exp, table } from './text.js';

export interface PerNodeOptions {
  precision?: Precision;
  /** Input seed (makeModelInputs), as in verify. Default 1. */
  seed?: number;
  /** Largest allowed max|delegated - cpu| / max|cpu| per tensor. Default: fp32 1e-4, fp16 1e-2. */
  tolerance?: number;
  /** More delegate options (forceCpu, maxDelegatedPartitions...); precision and readback are set here. */
  delegateOptions?: Omit<WebGpuDelegateOptions, 'precisionLossAllowed' | 'debugReadbackAll'>;
  /** Inputs instead of makeModelInputs(bytes, seed). */
  inputs?: readonly ArrayBufferView[];
}

export interface TensorComparison {
  index: number;
  name: string;
  dtype: string;
  elements: number;
  maxAbs: number;
  /** maxAbs / max|cpu value| (maxAbs when the CPU value is all zeros). */
  maxRel: number;
  /** max|cpu value|. */
  scale: number;
}

export interface NodeComparison {
  node: number;
  op: string;
  /** 'cpu' or the delegate's name, in the delegated run. */
  backend: string;
  partition: number | null;
  /** The worst over the node's outputs. */
  maxAbs: number;
  maxRel: number;
  pass: boolean;
  /** The worst maxRel over the node's inputs computed by earlier nodes (0 for graph inputs and constants). */
  inputRel: number;
  outputs: TensorComparison[];
}

export interface PerNodeReport {
  precision: Precision;
  seed: number;
  tolerance: number;
  /** The delegated run's placement summary. */
  placement: string;
  /** Per-partition facts (precision...), as the delegate describes them. */
  partitions: { id: number; nodes: number; info: Record<string, unknown> }[];
  /** Every executed node, in execution order (folded nodes are left out). */
  nodes: NodeComparison[];
  /** The first node, in execution order, whose outputs differ beyond the tolerance; null when none. */
  firstDivergent: NodeComparison | null;
  /** The worst maxRel over the model's outputs. */
  outputRel: number;
}

function compareTensor(index: number, name: string, dtype: string, got: ArrayLike<number | bigint>, want: ArrayLike<number | bigint>) {
  let maxAbs = 0;
  let scale = 0;
  const n = want.length;
  if (got.length !== n) {
    return { index, name, dtype, elements: n, maxAbs: Number.POSITIVE_INFINITY, maxRel: Number.POSITIVE_INFINITY, scale: 0 };
  }
  for (let i = 0; i < n; i++) {
    const a = Number(got[i]);
    const b = Number(want[i]);
    scale = Math.max(scale, Math.abs(b));
    if (a === b) continue;
    const d = Math.abs(a - b);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return { index, name, dtype, elements: n, maxAbs, maxRel: scale > 0 ? maxAbs / scale : maxAbs, scale };
}

async function prepared(bytes: Uint8Array, inputs: readonly ArrayBufferView[], delegate?: WebGpuDelegate): Promise<Interpreter> {
  const interpreter = await Interpreter.create(bytes, { delegates: delegate ? [delegate] : [], preserveAllTensors: true });
  await interpreter.allocateTensors();
  for (const [i, d] of interpreter.getInputDetails().entries()) interpreter.setTensor(d.index, inputs[i] as TypedArray);
  return interpreter;
}

/** Runs the model on the CPU and with the WebGPU delegate, and compares every executed node's outputs. */
export async function perNodeCompare(bytes: Uint8Array, options: PerNodeOptions = {}): Promise<PerNodeReport> {
  const precision = options.precision ?? 'fp32';
  const seed = options.seed ?? 1;
  const tolerance = options.tolerance ?? TOLERANCE[precision].maxRel;
  const inputs = options.inputs ?? makeModelInputs(bytes, seed);

  const delegate = await WebGpuDelegate.create({
    ...options.delegateOptions,
    precisionLossAllowed: precision === 'fp16',
    debugReadbackAll: true,
  });
  let cpu: Interpreter | undefined;
  let gpu: Interpreter | undefined;
  try {
    const cpuRun = await prepared(bytes, inputs);
    cpu = cpuRun;
    await cpuRun.invoke();
    const gpuRun = await prepared(bytes, inputs, delegate);
    gpu = gpuRun;
    await gpuRun.invoke();
    const placement = gpuRun.placement();
    const subgraph = gpuRun.model.subgraphs[0];
    if (!subgraph) throw new Error('the model has no subgraph');
    const tensors = subgraph.tensors;
    const relOf = new Map<number, number>();
    const nodes: NodeComparison[] = [];
    const placed = new Map(placement.nodes.map((n) => [n.node, n]));
    // Execution order: the delegated run's steps; a partition runs its nodes in order at its place.
    const order = placement.nodes.filter((n) => n.backend !== 'folded').map((n) => n.node);
    for (const index of order) {
      const op = subgraph.operators[index];
      const where = placed.get(index);
      if (!op || !where) continue;
      const outputs = op.outputs
        .filter((t) => t >= 0)
        .map((t) => {
          const meta = tensors[t];
          const want = cpuRun.getTensor(t);
          const got = where.backend === 'cpu' ? gpuRun.getTensor(t) : (delegate.debugTensor(t) ?? gpuRun.getTensor(t));
          return compareTensor(t, meta?.name ?? '', meta?.dtype ?? '', got as ArrayLike<number>, want as ArrayLike<number>);
        });
      for (const o of outputs) relOf.set(o.index, o.maxRel);
      const inputRel = Math.max(0, ...op.inputs.map((t) => relOf.get(t) ?? 0));
      const maxAbs = Math.max(0, ...outputs.map((o) => o.maxAbs));
      const maxRel = Math.max(0, ...outputs.map((o) => o.maxRel));
      nodes.push({
        node: index,
        op: op.op,
        backend: where.backend,
        partition: where.partition,
        maxAbs,
        maxRel,
        pass: maxRel <= tolerance,
        inputRel,
        outputs,
      });
    }
    const outputRel = Math.max(
      0,
      ...subgraph.outputs.map((t) => {
        const meta = tensors[t];
        return compareTensor(
          t,
          meta?.name ?? '',
          meta?.dtype ?? '',
          gpuRun.getTensor(t) as ArrayLike<number>,
          cpuRun.getTensor(t) as ArrayLike<number>,
        ).maxRel;
      }),
    );
    return {
      precision,
      seed,
      tolerance,
      placement: placement.summary,
      partitions: placement.partitions.map((p) => ({ id: p.id, nodes: p.nodes.length, info: p.info })),
      nodes,
      firstDivergent: nodes.find((n) => !n.pass) ?? null,
      outputRel,
    };
  } finally {
    gpu?.dispose();
    cpu?.dispose();
    delegate.dispose();
  }
}

/** The report as a text table, one row per node, and a last line naming the first divergent node. */
export function renderPerNode(report: PerNodeReport, model = 'model'): string {
  const rows = report.nodes.map((n) => [
    String(n.node),
    n.op,
    n.partition === null ? n.backend : `${n.backend}#${n.partition}`,
    exp(n.maxAbs),
    exp(n.maxRel),
    exp(n.inputRel),
    n.outputs
      .map((o) => o.name)
      .join(', ')
      .slice(0, 48),
    n.pass ? '' : 'DIVERGES',
  ]);
  const first = report.firstDivergent;
  const verdict = first
    ? `first divergent node: ${first.node} ${first.op} on ${first.backend} (rel ${exp(first.maxRel)} > ${report.tolerance}, inputs handed it ${exp(first.inputRel)})`
    : `no node diverges beyond ${report.tolerance}`;
  const precisions = [...new Set(report.partitions.map((p) => String(p.info.precision ?? '?')))].join(', ');
  return [
    `${model}: ${report.placement}; precision ${report.precision}${precisions ? ` (partitions: ${precisions})` : ''}; seed ${report.seed}`,
    table([['node', 'op', 'backend', 'maxAbs', 'maxRel', 'inputRel', 'outputs', ''], ...rows]),
    `model outputs: rel ${exp(report.outputRel)}`,
    verdict,
  ].join('\n');
}

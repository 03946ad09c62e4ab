// `tflite-webgpu inspect <model> [--json]`
import { createDelegates, type Precision } from '../harness/backends.js';
import type { Quantization } from '../src/index.js';
import { Interpreter, type ModelSummary, type Placement, readModel, summarize, type TensorSummary } from '../src/index.js';
import { readBytes } from './files.js';
import { formatBytes, table } from './format.js';

export interface TensorRow {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  kind: 'constant' | 'variable' | 'activation';
  quantization: Quantization | null;
}

export function inspectFile(path: string, withTensors = false): ModelSummary & { tensors?: TensorRow[] } {
  const model = readModel(readBytes(path));
  const summary: ModelSummary & { tensors?: TensorRow[] } = summarize(model);
  if (withTensors) {
    summary.tensors = (model.subgraphs[0]?.tensors ?? []).map((t) => ({
      index: t.index,
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      kind: t.isVariable ? 'variable' : t.data ? 'constant' : 'activation',
      quantization: t.quantization,
    }));
  }
  return summary;
}

function quantCell(q: Quantization | null): string {
  if (!q) return '';
  if (q.scale.length === 1) return `scale ${q.scale[0]} zero_point ${q.zeroPoint[0]}`;
  const lo = Math.min(...q.scale);
  const hi = Math.max(...q.scale);
  return `per-axis dim ${q.quantizedDimension}: ${q.scale.length} scales in [${lo.toExponential(3)}, ${hi.toExponential(3)}]`;
}

export function renderTensors(rows: TensorRow[]): string {
  return table([
    ['tensor', 'name', 'dtype', 'shape', 'kind', 'quantization'],
    ...rows.map((t) => [String(t.index), t.name.slice(0, 60), t.dtype, `[${t.shape.join(', ')}]`, t.kind, quantCell(t.quantization)]),
  ]);
}

export function renderSummary(path: string, s: ModelSummary): string {
  const io = (label: string, list: TensorSummary[]) =>
    table([
      [label, 'index', 'dtype', 'shape', 'quantization'],
      ...list.map((t) => [t.name, String(t.index), t.dtype, `[${t.shape.join(', ')}]`, quantCell(t.quantization)]),
    ]);
  const ops = Object.entries(s.ops).sort((a, b) => b[1] - a[1]);
  const lines = [
    `${path}: ${formatBytes(s.bytes)}, mode ${s.mode}, ${s.subgraphs} subgraph(s), ${ops.reduce((a, [, n]) => a + n, 0)} ops`,
    '',
    io('input', s.inputs),
    '',
    io('output', s.outputs),
    '',
    table([['op', 'count'], ...ops.map(([op, n]) => [op, String(n)])]),
    '',
    table([['tensor dtype', 'count'], ...Object.entries(s.tensorTypes).map(([d, n]) => [d, String(n)])]),
    '',
    table([['constant dtype', 'bytes'], ...Object.entries(s.constantBytes).map(([d, n]) => [d, formatBytes(n)])]),
  ];
  if (s.signatures.length) {
    lines.push('', ...s.signatures.map((sig) => `signature '${sig.key}': (${sig.inputs.join(', ')}) -> (${sig.outputs.join(', ')})`));
  }
  return lines.join('\n');
}

/** Where each node would run with the WebGPU delegate; prepares the model but runs nothing. */
export async function placementOf(path: string, precision: Precision): Promise<Placement> {
  const interpreter = await Interpreter.create(readBytes(path), { delegates: await createDelegates('webgpu', precision) });
  try {
    await interpreter.allocateTensors();
    return interpreter.placement();
  } finally {
    interpreter.dispose();
  }
}

export function renderPlacement(p: Placement): string {
  const nodes = table([
    ['node', 'op', 'backend', 'partition', 'why not delegated'],
    ...p.nodes.map((n) => [String(n.node), n.op, n.backend, n.partition === null ? '' : String(n.partition), n.reason ?? '']),
  ]);
  const parts = table([
    ['partition', 'backend', 'nodes', 'upload', 'readback', 'details'],
    ...p.partitions.map((q) => [
      String(q.id),
      q.backend,
      String(q.nodes.length),
      formatBytes(q.bytesIn),
      formatBytes(q.bytesOut),
      Object.entries(q.info)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', '),
    ]),
  ]);
  return [nodes, '', parts, '', p.summary].join('\n');
}

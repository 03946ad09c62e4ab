// verify --culprit's model rewrites: the copy that hands back every intermediate, and the copy
// that runs chosen nodes alone on values fed from outside.

import type { Tensor } from '../src/index.js';
import { readModel } from '../src/index.js';
import { fb, packModel, unpackModel } from './model_variant.js';
import { readModelInfo } from './oracle/model_info.js';
import { isOracleDType } from './oracle/types.js';

export interface SkippedTensor {
  tensor: number;
  name: string;
  /** The node that produces it. */
  node: number;
  reason: string;
}

export interface ExposedModel {
  /** The rewritten model. */
  bytes: Uint8Array;
  /** Subgraph-0 outputs of the rewritten model: the original outputs first, then `exposed`. */
  outputs: number[];
  /** The original model's outputs. */
  originalOutputs: number[];
  /** The intermediates added as outputs, in execution order. */
  exposed: number[];
  /** Node outputs not exposed, and why. */
  skipped: SkippedTensor[];
  /** Tensors that are constants or computed from constants only (never compared). */
  constants: Set<number>;
}

/** Element types the oracle cannot read back (see OracleDType). */
const unreadable = (dtype: string) => !isOracleDType(dtype);

/**
 * A copy of the model whose subgraph 0 also outputs every intermediate the oracle can hand back.
 * Signatures of subgraph 0 get an entry (a unique name) for each new output, so LiteRT.js maps
 * them by tensor index; a model without one gets a signature when its tensor names are not unique.
 */
export function exposeIntermediates(bytes: Uint8Array): ExposedModel {
  const model = readModel(bytes);
  const sg = model.subgraphs[0];
  if (!sg) throw new Error('the model has no subgraph');
  const outputs = new Set(sg.outputs);
  // Constants, and what nodes compute from constants only (DEQUANTIZE of fp16 weights...): every
  // runtime folds or prepacks them, and exposing them would keep XNNPACK from taking the nodes
  // that read them as static weights.
  const constants = new Set<number>();
  for (const t of sg.tensors) if (t.data && !t.isVariable) constants.add(t.index);
  const skipped: SkippedTensor[] = [];
  const candidates: number[] = [];
  for (const op of sg.operators) {
    const ins = op.inputs.filter((i) => i >= 0);
    const folded = ins.length > 0 && ins.every((i) => constants.has(i));
    for (const t of op.outputs) {
      if (t < 0) continue;
      const meta = sg.tensors[t] as Tensor;
      const skip = (reason: string) => skipped.push({ tensor: t, name: meta.name, node: op.index, reason });
      if (folded) {
        constants.add(t);
        skip('computed from constants only');
      } else if (outputs.has(t)) continue;
      else if (meta.isVariable) skip('variable tensor');
      else if (unreadable(meta.dtype)) skip(`dtype ${meta.dtype} cannot be read back`);
      else candidates.push(t);
    }
  }

  const build = (exposed: number[]): Uint8Array => {
    const m = unpackModel(bytes);
    const s = m.subgraphs[0] as fb.SubGraphT;
    s.outputs = [...sg.outputs, ...exposed];
    const tensorName = (i: number) => String(s.tensors[i]?.name ?? `tensor${i}`);
    const signatures = m.signatureDefs.filter((d) => d.subgraphIndex === 0);
    const unique = (list: number[]) => new Set(list.map(tensorName)).size === list.length;
    if (signatures.length === 0 && !(unique(s.inputs) && unique(s.outputs))) {
      const map = (list: number[]) => {
        const used = new Set<string>();
        return list.map((i) => {
          let name = tensorName(i);
          if (used.has(name)) name = `${name}#${i}`;
          used.add(name);
          return new fb.TensorMapT(name, i);
        });
      };
      m.signatureDefs.push(new fb.SignatureDefT(map(s.inputs), map(s.outputs), 'serving_default', 0));
    } else {
      for (const d of signatures) {
        const used = new Set(d.outputs.map((o) => String(o.name)));
        for (const i of exposed) {
          let name = tensorName(i);
          if (used.has(name)) name = `${name}#${i}`;
          used.add(name);
          d.outputs.push(new fb.TensorMapT(name, i));
        }
      }
    }
    return packModel(m);
  };

  let exposed = candidates;
  let rewritten = build(exposed);
  // Shapes known only at run time: LiteRT.js binds buffers of the declared shape for such
  // outputs (and the oracle would switch runtimes), so they are not exposed.
  const dynamicNames = new Set(readModelInfo(rewritten).dynamicOutputs);
  if (exposed.some((t) => dynamicNames.has((sg.tensors[t] as Tensor).name))) {
    const producer = new Map(sg.operators.flatMap((op) => op.outputs.map((t) => [t, op.index] as const)));
    exposed = exposed.filter((t) => {
      const name = (sg.tensors[t] as Tensor).name;
      if (!dynamicNames.has(name)) return true;
      skipped.push({ tensor: t, name, node: producer.get(t) ?? -1, reason: 'shape known only at run time' });
      return false;
    });
    rewritten = build(exposed);
  }
  return { bytes: rewritten, outputs: [...sg.outputs, ...exposed], originalOutputs: [...sg.outputs], exposed, skipped, constants };
}

/**
 * A copy of the model that runs each of `nodes` alone: every activation a node reads is rewired to
 * a fresh subgraph input of its own (fed TFLite's value of that tensor), so no node feeds another;
 * the constant-only nodes they need (DEQUANTIZE of weights...) stay. Tensor indices of the nodes'
 * outputs stay (the golden is keyed by them); only the buffers the kept nodes read are kept.
 */
export function cutModel(
  m: fb.ModelT,
  constants: ReadonlySet<number>,
  nodes: readonly number[],
): { bytes: Uint8Array; inputs: { index: number; source: number }[]; outputs: Map<number, number[]>; order: number[] } {
  const s = m.subgraphs[0] as fb.SubGraphT;
  const targets = new Set(nodes);
  const producer = new Map<number, number>();
  s.operators.forEach((o, k) => {
    for (const t of o.outputs) if (t >= 0 && !producer.has(t)) producer.set(t, k);
  });
  // The nodes, and the constant-only nodes that compute their constant inputs.
  const kept = new Set<number>(nodes);
  const pending = nodes.flatMap((n) => (s.operators[n] as fb.OperatorT).inputs);
  while (pending.length) {
    const t = pending.pop() as number;
    const k = producer.get(t);
    if (t < 0 || !constants.has(t) || k === undefined || kept.has(k)) continue;
    kept.add(k);
    pending.push(...(s.operators[k] as fb.OperatorT).inputs);
  }
  const clone = <T extends object>(x: T, change: Partial<T>): T => Object.assign(Object.create(Object.getPrototypeOf(x)), x, change);
  const tensors = [...s.tensors];
  const inputs: { index: number; source: number }[] = [];
  const outputs = new Map<number, number[]>();
  const order = [...kept].sort((a, b) => a - b);
  const operators = order.map((k) => {
    const o = s.operators[k] as fb.OperatorT;
    if (!targets.has(k)) return o;
    outputs.set(
      k,
      o.outputs.filter((t) => t >= 0),
    );
    const fresh = new Map<number, number>();
    const rewired = o.inputs.map((t) => {
      if (t < 0 || constants.has(t)) return t;
      let index = fresh.get(t);
      if (index === undefined) {
        const meta = s.tensors[t] as fb.TensorT;
        index = tensors.length;
        tensors.push(clone(meta, { buffer: 0, isVariable: false, name: `${String(meta.name ?? t)}@node${k}` }));
        fresh.set(t, index);
        inputs.push({ index, source: t });
      }
      return index;
    });
    return clone(o, { inputs: rewired });
  });
  // Keep only the buffers these nodes read (all of them when other subgraphs or offsets need them).
  let buffers = m.buffers;
  let slim = tensors;
  if (m.subgraphs.length === 1 && m.buffers.every((b) => b.offset <= 1n)) {
    const used = new Set(operators.flatMap((o) => [...o.inputs, ...o.outputs, ...o.intermediates]));
    const remap = new Map<number, number>();
    buffers = [new fb.BufferT()];
    slim = tensors.map((t, i) => {
      const b = m.buffers[t.buffer];
      if (!used.has(i) || !b || t.buffer === 0 || b.data.length === 0) return t.buffer === 0 ? t : clone(t, { buffer: 0 });
      if (!remap.has(t.buffer)) {
        remap.set(t.buffer, buffers.length);
        buffers.push(b);
      }
      return clone(t, { buffer: remap.get(t.buffer) as number });
    });
  }
  const sub = new fb.SubGraphT(
    slim,
    inputs.map((i) => i.index),
    [...new Set([...outputs.values()].flat())],
    operators,
    s.name,
    buffers === m.buffers ? s.debugMetadataIndex : -1,
  );
  const copy = new fb.ModelT(m.version, m.operatorCodes, [sub, ...m.subgraphs.slice(1)], m.description, buffers);
  if (buffers === m.buffers) Object.assign(copy, { metadataBuffer: m.metadataBuffer, metadata: m.metadata });
  return { bytes: packModel(copy), inputs, outputs, order };
}

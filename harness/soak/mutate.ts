// Structure-aware mutations of a real model: one field of the schema changed to a value chosen to
// break something (an index out of range, a cycle, a huge or negative dimension, an absurd scale,
// an option out of its enum), then packed again. Each mutation says what it did, so a defect it
// finds can be reproduced from (model, seed) and read from its label.

import type { schema as fb } from '../../src/index.js';
import { packModel, unpackModel } from '../model_variant.js';
import { mulberry32 } from '../oracle/inputs.js';

/** Seeded with mulberry32, so a case is (model, seed). */
export type Rng = () => number;

const pickIndex = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[pickIndex(rng, xs.length)] as T;

/** Integers that break sizes, indices and enums. */
const EVIL_INTS = [-1, 0, 1, 2, 3, 7, 255, 256, 65535, 1 << 20, 2 ** 31 - 1, -(2 ** 31)];
/** Floats that break scales and ranges. */
const EVIL_FLOATS = [0, -1, 1e-30, 1e30, Number.NaN, Number.POSITIVE_INFINITY, -0, 3.4e38];

export interface Mutation {
  /** What was changed, e.g. "tensor 12 'conv1/weights' shape[0] = -1". */
  label: string;
  bytes: Uint8Array;
}

type Mutator = (model: fb.ModelT, sg: fb.SubGraphT, rng: Rng) => string | null;

function tensorName(sg: fb.SubGraphT, i: number): string {
  const n = sg.tensors[i]?.name;
  return `tensor ${i}${typeof n === 'string' ? ` '${n}'` : ''}`;
}

/** A tensor index that is wrong in one of the ways files get wrong. */
function evilTensorIndex(sg: fb.SubGraphT, rng: Rng): number {
  return pick(rng, [-1, -2, sg.tensors.length, sg.tensors.length + 1000, 2 ** 31 - 1, pickIndex(rng, sg.tensors.length)]);
}

const MUTATORS: Record<string, Mutator> = {
  tensorShape(_m, sg, rng) {
    const i = pickIndex(rng, sg.tensors.length);
    const t = sg.tensors[i] as fb.TensorT;
    if (t.shape.length === 0 || rng() < 0.2) {
      t.shape = Array.from({ length: pick(rng, [0, 1, 7, 9]) }, () => pick(rng, [1, 2, 1 << 20]));
      return `${tensorName(sg, i)} shape = [${t.shape}]`;
    }
    const d = pickIndex(rng, t.shape.length);
    t.shape[d] = pick(rng, [...EVIL_INTS, 1 << 30]);
    return `${tensorName(sg, i)} shape[${d}] = ${t.shape[d]}`;
  },
  tensorType(_m, sg, rng) {
    const i = pickIndex(rng, sg.tensors.length);
    const t = sg.tensors[i] as fb.TensorT;
    t.type = pickIndex(rng, 20);
    return `${tensorName(sg, i)} type = ${t.type}`;
  },
  tensorBuffer(m, sg, rng) {
    const i = pickIndex(rng, sg.tensors.length);
    const t = sg.tensors[i] as fb.TensorT;
    t.buffer = pick(rng, [0, m.buffers.length, m.buffers.length + 5, pickIndex(rng, m.buffers.length), 2 ** 31 - 1]);
    return `${tensorName(sg, i)} buffer = ${t.buffer}`;
  },
  quantization(_m, sg, rng) {
    const quantized = sg.tensors.map((t, i) => [t, i] as const).filter(([t]) => t.quantization && t.quantization.scale.length > 0);
    const [t, i] = quantized.length ? pick(rng, quantized) : [sg.tensors[0] as fb.TensorT, 0];
    const q = t.quantization;
    if (!q) return null;
    const field = pick(rng, ['scale', 'zeroPoint', 'quantizedDimension', 'scaleLength', 'zeroPointLength'] as const);
    if (field === 'scale' && q.scale.length) {
      const k = pickIndex(rng, q.scale.length);
      q.scale[k] = pick(rng, EVIL_FLOATS);
      return `${tensorName(sg, i)} scale[${k}] = ${q.scale[k]}`;
    }
    if (field === 'zeroPoint' && q.zeroPoint.length) {
      const k = pickIndex(rng, q.zeroPoint.length);
      q.zeroPoint[k] = BigInt(pick(rng, [...EVIL_INTS, 2 ** 40]));
      return `${tensorName(sg, i)} zero_point[${k}] = ${q.zeroPoint[k]}`;
    }
    if (field === 'quantizedDimension') {
      q.quantizedDimension = pick(rng, [-1, 1, 3, 4, 100]);
      return `${tensorName(sg, i)} quantized_dimension = ${q.quantizedDimension}`;
    }
    if (field === 'scaleLength') {
      q.scale = pick(rng, [[], [1, 2, 3], Array.from({ length: 1000 }, () => 0.5)]);
      return `${tensorName(sg, i)} scale has ${q.scale.length} values`;
    }
    q.zeroPoint = pick(rng, [[], [0n, 1n], Array.from({ length: 1000 }, () => 0n)]);
    return `${tensorName(sg, i)} zero_point has ${q.zeroPoint.length} values`;
  },
  operatorInput(_m, sg, rng) {
    const o = pickIndex(rng, sg.operators.length);
    const op = sg.operators[o] as fb.OperatorT;
    const list = rng() < 0.7 ? op.inputs : op.outputs;
    const which = list === op.inputs ? 'inputs' : 'outputs';
    if (list.length === 0 || rng() < 0.15) {
      if (list.length && rng() < 0.5) list.pop();
      else list.push(evilTensorIndex(sg, rng));
      return `operator ${o} ${which} = [${list}]`;
    }
    const k = pickIndex(rng, list.length);
    // A cycle: the op reads its own output, or writes an input of an earlier op.
    const cyclic = rng() < 0.3;
    list[k] = cyclic ? (which === 'inputs' ? (op.outputs[0] ?? 0) : (sg.operators[0]?.inputs[0] ?? 0)) : evilTensorIndex(sg, rng);
    return `operator ${o} ${which}[${k}] = ${list[k]}${cyclic ? ' (cycle)' : ''}`;
  },
  operatorCode(m, sg, rng) {
    const o = pickIndex(rng, sg.operators.length);
    const op = sg.operators[o] as fb.OperatorT;
    if (rng() < 0.5) {
      op.opcodeIndex = pick(rng, [m.operatorCodes.length, m.operatorCodes.length + 3, pickIndex(rng, m.operatorCodes.length)]);
      return `operator ${o} opcode_index = ${op.opcodeIndex}`;
    }
    const code = m.operatorCodes[op.opcodeIndex];
    if (!code) return null;
    code.version = pick(rng, [0, -1, 99]);
    return `operator code ${op.opcodeIndex} version = ${code.version}`;
  },
  options(_m, sg, rng) {
    const o = pickIndex(rng, sg.operators.length);
    const op = sg.operators[o] as fb.OperatorT;
    const opts = op.builtinOptions as Record<string, unknown> | null;
    if (!opts || rng() < 0.1) {
      op.builtinOptionsType = pickIndex(rng, 130);
      return `operator ${o} builtin_options_type = ${op.builtinOptionsType} (options table kept)`;
    }
    const fields = Object.keys(opts).filter((k) => typeof opts[k] === 'number' || typeof opts[k] === 'boolean' || Array.isArray(opts[k]));
    if (fields.length === 0) return null;
    const f = pick(rng, fields);
    const v = opts[f];
    if (Array.isArray(v)) opts[f] = pick(rng, [[], [-1], [2 ** 31 - 1, 0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    else if (typeof v === 'boolean') opts[f] = !v;
    else opts[f] = Number.isInteger(v) ? pick(rng, EVIL_INTS) : pick(rng, EVIL_FLOATS);
    return `operator ${o} options.${f} = ${JSON.stringify(opts[f])}`;
  },
  subgraphIo(_m, sg, rng) {
    const list = rng() < 0.5 ? sg.inputs : sg.outputs;
    const which = list === sg.inputs ? 'inputs' : 'outputs';
    if (list.length === 0 || rng() < 0.3) {
      list.push(evilTensorIndex(sg, rng));
      return `subgraph ${which} = [${list}]`;
    }
    const k = pickIndex(rng, list.length);
    list[k] = evilTensorIndex(sg, rng);
    return `subgraph ${which}[${k}] = ${list[k]}`;
  },
  bufferData(m, _sg, rng) {
    const withData = m.buffers.map((b, i) => [b, i] as const).filter(([b]) => b.data.length > 0);
    if (withData.length === 0) return null;
    const [b, i] = pick(rng, withData);
    if (rng() < 0.5) {
      b.data = b.data.slice(0, pickIndex(rng, b.data.length));
      return `buffer ${i} truncated to ${b.data.length} bytes`;
    }
    const k = pickIndex(rng, b.data.length);
    b.data[k] = pick(rng, [0xff, 0x7f, 0x80, 0]);
    return `buffer ${i} byte ${k} = ${b.data[k]}`;
  },
  removeOperator(_m, sg, rng) {
    const o = pickIndex(rng, sg.operators.length);
    sg.operators.splice(o, 1);
    return `operator ${o} removed (its outputs dangle)`;
  },
};

export const MUTATION_KINDS = Object.keys(MUTATORS);

/** One mutation of `bytes` from `seed`; null when the drawn mutation does not apply to this model. */
export function mutateModel(bytes: Uint8Array, seed: number): Mutation | null {
  const rng = mulberry32(seed);
  const model = unpackModel(bytes);
  const sg = model.subgraphs[0];
  if (!sg || sg.tensors.length === 0) return null;
  const kind = pick(rng, MUTATION_KINDS);
  const label = (MUTATORS[kind] as Mutator)(model, sg, rng);
  if (label === null) return null;
  return { label: `${kind}: ${label}`, bytes: packModel(model) };
}

// Differential cases for the shape and data-movement ops (RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE,
// CONCATENATION, PACK, UNPACK, PAD, PADV2, MIRROR_PAD, SLICE, STRIDED_SLICE, GATHER, GATHER_ND,
// SHAPE, FILL, RANGE, ZEROS_LIKE, TILE, BROADCAST_TO, DEPTH_TO_SPACE, SPACE_TO_DEPTH,
// SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, SELECT, SELECT_V2) over every dtype TFLite takes for each
// (see ../run_case.ts for the contract).
import { GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import { gatherFillFuzzers } from './gather_fill.js';
import { ALL, fz, input, intConst, NUM, operand, quantOf, shapeOf } from './shape_common.js';
import { slicePadFuzzers } from './slice_pad.js';
import { spaceDepthFuzzers } from './space_depth.js';

// RESHAPE: the new shape as a constant int32 operand, as options only, or both; one -1 dimension.
const reshape = fz('RESHAPE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 0, 6, dtype);
  const x = input(g, r, dtype, shape);
  // The new shape: the dims shuffled, adjacent ones merged, 1s inserted.
  let out = [...shape].sort(() => r.float() - 0.5);
  const merged: number[] = [];
  for (const d of out) {
    if (merged.length > 0 && r.bool(0.3)) merged[merged.length - 1] = (merged[merged.length - 1] as number) * d;
    else merged.push(d);
  }
  out = merged;
  while (out.length < 6 && r.bool(0.2)) out.splice(r.int(0, out.length), 0, 1);
  if (out.length > 0 && !out.includes(0) && r.bool(0.4)) out[r.int(0, out.length - 1)] = -1;
  const y = g.output(dtype, undefined, x.q);
  const mode = r.pick(['operand', 'options', 'both', 'operand-scalar-legacy'] as const);
  if (mode === 'options') g.node('RESHAPE', [x.t], [y], { type: 'ReshapeOptions', values: { newShape: out } });
  else {
    const s = g.constant('int32', [out.length], out);
    g.node('RESHAPE', [x.t, s], [y], mode === 'both' ? { type: 'ReshapeOptions', values: { newShape: out } } : undefined);
  }
  return g.graph;
});

// SQUEEZE: some of the 1 dims (negatives too), or all of them (empty list).
const squeeze = fz('SQUEEZE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 0, 6).map((d) => (r.bool(0.4) ? 1 : d));
  const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
  const dims = r.bool(0.3) ? [] : ones.filter(() => r.bool(0.6)).map((i) => (r.bool(0.4) ? i - shape.length : i));
  const x = input(g, r, dtype, shape);
  const y = g.output(dtype, undefined, x.q);
  g.node('SQUEEZE', [x.t], [y], { type: 'SqueezeOptions', values: { squeezeDims: dims } });
  return g.graph;
});

// EXPAND_DIMS: axis in [-(rank+1), rank], int32 or int64.
const expandDims = fz('EXPAND_DIMS', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 0, 5, dtype);
  const x = input(g, r, dtype, shape);
  const axis = r.int(-(shape.length + 1), shape.length);
  const a = intConst(g, r.pick(['int32', 'int64'] as const), r.bool() ? [] : [1], [axis]);
  const y = g.output(dtype, undefined, x.q);
  g.node('EXPAND_DIMS', [x.t, a], [y]);
  return g.graph;
});

function permutation(r: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(0, i);
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

// TRANSPOSE: ranks 1-6, any permutation.
const transpose = fz('TRANSPOSE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  // Only LiteRT.js has TRANSPOSE v6 (int16) and 6-D transposes, and it cannot return an empty output.
  const rank = r.rank(1, 6);
  const shape = shapeOf(r, rank, rank, dtype === 'int16' || rank === 6 ? false : dtype, 5);
  const x = input(g, r, dtype, shape);
  const p = g.constant('int32', [shape.length], permutation(r, shape.length));
  const y = g.output(dtype, undefined, x.q);
  g.node('TRANSPOSE', [x.t, p], [y], undefined, dtype === 'int16' ? 6 : shape.length > 4 ? 5 : 2);
  return g.graph;
});

// CONCATENATION: 1-5 inputs along any axis. uint8 inputs carry their own quantization (TFLite
// requantizes them); int8 must share the output's; int16 has zero points 0 (scales not checked).
const concat = fz('CONCATENATION', ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'], (r, dtype) => {
  const g = new GraphBuilder();
  const base = shapeOf(r, 1, 5, false, 5);
  const rank = base.length;
  const axis = r.int(-rank, rank - 1);
  const ax = axis < 0 ? axis + rank : axis;
  const n = r.int(1, 5);
  const qo = quantOf(r, dtype);
  const ins: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = [...base];
    s[ax] = r.bool(0.1) ? 0 : r.dim(5);
    let q = qo;
    if (dtype === 'uint8' && r.bool(0.7)) q = r.quant(dtype);
    if (dtype === 'int16' && r.bool(0.5)) q = r.quant(dtype);
    // LiteRT.js (the uint8 reference) returns garbage when every input is a constant.
    const pConst = dtype === 'uint8' && k === 0 ? 0 : 0.2;
    ins.push(operand(g, r, dtype, s, q, pConst));
  }
  const y = g.output(dtype, undefined, qo);
  g.node('CONCATENATION', ins, [y], { type: 'ConcatenationOptions', values: { axis, fusedActivationFunction: 0 } });
  return g.graph;
});

// PACK: 1-5 inputs of one shape, axis in [-(rank+1), rank]; quantized inputs share the output's.
// tfjs-tflite's PACK refuses bool.
const pack = fz('PACK', NUM, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 0, 5, dtype, 5);
  const n = r.int(1, 5);
  const q = quantOf(r, dtype);
  const ins = Array.from({ length: n }, () => operand(g, r, dtype, shape, q));
  const axis = r.int(-(shape.length + 1), shape.length);
  const y = g.output(dtype, undefined, q);
  g.node('PACK', ins, [y], { type: 'PackOptions', values: { valuesCount: n, axis } });
  return g.graph;
});

// UNPACK: one output per slice along axis (negative too).
// tfjs-tflite's UNPACK refuses int64.
const unpack = fz('UNPACK', ['float32', 'int8', 'uint8', 'int16', 'int32', 'bool'], (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 6, false, 5);
  const axis = r.int(-shape.length, shape.length - 1);
  const num = shape[axis < 0 ? axis + shape.length : axis] as number;
  const x = input(g, r, dtype, shape);
  const outs = Array.from({ length: num }, () => g.output(dtype, undefined, x.q));
  g.node('UNPACK', [x.t], outs, { type: 'UnpackOptions', values: { num, axis } });
  return g.graph;
});

// SELECT (v1): condition of the inputs' shape, or rank 1 over their first dimension (or scalar).
const select = fz(
  'SELECT',
  ALL,
  (r, dtype) => {
    const g = new GraphBuilder();
    // Only LiteRT.js has SELECT v4 (int16), and it cannot return an empty output.
    const shape = shapeOf(r, 0, 5, dtype === 'int16' ? false : dtype, 5);
    const condShape = shape.length > 0 && r.bool(0.3) ? [shape[0] as number] : [...shape];
    const c = g.input('bool', condShape);
    const q = quantOf(r, dtype);
    const a = operand(g, r, dtype, shape, q);
    const b = operand(g, r, dtype, shape, q);
    const y = g.output(dtype, undefined, q);
    g.node('SELECT', [c, a, b], [y], { type: 'SelectOptions', values: {} }, dtype === 'int16' ? 4 : 2);
    return g.graph;
  },
  (t) => `bool,${t},${t}`,
);

// SELECT_V2: the three operands broadcast.
const selectV2 = fz(
  'SELECT_V2',
  ALL,
  (r, dtype) => {
    const g = new GraphBuilder();
    const out = shapeOf(r, 0, 5, false, 5);
    const sub = () => out.slice(r.int(0, out.length)).map((d) => (r.bool(0.4) ? 1 : d));
    const c = g.input('bool', sub());
    const q = quantOf(r, dtype);
    const a = operand(g, r, dtype, sub(), q);
    const b = operand(g, r, dtype, sub(), q);
    const y = g.output(dtype, undefined, q);
    g.node('SELECT_V2', [c, a, b], [y], { type: 'SelectV2Options', values: {} }, 2);
    return g.graph;
  },
  (t) => `bool,${t},${t}`,
);

export const shapeFuzzers: OpFuzzer[] = [
  ...reshape,
  ...squeeze,
  ...expandDims,
  ...transpose,
  ...concat,
  ...pack,
  ...unpack,
  ...slicePadFuzzers,
  ...gatherFillFuzzers,
  ...spaceDepthFuzzers,
  ...select,
  ...selectV2,
];

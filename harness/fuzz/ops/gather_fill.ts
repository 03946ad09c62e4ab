// Differential cases for GATHER, GATHER_ND and the ops that make or repeat tensors: SHAPE, FILL,
// RANGE, ZEROS_LIKE, TILE, BROADCAST_TO (see shape.ts).
import { GraphBuilder } from '../graph.js';
import type { OpFuzzer } from '../run_case.js';
import { ALL, count, fz, input, intConst, quantOf, shapeOf, values } from './shape_common.js';

// GATHER: axis (negative too), batch_dims, int32 / int64 indices.
const gather = fz('GATHER', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 5, false, 5);
  const rank = shape.length;
  const axisP = r.int(0, rank - 1);
  const batchDims = r.bool(0.3) ? r.int(0, axisP) : 0;
  const axis = r.bool(0.3) ? axisP - rank : axisP;
  const idxShape = [...shape.slice(0, batchDims), ...shapeOf(r, 0, 2, false, 4)];
  const x = input(g, r, dtype, shape);
  const it = r.pick(['int32', 'int64'] as const);
  const d = shape[axisP] as number;
  const idx = intConst(g, it, idxShape, r.ints(count(idxShape), 0, d - 1));
  const y = g.output(dtype, undefined, x.q);
  g.node(
    'GATHER',
    [x.t, idx],
    [y],
    { type: 'GatherOptions', values: { axis, batchDims: r.bool(0.2) && batchDims > 0 ? batchDims - rank : batchDims } },
    5,
  );
  return g.graph;
});

// GATHER_ND: index depth 1..rank, int32 / int64 indices.
const gatherNd = fz('GATHER_ND', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 5, false, 5);
  const depth = r.int(1, shape.length);
  const lead = shapeOf(r, 0, 2, false, 4);
  const x = input(g, r, dtype, shape);
  const it = r.pick(['int32', 'int64'] as const);
  const vals: number[] = [];
  for (let k = 0; k < count(lead); k++) for (let j = 0; j < depth; j++) vals.push(r.int(0, (shape[j] as number) - 1));
  const idx = intConst(g, it, [...lead, depth], vals);
  const y = g.output(dtype, undefined, x.q);
  g.node('GATHER_ND', [x.t, idx], [y], { type: 'GatherNdOptions', values: {} }, 3);
  return g.graph;
});

// SHAPE: int32 / int64 output.
const shapeOp = fz('SHAPE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const x = input(g, r, dtype, shapeOf(r, 0, 6, dtype));
  // int64 shapes: tfjs-tflite hands back no bytes and LiteRT.js garbage, so only int32 is checked.
  const outType = 'int32' as 'int32' | 'int64';
  const y = g.output(outType);
  g.node('SHAPE', [x.t], [y], { type: 'ShapeOptions', values: { outType: outType === 'int32' ? 2 : 4 } });
  return g.graph;
});

// FILL: dims int32 / int64, a scalar value of the output dtype.
const fill = fz('FILL', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = dtype === 'uint8' ? shapeOf(r, 1, 5) : shapeOf(r, 0, 5, dtype);
  const dt = shape.length === 0 ? 'int32' : r.pick(['int32', 'int64'] as const);
  const dims = intConst(g, dt, [shape.length], shape);
  const q = quantOf(r, dtype);
  const v = r.bool(0.5) ? g.constant(dtype, [], values(r, dtype, 1), q) : g.input(dtype, [], q ? { quant: q } : {});
  const y = g.output(dtype, undefined, q);
  g.node('FILL', [dims, v], [y], { type: 'FillOptions', values: {} }, dtype === 'int8' || dtype === 'int16' ? 3 : 2);
  return g.graph;
});

// RANGE: start / limit / delta scalars (constant: the output size is known in prepare).
// tfjs-tflite's RANGE refuses int64 (and LiteRT.js returns garbage for it).
const range = fz('RANGE', ['float32', 'int32'], (r, dtype) => {
  const g = new GraphBuilder();
  const delta = dtype === 'float32' ? Math.fround(r.pick([1, 0.5, -0.75, 2.5, -3])) : r.pick([1, 2, 3, -1, -4]);
  const start = dtype === 'float32' ? Math.fround(r.uniform(-10, 10)) : r.int(-20, 20);
  const n = r.int(0, 12);
  const limit = dtype === 'float32' ? Math.fround(start + delta * n - delta * 0.3) : start + delta * n;
  const c = (v: number) => g.constant(dtype, [], dtype === 'int64' ? [BigInt(v)] : [v]);
  const y = g.output(dtype);
  g.node('RANGE', [c(start), c(limit), c(delta)], [y], { type: 'RangeOptions', values: {} });
  return g.graph;
});

const zerosLike = fz('ZEROS_LIKE', ['float32', 'int32', 'int64'], (r, dtype) => {
  const g = new GraphBuilder();
  const x = input(g, r, dtype, shapeOf(r, 0, 5, dtype));
  const y = g.output(dtype);
  g.node('ZEROS_LIKE', [x.t], [y], { type: 'ZerosLikeOptions', values: {} });
  return g.graph;
});

// TILE: multiples int32 / int64 (0 too).
const tile = fz('TILE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 5, dtype, 4);
  const x = input(g, r, dtype, shape);
  const m = intConst(
    g,
    r.pick(['int32', 'int64'] as const),
    [shape.length],
    shape.map(() => r.pick([1, 1, 2, 3, r.int(0, 4)])),
  );
  const y = g.output(dtype, undefined, x.q);
  g.node('TILE', [x.t, m], [y], { type: 'TileOptions', values: {} }, 3);
  return g.graph;
});

// BROADCAST_TO: shape int32 / int64 of rank >= the input's.
const broadcastTo = fz('BROADCAST_TO', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const out = shapeOf(r, 0, 6, false, 5);
  const inShape = out.slice(r.int(0, out.length)).map((d) => (r.bool(0.5) ? 1 : d));
  const x = input(g, r, dtype, inShape);
  const s = intConst(g, out.length === 0 ? 'int32' : r.pick(['int32', 'int64'] as const), [out.length], out);
  const y = g.output(dtype, undefined, x.q);
  g.node('BROADCAST_TO', [x.t, s], [y], undefined, 3);
  return g.graph;
});

export const gatherFillFuzzers: OpFuzzer[] = [...gather, ...gatherNd, ...shapeOp, ...fill, ...range, ...zerosLike, ...tile, ...broadcastTo];

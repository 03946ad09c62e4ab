// Differential cases for the shape and data-movement ops (RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE,
// CONCATENATION, PACK, UNPACK, PAD, PADV2, MIRROR_PAD, SLICE, STRIDED_SLICE, GATHER, GATHER_ND,
// SHAPE, FILL, RANGE, ZEROS_LIKE, TILE, BROADCAST_TO, DEPTH_TO_SPACE, SPACE_TO_DEPTH,
// SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, SELECT, SELECT_V2) over every dtype TFLite takes for each
// (see ../run_case.ts for the contract).
import type { DType } from '../../../src/index.js';
import { type FuzzGraph, type FuzzQuant, GraphBuilder } from '../graph.js';
import { INT_LIMITS, type Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const QUANT: readonly DType[] = ['int8', 'uint8', 'int16'];
const isQuant = (t: DType) => QUANT.includes(t);

/** Quantization of a quantized activation (int16: zero point 0), else none. */
function quantOf(r: Rng, dtype: DType): FuzzQuant | undefined {
  return isQuant(dtype) ? r.quant(dtype) : undefined;
}

/** Random values of `dtype` (constants and fixed inputs). */
function values(r: Rng, dtype: DType, n: number): number[] {
  if (dtype === 'float32') return r.floats(n, -4, 4);
  if (dtype === 'bool') return r.ints(n, 0, 1);
  if (dtype === 'int32' || dtype === 'int64') return r.ints(n, -1000, 1000);
  const [lo, hi] = INT_LIMITS[dtype] ?? [0, 1];
  return r.ints(n, lo, hi);
}

/** An input of `dtype` and `shape` with its quantization (random data over the dtype's range). */
function input(g: GraphBuilder, r: Rng, dtype: DType, shape: number[], q = quantOf(r, dtype)): { t: number; q?: FuzzQuant } {
  const t = g.input(dtype, shape, q ? { quant: q } : {});
  return q ? { t, q } : { t };
}

/** An input or, sometimes, a constant of the same contents kind. */
function operand(g: GraphBuilder, r: Rng, dtype: DType, shape: number[], q?: FuzzQuant, pConst = 0.2): number {
  if (r.bool(pConst)) return g.constant(dtype, shape, values(r, dtype, count(shape)), q);
  return g.input(dtype, shape, q ? { quant: q } : {});
}

const intConst = (g: GraphBuilder, dtype: 'int32' | 'int64', shape: number[], v: number[]) =>
  g.constant(dtype, shape, dtype === 'int64' ? v.map((x) => BigInt(x)) : v);

type Make = (r: Rng, dtype: DType) => FuzzGraph;

function fz(op: string, dtypes: readonly DType[], make: Make, label: (t: DType) => string = (t) => t): OpFuzzer[] {
  return dtypes.map((t) => {
    const f: OpFuzzer = { op, dtypes: label(t), make: (r: Rng) => make(r, t) };
    if (op === 'CONCATENATION' && t === 'uint8') {
      f.oracle = 'litert';
      f.note =
        'tfjs-tflite copies uint8 inputs of other scales raw; LiteRT.js requantizes as the builtin kernel does (but returns garbage when every input is constant: one is not)';
    }
    if (op === 'FILL' && t === 'uint8') {
      f.oracle = 'litert';
      f.note = "tfjs-tflite's FILL has no uint8; LiteRT.js's has, but returns garbage for a rank-0 uint8 output (so ranks 1-5)";
    }
    return f;
  });
}

/** A shape of rank lo..hi; sometimes one dimension 0 when `zero`. */
function shapeOf(r: Rng, lo: number, hi: number, zero: boolean | DType = false, max = 6): number[] {
  const s = r.shape(r.rank(lo, hi), max);
  // The oracle harness cannot feed an empty int64 / bool input.
  if (zero === 'int64' || zero === 'bool') zero = false;
  if (zero && s.length > 0 && r.bool(0.08)) s[r.int(0, s.length - 1)] = 0;
  return s;
}

const ALL: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'];
const NUM: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64'];

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

function paddings(r: Rng, rank: number, max: number): number[] {
  return Array.from({ length: rank * 2 }, () => (r.bool(0.35) ? 0 : r.int(0, max)));
}

// PAD / PADV2: paddings int32 or int64; quantized pads with the zero point (PAD) or a constant value
// of the input's quantization (PADV2).
const pad = (op: 'PAD' | 'PADV2') =>
  fz(op, NUM, (r, dtype) => {
    const g = new GraphBuilder();
    const shape = shapeOf(r, 0, 5, dtype, 5);
    const x = input(g, r, dtype, shape);
    // tfjs-tflite reads int64 paddings as int32 pairs (wrong shapes): int32 only.
    const pt = 'int32' as const;
    const p = intConst(g, pt, [shape.length, 2], paddings(r, shape.length, 3));
    const ins = [x.t, p];
    if (op === 'PADV2') ins.push(g.constant(dtype, r.bool(0.2) ? [1] : [], values(r, dtype, 1), x.q));
    const y = g.output(dtype, undefined, x.q);
    g.node(op, ins, [y], op === 'PAD' ? { type: 'PadOptions', values: {} } : { type: 'PadV2Options', values: {} }, 2);
    return g.graph;
  });

// MIRROR_PAD: REFLECT (pad < dim) / SYMMETRIC (pad <= dim).
const mirrorPad = fz('MIRROR_PAD', NUM, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 5, false, 5);
  const mode = r.int(0, 1);
  const x = input(g, r, dtype, shape);
  const pads = shape.flatMap((d) => [0, 0].map(() => r.int(0, mode === 0 ? d - 1 : d)));
  const p = intConst(g, r.pick(['int32', 'int64'] as const), [shape.length, 2], pads);
  const y = g.output(dtype, undefined, x.q);
  g.node('MIRROR_PAD', [x.t, p], [y], { type: 'MirrorPadOptions', values: { mode } }, 2);
  return g.graph;
});

// SLICE: begin / size (size -1: to the end), int32 or int64.
const slice = fz('SLICE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 5, dtype, 6);
  const x = input(g, r, dtype, shape);
  const begin = shape.map((d) => r.int(0, d));
  const size = shape.map((d, i) => (r.bool(0.25) ? -1 : r.int(0, d - (begin[i] as number))));
  const it = r.pick(['int32', 'int64'] as const);
  const b = intConst(g, it, [shape.length], begin);
  const s = intConst(g, it, [shape.length], size);
  const y = g.output(dtype, undefined, x.q);
  g.node('SLICE', [x.t, b, s], [y], undefined, 4);
  return g.graph;
});

const popcount = (m: number) => m.toString(2).replaceAll('0', '').length;

// STRIDED_SLICE: strides of either sign, masks, offset.
const stridedSlice = fz('STRIDED_SLICE', ALL, (r, dtype) => {
  const g = new GraphBuilder();
  const shape = shapeOf(r, 1, 5, false, 7);
  const rank = shape.length;
  const x = input(g, r, dtype, shape);
  const offset = r.bool(0.15);
  const ellipsis = !offset && r.bool(0.15) ? 1 << r.int(0, rank - 1) : 0;
  const n = rank;
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  let beginMask = 0;
  let endMask = 0;
  let newAxisMask = 0;
  let shrinkMask = 0;
  for (let i = 0; i < n; i++) {
    const d = shape[i] as number;
    let stride = r.pick([1, 1, 2, 3, -1, -2]);
    let b = r.int(-d, d);
    let e = r.int(-d, d);
    if (offset) {
      // end = begin + size, in the stride's direction (LiteRT.js cannot return an empty output).
      // An end below 0 would wrap (EndForAxis), so a backward slice starts at 1 or later.
      b = r.int(0, d - 1);
      if (stride < 0 && b === 0) stride = -stride;
      e = stride > 0 ? r.int(1, d - b) : -r.int(1, b);
    }
    // With `offset` (v8, what jax2tf writes) end holds sizes: no masks, as the converter writes it.
    if (!offset && r.bool(0.2)) beginMask |= 1 << i;
    if (!offset && r.bool(0.2)) endMask |= 1 << i;
    // TFLite's kernel takes at most 5 output dimensions, new axes included.
    if (!offset && !(ellipsis & (1 << i)) && rank + popcount(newAxisMask) < 5 && r.bool(0.1)) newAxisMask |= 1 << i;
    // Shrinking after a new axis would index another dimension than shape[i]: not drawn.
    if (!(ellipsis & (1 << i)) && newAxisMask === 0 && r.bool(0.15) && !offset) {
      shrinkMask |= 1 << i;
      b = r.int(-d, d - 1);
      e = b + 1;
      strides.push(1);
    } else strides.push(stride);
    begin.push(b);
    end.push(e);
  }
  // int32 begin / end / strides: the builtin kernel refuses int64 ones (strided_slice.cc).
  const bt = intConst(g, 'int32', [n], begin);
  const et = intConst(g, 'int32', [n], end);
  const st = intConst(g, 'int32', [n], strides);
  const y = g.output(dtype, undefined, x.q);
  const vals = { beginMask, endMask, ellipsisMask: ellipsis, newAxisMask, shrinkAxisMask: shrinkMask, offset };
  g.node('STRIDED_SLICE', [x.t, bt, et, st], [y], { type: 'StridedSliceOptions', values: vals }, offset ? 8 : 4);
  return g.graph;
});

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

const DEPTH: readonly DType[] = ['float32', 'int8', 'uint8', 'int32', 'int64'];

const depthToSpace = fz('DEPTH_TO_SPACE', DEPTH, (r, dtype) => {
  const g = new GraphBuilder();
  const b = r.pick([1, 2, 3, 4]);
  const shape = [r.dim(3), r.dim(5), r.dim(5), b * b * r.dim(4)];
  const x = input(g, r, dtype, shape);
  const y = g.output(dtype, undefined, x.q);
  g.node('DEPTH_TO_SPACE', [x.t], [y], { type: 'DepthToSpaceOptions', values: { blockSize: b } }, 2);
  return g.graph;
});

const spaceToDepth = fz('SPACE_TO_DEPTH', DEPTH, (r, dtype) => {
  const g = new GraphBuilder();
  const b = r.pick([1, 2, 3]);
  const shape = [r.dim(3), b * r.dim(4), b * r.dim(4), r.dim(5)];
  const x = input(g, r, dtype, shape);
  const y = g.output(dtype, undefined, x.q);
  g.node('SPACE_TO_DEPTH', [x.t], [y], { type: 'SpaceToDepthOptions', values: { blockSize: b } }, 2);
  return g.graph;
});

const SPACE_BATCH: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64'];

// SPACE_TO_BATCH_ND: 4-D (2 spatial dims) or 3-D (1), paddings making the spatial dims divisible.
const spaceToBatch = fz('SPACE_TO_BATCH_ND', SPACE_BATCH, (r, dtype) => {
  const g = new GraphBuilder();
  const spatial = r.pick([1, 2, 2]);
  const block = Array.from({ length: spatial }, () => r.pick([1, 2, 3]));
  const sp: number[] = [];
  const pads: number[] = [];
  for (const bs of block) {
    const d = r.dim(7);
    const before = r.int(0, 2);
    const total = Math.ceil((d + before) / bs) * bs;
    sp.push(d);
    pads.push(before, total - d - before);
  }
  const shape = [r.dim(3), ...sp, r.dim(4)];
  const x = input(g, r, dtype, shape);
  const bt = g.constant('int32', [spatial], block);
  const pt = g.constant('int32', [spatial, 2], pads);
  const y = g.output(dtype, undefined, x.q);
  g.node('SPACE_TO_BATCH_ND', [x.t, bt, pt], [y], { type: 'SpaceToBatchNDOptions', values: {} }, dtype === 'int16' ? 4 : 2);
  return g.graph;
});

// BATCH_TO_SPACE_ND: crops up to the block size.
const batchToSpace = fz('BATCH_TO_SPACE_ND', SPACE_BATCH, (r, dtype) => {
  const g = new GraphBuilder();
  const spatial = r.pick([1, 2, 2]);
  const block = Array.from({ length: spatial }, () => r.pick([1, 2, 3]));
  const sp = block.map(() => r.dim(5));
  const crops = block.flatMap((bs, i) => {
    const full = bs * (sp[i] as number);
    const c0 = r.int(0, Math.min(bs, full - 1));
    return [c0, r.int(0, Math.min(bs, full - 1 - c0))];
  });
  const shape = [r.dim(3) * count(block), ...sp, r.dim(4)];
  const x = input(g, r, dtype, shape);
  const bt = g.constant('int32', [spatial], block);
  const ct = g.constant('int32', [spatial, 2], crops);
  const y = g.output(dtype, undefined, x.q);
  g.node('BATCH_TO_SPACE_ND', [x.t, bt, ct], [y], { type: 'BatchToSpaceNDOptions', values: {} }, dtype === 'int16' ? 4 : 2);
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
  ...pad('PAD'),
  ...pad('PADV2'),
  ...mirrorPad,
  ...slice,
  ...stridedSlice,
  ...gather,
  ...gatherNd,
  ...shapeOp,
  ...fill,
  ...range,
  ...zerosLike,
  ...tile,
  ...broadcastTo,
  ...depthToSpace,
  ...spaceToDepth,
  ...spaceToBatch,
  ...batchToSpace,
  ...select,
  ...selectV2,
];

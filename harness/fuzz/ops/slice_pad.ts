// Differential cases for PAD, PADV2, MIRROR_PAD, SLICE and STRIDED_SLICE (see shape.ts).
import { GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import { ALL, fz, input, intConst, NUM, shapeOf, values } from './shape_common.js';

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

export const slicePadFuzzers: OpFuzzer[] = [...pad('PAD'), ...pad('PADV2'), ...mirrorPad, ...slice, ...stridedSlice];

// Differential cases for DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND
// (see shape.ts).

import type { DType } from '../../../src/index.js';
import { GraphBuilder } from '../graph.js';
import type { OpFuzzer } from '../run_case.js';
import { count, fz, input } from './shape_common.js';

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

export const spaceDepthFuzzers: OpFuzzer[] = [...depthToSpace, ...spaceToDepth, ...spaceToBatch, ...batchToSpace];

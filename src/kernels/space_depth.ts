// DEPTH_TO_SPACE, SPACE_TO_DEPTH (NHWC, block_size option) and SPACE_TO_BATCH_ND,
// BATCH_TO_SPACE_ND (rank 3 or 4; block_shape and paddings/crops inputs, which must be known
// at prepare: constants or folded). Semantics of tensorflow/lite/kernels/*.cc and the matching
// reference/*.h; every move is a run of `depth` contiguous channels.
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import {
  elements,
  intValues,
  requireElementDtype,
  requireKnown,
  requireSameDtype,
  requireSameQuantization,
  tensorZeroPoint,
  zeroOf,
} from './tensor_data.js';

/** Input slots of DEPTH_TO_SPACE / SPACE_TO_DEPTH (input only) and SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND. */
export const SPACE_DEPTH_INPUTS = { input: 0, blockShape: 1, paddings: 2, crops: 2 } as const;

/** DepthToSpaceOptions / SpaceToDepthOptions (the same field), checked. */
export interface BlockSizeOptions {
  blockSize: number;
}

function checkedBlock(ctx: NodeContext, blockSize: number | undefined): BlockSizeOptions {
  const block = blockSize ?? 0;
  if (!(block > 0)) fail(ctx, `block_size must be positive, got ${block}`);
  return { blockSize: block };
}

export function parseDepthToSpaceOptions(ctx: NodeContext): BlockSizeOptions {
  return checkedBlock(ctx, builtinOptions(ctx.op, 'DepthToSpaceOptions').blockSize);
}

export function parseSpaceToDepthOptions(ctx: NodeContext): BlockSizeOptions {
  return checkedBlock(ctx, builtinOptions(ctx.op, 'SpaceToDepthOptions').blockSize);
}

/** What the DEPTH_TO_SPACE / SPACE_TO_DEPTH prepare computed. */
export interface BlockParams {
  block: number;
  /** Input dims [N, H, W, C]. */
  dims: [number, number, number, number];
}

function prepareBlock(
  ctx: NodeContext,
  parse: (ctx: NodeContext) => BlockSizeOptions,
): { x: RuntimeTensor; y: RuntimeTensor; block: number } {
  const x = input(ctx, SPACE_DEPTH_INPUTS.input);
  const y = output(ctx, 0);
  requireElementDtype(ctx, x, 'the input');
  requireSameDtype(ctx, x, y, 'input and output');
  if (x.shape.length !== 4) fail(ctx, `the input must be 4-D NHWC, got [${x.shape}]`);
  return { x, y, block: parse(ctx).blockSize };
}

export const depthToSpaceKernel: Kernel<BlockParams> = {
  prepare(ctx) {
    const { x, y, block } = prepareBlock(ctx, parseDepthToSpaceOptions);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    if (c % (block * block) !== 0) fail(ctx, `depth ${c} is not a multiple of block_size² = ${block * block}`);
    y.shape = [n, h * block, w * block, c / (block * block)];
    return { block, dims: [n, h, w, c] };
  },
  eval(ctx, { block, dims }) {
    const src = elements(input(ctx, SPACE_DEPTH_INPUTS.input));
    const out = elements(output(ctx, 0));
    const [n, h, w, c] = dims;
    const outH = h * block;
    const outW = w * block;
    const outC = c / (block * block);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const rowBase = (b * h + Math.floor(oy / block)) * w;
        const blockRow = (oy % block) * block;
        for (let ox = 0; ox < outW; ox++) {
          // Output channels come from one contiguous run of input channels.
          const from = (rowBase + Math.floor(ox / block)) * c + (blockRow + (ox % block)) * outC;
          out.set(src.subarray(from, from + outC), o);
          o += outC;
        }
      }
    }
  },
};

export const spaceToDepthKernel: Kernel<BlockParams> = {
  prepare(ctx) {
    const { x, y, block } = prepareBlock(ctx, parseSpaceToDepthOptions);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    if (h % block !== 0 || w % block !== 0) fail(ctx, `height ${h} and width ${w} must be multiples of block_size ${block}`);
    y.shape = [n, h / block, w / block, c * block * block];
    return { block, dims: [n, h, w, c] };
  },
  eval(ctx, { block, dims }) {
    const src = elements(input(ctx, SPACE_DEPTH_INPUTS.input));
    const out = elements(output(ctx, 0));
    const [n, h, w, c] = dims;
    const outH = h / block;
    const outW = w / block;
    const outC = c * block * block;
    let i = 0;
    for (let b = 0; b < n; b++) {
      for (let iy = 0; iy < h; iy++) {
        const rowBase = (b * outH + Math.floor(iy / block)) * outW;
        const blockRow = (iy % block) * block;
        for (let ix = 0; ix < w; ix++) {
          const to = (rowBase + Math.floor(ix / block)) * outC + (blockRow + (ix % block)) * c;
          out.set(src.subarray(i, i + c), to);
          i += c;
        }
      }
    }
  },
};

/** Batch/space ops work on NHWC; a rank-3 NHC tensor is NH1C (ExtendShapeSpaceToBatch). */
function asNHWC(shape: readonly number[]): [number, number, number, number] {
  return shape.length === 4 ? (shape as [number, number, number, number]) : [shape[0] as number, shape[1] as number, 1, shape[2] as number];
}

interface BatchSpaceParams {
  inDims: [number, number, number, number];
  outDims: [number, number, number, number];
  blockH: number;
  blockW: number;
  /** Padding (SPACE_TO_BATCH_ND) or crop (BATCH_TO_SPACE_ND) before rows and columns. */
  top: number;
  left: number;
  fill: number | bigint;
}

/** Reads block_shape [spatial] and paddings/crops [spatial, 2] for an input of rank 3 or 4. */
function readBlockAndPads(ctx: NodeContext, x: RuntimeTensor, what: string): { block: number[]; pads: number[] } {
  const rank = x.shape.length;
  if (rank < 3 || rank > 4) fail(ctx, `the input must have rank 3 or 4, got [${x.shape}]`);
  const spatial = rank - 2;
  const blockT = input(ctx, SPACE_DEPTH_INPUTS.blockShape);
  const padsT = input(ctx, SPACE_DEPTH_INPUTS.paddings);
  if (blockT.shape.length !== 1 || blockT.shape[0] !== spatial) {
    fail(ctx, `block_shape must have shape [${spatial}], got [${blockT.shape}]`);
  }
  if (padsT.shape.length !== 2 || padsT.shape[0] !== spatial || padsT.shape[1] !== 2) {
    fail(ctx, `${what} must have shape [${spatial}, 2], got [${padsT.shape}]`);
  }
  requireKnown(ctx, blockT, 'block_shape');
  requireKnown(ctx, padsT, what);
  const block = intValues(ctx, blockT, 'block_shape');
  const pads = intValues(ctx, padsT, what);
  for (const b of block) if (b <= 0) fail(ctx, `block_shape must be positive, got [${block}]`);
  for (const p of pads) if (p < 0) fail(ctx, `${what} must be >= 0, got [${pads}]`);
  return { block, pads };
}

export const spaceToBatchNdKernel: Kernel<BatchSpaceParams> = {
  prepare(ctx) {
    const x = input(ctx, SPACE_DEPTH_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    const quantized = x.dtype === 'uint8' || x.dtype === 'int8' || x.dtype === 'int16';
    if (quantized) requireSameQuantization(ctx, x, y, 'input and output');
    const { block, pads } = readBlockAndPads(ctx, x, 'paddings');
    const shape = [...x.shape];
    let batch = x.shape[0] as number;
    block.forEach((b, d) => {
      const padded = (x.shape[d + 1] as number) + (pads[2 * d] as number) + (pads[2 * d + 1] as number);
      if (padded % b !== 0) fail(ctx, `padded dimension ${d + 1} (${padded}) is not a multiple of block ${b}`);
      shape[d + 1] = padded / b;
      batch *= b;
    });
    shape[0] = batch;
    y.shape = shape;
    const spatial4 = x.shape.length === 4;
    // Padding is the encoding of 0.0: the zero point for 8/16-bit tensors.
    const fill = quantized ? tensorZeroPoint(y) : zeroOf(x.dtype);
    return {
      inDims: asNHWC(x.shape),
      outDims: asNHWC(shape),
      blockH: block[0] as number,
      blockW: spatial4 ? (block[1] as number) : 1,
      top: pads[0] as number,
      left: spatial4 ? (pads[2] as number) : 0,
      fill,
    };
  },
  eval(ctx, p) {
    const src = elements(input(ctx, SPACE_DEPTH_INPUTS.input));
    const out = elements(output(ctx, 0));
    const [inN, inH, inW, depth] = p.inDims;
    const [outN, outH, outW] = p.outDims;
    const { blockH, blockW, top, left, fill } = p;
    let o = 0;
    for (let ob = 0; ob < outN; ob++) {
      const b = ob % inN;
      const shiftW = Math.floor(ob / inN) % blockW;
      const shiftH = Math.floor(Math.floor(ob / inN) / blockW);
      for (let oy = 0; oy < outH; oy++) {
        const iy = oy * blockH + shiftH - top;
        for (let ox = 0; ox < outW; ox++, o += depth) {
          const ix = ox * blockW + shiftW - left;
          if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
            out.fill(fill, o, o + depth);
          } else {
            const from = ((b * inH + iy) * inW + ix) * depth;
            out.set(src.subarray(from, from + depth), o);
          }
        }
      }
    }
  },
};

export const batchToSpaceNdKernel: Kernel<BatchSpaceParams> = {
  prepare(ctx) {
    const x = input(ctx, SPACE_DEPTH_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    if (x.dtype === 'uint8' || x.dtype === 'int8' || x.dtype === 'int16') requireSameQuantization(ctx, x, y, 'input and output');
    const { block, pads } = readBlockAndPads(ctx, x, 'crops');
    const shape = [...x.shape];
    let batch = x.shape[0] as number;
    block.forEach((b, d) => {
      if (batch % b !== 0) fail(ctx, `batch ${x.shape[0]} is not divisible by the block shape [${block}]`);
      batch /= b;
      const size = (x.shape[d + 1] as number) * b - (pads[2 * d] as number) - (pads[2 * d + 1] as number);
      if (size < 0) fail(ctx, `crops [${pads}] exceed dimension ${d + 1} of the uncropped output`);
      shape[d + 1] = size;
    });
    shape[0] = batch;
    y.shape = shape;
    const spatial4 = x.shape.length === 4;
    return {
      inDims: asNHWC(x.shape),
      outDims: asNHWC(shape),
      blockH: block[0] as number,
      blockW: spatial4 ? (block[1] as number) : 1,
      top: pads[0] as number,
      left: spatial4 ? (pads[2] as number) : 0,
      fill: zeroOf(x.dtype),
    };
  },
  eval(ctx, p) {
    const src = elements(input(ctx, SPACE_DEPTH_INPUTS.input));
    const out = elements(output(ctx, 0));
    const [inN, inH, inW, depth] = p.inDims;
    const [outN, outH, outW] = p.outDims;
    const { blockH, blockW, top, left } = p;
    for (let ib = 0; ib < inN; ib++) {
      const ob = ib % outN;
      const spatial = Math.floor(ib / outN);
      const shiftH = Math.floor(spatial / blockW);
      const shiftW = spatial % blockW;
      for (let iy = 0; iy < inH; iy++) {
        const oy = iy * blockH + shiftH - top;
        if (oy < 0 || oy >= outH) continue;
        for (let ix = 0; ix < inW; ix++) {
          const ox = ix * blockW + shiftW - left;
          if (ox < 0 || ox >= outW) continue;
          const from = ((ib * inH + iy) * inW + ix) * depth;
          out.set(src.subarray(from, from + depth), ((ob * outH + oy) * outW + ox) * depth);
        }
      }
    }
  },
};

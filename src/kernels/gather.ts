// GATHER with axis and batch_dims (tensorflow/lite/kernels/gather.cc, reference/gather.h) and
// GATHER_ND (gather_nd.cc, reference_ops::GatherNd). Indices are int16, int32 or int64; an
// index outside its dimension is a KernelError, as TFLite refuses it too.
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { elements, requireDtype, requireElementDtype, requireSameDtype } from './tensor_data.js';

/** Input slots of GATHER and GATHER_ND. */
export const GATHER_INPUTS = { input: 0, indices: 1 } as const;

/** GATHER's options (GatherOptions), as given (negative counts from the end). */
export interface GatherOptions {
  axis: number;
  batchDims: number;
}

export function parseGatherOptions(ctx: NodeContext): GatherOptions {
  const o = builtinOptions(ctx.op, 'GatherOptions');
  return { axis: o.axis ?? 0, batchDims: o.batchDims ?? 0 };
}

const INDEX_DTYPES = ['int32', 'int64', 'int16'] as const;

/** Index i of an index tensor as a JS number. */
function indexAt(t: RuntimeTensor, i: number): number {
  return Number(t.data[i]);
}

interface GatherParams {
  batches: number;
  outer: number;
  axisSize: number;
  inner: number;
  /** Indices per batch. */
  coords: number;
}

export const gatherKernel: Kernel<GatherParams> = {
  prepare(ctx) {
    const x = input(ctx, GATHER_INPUTS.input);
    const idx = input(ctx, GATHER_INPUTS.indices);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    requireDtype(ctx, idx, INDEX_DTYPES, 'the indices');
    const rank = x.shape.length;
    const idxRank = idx.shape.length;
    const { axis: givenAxis, batchDims: givenBatch } = parseGatherOptions(ctx);
    const axis = givenAxis < 0 ? givenAxis + rank : givenAxis;
    if (axis < 0 || axis >= rank) fail(ctx, `axis ${givenAxis} is out of range for rank ${rank}`);
    const batchDims = givenBatch < 0 ? givenBatch + idxRank : givenBatch;
    if (batchDims > axis) fail(ctx, `batch_dims ${givenBatch} must not exceed axis ${axis}`);
    if (batchDims < 0 || batchDims >= rank || batchDims > idxRank) {
      fail(ctx, `batch_dims ${givenBatch} is out of range for input rank ${rank} and indices rank ${idxRank}`);
    }
    for (let i = 0; i < batchDims; i++) {
      if (x.shape[i] !== idx.shape[i]) {
        fail(ctx, `batch dimension ${i} differs: input [${x.shape}] vs indices [${idx.shape}]`);
      }
    }
    y.shape = [...x.shape.slice(0, axis), ...idx.shape.slice(batchDims), ...x.shape.slice(axis + 1)];
    const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    return {
      batches: prod(x.shape.slice(0, batchDims)),
      outer: prod(x.shape.slice(batchDims, axis)),
      axisSize: x.shape[axis] as number,
      inner: prod(x.shape.slice(axis + 1)),
      coords: prod(idx.shape.slice(batchDims)),
    };
  },
  eval(ctx, p) {
    const idx = input(ctx, GATHER_INPUTS.indices);
    const src = elements(input(ctx, GATHER_INPUTS.input));
    const out = elements(output(ctx, 0));
    const { batches, outer, axisSize, inner, coords } = p;
    for (let b = 0; b < batches; b++) {
      for (let o = 0; o < outer; o++) {
        const from0 = (b * outer + o) * axisSize;
        const to0 = (b * outer + o) * coords;
        for (let i = 0; i < coords; i++) {
          const c = indexAt(idx, b * coords + i);
          if (c < 0 || c >= axisSize) fail(ctx, `index ${c} is out of range [0, ${axisSize})`);
          const from = (from0 + c) * inner;
          out.set(src.subarray(from, from + inner), (to0 + i) * inner);
        }
      }
    }
  },
};

interface GatherNdParams {
  slices: number;
  sliceSize: number;
  depth: number;
  dims: number[];
  /** Elements per step of each indexed dimension. */
  strides: number[];
}

export const gatherNdKernel: Kernel<GatherNdParams> = {
  prepare(ctx) {
    const x = input(ctx, GATHER_INPUTS.input);
    const idx = input(ctx, GATHER_INPUTS.indices);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the params input');
    requireSameDtype(ctx, x, y, 'params and output');
    requireDtype(ctx, idx, INDEX_DTYPES, 'the indices');
    const rank = x.shape.length;
    const idxRank = idx.shape.length;
    if (rank < 1) fail(ctx, 'params must be at least a vector');
    if (idxRank < 1) fail(ctx, 'indices must be at least a vector');
    const depth = idx.shape[idxRank - 1] as number;
    if (depth > rank) fail(ctx, `the index depth ${depth} exceeds the params rank ${rank}`);
    if (numElements(x.shape) === 0 && numElements(idx.shape) !== 0) fail(ctx, 'cannot gather from empty params');
    y.shape = [...idx.shape.slice(0, -1), ...x.shape.slice(depth)];
    const strides: number[] = [];
    let remaining = numElements(x.shape);
    for (let j = 0; j < depth; j++) {
      const dim = x.shape[j] as number;
      remaining = dim === 0 ? 0 : remaining / dim;
      strides.push(remaining);
    }
    return {
      slices: numElements(idx.shape.slice(0, -1)),
      sliceSize: numElements(x.shape.slice(depth)),
      depth,
      dims: x.shape.slice(0, depth),
      strides,
    };
  },
  eval(ctx, p) {
    const idx = input(ctx, GATHER_INPUTS.indices);
    const src = elements(input(ctx, GATHER_INPUTS.input));
    const out = elements(output(ctx, 0));
    const { slices, sliceSize, depth, dims, strides } = p;
    for (let i = 0; i < slices; i++) {
      let from = 0;
      for (let j = 0; j < depth; j++) {
        const c = indexAt(idx, i * depth + j);
        const dim = dims[j] as number;
        if (c < 0 || c >= dim) fail(ctx, `index ${c} is out of range [0, ${dim}) in dimension ${j}`);
        from += c * (strides[j] as number);
      }
      out.set(src.subarray(from, from + sliceSize), i * sliceSize);
    }
  },
};

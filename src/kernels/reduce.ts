// MEAN SUM REDUCE_PROD REDUCE_MAX REDUCE_MIN over a constant axis tensor, float32 and int32
// (tensorflow/lite/kernels/reduce.cc; math from internal/reference/reduce.h).
import { numElements } from '../model/dtype.js';
import { FLT_MAX, INT32_MAX, INT32_MIN } from './binary.js';
import { fail, input, isKnown, type Kernel, type NodeContext, output } from './kernel.js';
import { optBool } from './util.js';

type Reducer = 'sum' | 'mean' | 'prod' | 'max' | 'min';
type Acc = Float32Array | Int32Array | Float64Array;

/** Folds n inputs from x[ii] into acc[oi], moving oi by os (1 = kept inner axis, 0 = reduced). */
type RowFn = (x: Acc, ii: number, acc: Acc, oi: number, os: number, n: number) => void;

// Accumulating straight into typed arrays rounds (float32) or wraps (int32) each step, as TFLite's
// float / int accumulators do.
const sumRow: RowFn = (x, ii, acc, oi, os, n) => {
  for (let j = 0; j < n; j++, oi += os) acc[oi] += x[ii + j];
};
const prodRowFloat: RowFn = (x, ii, acc, oi, os, n) => {
  for (let j = 0; j < n; j++, oi += os) acc[oi] *= x[ii + j];
};
const prodRowInt: RowFn = (x, ii, acc, oi, os, n) => {
  for (let j = 0; j < n; j++, oi += os) acc[oi] = Math.imul(acc[oi], x[ii + j]);
};
const maxRow: RowFn = (x, ii, acc, oi, os, n) => {
  for (let j = 0; j < n; j++, oi += os) {
    const v = x[ii + j];
    if (v > acc[oi]) acc[oi] = v;
  }
};
const minRow: RowFn = (x, ii, acc, oi, os, n) => {
  for (let j = 0; j < n; j++, oi += os) {
    const v = x[ii + j];
    if (v < acc[oi]) acc[oi] = v;
  }
};

interface ReduceParams {
  row: RowFn;
  init: number;
  /**
   * Input walked in row-major order as collapsed segments (adjacent axes merged when both are
   * reduced or both kept; size-1 axes dropped). The last segment is the inner loop.
   */
  dims: number[];
  /** Output step per segment: 0 on reduced segments. */
  outStrides: number[];
  counter: Int32Array;
  inTotal: number;
  outTotal: number;
  /** Input elements folded into each output (the MEAN divisor). */
  count: number;
  /** int32 MEAN sums in int64 like TFLite: a double scratch holds them exactly. */
  scratch: Float64Array | null;
}

function reduceKernel(kind: Reducer): Kernel<ReduceParams> {
  return {
    prepare: (ctx) => prepareReduce(ctx, kind),
    eval(ctx, p) {
      const x = input(ctx, 0).data as Float32Array | Int32Array;
      const o = output(ctx, 0).data as Float32Array | Int32Array;
      if (p.outTotal === 0) return;
      if (kind === 'mean' && p.inTotal === 0) {
        o.fill(o instanceof Float32Array ? Number.NaN : 0); // TFLite's InitializeMeanOutput
        return;
      }
      const acc: Acc = p.scratch ?? o;
      acc.fill(p.init);
      if (p.inTotal > 0) walk(p, x, acc);
      if (kind === 'mean') {
        const count = p.count;
        if (p.scratch) for (let i = 0; i < p.outTotal; i++) o[i] = Math.trunc(p.scratch[i] / count);
        else for (let i = 0; i < p.outTotal; i++) o[i] = o[i] / count;
      }
    },
  };
}

function walk(p: ReduceParams, x: Acc, acc: Acc): void {
  const { dims, outStrides, counter, row } = p;
  const r = dims.length - 1;
  const n = dims[r];
  const os = outStrides[r];
  counter.fill(0);
  let oi = 0;
  for (let ii = 0; ii < p.inTotal; ii += n) {
    row(x, ii, acc, oi, os, n);
    for (let d = r - 1; d >= 0; d--) {
      oi += outStrides[d];
      if (++counter[d] < dims[d]) break;
      counter[d] = 0;
      oi -= outStrides[d] * dims[d];
    }
  }
}

function prepareReduce(ctx: NodeContext, kind: Reducer): ReduceParams {
  const x = input(ctx, 0);
  const axis = input(ctx, 1);
  const out = output(ctx, 0);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') fail(ctx, `dtype ${x.dtype} is not supported`);
  if (out.dtype !== x.dtype) fail(ctx, `output dtype ${out.dtype} differs from input dtype ${x.dtype}`);
  if (axis.dtype !== 'int32') fail(ctx, `axis must be int32, got ${axis.dtype}`);
  // An empty axis list (shape [0]) has no buffer data to read: it is known all the same.
  const axisCount = numElements(axis.shape);
  if (axisCount > 0 && !isKnown(axis)) fail(ctx, 'axis tensor must be constant (its values decide the output shape)');
  const shape = x.shape;
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  // A scalar input ignores the axes (TFLite's ResolveAxis short-circuits rank 0).
  if (rank > 0 && axisCount > 0) {
    for (const a of (axis.data as Int32Array).subarray(0, axisCount)) {
      const d = a < 0 ? a + rank : a;
      if (d < 0 || d >= rank) fail(ctx, `axis ${a} is out of range for input rank ${rank}`);
      reduced[d] = true; // duplicates fold together
    }
  }
  const keepDims = optBool(ctx, 'keepDims', false);
  out.shape = keepDims ? shape.map((s, d) => (reduced[d] ? 1 : s)) : shape.filter((_, d) => !reduced[d]);

  const dims: number[] = [];
  const isReduced: boolean[] = [];
  for (let d = 0; d < rank; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && isReduced[last] === reduced[d]) dims[last] *= shape[d];
    else {
      dims.push(shape[d]);
      isReduced.push(reduced[d]);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    isReduced.push(false);
  }
  const outStrides = new Array<number>(dims.length).fill(0);
  for (let d = dims.length - 1, s = 1; d >= 0; d--) {
    if (isReduced[d]) continue;
    outStrides[d] = s;
    s *= dims[d];
  }
  const inTotal = numElements(shape);
  const outTotal = numElements(out.shape);
  const isInt = x.dtype === 'int32';
  const row = kind === 'max' ? maxRow : kind === 'min' ? minRow : kind === 'prod' ? (isInt ? prodRowInt : prodRowFloat) : sumRow;
  const init = kind === 'prod' ? 1 : kind === 'max' ? (isInt ? INT32_MIN : -FLT_MAX) : kind === 'min' ? (isInt ? INT32_MAX : FLT_MAX) : 0;
  return {
    row,
    init,
    dims,
    outStrides,
    counter: new Int32Array(dims.length),
    inTotal,
    outTotal,
    count: outTotal > 0 ? inTotal / outTotal : 0,
    scratch: kind === 'mean' && isInt ? new Float64Array(outTotal) : null,
  };
}

export const meanKernel = reduceKernel('mean');
export const sumKernel = reduceKernel('sum');
export const reduceProdKernel = reduceKernel('prod');
export const reduceMaxKernel = reduceKernel('max');
export const reduceMinKernel = reduceKernel('min');

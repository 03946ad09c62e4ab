// MEAN SUM REDUCE_PROD REDUCE_MAX REDUCE_MIN over a constant axis tensor, float32 and int32
// (tensorflow/lite/kernels/reduce.cc; math from internal/reference/reduce.h).
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import { FLT_MAX, INT32_MAX, INT32_MIN } from './binary.js';
import { fail, input, isKnown, type Kernel, type NodeContext, output, type RuntimeTensor } from './kernel.js';
import { intValues } from './tensor_data.js';

/** Input slots of MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN (float and integer). */
export const REDUCE_INPUTS = { input: 0, axis: 1 } as const;

/** The reductions' options (ReducerOptions). */
export interface ReducerOptions {
  keepDims: boolean;
}

export function parseReducerOptions(ctx: NodeContext): ReducerOptions {
  return { keepDims: Boolean(builtinOptions(ctx.op, 'ReducerOptions').keepDims ?? false) };
}

/** The axis input resolved against the input (TFLite's ResolveAxis). */
export interface ReduceAxes {
  /** The axis tensor's values as given (some integer kernels test them raw). */
  raw: number[];
  /** Normalized axes, duplicates dropped, in the order given. */
  axes: number[];
  /** Per input dimension: reduced or kept. */
  reduced: boolean[];
  /** The output shape (reduced dimensions dropped, or kept as 1 under keepDims). */
  outShape: number[];
}

/** Reads the constant axis tensor and sizes the output; a scalar input reduces nothing. */
export function resolveReduceAxes(ctx: NodeContext, x: RuntimeTensor, axisT: RuntimeTensor, keepDims: boolean): ReduceAxes {
  // An empty axis list (shape [0]) has no buffer data to read: it is known all the same.
  const axisCount = numElements(axisT.shape);
  if (axisCount > 0 && !isKnown(axisT)) fail(ctx, 'axis tensor must be constant (its values decide the output shape)');
  const raw = axisCount > 0 ? intValues(ctx, axisT, 'axis') : [];
  const shape = x.shape;
  const rank = shape.length;
  const axes: number[] = [];
  if (rank > 0) {
    for (const a of raw) {
      const d = a < 0 ? a + rank : a;
      if (d < 0 || d >= rank) fail(ctx, `axis ${a} is out of range for input rank ${rank}`);
      if (!axes.includes(d)) axes.push(d);
    }
  }
  const reduced = shape.map((_, d) => axes.includes(d));
  const outShape = keepDims ? shape.map((s, d) => (reduced[d] ? 1 : s)) : shape.filter((_, d) => !reduced[d]);
  return { raw, axes, reduced, outShape };
}

/**
 * The input walked in row-major order as collapsed segments (adjacent axes merged when both are
 * reduced or both kept; size-1 axes dropped), the last segment the inner loop, with the output
 * step per segment (0 on reduced segments).
 */
export interface ReduceWalk {
  dims: number[];
  outStrides: number[];
}

export function reduceWalk(shape: readonly number[], reduced: readonly boolean[]): ReduceWalk {
  const dims: number[] = [];
  const isReduced: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && isReduced[last] === reduced[d]) dims[last] *= shape[d] as number;
    else {
      dims.push(shape[d] as number);
      isReduced.push(reduced[d] as boolean);
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
    s *= dims[d] as number;
  }
  return { dims, outStrides };
}

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

/** What the reduction prepare computed: the resolved axes and the walk over the input. */
export interface ReduceParams extends ReduceWalk {
  /** Per input dimension: reduced or kept. */
  reduced: boolean[];
  row: RowFn;
  init: number;
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
      const x = input(ctx, REDUCE_INPUTS.input).data as Float32Array | Int32Array;
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
  const x = input(ctx, REDUCE_INPUTS.input);
  const axis = input(ctx, REDUCE_INPUTS.axis);
  const out = output(ctx, 0);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') fail(ctx, `dtype ${x.dtype} is not supported`);
  if (out.dtype !== x.dtype) fail(ctx, `output dtype ${out.dtype} differs from input dtype ${x.dtype}`);
  if (axis.dtype !== 'int32') fail(ctx, `axis must be int32, got ${axis.dtype}`);
  const { reduced, outShape } = resolveReduceAxes(ctx, x, axis, parseReducerOptions(ctx).keepDims);
  out.shape = outShape;
  const shape = x.shape;
  const { dims, outStrides } = reduceWalk(shape, reduced);
  const inTotal = numElements(shape);
  const outTotal = numElements(out.shape);
  const isInt = x.dtype === 'int32';
  const row = kind === 'max' ? maxRow : kind === 'min' ? minRow : kind === 'prod' ? (isInt ? prodRowInt : prodRowFloat) : sumRow;
  const init = kind === 'prod' ? 1 : kind === 'max' ? (isInt ? INT32_MIN : -FLT_MAX) : kind === 'min' ? (isInt ? INT32_MAX : FLT_MAX) : 0;
  return {
    reduced,
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

// SHAPE, FILL, RANGE, ZEROS_LIKE, TILE and BROADCAST_TO (tensorflow/lite/kernels/shape.cc,
// fill.cc, range.cc, zeros_like.cc, tile.cc, broadcast_to.cc).
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, output } from './kernel.js';
import {
  type ElementArray,
  elements,
  intValues,
  requireDtype,
  requireElementDtype,
  requireKnown,
  requireSameDtype,
  requireSameQuantization,
  type StridedPlan,
  simplifyStrided,
  stridedCopy,
  tensorZeroPoint,
  zeroOf,
} from './tensor_data.js';
import { broadcastStrides } from './util.js';

/** Input slots of the shape ops: SHAPE / ZEROS_LIKE (input), FILL, RANGE, TILE, BROADCAST_TO. */
export const SHAPE_INPUTS = { input: 0 } as const;
export const FILL_INPUTS = { dims: 0, value: 1 } as const;
export const RANGE_INPUTS = { start: 0, limit: 1, delta: 2 } as const;
export const TILE_INPUTS = { input: 0, multiples: 1 } as const;
export const BROADCAST_TO_INPUTS = { input: 0, shape: 1 } as const;

/** SHAPE's options (ShapeOptions): the requested TensorType, null when the model omits it. */
export interface ShapeOptions {
  outType: number | null;
}

export function parseShapeOptions(ctx: NodeContext): ShapeOptions {
  return { outType: builtinOptions(ctx.op, 'ShapeOptions').outType ?? null };
}

/** TensorType codes ShapeOptions.outType may hold. */
const TENSOR_TYPE_INT32 = 2;
const TENSOR_TYPE_INT64 = 4;

export const shapeKernel: Kernel<number[]> = {
  // The output depends only on the input's shape, so the interpreter folds it at prepare.
  readsShapesOnly: true,
  prepare(ctx) {
    const x = input(ctx, SHAPE_INPUTS.input);
    const y = output(ctx, 0);
    const outType = parseShapeOptions(ctx).outType ?? 0;
    const wanted = outType === TENSOR_TYPE_INT32 ? 'int32' : outType === TENSOR_TYPE_INT64 ? 'int64' : null;
    // Models without ShapeOptions leave the choice to the output tensor's own type.
    if (wanted !== null && y.dtype !== wanted) fail(ctx, `out_type is ${wanted} but the output tensor is ${y.dtype}`);
    requireDtype(ctx, y, ['int32', 'int64'], 'the output');
    y.shape = [x.shape.length];
    return [...x.shape];
  },
  eval(ctx, dims) {
    const y = output(ctx, 0);
    if (y.dtype === 'int64') {
      const d = y.data as BigInt64Array;
      dims.forEach((v, i) => {
        d[i] = BigInt(v);
      });
    } else {
      (y.data as Int32Array).set(dims);
    }
  },
};

export const fillKernel: Kernel<null> = {
  prepare(ctx) {
    const dimsT = input(ctx, FILL_INPUTS.dims);
    const value = input(ctx, FILL_INPUTS.value);
    const y = output(ctx, 0);
    requireDtype(ctx, dimsT, ['int32', 'int64'], 'the dims input');
    if (dimsT.shape.length !== 1) fail(ctx, `the dims input must be 1-D, got [${dimsT.shape}]`);
    if (value.shape.length !== 0) fail(ctx, `the value must be a scalar, got shape [${value.shape}]`);
    requireElementDtype(ctx, value, 'the value');
    requireSameDtype(ctx, value, y, 'value and output');
    requireSameQuantization(ctx, value, y, 'value and output');
    if (value.dtype === 'int16' && tensorZeroPoint(value) !== 0) fail(ctx, 'int16 value has a nonzero zero point');
    requireKnown(ctx, dimsT, 'the dims input');
    const dims = intValues(ctx, dimsT, 'the dims input');
    for (const d of dims) if (d < 0) fail(ctx, `fill dimensions must be >= 0, got [${dims}]`);
    y.shape = dims;
    return null;
  },
  eval(ctx) {
    elements(output(ctx, 0)).fill(elements(input(ctx, FILL_INPUTS.value))[0] as number | bigint);
  },
};

export const rangeKernel: Kernel<null> = {
  prepare(ctx) {
    const [start, limit, delta] = [input(ctx, RANGE_INPUTS.start), input(ctx, RANGE_INPUTS.limit), input(ctx, RANGE_INPUTS.delta)];
    const y = output(ctx, 0);
    for (const t of [start, limit, delta]) {
      if (t.shape.length !== 0) fail(ctx, `start, limit and delta must be scalars, got shape [${t.shape}]`);
    }
    requireDtype(ctx, start, ['int32', 'int64', 'float32'], 'start');
    requireSameDtype(ctx, start, limit, 'start and limit');
    requireSameDtype(ctx, start, delta, 'start and delta');
    requireSameDtype(ctx, start, y, 'start and output');
    for (const [t, what] of [
      [start, 'start'],
      [limit, 'limit'],
      [delta, 'delta'],
    ] as const) {
      requireKnown(ctx, t, what);
    }
    const s = Number(start.data[0]);
    const l = Number(limit.data[0]);
    const d = Number(delta.data[0]);
    if (d === 0) fail(ctx, 'delta must be nonzero');
    if (!((s >= l && d < 0) || (s <= l && d > 0))) fail(ctx, `delta ${d} never takes ${s} to ${l}`);
    let size: number;
    if (start.dtype === 'float32') {
      size = Math.ceil(Math.abs(Math.fround(Math.fround(l - s) / d)));
    } else {
      size = Math.trunc((Math.abs(l - s) + Math.abs(d) - 1) / Math.abs(d));
    }
    y.shape = [size];
    return null;
  },
  eval(ctx) {
    const y = output(ctx, 0);
    const start = input(ctx, RANGE_INPUTS.start).data;
    const delta = input(ctx, RANGE_INPUTS.delta).data;
    const n = numElements(y.shape);
    if (y.dtype === 'int64') {
      const out = y.data as BigInt64Array;
      let v = start[0] as bigint;
      const step = delta[0] as bigint;
      for (let i = 0; i < n; i++, v += step) out[i] = v;
    } else if (y.dtype === 'float32') {
      // The value accumulates in float32, as TFLite's `value += delta` does.
      const out = y.data as Float32Array;
      let v = start[0] as number;
      const step = delta[0] as number;
      for (let i = 0; i < n; i++) {
        out[i] = v;
        v = Math.fround(v + step);
      }
    } else {
      const out = y.data as Int32Array;
      let v = start[0] as number;
      const step = delta[0] as number;
      for (let i = 0; i < n; i++) {
        out[i] = v;
        v = (v + step) | 0;
      }
    }
  },
};

export const zerosLikeKernel: Kernel<null> = {
  prepare(ctx) {
    const x = input(ctx, SHAPE_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    y.shape = [...x.shape];
    return null;
  },
  eval(ctx) {
    const y = output(ctx, 0);
    elements(y).fill(zeroOf(y.dtype));
  },
};

interface TileParams {
  inShape: number[];
  multiples: number[];
  empty: boolean;
}

/**
 * tile.cc TileOneDimension: tiles every sub-block of dimension d, then repeats the tiled block
 * along d. Returns [input elements consumed, output elements written].
 */
function tileDimension(
  src: ElementArray,
  out: ElementArray,
  shape: readonly number[],
  multiples: readonly number[],
  d: number,
  inOffset: number,
  outOffset: number,
): [number, number] {
  const n = shape[d] as number;
  const m = multiples[d] as number;
  if (d === shape.length - 1) {
    const row = src.subarray(inOffset, inOffset + n);
    for (let k = 0; k < m; k++) out.set(row, outOffset + k * n);
    return [n, n * m];
  }
  let inTotal = 0;
  let outTotal = 0;
  for (let i = 0; i < n; i++) {
    const [a, b] = tileDimension(src, out, shape, multiples, d + 1, inOffset + inTotal, outOffset + outTotal);
    inTotal += a;
    outTotal += b;
  }
  for (let k = 1; k < m; k++) out.copyWithin(outOffset + k * outTotal, outOffset, outOffset + outTotal);
  return [inTotal, outTotal * m];
}

export const tileKernel: Kernel<TileParams> = {
  prepare(ctx) {
    const x = input(ctx, TILE_INPUTS.input);
    const multT = input(ctx, TILE_INPUTS.multiples);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    requireDtype(ctx, multT, ['int32', 'int64'], 'the multiples');
    if (numElements(multT.shape) !== x.shape.length) {
      fail(ctx, `needs ${x.shape.length} multiples (the input rank), got shape [${multT.shape}]`);
    }
    requireKnown(ctx, multT, 'the multiples');
    const multiples = intValues(ctx, multT, 'the multiples');
    for (const m of multiples) if (m < 0) fail(ctx, `multiples must be >= 0, got [${multiples}]`);
    y.shape = x.shape.map((d, i) => d * (multiples[i] as number));
    return { inShape: [...x.shape], multiples, empty: numElements(y.shape) === 0 };
  },
  eval(ctx, p) {
    if (p.empty) return;
    const src = elements(input(ctx, TILE_INPUTS.input));
    const out = elements(output(ctx, 0));
    if (p.inShape.length === 0) {
      out[0] = src[0];
      return;
    }
    tileDimension(src, out, p.inShape, p.multiples, 0, 0, 0);
  },
};

export const broadcastToKernel: Kernel<StridedPlan> = {
  prepare(ctx) {
    const x = input(ctx, BROADCAST_TO_INPUTS.input);
    const shapeT = input(ctx, BROADCAST_TO_INPUTS.shape);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    requireDtype(ctx, shapeT, ['int32', 'int64'], 'the shape input');
    if (shapeT.shape.length !== 1) fail(ctx, `the shape input must be 1-D, got [${shapeT.shape}]`);
    requireKnown(ctx, shapeT, 'the shape input');
    const shape = intValues(ctx, shapeT, 'the shape input');
    const rank = x.shape.length;
    const extra = shape.length - rank;
    if (extra < 0) fail(ctx, `cannot broadcast [${x.shape}] to the lower-rank [${shape}]`);
    if (shape.length > 8) fail(ctx, `broadcasting to rank ${shape.length} is above the supported 8`);
    for (let i = 0; i < rank; i++) {
      if (x.shape[i] !== 1 && x.shape[i] !== shape[extra + i]) fail(ctx, `cannot broadcast [${x.shape}] to [${shape}]`);
    }
    for (const d of shape) if (d < 0) fail(ctx, `the target shape [${shape}] has a negative dimension`);
    y.shape = shape;
    return simplifyStrided(0, shape, broadcastStrides(x.shape, shape));
  },
  eval(ctx, plan) {
    stridedCopy(elements(input(ctx, BROADCAST_TO_INPUTS.input)), plan, elements(output(ctx, 0)));
  },
};

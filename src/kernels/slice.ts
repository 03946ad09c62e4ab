// SLICE (tensorflow/lite/kernels/slice.cc) and STRIDED_SLICE (strided_slice.cc with
// reference_ops::StridedSlice and strided_slice_logic.h): both become a strided read of the input.
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, isKnown, output } from './kernel.js';
import {
  elements,
  intValues,
  requireDtype,
  requireElementDtype,
  requireKnown,
  requireSameDtype,
  type StridedPlan,
  simplifyStrided,
  stridedCopy,
} from './tensor_data.js';
import { stridesOf } from './util.js';

/** Input slots of SLICE (size) and STRIDED_SLICE (end, strides). */
export const SLICE_INPUTS = { input: 0, begin: 1, size: 2, end: 2, strides: 3 } as const;

/** STRIDED_SLICE's options (StridedSliceOptions): bit masks over the begin/end/strides entries. */
export interface StridedSliceOptions {
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
  /** end holds sizes rather than end indices. */
  offset: boolean;
}

export function parseStridedSliceOptions(ctx: NodeContext): StridedSliceOptions {
  const o = builtinOptions(ctx.op, 'StridedSliceOptions');
  return {
    beginMask: o.beginMask ?? 0,
    endMask: o.endMask ?? 0,
    ellipsisMask: o.ellipsisMask ?? 0,
    newAxisMask: o.newAxisMask ?? 0,
    shrinkAxisMask: o.shrinkAxisMask ?? 0,
    offset: Boolean(o.offset ?? false),
  };
}

export const sliceKernel: Kernel<StridedPlan> = {
  prepare(ctx) {
    const x = input(ctx, SLICE_INPUTS.input);
    const beginT = input(ctx, SLICE_INPUTS.begin);
    const sizeT = input(ctx, SLICE_INPUTS.size);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    requireDtype(ctx, beginT, ['int32', 'int64'], 'begin');
    requireDtype(ctx, sizeT, ['int32', 'int64'], 'size');
    const rank = x.shape.length;
    if (beginT.shape.length !== 1 || sizeT.shape.length !== 1) fail(ctx, 'begin and size must be 1-D');
    if (beginT.shape[0] !== rank || sizeT.shape[0] !== rank) {
      fail(ctx, `begin [${beginT.shape}] and size [${sizeT.shape}] must both have ${rank} elements, the input rank`);
    }
    requireKnown(ctx, beginT, 'begin');
    requireKnown(ctx, sizeT, 'size');
    const begin = intValues(ctx, beginT, 'begin');
    const size = intValues(ctx, sizeT, 'size');
    const outShape = x.shape.map((dim, d) => {
      const b = begin[d] as number;
      let s = size[d] as number;
      if (b < 0 || b > dim) fail(ctx, `begin ${b} is out of range for dimension ${d} of size ${dim}`);
      // size -1 means "to the end".
      if (s === -1) s = dim - b;
      else if (s < 0) fail(ctx, `size ${s} is invalid for dimension ${d}; only -1 may be negative`);
      else if (b + s > dim) fail(ctx, `begin ${b} + size ${s} runs past dimension ${d} of size ${dim}`);
      return s;
    });
    y.shape = outShape;
    const strides = stridesOf(x.shape);
    const base = begin.reduce((sum, b, d) => sum + b * (strides[d] as number), 0);
    return simplifyStrided(base, outShape, strides);
  },
  eval(ctx, plan) {
    stridedCopy(elements(input(ctx, SLICE_INPUTS.input)), plan, elements(output(ctx, 0)));
  },
};

/** The masks and per-dimension values of a strided slice, expanded over ellipsis and new axes. */
interface EffectiveSlice {
  /** Input shape with new axes inserted as 1s. */
  shape: number[];
  /** Input strides per effective dimension (0 for new axes). */
  strides: number[];
  begin: number[];
  end: number[];
  step: number[];
  beginMask: number;
  endMask: number;
  shrinkMask: number;
}

const bit = (mask: number, i: number): boolean => ((mask >>> i) & 1) === 1;

/**
 * strided_slice.cc BuildStridedSliceParams: expands the ellipsis into full-range dimensions and
 * new-axis entries into size-1 dimensions, mapping each remaining entry to its input dimension.
 */
function effectiveSlice(
  ctx: NodeContext,
  options: StridedSliceOptions,
  inputShape: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  step: readonly number[],
): EffectiveSlice {
  const { ellipsisMask, newAxisMask, beginMask: beginMaskIn, endMask: endMaskIn, shrinkAxisMask: shrinkMaskIn } = options;
  const count = begin.length;
  const inRank = inputShape.length;

  let numAddAxis = 0;
  let ellipses = 0;
  for (let i = 0; i < count; i++) {
    if (bit(ellipsisMask, i)) ellipses++;
    else if (bit(newAxisMask, i)) numAddAxis++;
  }
  if (ellipses > 1) fail(ctx, 'only one ellipsis is allowed');
  const dims = inRank + numAddAxis;
  if (dims > 32) fail(ctx, `a strided slice over ${dims} dimensions exceeds the 32 that masks can address`);

  // Which effective dimensions the ellipsis covers, and which are new axes.
  const isEllipsis = new Array<boolean>(dims).fill(false);
  const isNewAxis = new Array<boolean>(dims).fill(false);
  let ellipsisStart = dims;
  let expanded = 0;
  for (let i = 0; i < dims; ) {
    if (bit(ellipsisMask, i)) {
      ellipsisStart = i;
      const ellipsisEnd = Math.max(i + 1, Math.min(i + 1 + numAddAxis + inRank - count, dims));
      expanded = ellipsisEnd - ellipsisStart - 1;
      for (; i < ellipsisEnd; i++) isEllipsis[i] = true;
      continue;
    }
    if (bit(newAxisMask, i - expanded)) isNewAxis[i] = true;
    i++;
  }

  const inStrides = stridesOf(inputShape);
  const e: EffectiveSlice = {
    shape: [],
    strides: [],
    begin: new Array<number>(dims).fill(0),
    end: new Array<number>(dims).fill(0),
    step: new Array<number>(dims).fill(1),
    beginMask: 0,
    endMask: 0,
    shrinkMask: 0,
  };
  let addedEllipsis = 0;
  let addedAxes = 0;
  const fullRange = (i: number) => {
    e.beginMask |= 1 << i;
    e.endMask |= 1 << i;
    e.shape.push(inputShape[i - addedAxes] as number);
    e.strides.push(inStrides[i - addedAxes] as number);
  };
  for (let i = 0; i < dims; i++) {
    if (isEllipsis[i]) {
      addedEllipsis = Math.max(0, i - ellipsisStart);
      fullRange(i);
    } else if (isNewAxis[i]) {
      e.end[i] = 1;
      e.shape.push(1);
      e.strides.push(0);
      addedAxes++;
    } else if (i >= count + expanded) {
      fullRange(i);
    } else {
      const j = i - addedEllipsis;
      e.begin[i] = begin[j] as number;
      e.end[i] = end[j] as number;
      e.step[i] = step[j] as number;
      if (bit(beginMaskIn, j)) e.beginMask |= 1 << i;
      if (bit(endMaskIn, j)) e.endMask |= 1 << i;
      if (bit(shrinkMaskIn, j)) e.shrinkMask |= 1 << i;
      e.shape.push(inputShape[i - addedAxes] as number);
      e.strides.push(inStrides[i - addedAxes] as number);
    }
  }
  return e;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** reference_ops::StartForAxis. */
function startForAxis(e: EffectiveSlice, d: number): number {
  const size = e.shape[d] as number;
  const step = e.step[d] as number;
  let start = e.begin[d] as number;
  if (start < 0) start += size;
  start = step > 0 ? clamp(start, 0, size) : clamp(start, -1, size - 1);
  if (bit(e.beginMask, d)) start = step > 0 ? 0 : size - 1;
  return start;
}

/** reference_ops::EndForAxis. */
function endForAxis(e: EffectiveSlice, d: number, start: number, offset: boolean): number {
  const size = e.shape[d] as number;
  if (bit(e.shrinkMask, d)) return start >= size ? start : start + 1;
  const step = e.step[d] as number;
  let end = e.end[d] as number;
  if (offset) end += start;
  if (end < 0) end += size;
  end = step > 0 ? clamp(end, 0, size) : clamp(end, -1, size - 1);
  if (bit(e.endMask, d)) end = step > 0 ? size : -1;
  return end;
}

/** Output shape as strided_slice.cc ResizeOutputTensor computes it (shrunk axes dropped). */
function sliceOutputShape(ctx: NodeContext, e: EffectiveSlice, offset: boolean): number[] {
  const shape: number[] = [];
  for (let d = 0; d < e.shape.length; d++) {
    const step = e.step[d] as number;
    if (step === 0) fail(ctx, 'strides must be nonzero');
    if (bit(e.shrinkMask, d)) continue;
    let extent: number;
    if (offset) {
      extent = e.end[d] as number;
    } else {
      const start = startForAxis(e, d);
      extent = endForAxis(e, d, start, false) - start;
    }
    let n: number;
    if (extent < 0 !== step < 0) n = 0;
    else if (step < 0) n = Math.trunc((extent + 1) / step) + 1;
    else n = extent === 0 ? 0 : Math.trunc((extent - 1) / step) + 1;
    shape.push(n);
  }
  return shape;
}

/** The read pattern of the slice: start, count and stride per effective dimension. */
function slicePlan(ctx: NodeContext, e: EffectiveSlice, offset: boolean, outShape: readonly number[]): StridedPlan {
  let base = 0;
  const counts: number[] = [];
  const strides: number[] = [];
  let o = 0;
  for (let d = 0; d < e.shape.length; d++) {
    const step = e.step[d] as number;
    const start = startForAxis(e, d);
    const stop = endForAxis(e, d, start, offset);
    const n = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
    if (bit(e.shrinkMask, d)) {
      if (n !== 1) fail(ctx, `index ${e.begin[d]} is out of range for shrunk dimension ${d} of size ${e.shape[d]}`);
    } else {
      if (n !== outShape[o]) {
        fail(ctx, `slice of dimension ${d} yields ${n} elements but the output has ${outShape[o]} there`);
      }
      o++;
    }
    if (n > 0) base += start * (e.strides[d] as number);
    counts.push(n);
    strides.push(step * (e.strides[d] as number));
  }
  return simplifyStrided(base, counts, strides);
}

interface StridedSliceParams {
  options: StridedSliceOptions;
  offset: boolean;
  outShape: number[];
  /** Set when begin and end were known at prepare. */
  plan: StridedPlan | null;
  end: number[];
  step: number[];
}

export const stridedSliceKernel: Kernel<StridedSliceParams> = {
  prepare(ctx) {
    const x = input(ctx, SLICE_INPUTS.input);
    const beginT = input(ctx, SLICE_INPUTS.begin);
    const endT = input(ctx, SLICE_INPUTS.end);
    const stepT = input(ctx, SLICE_INPUTS.strides);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    for (const [t, what] of [
      [beginT, 'begin'],
      [endT, 'end'],
      [stepT, 'strides'],
    ] as const) {
      requireDtype(ctx, t, ['int32'], what);
      if (t.shape.length !== 1) fail(ctx, `${what} must be 1-D, got [${t.shape}]`);
    }
    const count = beginT.shape[0] as number;
    if (endT.shape[0] !== count || stepT.shape[0] !== count) {
      fail(ctx, `begin, end and strides must have the same length, got ${count}, ${endT.shape[0]}, ${stepT.shape[0]}`);
    }
    if (count > 31) fail(ctx, 'supports up to 31 indices');
    const options = parseStridedSliceOptions(ctx);
    const { offset } = options;
    requireKnown(ctx, stepT, 'strides');
    // With `offset`, end holds sizes and alone decides the shape; begin may be a runtime value.
    requireKnown(ctx, endT, 'end');
    if (!offset) requireKnown(ctx, beginT, 'begin');
    const end = intValues(ctx, endT, 'end');
    const step = intValues(ctx, stepT, 'strides');
    const beginKnown = isKnown(beginT) || count === 0;
    const begin = beginKnown ? intValues(ctx, beginT, 'begin') : new Array<number>(count).fill(0);
    const e = effectiveSlice(ctx, options, x.shape, begin, end, step);
    const outShape = sliceOutputShape(ctx, e, offset);
    y.shape = outShape;
    const plan = beginKnown ? slicePlan(ctx, e, offset, outShape) : null;
    return { options, offset, outShape, plan, end, step };
  },
  eval(ctx, p) {
    const x = input(ctx, SLICE_INPUTS.input);
    let plan = p.plan;
    if (!plan) {
      const begin = intValues(ctx, input(ctx, SLICE_INPUTS.begin), 'begin');
      plan = slicePlan(ctx, effectiveSlice(ctx, p.options, x.shape, begin, p.end, p.step), p.offset, p.outShape);
    }
    stridedCopy(elements(x), plan, elements(output(ctx, 0)));
  },
};

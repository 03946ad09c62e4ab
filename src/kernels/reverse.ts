// REVERSE_V2 (tensorflow/lite/kernels/reverse.cc): reverses the data along the axes of a constant
// int32 axis tensor (negative axes count from the end). TFLite takes only contiguous axes, so the
// input is viewed as [outer, middle, inner] with the reversed axes merged into middle, and the
// output reads middle backwards. No options (ReverseV2Options is empty); data movement only, so
// every dtype is bit-exact.
import type { DType } from '../model/dtype.js';
import type { Kernel } from './kernel.js';
import { fail, input, output } from './kernel.js';
import {
  elements,
  intValues,
  requireDtype,
  requireKnown,
  requireSameDtype,
  type StridedPlan,
  simplifyStrided,
  stridedCopy,
} from './tensor_data.js';

export const REVERSE_V2_INPUTS = { data: 0, axis: 1 } as const;

/** TFLite's limit on the input rank (and so on the number of axes). */
const MAX_RANK = 8;

/** The dtypes reverse.cc moves (v1: float32, uint8, int16, int32, int64; v2 adds bool, v3 int8). */
const DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool'];

export interface ReverseV2Params {
  /**
   * The reversed axes, normalized and ascending (contiguous). Empty reverses nothing, as in
   * TensorFlow (TFLite's kernel reads past the empty axis list).
   */
  axes: number[];
  /** The input as [outer, middle, inner] elements: middle is the product of the reversed axes. */
  outer: number;
  middle: number;
  inner: number;
  /** eval's copy: middle walked backwards. */
  plan: StridedPlan;
}

export const reverseV2Kernel: Kernel<ReverseV2Params> = {
  prepare(ctx) {
    const x = input(ctx, REVERSE_V2_INPUTS.data);
    const axisT = input(ctx, REVERSE_V2_INPUTS.axis);
    const y = output(ctx, 0);
    requireDtype(ctx, x, DTYPES, 'the data');
    requireSameDtype(ctx, x, y, 'data and output');
    requireDtype(ctx, axisT, ['int32'], 'the axis tensor');
    const rank = x.shape.length;
    if (rank > MAX_RANK) fail(ctx, `rank ${rank} is above the supported ${MAX_RANK}`);
    if (axisT.shape.length !== 1) fail(ctx, `the axis tensor must be 1-D, got shape [${axisT.shape}]`);
    if ((axisT.shape[0] as number) > rank) fail(ctx, `${axisT.shape[0]} axes for data of rank ${rank}`);
    requireKnown(ctx, axisT, 'the axis tensor');
    const axes = intValues(ctx, axisT, 'the axis tensor').map((a) => {
      if (a < -rank || a >= rank) fail(ctx, `axis ${a} is out of range for rank ${rank}`);
      return a < 0 ? a + rank : a;
    });
    axes.sort((a, b) => a - b);
    for (let i = 1; i < axes.length; i++) {
      if (axes[i] === axes[i - 1]) fail(ctx, `axis ${axes[i]} is given twice`);
      if (axes[i] !== (axes[i - 1] as number) + 1) fail(ctx, `axes [${axes}] are not contiguous (TFLite reverses contiguous axes only)`);
    }
    y.shape = [...x.shape];
    const product = (from: number, to: number) => x.shape.slice(from, to).reduce((a, d) => a * d, 1);
    // No axes: all of it is inner (so the last axis is inner whenever it is not reversed).
    const lo = axes[0] ?? 0;
    const hi = axes.length ? (axes[axes.length - 1] as number) + 1 : 0;
    const outer = product(0, lo);
    const middle = product(lo, hi);
    const inner = product(hi, rank);
    const plan = simplifyStrided(Math.max(0, middle - 1) * inner, [outer, middle, inner], [middle * inner, -inner, 1]);
    return { axes, outer, middle, inner, plan };
  },
  eval(ctx, { plan }) {
    stridedCopy(elements(input(ctx, REVERSE_V2_INPUTS.data)), plan, elements(output(ctx, 0)));
  },
};

// SOFTMAX (with SoftmaxOptions.beta) and LOG_SOFTMAX over the last axis, float32
// (tensorflow/lite/kernels/activations.cc; math from internal/reference/softmax.h and log_softmax.h).

import { builtinOptions } from '../model/options.js';
import { FLT_MAX } from './binary.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { UNARY_INPUTS } from './unary.js';

/** SOFTMAX's options (SoftmaxOptions). */
export interface SoftmaxOptions {
  /** As a float; a model without SoftmaxOptions gets beta 0 from TFLite's parser too. */
  beta: number;
}

export function parseSoftmaxOptions(ctx: NodeContext): SoftmaxOptions {
  return { beta: Math.fround(builtinOptions(ctx.op, 'SoftmaxOptions').beta ?? 0) };
}

/** The rows SOFTMAX / LOG_SOFTMAX normalise (the last axis) and the exponent's scale (1 for LOG_SOFTMAX). */
export interface SoftmaxParams {
  beta: number;
  /** Length of the last axis. */
  depth: number;
  /** Number of rows (product of the other axes). */
  rows: number;
}

function prepareRows(ctx: NodeContext, beta: number): SoftmaxParams {
  const x = input(ctx, UNARY_INPUTS.input);
  const out = output(ctx, 0);
  if (x.dtype !== 'float32' || out.dtype !== 'float32') fail(ctx, `expects float32 input and output, got ${x.dtype} -> ${out.dtype}`);
  if (x.shape.length < 1) fail(ctx, 'input must have rank >= 1, got a scalar');
  out.shape = [...x.shape];
  const depth = x.shape[x.shape.length - 1];
  let rows = 1;
  for (let i = 0; i < x.shape.length - 1; i++) rows *= x.shape[i];
  return { beta, depth, rows };
}

/** exp((x - max) * beta) / sum over each row; every intermediate is a float as in TFLite. */
export const softmaxKernel: Kernel<SoftmaxParams> = {
  prepare: (ctx) => prepareRows(ctx, parseSoftmaxOptions(ctx).beta),
  eval(ctx, { beta, depth, rows }) {
    const x = input(ctx, UNARY_INPUTS.input).data as Float32Array;
    const o = output(ctx, 0).data as Float32Array;
    for (let r = 0, base = 0; r < rows; r++, base += depth) {
      const end = base + depth;
      let max = -FLT_MAX;
      for (let i = base; i < end; i++) if (x[i] > max) max = x[i];
      let sum = 0;
      for (let i = base; i < end; i++) {
        o[i] = Math.exp(Math.fround(Math.fround(x[i] - max) * beta));
        sum = Math.fround(sum + o[i]);
      }
      for (let i = base; i < end; i++) o[i] = o[i] / sum;
    }
  },
};

/** x - max - log(sum exp(x - max)) over each row. */
export const logSoftmaxKernel: Kernel<SoftmaxParams> = {
  prepare: (ctx) => prepareRows(ctx, 1),
  eval(ctx, { depth, rows }) {
    const x = input(ctx, UNARY_INPUTS.input).data as Float32Array;
    const o = output(ctx, 0).data as Float32Array;
    for (let r = 0, base = 0; r < rows; r++, base += depth) {
      const end = base + depth;
      let max = -FLT_MAX;
      for (let i = base; i < end; i++) if (x[i] > max) max = x[i];
      let sum = 0;
      for (let i = base; i < end; i++) sum = Math.fround(sum + Math.fround(Math.exp(Math.fround(x[i] - max))));
      const logSum = Math.fround(Math.log(sum));
      for (let i = base; i < end; i++) o[i] = Math.fround(x[i] - max) - logSum;
    }
  },
};

// RESHAPE, SQUEEZE and EXPAND_DIMS: the output holds the input's elements unchanged, only the
// shape differs (tensorflow/lite/kernels/reshape.cc, squeeze.cc, expand_dims.cc).
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { elements, intValues, requireElementDtype, requireKnown, requireSameDtype, requireSameQuantization } from './tensor_data.js';

/** Input slots of RESHAPE (shape), SQUEEZE and EXPAND_DIMS (axis). */
export const RESHAPE_INPUTS = { input: 0, shape: 1, axis: 1 } as const;

/** RESHAPE's options (ReshapeOptions): the new shape, empty when the model gives none. */
export interface ReshapeOptions {
  newShape: number[];
}

export function parseReshapeOptions(ctx: NodeContext): ReshapeOptions {
  return { newShape: [...(builtinOptions(ctx.op, 'ReshapeOptions').newShape ?? [])] };
}

/** SQUEEZE's options (SqueezeOptions): the dimensions to drop, empty for every size-1 one. */
export interface SqueezeOptions {
  squeezeDims: number[];
}

export function parseSqueezeOptions(ctx: NodeContext): SqueezeOptions {
  return { squeezeDims: [...(builtinOptions(ctx.op, 'SqueezeOptions').squeezeDims ?? [])] };
}

/** What the RESHAPE / SQUEEZE / EXPAND_DIMS prepare computed: the output shape. */
export interface ReshapeParams {
  shape: number[];
}

/** Copies the input's elements to the output, unless both already share storage. */
function copyAll(ctx: NodeContext): void {
  const src = input(ctx, RESHAPE_INPUTS.input).data;
  const dst = output(ctx, 0).data;
  if (src === dst) return;
  if (src.buffer === dst.buffer && src.byteOffset === dst.byteOffset) return;
  elements(output(ctx, 0)).set(elements(input(ctx, RESHAPE_INPUTS.input)));
}

/** The requested shape: from a 1-D int32 shape input when there is one, else from ReshapeOptions.newShape. */
function requestedShape(ctx: NodeContext): number[] {
  const shape = ctx.inputs[RESHAPE_INPUTS.shape] ?? null;
  if (shape && shape.shape.length === 1 && shape.dtype === 'int32') {
    requireKnown(ctx, shape, 'the shape input');
    return intValues(ctx, shape, 'the shape input');
  }
  const fromOptions = parseReshapeOptions(ctx).newShape;
  if (shape && fromOptions.length === 0) {
    fail(ctx, `the shape input must be a 1-D int32 tensor, got ${shape.dtype} [${shape.shape}]`);
  }
  // Legacy converters wrote [0] for a scalar.
  if (fromOptions.length === 1 && fromOptions[0] === 0) return [];
  return [...fromOptions];
}

/** Resolves one -1 entry so the element counts match (reshape_utils.h ResolveOutputShape). */
export function resolveReshape(ctx: NodeContext, inputShape: readonly number[], requested: readonly number[]): number[] {
  const out = [...requested];
  const inCount = numElements(inputShape);
  let inNonZero = 1;
  for (const d of inputShape) if (d !== 0) inNonZero *= d;
  let stretch = -1;
  let outNonZero = 1;
  let outCount = 1;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (v === -1) {
      if (stretch !== -1) fail(ctx, `the new shape [${requested}] has more than one -1`);
      stretch = i;
      continue;
    }
    if (v < 0) fail(ctx, `the new shape [${requested}] has a negative dimension`);
    if (v !== 0) outNonZero *= v;
    outCount *= v;
  }
  if (stretch !== -1) {
    out[stretch] = inCount === 0 && outCount !== 0 ? 0 : Math.floor(inNonZero / outNonZero);
    outCount *= out[stretch];
  }
  if (outCount !== inCount) {
    fail(ctx, `cannot reshape [${inputShape}] (${inCount} elements) to [${requested}] (${outCount} elements)`);
  }
  return out;
}

export const reshapeKernel: Kernel<ReshapeParams> = {
  prepare(ctx) {
    const x = input(ctx, RESHAPE_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    y.shape = resolveReshape(ctx, x.shape, requestedShape(ctx));
    return { shape: [...y.shape] };
  },
  eval(ctx) {
    copyAll(ctx);
  },
};

export const squeezeKernel: Kernel<ReshapeParams> = {
  prepare(ctx) {
    const x = input(ctx, RESHAPE_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    const rank = x.shape.length;
    const dims = parseSqueezeOptions(ctx).squeezeDims;
    const squeeze = new Array<boolean>(rank).fill(false);
    if (dims.length === 0) {
      for (let i = 0; i < rank; i++) squeeze[i] = x.shape[i] === 1;
    } else {
      for (const d of dims) {
        const a = d < 0 ? d + rank : d;
        if (a < 0 || a >= rank) fail(ctx, `squeeze dimension ${d} is out of range for rank ${rank}`);
        if (x.shape[a] !== 1) fail(ctx, `cannot squeeze dimension ${d} of size ${x.shape[a]} in [${x.shape}]`);
        squeeze[a] = true;
      }
    }
    y.shape = x.shape.filter((_, i) => !squeeze[i]);
    return { shape: [...y.shape] };
  },
  eval(ctx) {
    copyAll(ctx);
  },
};

export const expandDimsKernel: Kernel<ReshapeParams> = {
  prepare(ctx) {
    const x = input(ctx, RESHAPE_INPUTS.input);
    const axisT = input(ctx, RESHAPE_INPUTS.axis);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    requireSameQuantization(ctx, x, y, 'input and output');
    if (numElements(axisT.shape) !== 1) fail(ctx, `the axis input must hold one value, has shape [${axisT.shape}]`);
    requireKnown(ctx, axisT, 'the axis input');
    const rank = x.shape.length;
    const given = intValues(ctx, axisT, 'the axis input')[0] as number;
    const axis = given < 0 ? rank + 1 + given : given;
    if (axis < 0 || axis > rank) fail(ctx, `axis ${given} is out of range for expanding rank ${rank}`);
    y.shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
    return { shape: [...y.shape] };
  },
  eval(ctx) {
    copyAll(ctx);
  },
};

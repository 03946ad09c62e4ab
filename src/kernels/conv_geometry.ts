// Window geometry shared by the float, hybrid and integer convolution kernels (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV) and the pooling kernels: option checks, output size and
// padding. One copy so the float and integer kernels of an op cannot disagree on shapes.

import { builtinOptions, type OptionsOf } from '../model/options.js';
import type { NodeContext, RuntimeTensor } from './kernel.js';
import { fail } from './kernel.js';
import { Activation, computeOutSize, computePadding, Padding } from './util.js';

/** Input slots of CONV_2D and DEPTHWISE_CONV_2D (float, hybrid and integer kernels, GPU builders). */
export const CONV_INPUTS = { input: 0, filter: 1, bias: 2 } as const;

/** Input slots of TRANSPOSE_CONV: the output shape comes first. */
export const TRANSPOSE_CONV_INPUTS = { outputShape: 0, weights: 1, input: 2, bias: 3 } as const;

/** CONV_2D's options (Conv2DOptions), checked. */
export interface Conv2DOptions {
  padding: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: number;
  /** TensorType code of a 16x8 bias declared by the converter (0 when the model says nothing). */
  quantizedBiasType: number;
}

/** DEPTHWISE_CONV_2D's options (DepthwiseConv2DOptions), checked. */
export interface DepthwiseConv2DOptions extends Omit<Conv2DOptions, 'quantizedBiasType'> {
  /** 0 when the model omits it (TFLite then infers it from the shapes). */
  depthMultiplier: number;
}

/** TRANSPOSE_CONV's options (TransposeConvOptions), checked. */
export interface TransposeConvOptions {
  padding: number;
  strideH: number;
  strideW: number;
  activation: number;
  quantizedBiasType: number;
}

/** AVERAGE_POOL_2D / MAX_POOL_2D / L2_POOL_2D options (Pool2DOptions), checked. */
export interface Pool2DOptions {
  padding: number;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  activation: number;
}

function paddingOf(ctx: NodeContext, padding: number | undefined): number {
  const p = padding ?? Padding.SAME;
  if (p !== Padding.SAME && p !== Padding.VALID) fail(ctx, `padding ${p} is neither SAME nor VALID`);
  return p;
}

/** A positive integer option (strides, dilations), defaulting to 1 when the model omits it. */
function positive(ctx: NodeContext, name: string, v: number | undefined): number {
  const n = v ?? 1;
  if (!Number.isInteger(n) || n <= 0) fail(ctx, `${name} must be a positive integer, got ${n}`);
  return n;
}

/** The option fields every sliding-window conv table (Conv2D, DepthwiseConv2D, TransposeConv) has. */
type StridedFields = Pick<OptionsOf<'TransposeConvOptions'>, 'padding' | 'strideH' | 'strideW' | 'fusedActivationFunction'>;

/** Plus the dilations of Conv2D and DepthwiseConv2D. */
type DilatedFields = StridedFields & Pick<OptionsOf<'Conv2DOptions'>, 'dilationHFactor' | 'dilationWFactor'>;

function stridedOptions(ctx: NodeContext, o: StridedFields): Pick<Conv2DOptions, 'padding' | 'strideH' | 'strideW' | 'activation'> {
  return {
    padding: paddingOf(ctx, o.padding),
    strideH: positive(ctx, 'strideH', o.strideH),
    strideW: positive(ctx, 'strideW', o.strideW),
    activation: o.fusedActivationFunction ?? Activation.NONE,
  };
}

function dilatedOptions(ctx: NodeContext, o: DilatedFields): Omit<Conv2DOptions, 'quantizedBiasType'> {
  const { padding, strideH, strideW, activation } = stridedOptions(ctx, o);
  return {
    padding,
    strideH,
    strideW,
    dilationH: positive(ctx, 'dilationHFactor', o.dilationHFactor),
    dilationW: positive(ctx, 'dilationWFactor', o.dilationWFactor),
    activation,
  };
}

export function parseConv2DOptions(ctx: NodeContext): Conv2DOptions {
  const o = builtinOptions(ctx.op, 'Conv2DOptions');
  return { ...dilatedOptions(ctx, o), quantizedBiasType: o.quantizedBiasType ?? 0 };
}

export function parseDepthwiseConv2DOptions(ctx: NodeContext): DepthwiseConv2DOptions {
  const o = builtinOptions(ctx.op, 'DepthwiseConv2DOptions');
  return { ...dilatedOptions(ctx, o), depthMultiplier: o.depthMultiplier ?? 0 };
}

export function parseTransposeConvOptions(ctx: NodeContext): TransposeConvOptions {
  const o = builtinOptions(ctx.op, 'TransposeConvOptions');
  return { ...stridedOptions(ctx, o), quantizedBiasType: o.quantizedBiasType ?? 0 };
}

export function parsePool2DOptions(ctx: NodeContext): Pool2DOptions {
  const o = builtinOptions(ctx.op, 'Pool2DOptions');
  const padding = o.padding ?? Padding.SAME;
  if (padding !== Padding.SAME && padding !== Padding.VALID) fail(ctx, `padding ${padding} is not supported`);
  const options = {
    padding,
    strideH: o.strideH ?? 0,
    strideW: o.strideW ?? 0,
    filterH: o.filterHeight ?? 0,
    filterW: o.filterWidth ?? 0,
    activation: o.fusedActivationFunction ?? Activation.NONE,
  };
  if (options.strideH < 1 || options.strideW < 1) fail(ctx, `strides must be >= 1, got ${options.strideH}x${options.strideW}`);
  if (options.filterH < 1 || options.filterW < 1) fail(ctx, `filter size must be >= 1, got ${options.filterH}x${options.filterW}`);
  return options;
}

/** Strides, dilations, output size and leading padding of a (dilated) sliding window. */
export interface ConvWindow {
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

/** Sizes the output and padding of a dilated window (CONV_2D, DEPTHWISE_CONV_2D). */
export function convWindow(
  options: Pick<Conv2DOptions, 'padding' | 'strideH' | 'strideW' | 'dilationH' | 'dilationW'>,
  inH: number,
  inW: number,
  filterH: number,
  filterW: number,
): ConvWindow {
  const { padding, strideH, strideW, dilationH, dilationW } = options;
  const outH = computeOutSize(padding, inH, filterH, strideH, dilationH);
  const outW = computeOutSize(padding, inW, filterW, strideW, dilationW);
  return {
    outH,
    outW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padH: computePadding(strideH, dilationH, inH, filterH, outH),
    padW: computePadding(strideW, dilationW, inW, filterW, outW),
  };
}

/** The sizes every convolution works from: NHWC input, output channels, filter height and width. */
export interface ConvShape {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  filterH: number;
  filterW: number;
}

/** CONV_2D geometry: NHWC input, OHWI filter, grouped when the filter has fewer input channels. */
export interface ConvGeometry extends ConvShape, ConvWindow {
  /** Input channels per group (the filter's last dimension). */
  filterC: number;
  groups: number;
}

/** Output size, padding and group checks shared by the float, hybrid and integer CONV_2D kernels. */
export function convGeometry(ctx: NodeContext, options: Conv2DOptions, x: RuntimeTensor, filter: RuntimeTensor): ConvGeometry {
  if (x.shape.length !== 4) fail(ctx, `input must be rank 4 (NHWC), got shape [${x.shape}]`);
  if (filter.shape.length !== 4) fail(ctx, `filter must be rank 4 (OHWI), got shape [${filter.shape}]`);
  const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
  const [outC, filterH, filterW, filterC] = filter.shape as [number, number, number, number];
  if (inH <= 0 || inW <= 0 || inC <= 0) fail(ctx, `input height, width and channels must be positive, got [${x.shape}]`);
  if (outC <= 0 || filterH <= 0 || filterW <= 0 || filterC <= 0) fail(ctx, `filter dimensions must be positive, got [${filter.shape}]`);
  if (inC % filterC !== 0) fail(ctx, `input channels (${inC}) must be a multiple of the filter's input channels (${filterC})`);
  const groups = inC / filterC;
  if (outC % groups !== 0) fail(ctx, `output channels (${outC}) must be a multiple of the group count (${groups})`);
  return { batches, inH, inW, inC, outC, filterH, filterW, filterC, groups, ...convWindow(options, inH, inW, filterH, filterW) };
}

/** DEPTHWISE_CONV_2D tensor shapes: NHWC input, [1, H, W, C * multiplier] filter. */
export type DepthwiseShape = ConvShape;

/** Shape checks of DEPTHWISE_CONV_2D (the options are read separately, by convWindow). */
export function depthwiseShape(ctx: NodeContext, x: RuntimeTensor, filter: RuntimeTensor): DepthwiseShape {
  if (x.shape.length !== 4) fail(ctx, `input must be rank 4 (NHWC), got shape [${x.shape}]`);
  if (filter.shape.length !== 4) fail(ctx, `filter must be rank 4 ([1, H, W, C]), got shape [${filter.shape}]`);
  const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
  const [one, filterH, filterW, outC] = filter.shape as [number, number, number, number];
  if (one !== 1) fail(ctx, `filter's first dimension must be 1, got shape [${filter.shape}]`);
  if (inH <= 0 || inW <= 0 || inC <= 0) fail(ctx, `input height, width and channels must be positive, got [${x.shape}]`);
  if (filterH <= 0 || filterW <= 0 || outC <= 0) fail(ctx, `filter dimensions must be positive, got [${filter.shape}]`);
  if (outC % inC !== 0) fail(ctx, `filter channels (${outC}) must be a multiple of input channels (${inC})`);
  return { batches, inH, inW, inC, outC, filterH, filterW };
}

/** Per-tap offsets of a depthwise window, so the inner loops index without multiplying. */
export interface DepthwiseTaps {
  /** Input offset of each tap from the window's top-left pixel. */
  tapInput: Int32Array;
  /** Filter offset of each tap (channel 0). */
  tapFilter: Int32Array;
}

/** Tap tables of a depthwise filter over an NHWC input (float and integer depthwise kernels). */
export function depthwiseTaps(g: DepthwiseShape & Pick<ConvWindow, 'dilationH' | 'dilationW'>): DepthwiseTaps {
  const taps = g.filterH * g.filterW;
  const tapInput = new Int32Array(taps);
  const tapFilter = new Int32Array(taps);
  for (let fy = 0; fy < g.filterH; fy++) {
    for (let fx = 0; fx < g.filterW; fx++) {
      const t = fy * g.filterW + fx;
      tapInput[t] = (fy * g.dilationH * g.inW + fx * g.dilationW) * g.inC;
      tapFilter[t] = t * g.outC;
    }
  }
  return { tapInput, tapFilter };
}

/** Output geometry of a pooling window (no dilation), with TFLite's pooling option checks. */
export interface PoolWindow {
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  padTop: number;
  padLeft: number;
}

/** Sizes the output and padding of AVERAGE_POOL_2D / MAX_POOL_2D. */
export function poolWindow(options: Pool2DOptions, inH: number, inW: number): PoolWindow {
  const { padding, strideH, strideW, filterH, filterW } = options;
  const outH = computeOutSize(padding, inH, filterH, strideH);
  const outW = computeOutSize(padding, inW, filterW, strideW);
  return {
    outH,
    outW,
    strideH,
    strideW,
    filterH,
    filterW,
    padTop: computePadding(strideH, 1, inH, filterH, outH),
    padLeft: computePadding(strideW, 1, inW, filterW, outW),
  };
}

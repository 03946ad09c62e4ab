// CONV_2D: a matrix product for 1x1 filters with stride 1 (shaders/fully_connected.wgsl), else
// the direct convolution (shaders/conv2d.wgsl). Grouped convolutions run with the weights
// expanded to all input channels (zeros outside each group).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { computeOutSize, computePadding } from '../../src/kernels/util.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import {
  biasProblem,
  constant,
  float32,
  fusedActivation,
  fusedActivationProblem,
  inputAt,
  maxVersion,
  opt,
  packBias,
  packConvWeights,
  positive,
  rankOf,
  verdict,
} from './common.js';

/** Output pixels along x per invocation of conv2d.wgsl. */
const PIXELS_PER_INVOCATION = 4;
/** Rows per invocation of fully_connected.wgsl. */
export const ROWS_PER_INVOCATION = 4;

export interface ConvGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  groups: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

function geometry(node: DelegateNode): ConvGeometry {
  const x = node.inputs[0] as RuntimeTensor;
  const w = node.inputs[1] as RuntimeTensor;
  const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
  const [outC, filterH, filterW, filterC] = w.shape as [number, number, number, number];
  const padding = opt(node, 'padding', 0);
  const strideH = opt(node, 'strideH', 1);
  const strideW = opt(node, 'strideW', 1);
  const dilationH = opt(node, 'dilationHFactor', 1);
  const dilationW = opt(node, 'dilationWFactor', 1);
  const outH = computeOutSize(padding, inH, filterH, strideH, dilationH);
  const outW = computeOutSize(padding, inW, filterW, strideW, dilationW);
  return {
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    filterH,
    filterW,
    groups: inC / filterC,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop: computePadding(strideH, dilationH, inH, filterH, outH),
    padLeft: computePadding(strideW, dilationW, inW, filterW, outW),
  };
}

function convProblems(node: DelegateNode, ctx: OpContext): string | null {
  const x = inputAt(node, 0);
  const w = inputAt(node, 1);
  const why =
    maxVersion(node, 8) ??
    rankOf(x, 4, 'input') ??
    rankOf(w, 4, 'filter') ??
    float32(w, 'filter') ??
    constant(w, 'filter') ??
    fusedActivationProblem(node) ??
    positive(node, 'strideH', 'strideW', 'dilationHFactor', 'dilationWFactor');
  if (why) return why;
  const padding = opt(node, 'padding', 0);
  if (padding !== 0 && padding !== 1) return `padding ${padding} is neither SAME nor VALID`;
  const inC = (x as RuntimeTensor).shape[3] as number;
  const [outC, , , filterC] = (w as RuntimeTensor).shape as [number, number, number, number];
  if (filterC <= 0 || inC % filterC !== 0) return `input channels (${inC}) are not a multiple of the filter's (${filterC})`;
  if (outC % (inC / filterC) !== 0) return `output channels (${outC}) are not a multiple of the group count (${inC / filterC})`;
  const biasWhy = biasProblem(inputAt(node, 2), outC);
  if (biasWhy) return biasWhy;
  const g = geometry(node);
  const out = node.outputs[0]?.shape ?? [];
  if (out.join() !== [g.batches, g.outH, g.outW, g.outC].join()) {
    return `output shape [${out}] differs from the computed [${[g.batches, g.outH, g.outW, g.outC]}]`;
  }
  const weightBytes = Math.ceil(outC / 4) * g.filterH * g.filterW * Math.ceil(inC / 4) * 64;
  if (weightBytes > ctx.limits.maxStorageBufferBindingSize) {
    return `packed weights (${weightBytes} bytes) exceed maxStorageBufferBindingSize (${ctx.limits.maxStorageBufferBindingSize})`;
  }
  return null;
}

function isPointwise(g: ConvGeometry): boolean {
  return g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.groups === 1;
}

function packedWeights(node: DelegateNode, g: ConvGeometry): Float32Array {
  const w = node.inputs[1] as RuntimeTensor;
  return packConvWeights(w.data as Float32Array, g.outC, g.filterH * g.filterW, g.inC, g.groups);
}

/** 1x1 filter, stride 1: out[pixel] = W x[pixel] + b, a product over every pixel row. */
export const conv2dPointwise: OpImpl = {
  name: 'conv2d_1x1',
  isSupported(node, ctx) {
    const why = convProblems(node, ctx);
    if (why) return why;
    return isPointwise(geometry(node)) ? true : 'not a 1x1 stride-1 ungrouped convolution';
  },
  build(node): NodeProgram {
    const g = geometry(node);
    const rows = g.batches * g.inH * g.inW;
    const outSlices = Math.ceil(g.outC / 4);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'fully_connected',
            constants: { ACTIVATION: fusedActivation(node), ROWS_PER_INVOCATION },
          },
          bindings: {
            x: { kind: 'tensor', tensor: node.inputs[0] as RuntimeTensor },
            weights: { kind: 'weights', values: packedWeights(node, g) },
            bias: { kind: 'weights', values: packBias(inputAt(node, 2), g.outC) },
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
          },
          uniforms: { rows, in_slices: Math.ceil(g.inC / 4), out_slices: outSlices },
          invocations: Math.ceil(rows / ROWS_PER_INVOCATION) * outSlices,
        },
      ],
    };
  },
};

export const conv2dDirect: OpImpl = {
  name: 'conv2d',
  isSupported(node, ctx) {
    return verdict(convProblems(node, ctx));
  },
  build(node): NodeProgram {
    const g = geometry(node);
    const outSlices = sliceLayout([g.outC]).slices;
    const xBlocks = Math.ceil(g.outW / PIXELS_PER_INVOCATION);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'conv2d',
            constants: { ACTIVATION: fusedActivation(node), PIXELS_PER_INVOCATION },
          },
          bindings: {
            x: { kind: 'tensor', tensor: node.inputs[0] as RuntimeTensor },
            weights: { kind: 'weights', values: packedWeights(node, g) },
            bias: { kind: 'weights', values: packBias(inputAt(node, 2), g.outC) },
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
          },
          uniforms: {
            in_h: g.inH,
            in_w: g.inW,
            in_slices: Math.ceil(g.inC / 4),
            out_h: g.outH,
            out_w: g.outW,
            out_slices: outSlices,
            x_blocks: xBlocks,
            filter_h: g.filterH,
            filter_w: g.filterW,
            stride_h: g.strideH,
            stride_w: g.strideW,
            dilation_h: g.dilationH,
            dilation_w: g.dilationW,
            pad_top: g.padTop,
            pad_left: g.padLeft,
          },
          invocations: g.batches * g.outH * xBlocks * outSlices,
        },
      ],
    };
  },
};

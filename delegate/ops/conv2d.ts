// CONV_2D: a matrix product for 1x1 filters with stride 1 (shaders/fully_connected.wgsl), else
// the direct convolution (shaders/conv2d.wgsl). Grouped convolutions run with the weights
// expanded to all input channels (zeros outside each group).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import { type ConvGeometry, convGeometry, parseConv2DOptions } from '../../src/kernels/conv_geometry.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { fusedActivation, inputAt, kernelContext, packBias, packConvWeights, verdict, windowedConvProblem } from './common.js';
import { rowsProgram } from './fully_connected.js';

/** Output pixels along x per invocation of conv2d.wgsl. */
const PIXELS_PER_INVOCATION = 4;

/** The CPU prepare's CONV_2D geometry (options, output size, padding, groups). */
function geometry(node: DelegateNode): ConvGeometry {
  const ctx = kernelContext(node);
  return convGeometry(ctx, parseConv2DOptions(ctx), node.inputs[0] as RuntimeTensor, node.inputs[1] as RuntimeTensor);
}

function convProblems(node: DelegateNode, ctx: OpContext): string | null {
  return windowedConvProblem(
    node,
    ctx.limits,
    8,
    geometry,
    (g) => Math.ceil(g.outC / 4) * g.filterH * g.filterW * Math.ceil(g.inC / 4) * 64,
  );
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
    return rowsProgram(node, packedWeights(node, g), g.batches * g.inH * g.inW, g.inC, g.outC);
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
    const pairs = outSlices % 2 === 0;
    const xBlocks = Math.ceil(g.outW / (pairs ? 8 : PIXELS_PER_INVOCATION));
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'conv2d',
            // main_8x2: 8 pixels x 2 output slices per invocation, unrolled.
            entryPoint: pairs ? 'main_8x2' : 'main',
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
            pad_top: g.padH,
            pad_left: g.padW,
          },
          invocations: g.batches * g.outH * xBlocks * (pairs ? outSlices / 2 : outSlices),
        },
      ],
    };
  },
};

// DEPTHWISE_CONV_2D with constant float32 weights [1, H, W, in_c * multiplier]
// (shaders/depthwise_conv2d.wgsl).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import {
  type ConvWindow,
  convWindow,
  type DepthwiseShape,
  depthwiseShape,
  parseDepthwiseConv2DOptions,
} from '../../src/kernels/conv_geometry.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { fusedActivation, inputAt, kernelContext, packBias, windowedConvProblem } from './common.js';

/** Output pixels along x per invocation: depthwise_conv2d.wgsl unrolls exactly 8. */
const PIXELS_PER_INVOCATION = 8;

/** [fy][fx][out_slice] vec4s from [1, H, W, C] weights. */
/** The CPU prepare's DEPTHWISE_CONV_2D shape checks and window (options, output size, padding). */
function geometry(node: DelegateNode): DepthwiseShape & ConvWindow {
  const ctx = kernelContext(node);
  const shape = depthwiseShape(ctx, node.inputs[0] as RuntimeTensor, node.inputs[1] as RuntimeTensor);
  return { ...shape, ...convWindow(parseDepthwiseConv2DOptions(ctx), shape.inH, shape.inW, shape.filterH, shape.filterW) };
}

function packDepthwiseWeights(w: Float32Array, taps: number, outC: number): Float32Array {
  const os = Math.ceil(outC / 4);
  const out = new Float32Array(taps * os * 4);
  for (let t = 0; t < taps; t++) out.set(w.subarray(t * outC, (t + 1) * outC), t * os * 4);
  return out;
}

export const depthwiseConv2d: OpImpl = {
  name: 'depthwise_conv2d',
  isSupported(node, ctx) {
    return windowedConvProblem(node, ctx.limits, 7, geometry, (g) => g.filterH * g.filterW * Math.ceil(g.outC / 4) * 16) ?? true;
  },
  build(node): NodeProgram {
    const x = node.inputs[0] as RuntimeTensor;
    const w = node.inputs[1] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const { batches, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } =
      geometry(node);
    const outSlices = Math.ceil(outC / 4);
    const xBlocks = Math.ceil(outW / PIXELS_PER_INVOCATION);
    const multiplier = outC / inC;
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'depthwise_conv2d',
            constants: {
              ACTIVATION: fusedActivation(node),
              PIXELS_PER_INVOCATION,
              MULTIPLIER_ONE: multiplier === 1,
              SLIDING: strideW === 1 && dilationW === 1,
            },
          },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'weights', values: packDepthwiseWeights(w.data as Float32Array, filterH * filterW, outC) },
            bias: { kind: 'weights', values: packBias(inputAt(node, 2), outC) },
            y: { kind: 'tensor', tensor: y },
          },
          uniforms: {
            in_h: inH,
            in_w: inW,
            in_c: inC,
            in_slices: Math.ceil(inC / 4),
            out_h: outH,
            out_w: outW,
            out_slices: outSlices,
            x_blocks: xBlocks,
            filter_h: filterH,
            filter_w: filterW,
            stride_h: strideH,
            stride_w: strideW,
            dilation_h: dilationH,
            dilation_w: dilationW,
            multiplier,
            pad_top: padH,
            pad_left: padW,
          },
          invocations: batches * outH * xBlocks * outSlices,
        },
      ],
    };
  },
};

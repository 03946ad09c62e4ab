// DEPTHWISE_CONV_2D with constant float32 weights [1, H, W, in_c * multiplier]
// (shaders/depthwise_conv2d.wgsl), from the float kernel's prepared geometry and activation.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { CONV_INPUTS } from '../../src/kernels/conv_geometry.js';
import { type DepthwiseConv2DParams, depthwiseConv2dFloat } from '../../src/kernels/depthwise_conv.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { activationConstant, constant, inputAt } from './common.js';
import { activationProblem, constantBias, notFloatReason, packBias, weightBytesProblem } from './conv_common.js';
import { epilogueConstants, NO_EPILOGUE } from './epilogue.js';

/** Output pixels along x per invocation: depthwise_conv2d.wgsl unrolls exactly 8. */
const PIXELS_PER_INVOCATION = 8;

const prepared = (node: DelegateNode): DepthwiseConv2DParams | null => preparedBy(node, depthwiseConv2dFloat);

/** [fy][fx][out_slice] vec4s from [1, H, W, C] weights. */
function packDepthwiseWeights(w: Float32Array, taps: number, outC: number): Float32Array {
  const os = Math.ceil(outC / 4);
  const out = new Float32Array(taps * os * 4);
  for (let t = 0; t < taps; t++) out.set(w.subarray(t * outC, (t + 1) * outC), t * os * 4);
  return out;
}

export const depthwiseConv2d: OpImpl = {
  name: 'depthwise_conv2d',
  epilogue: true,
  isSupported(node, ctx) {
    const p = prepared(node);
    if (!p) return notFloatReason(node.inputs, CONV_INPUTS);
    const g = p.geo;
    return (
      constant(inputAt(node, CONV_INPUTS.filter), 'filter') ??
      activationProblem(p.activation) ??
      constantBias(inputAt(node, CONV_INPUTS.bias)) ??
      weightBytesProblem(g.filterH * g.filterW * Math.ceil(g.outC / 4) * 16, ctx.limits) ??
      true
    );
  },
  build(node): NodeProgram {
    const x = node.inputs[CONV_INPUTS.input] as RuntimeTensor;
    const w = node.inputs[CONV_INPUTS.filter] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const { geo, activation } = prepared(node) as DepthwiseConv2DParams;
    const { batches, inH, inW, inC, outH, outW, outC, multiplier } = geo;
    const { filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } = geo;
    const outSlices = Math.ceil(outC / 4);
    const xBlocks = Math.ceil(outW / PIXELS_PER_INVOCATION);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'depthwise_conv2d',
            constants: {
              ACTIVATION: activationConstant(activation),
              PIXELS_PER_INVOCATION,
              MULTIPLIER_ONE: multiplier === 1,
              SLIDING: strideW === 1 && dilationW === 1,
              ...epilogueConstants(NO_EPILOGUE),
            },
          },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'weights', values: packDepthwiseWeights(w.data as Float32Array, filterH * filterW, outC) },
            bias: { kind: 'weights', values: packBias(inputAt(node, CONV_INPUTS.bias), outC) },
            y: { kind: 'tensor', tensor: y },
          },
          uniforms: {
            in_h: inH,
            in_w: inW,
            in_c: inC,
            in_slices: Math.ceil(inC / 4),
            out_h: outH,
            out_w: outW,
            out_c: outC,
            residual_slices: outSlices,
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

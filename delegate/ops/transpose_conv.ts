// TRANSPOSE_CONV (inputs: output_shape, weights [O, H, W, I], input, optional bias) and
// MediaPipe's CUSTOM:Convolution2DTransposeBias (inputs: input, weights, bias). Both run
// shaders/transpose_conv.wgsl from their float kernel's prepared geometry.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { TRANSPOSE_CONV_INPUTS } from '../../src/kernels/conv_geometry.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type TransposeConvParams, transposeConvFloat } from '../../src/kernels/transpose_conv.js';
import {
  convolution2dTransposeBias as convolution2dTransposeBiasKernel,
  TFLITE_PADDING_SAME,
  TFLITE_PADDING_VALID,
  TRANSPOSE_CONV_BIAS_INPUTS,
  type TransposeConvBiasParams,
} from '../../src/kernels/transpose_conv_bias.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { activationConstant, constant, inputAt } from './common.js';
import { activationProblem, constantBias, notFloatReason, packBias, packConvWeights } from './conv_common.js';

/** Where the op keeps its input, weights and bias. */
type Slots = { readonly input: number; readonly weights: number; readonly bias: number };

function build(node: DelegateNode, slots: Slots, p: TransposeConvParams): NodeProgram {
  const g = p.geo;
  const weights = node.inputs[slots.weights] as RuntimeTensor;
  const outSlices = Math.ceil(g.outC / 4);
  return {
    kind: 'dispatch',
    dispatches: [
      {
        shader: { template: 'transpose_conv', constants: { ACTIVATION: activationConstant(p.activation) } },
        bindings: {
          x: { kind: 'tensor', tensor: node.inputs[slots.input] as RuntimeTensor },
          weights: { kind: 'weights', values: packConvWeights(weights.data as Float32Array, g.outC, g.filterH * g.filterW, g.inC) },
          bias: { kind: 'weights', values: packBias(inputAt(node, slots.bias), g.outC) },
          y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
        },
        uniforms: {
          in_h: g.inH,
          in_w: g.inW,
          in_slices: Math.ceil(g.inC / 4),
          out_h: g.outH,
          out_w: g.outW,
          out_slices: outSlices,
          filter_h: g.filterH,
          filter_w: g.filterW,
          stride_h: g.strideH,
          stride_w: g.strideW,
          pad_top: g.padH,
          pad_left: g.padW,
        },
        invocations: g.batches * g.outH * g.outW * outSlices,
      },
    ],
  };
}

const preparedBuiltin = (node: DelegateNode): TransposeConvParams | null => preparedBy(node, transposeConvFloat);
const preparedCustom = (node: DelegateNode): TransposeConvBiasParams | null => preparedBy(node, convolution2dTransposeBiasKernel);

export const transposeConv: OpImpl = {
  name: 'transpose_conv',
  isSupported(node) {
    const p = preparedBuiltin(node);
    if (!p) return notFloatReason(node.inputs, { weights: TRANSPOSE_CONV_INPUTS.weights });
    return (
      constant(inputAt(node, TRANSPOSE_CONV_INPUTS.weights), 'weights') ??
      activationProblem(p.activation) ??
      constantBias(inputAt(node, TRANSPOSE_CONV_INPUTS.bias)) ??
      true
    );
  },
  build: (node) => build(node, TRANSPOSE_CONV_INPUTS, preparedBuiltin(node) as TransposeConvParams),
};

export const convolution2dTransposeBias: OpImpl = {
  name: 'convolution2d_transpose_bias',
  isSupported(node) {
    const p = preparedCustom(node);
    if (!p) return notFloatReason(node.inputs, TRANSPOSE_CONV_BIAS_INPUTS);
    const { padding } = p.options;
    // The CPU kernel reads any padding but SAME as VALID; the GPU takes only the two MediaPipe writes.
    if (padding !== TFLITE_PADDING_SAME && padding !== TFLITE_PADDING_VALID) {
      return `padding ${padding} is neither SAME (1) nor VALID (2)`;
    }
    return (
      constant(inputAt(node, TRANSPOSE_CONV_BIAS_INPUTS.weights), 'weights') ??
      constantBias(inputAt(node, TRANSPOSE_CONV_BIAS_INPUTS.bias)) ??
      true
    );
  },
  build: (node) => build(node, TRANSPOSE_CONV_BIAS_INPUTS, preparedCustom(node) as TransposeConvBiasParams),
};

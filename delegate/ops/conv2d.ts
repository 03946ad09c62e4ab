// CONV_2D: a matrix product for 1x1 filters with stride 1 (shaders/fully_connected.wgsl), else
// the direct convolution (shaders/conv2d.wgsl). Grouped convolutions run with the weights
// expanded to all input channels (zeros outside each group). Geometry and activation come from
// the float kernel's prepare.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { type Conv2DParams, conv2dFloat } from '../../src/kernels/conv.js';
import { CONV_INPUTS, type ConvGeometry } from '../../src/kernels/conv_geometry.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { activationConstant, constant, inputAt } from './common.js';
import {
  activationProblem,
  constantBias,
  convWindowUniforms,
  notFloatReason,
  packBias,
  packConvWeights,
  weightBytesProblem,
} from './conv_common.js';
import { epilogueConstants, NO_EPILOGUE } from './epilogue.js';
import { rowsProgram } from './fully_connected.js';

/** Output pixels along x per invocation of conv2d.wgsl. */
const PIXELS_PER_INVOCATION = 4;

const prepared = (node: DelegateNode): Conv2DParams | null => preparedBy(node, conv2dFloat);

/** Why the node cannot run on the GPU, or null (both implementations share these checks). */
function convProblems(node: DelegateNode, ctx: OpContext): string | null {
  const p = prepared(node);
  if (!p) return notFloatReason(node.inputs, CONV_INPUTS);
  const g = p.geo;
  return (
    constant(inputAt(node, CONV_INPUTS.filter), 'filter') ??
    activationProblem(p.activation) ??
    constantBias(inputAt(node, CONV_INPUTS.bias)) ??
    weightBytesProblem(Math.ceil(g.outC / 4) * g.filterH * g.filterW * Math.ceil(g.inC / 4) * 64, ctx.limits)
  );
}

/** 1x1, stride 1, ungrouped: any padding leaves a 1x1 window inside the image. */
function isPointwise(g: ConvGeometry): boolean {
  return g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.groups === 1;
}

function packedWeights(node: DelegateNode, g: ConvGeometry): Float32Array {
  const w = node.inputs[CONV_INPUTS.filter] as RuntimeTensor;
  return packConvWeights(w.data as Float32Array, g.outC, g.filterH * g.filterW, g.inC, g.groups);
}

/** 1x1 filter, stride 1: out[pixel] = W x[pixel] + b, a product over every pixel row. */
export const conv2dPointwise: OpImpl = {
  name: 'conv2d_1x1',
  epilogue: true,
  isSupported(node, ctx) {
    const why = convProblems(node, ctx);
    if (why) return why;
    return isPointwise((prepared(node) as Conv2DParams).geo) ? true : 'not a 1x1 stride-1 ungrouped convolution';
  },
  build(node): NodeProgram {
    const { geo: g, activation } = prepared(node) as Conv2DParams;
    return rowsProgram(node, CONV_INPUTS, activation, packedWeights(node, g), g.batches * g.inH * g.inW, g.inC, g.outC);
  },
};

export const conv2dDirect: OpImpl = {
  name: 'conv2d',
  epilogue: true,
  isSupported(node, ctx) {
    return convProblems(node, ctx) ?? true;
  },
  build(node): NodeProgram {
    const { geo: g, activation } = prepared(node) as Conv2DParams;
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
            constants: { ACTIVATION: activationConstant(activation), PIXELS_PER_INVOCATION, ...epilogueConstants(NO_EPILOGUE) },
          },
          bindings: {
            x: { kind: 'tensor', tensor: node.inputs[CONV_INPUTS.input] as RuntimeTensor },
            weights: { kind: 'weights', values: packedWeights(node, g) },
            bias: { kind: 'weights', values: packBias(inputAt(node, CONV_INPUTS.bias), g.outC) },
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
          },
          uniforms: {
            ...convWindowUniforms(g),
            in_slices: Math.ceil(g.inC / 4),
            out_c: g.outC,
            residual_slices: outSlices,
            out_slices: outSlices,
            x_blocks: xBlocks,
          },
          invocations: g.batches * g.outH * xBlocks * (pairs ? outSlices / 2 : outSlices),
        },
      ],
    };
  },
};

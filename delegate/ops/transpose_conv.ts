// TRANSPOSE_CONV (inputs: output_shape, weights [O, H, W, I], input, optional bias) and
// MediaPipe's CUSTOM:Convolution2DTransposeBias (inputs: input, weights, bias; custom options a
// raw TfLiteTransposeConvParams: int32 padding (1 SAME, 2 VALID), int32 stride_w, int32
// stride_h). Both run shaders/transpose_conv.wgsl.
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import { parseTransposeConvOptions } from '../../src/kernels/conv_geometry.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { transposeGeometryFor } from '../../src/kernels/transpose_conv.js';
import type { NodeProgram, OpImpl } from '../program.js';
import {
  biasProblem,
  constantWeights,
  fusedActivation,
  fusedActivationProblem,
  inputAt,
  inputCount,
  kernelContext,
  kernelProblem,
  maxVersion,
  packBias,
  packConvWeights,
  rankOf,
} from './common.js';

interface TransposeGeometry {
  x: RuntimeTensor;
  weights: RuntimeTensor;
  bias: RuntimeTensor | null;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  activation: string;
}

/** Slots of TRANSPOSE_CONV; strides and padding from the CPU prepare's geometry (TFLite transpose_conv.cc). */
function builtinGeometry(node: DelegateNode): TransposeGeometry {
  const weights = node.inputs[1] as RuntimeTensor;
  const x = node.inputs[2] as RuntimeTensor;
  const y = node.outputs[0] as RuntimeTensor;
  const ctx = kernelContext(node);
  const { padding, strideH, strideW } = parseTransposeConvOptions(ctx);
  const g = transposeGeometryFor(ctx, x, weights, y.shape, padding, strideH, strideW);
  return {
    x,
    weights,
    bias: inputAt(node, 3),
    strideH: g.strideH,
    strideW: g.strideW,
    padTop: g.padH,
    padLeft: g.padW,
    activation: fusedActivation(node),
  };
}

/** The custom op's raw options: [padding, stride_w, stride_h], or null when too short. */
function customOptions(node: DelegateNode): [number, number, number] | null {
  const raw = node.op.customOptions;
  if (!raw || raw.byteLength < 12) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return [view.getInt32(0, true), view.getInt32(4, true), view.getInt32(8, true)];
}

/** MediaPipe's padding: SAME pads max(0, kernel - (in - 1) % stride - 1) in total, the extra pixel after. */
function customGeometry(node: DelegateNode): TransposeGeometry {
  const x = node.inputs[0] as RuntimeTensor;
  const weights = node.inputs[1] as RuntimeTensor;
  const [padding, strideW, strideH] = customOptions(node) as [number, number, number];
  const [, inH, inW] = x.shape as [number, number, number, number];
  const [, filterH, filterW] = weights.shape as [number, number, number, number];
  const same = padding === 1;
  const totalH = same ? Math.max(0, filterH - ((inH - 1) % strideH) - 1) : 0;
  const totalW = same ? Math.max(0, filterW - ((inW - 1) % strideW) - 1) : 0;
  return {
    x,
    weights,
    bias: inputAt(node, 2),
    strideH,
    strideW,
    padTop: Math.floor(totalH / 2),
    padLeft: Math.floor(totalW / 2),
    activation: 'ACT_NONE',
  };
}

function weightsProblem(x: RuntimeTensor | null, w: RuntimeTensor | null, y: RuntimeTensor | undefined): string | null {
  const why = rankOf(x, 4, 'input') ?? constantWeights(w, 4, 'weights');
  if (why) return why;
  const [outC, , , filterC] = (w as RuntimeTensor).shape as [number, number, number, number];
  const inC = (x as RuntimeTensor).shape[3];
  if (filterC !== inC) return `weights' input channels (${filterC}) differ from the input's (${inC})`;
  if (y?.shape.length !== 4 || y.shape[3] !== outC || y.shape[0] !== (x as RuntimeTensor).shape[0]) {
    return `output shape [${y?.shape}] does not fit input [${(x as RuntimeTensor).shape}] and ${outC} output channels`;
  }
  return null;
}

function build(node: DelegateNode, g: TransposeGeometry): NodeProgram {
  const y = node.outputs[0] as RuntimeTensor;
  const [, inH, inW, inC] = g.x.shape as [number, number, number, number];
  const [outC, filterH, filterW] = g.weights.shape as [number, number, number, number];
  const [batches, outH, outW] = y.shape as [number, number, number, number];
  const outSlices = Math.ceil(outC / 4);
  return {
    kind: 'dispatch',
    dispatches: [
      {
        shader: { template: 'transpose_conv', constants: { ACTIVATION: g.activation } },
        bindings: {
          x: { kind: 'tensor', tensor: g.x },
          weights: { kind: 'weights', values: packConvWeights(g.weights.data as Float32Array, outC, filterH * filterW, inC) },
          bias: { kind: 'weights', values: packBias(g.bias, outC) },
          y: { kind: 'tensor', tensor: y },
        },
        uniforms: {
          in_h: inH,
          in_w: inW,
          in_slices: Math.ceil(inC / 4),
          out_h: outH,
          out_w: outW,
          out_slices: outSlices,
          filter_h: filterH,
          filter_w: filterW,
          stride_h: g.strideH,
          stride_w: g.strideW,
          pad_top: g.padTop,
          pad_left: g.padLeft,
        },
        invocations: batches * outH * outW * outSlices,
      },
    ],
  };
}

export const transposeConv: OpImpl = {
  name: 'transpose_conv',
  isSupported(node) {
    const why =
      maxVersion(node, 5) ??
      inputCount(node, 3, 4) ??
      weightsProblem(inputAt(node, 2), inputAt(node, 1), node.outputs[0]) ??
      fusedActivationProblem(node) ??
      kernelProblem(() => builtinGeometry(node));
    if (why) return why;
    return biasProblem(inputAt(node, 3), (inputAt(node, 1) as RuntimeTensor).shape[0] as number) ?? true;
  },
  build: (node) => build(node, builtinGeometry(node)),
};

export const convolution2dTransposeBias: OpImpl = {
  name: 'convolution2d_transpose_bias',
  isSupported(node) {
    const why = inputCount(node, 3) ?? weightsProblem(inputAt(node, 0), inputAt(node, 1), node.outputs[0]);
    if (why) return why;
    const o = customOptions(node);
    if (!o) return 'custom options must hold padding, stride_w and stride_h (12 bytes)';
    if (o[0] !== 1 && o[0] !== 2) return `padding ${o[0]} is neither SAME (1) nor VALID (2)`;
    if (o[1] < 1 || o[2] < 1) return `strides must be positive, got ${o[1]}x${o[2]}`;
    const outC = (inputAt(node, 1) as RuntimeTensor).shape[0] as number;
    return biasProblem(inputAt(node, 2), outC) ?? true;
  },
  build: (node) => build(node, customGeometry(node)),
};

// Which implementations serve which op: one line per op, implementations tried in order (the
// specialised ones first, the general one last).
import type { DelegateNode } from '../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../src/kernels/kernel.js';
import * as bin from './ops/binary.js';
import * as binInt from './ops/binary_int.js';
import { concatenation } from './ops/concat.js';
import { concatenationInt } from './ops/concat_int.js';
import { conv2dDirect, conv2dPointwise } from './ops/conv2d.js';
import { conv2dInteger } from './ops/conv2d_int.js';
import { depthToSpace, spaceToDepth } from './ops/depth_to_space.js';
import { depthwiseConv2d } from './ops/depthwise_conv2d.js';
import { depthwiseConv2dInteger } from './ops/depthwise_conv2d_int.js';
import { fullyConnected } from './ops/fully_connected.js';
import { fullyConnectedInt } from './ops/fully_connected_int.js';
import { conv2dHybridOp, depthwiseConv2dHybridOp, fullyConnectedHybridOp } from './ops/hybrid.js';
import { mirrorPad, padConstant, padV2 } from './ops/pad.js';
import { mirrorPadInt, padConstantInt, padV2Int } from './ops/pad_int.js';
import { averagePool2d, maxPool2d } from './ops/pool2d.js';
import { averagePool2dInt, maxPool2dInt } from './ops/pool2d_int.js';
import { dequantizeInt, quantizeInt } from './ops/quantize.js';
import { mean, reduceMax, reduceMin, reduceProd, sum } from './ops/reduce.js';
import { meanInt } from './ops/reduce_int.js';
import { expandDims, expandDimsInt, reshape, reshapeInt, squeeze, squeezeInt } from './ops/reshape.js';
import { resizeBilinear, resizeNearestNeighbor } from './ops/resize.js';
import { reverseV2 } from './ops/reverse.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import { softmaxInt } from './ops/softmax_int.js';
import { convolution2dTransposeBias, transposeConv } from './ops/transpose_conv.js';
import { transposeConvInt } from './ops/transpose_conv_int.js';
import * as un from './ops/unary.js';
import * as uni from './ops/unary_int.js';
import type { OpContext, OpImpl } from './program.js';

export const OP_IMPLEMENTATIONS: ReadonlyMap<string, readonly OpImpl[]> = new Map<string, readonly OpImpl[]>([
  ['CONV_2D', [conv2dHybridOp, conv2dPointwise, conv2dDirect, conv2dInteger]],
  ['DEPTHWISE_CONV_2D', [depthwiseConv2dHybridOp, depthwiseConv2d, depthwiseConv2dInteger]],
  ['FULLY_CONNECTED', [fullyConnectedHybridOp, fullyConnected, fullyConnectedInt]],
  ['TRANSPOSE_CONV', [transposeConv, transposeConvInt]],
  ['CUSTOM:Convolution2DTransposeBias', [convolution2dTransposeBias]],
  ['ADD', [bin.add, binInt.addInt]],
  ['SUB', [bin.sub, binInt.subInt]],
  ['MUL', [bin.mul, binInt.mulInt]],
  ['DIV', [bin.div, binInt.divInt]],
  ['MAXIMUM', [bin.maximum, binInt.maximumInt]],
  ['MINIMUM', [bin.minimum, binInt.minimumInt]],
  ['SQUARED_DIFFERENCE', [bin.squaredDifference, binInt.squaredDifferenceInt]],
  ['PRELU', [bin.prelu, uni.preluInt]],
  ['RELU', [un.relu, uni.reluInt]],
  ['RELU6', [un.relu6, uni.relu6Int]],
  ['RELU_N1_TO_1', [un.reluN1To1, uni.reluN1To1Int]],
  ['RELU_0_TO_1', [un.relu0To1, uni.relu0To1Int]],
  ['LOGISTIC', [un.logistic, uni.logisticInt]],
  ['TANH', [un.tanh, uni.tanhInt]],
  ['HARD_SWISH', [un.hardSwish, uni.hardSwishInt]],
  ['LEAKY_RELU', [un.leakyRelu, uni.leakyReluInt]],
  ['ELU', [un.elu, uni.eluInt]],
  ['GELU', [un.gelu, uni.geluInt]],
  ['EXP', [un.exp]],
  ['LOG', [un.log]],
  ['SQRT', [un.sqrt]],
  ['RSQRT', [un.rsqrt, uni.rsqrtInt]],
  ['SQUARE', [un.square]],
  ['ABS', [un.abs, uni.absInt]],
  ['NEG', [un.neg]],
  ['SIN', [un.sin]],
  ['COS', [un.cos]],
  ['FLOOR', [un.floor]],
  ['CEIL', [un.ceil]],
  ['ROUND', [un.round]],
  ['SIGN', [un.sign]],
  ['MAX_POOL_2D', [maxPool2d, maxPool2dInt]],
  ['AVERAGE_POOL_2D', [averagePool2d, averagePool2dInt]],
  ['MEAN', [mean, meanInt]],
  ['SUM', [sum]],
  ['REDUCE_MAX', [reduceMax]],
  ['REDUCE_MIN', [reduceMin]],
  ['REDUCE_PROD', [reduceProd]],
  ['PAD', [padConstant, padConstantInt]],
  ['PADV2', [padV2, padV2Int]],
  ['MIRROR_PAD', [mirrorPad, mirrorPadInt]],
  ['CONCATENATION', [concatenation, concatenationInt]],
  ['RESHAPE', [reshape, reshapeInt]],
  ['SQUEEZE', [squeeze, squeezeInt]],
  ['EXPAND_DIMS', [expandDims, expandDimsInt]],
  ['RESIZE_BILINEAR', [resizeBilinear]],
  ['RESIZE_NEAREST_NEIGHBOR', [resizeNearestNeighbor]],
  ['SOFTMAX', [softmax, softmaxInt]],
  ['LOG_SOFTMAX', [logSoftmax]],
  ['DEPTH_TO_SPACE', [depthToSpace]],
  ['SPACE_TO_DEPTH', [spaceToDepth]],
  ['REVERSE_V2', [reverseV2]],
  ['QUANTIZE', [quantizeInt]],
  ['DEQUANTIZE', [dequantizeInt]],
]);

export type Selection = { ok: true; impl: OpImpl } | { ok: false; reason: string };

/** Whether a non-constant input or an output of the node has an integer dtype. */
export function hasIntegerActivations(node: DelegateNode): boolean {
  const activations = [...node.inputs.filter((t): t is RuntimeTensor => t !== null && !isKnown(t)), ...node.outputs];
  return activations.some((t) => t.dtype !== 'float32');
}

/**
 * The first implementation that supports the node (integer implementations for nodes with
 * integer activations, float ones for the others). When none does, the reason is the last (most
 * general) implementation's.
 */
export function selectImpl(node: DelegateNode, ctx: OpContext): Selection {
  const all = OP_IMPLEMENTATIONS.get(node.op.op);
  if (!all) return { ok: false, reason: 'op is not supported by the WebGPU delegate' };
  const integer = hasIntegerActivations(node);
  const impls = all.filter((impl) => (impl.integer ?? false) === integer);
  if (!impls.length) {
    const dtypes = [...new Set([...node.inputs, ...node.outputs].filter((t) => t && !isKnown(t)).map((t) => t?.dtype))];
    return {
      ok: false,
      reason: integer ? `no GPU implementation for ${dtypes.join('/')} activations` : 'only integer activations run on the GPU',
    };
  }
  let reason = '';
  for (const impl of impls) {
    const verdict = impl.isSupported(node, ctx);
    if (verdict === true) return { ok: true, impl };
    reason = verdict;
  }
  return { ok: false, reason };
}

// Which implementations serve which op: one line per op, implementations tried in order (the
// specialised ones first, the general one last).
import type { DelegateNode } from '../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../src/kernels/kernel.js';
import * as bin from './ops/binary.js';
import * as binInt from './ops/binary_int.js';
import { concatenation } from './ops/concat.js';
import { conv2dDirect, conv2dPointwise } from './ops/conv2d.js';
import { depthToSpace, spaceToDepth } from './ops/depth_to_space.js';
import { depthwiseConv2d } from './ops/depthwise_conv2d.js';
import { fullyConnected } from './ops/fully_connected.js';
import { mirrorPad, padConstant, padV2 } from './ops/pad.js';
import { dequantizeInt, quantizeInt } from './ops/quantize.js';
import { averagePool2d, maxPool2d } from './ops/pool2d.js';
import { mean, reduceMax, reduceMin, reduceProd, sum } from './ops/reduce.js';
import { expandDims, expandDimsInt, reshape, reshapeInt, squeeze, squeezeInt } from './ops/reshape.js';
import { resizeBilinear, resizeNearestNeighbor } from './ops/resize.js';
import { reverseV2 } from './ops/reverse.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import { convolution2dTransposeBias, transposeConv } from './ops/transpose_conv.js';
import * as un from './ops/unary.js';
import type { OpContext, OpImpl } from './program.js';

export const OP_IMPLEMENTATIONS: ReadonlyMap<string, readonly OpImpl[]> = new Map<string, readonly OpImpl[]>([
  ['CONV_2D', [conv2dPointwise, conv2dDirect]],
  ['DEPTHWISE_CONV_2D', [depthwiseConv2d]],
  ['FULLY_CONNECTED', [fullyConnected]],
  ['TRANSPOSE_CONV', [transposeConv]],
  ['CUSTOM:Convolution2DTransposeBias', [convolution2dTransposeBias]],
  ['ADD', [bin.add, binInt.addInt]],
  ['SUB', [bin.sub, binInt.subInt]],
  ['MUL', [bin.mul, binInt.mulInt]],
  ['DIV', [bin.div, binInt.divInt]],
  ['MAXIMUM', [bin.maximum, binInt.maximumInt]],
  ['MINIMUM', [bin.minimum, binInt.minimumInt]],
  ['SQUARED_DIFFERENCE', [bin.squaredDifference, binInt.squaredDifferenceInt]],
  ['PRELU', [bin.prelu]],
  ['RELU', [un.relu]],
  ['RELU6', [un.relu6]],
  ['RELU_N1_TO_1', [un.reluN1To1]],
  ['RELU_0_TO_1', [un.relu0To1]],
  ['LOGISTIC', [un.logistic]],
  ['TANH', [un.tanh]],
  ['HARD_SWISH', [un.hardSwish]],
  ['LEAKY_RELU', [un.leakyRelu]],
  ['ELU', [un.elu]],
  ['GELU', [un.gelu]],
  ['EXP', [un.exp]],
  ['LOG', [un.log]],
  ['SQRT', [un.sqrt]],
  ['RSQRT', [un.rsqrt]],
  ['SQUARE', [un.square]],
  ['ABS', [un.abs]],
  ['NEG', [un.neg]],
  ['SIN', [un.sin]],
  ['COS', [un.cos]],
  ['FLOOR', [un.floor]],
  ['CEIL', [un.ceil]],
  ['ROUND', [un.round]],
  ['SIGN', [un.sign]],
  ['MAX_POOL_2D', [maxPool2d]],
  ['AVERAGE_POOL_2D', [averagePool2d]],
  ['MEAN', [mean]],
  ['SUM', [sum]],
  ['REDUCE_MAX', [reduceMax]],
  ['REDUCE_MIN', [reduceMin]],
  ['REDUCE_PROD', [reduceProd]],
  ['PAD', [padConstant]],
  ['PADV2', [padV2]],
  ['MIRROR_PAD', [mirrorPad]],
  ['CONCATENATION', [concatenation]],
  ['RESHAPE', [reshape, reshapeInt]],
  ['SQUEEZE', [squeeze, squeezeInt]],
  ['EXPAND_DIMS', [expandDims, expandDimsInt]],
  ['RESIZE_BILINEAR', [resizeBilinear]],
  ['RESIZE_NEAREST_NEIGHBOR', [resizeNearestNeighbor]],
  ['SOFTMAX', [softmax]],
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

// DEPTHWISE_CONV_2D with constant float32 weights [1, H, W, in_c * multiplier]
// (shaders/depthwise_conv2d.wgsl).
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { computeOutSize, computePadding } from '../../src/kernels/util.js';
import type { NodeProgram, OpImpl } from '../program.js';
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
  positive,
  rankOf,
} from './common.js';

const PIXELS_PER_INVOCATION = 4;

/** [fy][fx][out_slice] vec4s from [1, H, W, C] weights. */
function packDepthwiseWeights(w: Float32Array, taps: number, outC: number): Float32Array {
  const os = Math.ceil(outC / 4);
  const out = new Float32Array(taps * os * 4);
  for (let t = 0; t < taps; t++) out.set(w.subarray(t * outC, (t + 1) * outC), t * os * 4);
  return out;
}

export const depthwiseConv2d: OpImpl = {
  name: 'depthwise_conv2d',
  isSupported(node, ctx) {
    const x = inputAt(node, 0);
    const w = inputAt(node, 1);
    const why =
      maxVersion(node, 7) ??
      rankOf(x, 4, 'input') ??
      rankOf(w, 4, 'filter') ??
      float32(w, 'filter') ??
      constant(w, 'filter') ??
      fusedActivationProblem(node) ??
      positive(node, 'strideH', 'strideW', 'dilationHFactor', 'dilationWFactor');
    if (why) return why;
    const padding = opt(node, 'padding', 0);
    if (padding !== 0 && padding !== 1) return `padding ${padding} is neither SAME nor VALID`;
    const [batches, inH, inW, inC] = (x as RuntimeTensor).shape as [number, number, number, number];
    const [one, filterH, filterW, outC] = (w as RuntimeTensor).shape as [number, number, number, number];
    if (one !== 1) return `filter must have shape [1, H, W, C], got [${(w as RuntimeTensor).shape}]`;
    if (outC % inC !== 0) return `filter channels (${outC}) are not a multiple of the input channels (${inC})`;
    const biasWhy = biasProblem(inputAt(node, 2), outC);
    if (biasWhy) return biasWhy;
    const outH = computeOutSize(padding, inH, filterH, opt(node, 'strideH', 1), opt(node, 'dilationHFactor', 1));
    const outW = computeOutSize(padding, inW, filterW, opt(node, 'strideW', 1), opt(node, 'dilationWFactor', 1));
    const out = node.outputs[0]?.shape ?? [];
    if (out.join() !== [batches, outH, outW, outC].join()) {
      return `output shape [${out}] differs from the computed [${[batches, outH, outW, outC]}]`;
    }
    const weightBytes = filterH * filterW * Math.ceil(outC / 4) * 16;
    if (weightBytes > ctx.limits.maxStorageBufferBindingSize)
      return `packed weights (${weightBytes} bytes) exceed maxStorageBufferBindingSize`;
    return true;
  },
  build(node): NodeProgram {
    const x = node.inputs[0] as RuntimeTensor;
    const w = node.inputs[1] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const [, inH, inW, inC] = x.shape as [number, number, number, number];
    const [, filterH, filterW, outC] = w.shape as [number, number, number, number];
    const [batches, outH, outW] = y.shape as [number, number, number, number];
    const strideH = opt(node, 'strideH', 1);
    const strideW = opt(node, 'strideW', 1);
    const dilationH = opt(node, 'dilationHFactor', 1);
    const dilationW = opt(node, 'dilationWFactor', 1);
    const outSlices = Math.ceil(outC / 4);
    const xBlocks = Math.ceil(outW / PIXELS_PER_INVOCATION);
    const multiplier = outC / inC;
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'depthwise_conv2d',
            constants: { ACTIVATION: fusedActivation(node), PIXELS_PER_INVOCATION, MULTIPLIER_ONE: multiplier === 1 },
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
            pad_top: computePadding(strideH, dilationH, inH, filterH, outH),
            pad_left: computePadding(strideW, dilationW, inW, filterW, outW),
          },
          invocations: batches * outH * xBlocks * outSlices,
        },
      ],
    };
  },
};

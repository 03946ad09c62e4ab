// FULLY_CONNECTED with integer activations (int8 with per-tensor or per-channel int8 weights,
// uint8 with uint8 weights, 16x8) and constant weights: shaders/fully_connected_int.wgsl, built
// from the integer CPU kernel's prepare (rows, offsets, bias, requantization), never recomputed.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { FULLY_CONNECTED_INPUTS } from '../../src/kernels/fully_connected.js';
import { type FcIntParams, fullyConnectedInt as fullyConnectedIntKernel } from '../../src/kernels/fully_connected_int.js';
import type { IntArray } from '../../src/kernels/int/int_array.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sameSliceLayout } from '../layout.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { weightBytesProblem } from './conv_common.js';
import { dotConstants } from './int_dot.js';
import { elementConstant } from './int_slice.js';
import { gpuRequant, requantUnsupported } from './requant.js';

/**
 * 8-bit weights [outC][taps][inC] as words of 4 packed bytes, in blocks of 4 words (one per output
 * channel of a slice): word ((os * taps + t) * inSlices + k) * 4 + j holds channels 4k..4k+3 of
 * output channel 4 * os + j at tap t. Padded channels are 0.
 */
export function packInt8Weights(w: IntArray, outC: number, taps: number, inC: number): Uint32Array {
  const inSlices = Math.ceil(inC / 4);
  const out = new Uint32Array(Math.ceil(outC / 4) * taps * inSlices * 4);
  for (let oc = 0; oc < outC; oc++) {
    for (let t = 0; t < taps; t++) {
      const src = (oc * taps + t) * inC;
      const block = (Math.floor(oc / 4) * taps + t) * inSlices;
      for (let c = 0; c < inC; c++) {
        const word = (block + Math.floor(c / 4)) * 4 + (oc % 4);
        out[word] = ((out[word] as number) | (((w[src + c] as number) & 0xff) << ((c % 4) * 8))) >>> 0;
      }
    }
  }
  return out;
}

const prepared = (node: DelegateNode): FcIntParams | null => preparedBy(node, fullyConnectedIntKernel);

export const fullyConnectedInt: OpImpl = {
  name: 'fully_connected_int',
  integer: true,
  isSupported(node, ctx) {
    // The prepare checked dtypes (int8 / uint8 / int16 input, matching weights and output), shapes and bias.
    const p = prepared(node);
    if (!p) return 'not prepared by the integer FULLY_CONNECTED kernel';
    const why = requantUnsupported(p.requant);
    if (why) return why;
    if (!p.weights.constant) return 'weights must be a constant (they are computed at run time)';
    if (!p.bias.constant) return 'bias must be a constant (it is computed at run time)';
    if (p.inputSize === 0) return 'the weights have input size 0';
    if (p.batch === 0) return 'the input is empty';
    const x = node.inputs[FULLY_CONNECTED_INPUTS.input] as RuntimeTensor;
    if (!sameSliceLayout(x.shape, [p.batch, p.inputSize])) {
      return `input shape [${x.shape}] is not stored as rows of ${p.inputSize} (add a RESHAPE before it)`;
    }
    return weightBytesProblem(Math.ceil(p.units / 4) * Math.ceil(p.inputSize / 4) * 16, ctx.limits) ?? true;
  },
  build(node, ctx: OpContext): NodeProgram {
    const p = prepared(node) as FcIntParams;
    const { batch, inputSize, units, weights, bias, inputOffset } = p;
    const x = node.inputs[FULLY_CONNECTED_INPUTS.input] as RuntimeTensor;
    const w = node.inputs[FULLY_CONNECTED_INPUTS.weights] as RuntimeTensor;
    const outSlices = Math.ceil(units / 4);
    // The CPU adds inputOffset * rowSums[u] + bias[u] to each exact sum and wraps the total
    // to int32; wrapping this constant part first gives the same int32 (sums are exact mod 2^32).
    const channelBias = new Int32Array(outSlices * 4);
    for (let u = 0; u < units; u++) {
      channelBias[u] = (inputOffset * (weights.rowSums[u] as number) + (bias.values?.[u] ?? 0)) | 0;
    }
    const r = gpuRequant(p.requant, outSlices * 4);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'fully_connected_int',
            constants: {
              REQUANT_MODE: r.mode,
              IN_TYPE: elementConstant(x.dtype) as string,
              DOT_I8: dotConstants(ctx).DOT_I8,
              DOT_U8: dotConstants(ctx).DOT_U8,
            },
          },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'raw', data: packInt8Weights(w.data as IntArray, units, 1, inputSize) },
            channel_bias: { kind: 'raw', data: channelBias },
            channel_requant: r.binding,
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
          },
          uniforms: {
            in_slices: Math.ceil(inputSize / 4),
            out_slices: outSlices,
            units,
            weights_offset: weights.offset,
            output_offset: r.offset,
            lo: r.lo,
            hi: r.hi,
          },
          invocations: batch * outSlices,
        },
      ],
    };
  },
};

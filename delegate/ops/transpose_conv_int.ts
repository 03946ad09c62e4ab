// TRANSPOSE_CONV with integer activations (int8, 16x8) and constant weights, bias and
// output_shape: shaders/transpose_conv_int.wgsl, built from the integer CPU kernel's prepare
// (geometry, input offset, bias, requantization).
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { TRANSPOSE_CONV_INPUTS } from '../../src/kernels/conv_geometry.js';
import type { IntArray } from '../../src/kernels/int/int_array.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { type TransposeIntParams, transposeConvInt as transposeConvIntKernel } from '../../src/kernels/transpose_conv_int.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { weightBytesProblem } from './conv_common.js';
import { packInt8Weights } from './fully_connected_int.js';
import { dotConstants } from './int_dot.js';
import { elementConstant } from './int_slice.js';
import { gpuRequant, requantUnsupported } from './requant.js';

const TWO_POW_32 = 4294967296;

/**
 * Per output slice and tap, for each of its 4 channels: inputOffset * (sum of the tap's weights
 * over the input channels), wrapped to int32 as the CPU's 32-bit accumulators wrap.
 */
function tapOffsets(w: IntArray, outC: number, taps: number, inC: number, inputOffset: number): Int32Array {
  const out = new Int32Array(Math.ceil(outC / 4) * taps * 4);
  for (let oc = 0; oc < outC; oc++) {
    for (let t = 0; t < taps; t++) {
      let s = 0;
      for (let c = 0, i = (oc * taps + t) * inC; c < inC; c++, i++) s += w[i] as number;
      out[(Math.floor(oc / 4) * taps + t) * 4 + (oc % 4)] = (inputOffset * s) | 0;
    }
  }
  return out;
}

/** The bias per channel (padded to the output slices): int32, or int64 as (low, high) words. */
function packBias(values: Float64Array | null, outC: number, wide: boolean): Int32Array {
  const padded = Math.ceil(outC / 4) * 4;
  const out = new Int32Array(wide ? 2 * padded : padded);
  if (!values) return out;
  for (let c = 0; c < outC; c++) {
    const v = values[c] as number; // an exact integer (|v| <= 2^53, checked by the prepare)
    if (!wide) out[c] = v | 0;
    else {
      const hi = Math.floor(v / TWO_POW_32);
      out[2 * c] = (v - hi * TWO_POW_32) | 0;
      out[2 * c + 1] = hi | 0;
    }
  }
  return out;
}

const prepared = (node: DelegateNode): TransposeIntParams | null => preparedBy(node, transposeConvIntKernel);

export const transposeConvInt: OpImpl = {
  name: 'transpose_conv_int',
  integer: true,
  isSupported(node, ctx) {
    // The prepare checked dtypes (int8 / int16 input and output, int8 symmetric weights), shapes and bias.
    const p = prepared(node);
    if (!p) return 'not prepared by the integer TRANSPOSE_CONV kernel';
    const why = requantUnsupported(p.requant);
    if (why) return why;
    const g = p.geo;
    if (!g) return 'output_shape must be a constant (it is computed at run time)';
    const weights = node.inputs[TRANSPOSE_CONV_INPUTS.weights] as RuntimeTensor;
    if (!isKnown(weights)) return 'weights must be a constant (they are computed at run time)';
    if (!p.bias.constant) return 'bias must be a constant (it is computed at run time)';
    if (g.batches * g.outH * g.outW * g.outC === 0) return 'the output is empty';
    const bytes = Math.ceil(g.outC / 4) * g.filterH * g.filterW * Math.ceil(g.inC / 4) * 16;
    return weightBytesProblem(bytes, ctx.limits) ?? true;
  },
  build(node, ctx: OpContext): NodeProgram {
    const p = prepared(node) as TransposeIntParams;
    const g = p.geo as NonNullable<TransposeIntParams['geo']>;
    const x = node.inputs[TRANSPOSE_CONV_INPUTS.input] as RuntimeTensor;
    const w = (node.inputs[TRANSPOSE_CONV_INPUTS.weights] as RuntimeTensor).data as IntArray;
    const taps = g.filterH * g.filterW;
    const outSlices = Math.ceil(g.outC / 4);
    const wide = p.requant.wide;
    const r = gpuRequant(p.requant, outSlices * 4);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'transpose_conv_int',
            constants: { REQUANT_MODE: r.mode, IN_TYPE: elementConstant(x.dtype) as string, WIDE: wide, DOT_I8: dotConstants(ctx).DOT_I8 },
          },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'raw', data: packInt8Weights(w, g.outC, taps, g.inC) },
            tap_offsets: { kind: 'raw', data: tapOffsets(w, g.outC, taps, g.inC, p.inputOffset) },
            channel_bias: { kind: 'raw', data: packBias(p.bias.values, g.outC, wide) },
            channel_requant: r.binding,
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
          },
          uniforms: {
            in_h: g.inH,
            in_w: g.inW,
            in_slices: Math.ceil(g.inC / 4),
            out_h: g.outH,
            out_w: g.outW,
            out_slices: outSlices,
            out_c: g.outC,
            filter_h: g.filterH,
            filter_w: g.filterW,
            stride_h: g.strideH,
            stride_w: g.strideW,
            pad_top: g.padH,
            pad_left: g.padW,
            output_offset: r.offset,
            lo: r.lo,
            hi: r.hi,
          },
          invocations: g.batches * g.outH * g.outW * outSlices,
        },
      ],
    };
  },
};

// DEPTHWISE_CONV_2D with integer activations (shaders/depthwise_conv2d_int.wgsl): int8 with int8
// weights, legacy uint8 with uint8 weights and a zero point, 16x8 (int16 activations, int8
// weights, int64 bias). Everything comes from the CPU kernel's prepare (depthwise_conv_int.ts):
// geometry, offsets, offset weights, bias and output pipeline; the per-channel constants are
// folded here with the CPU's arithmetic.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { CONV_INPUTS } from '../../src/kernels/conv_geometry.js';
import { type DepthwiseIntParams, depthwiseConv2dInt } from '../../src/kernels/depthwise_conv_int.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { integerStorage } from '../plan/precision.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { constant, inputAt } from './common.js';
import { constantBias, convWindowUniforms, weightBytesProblem } from './conv_common.js';
import { gpuRequant, requantUnsupported } from './requant.js';

/** Output pixels along x per invocation: depthwise_conv2d_int.wgsl unrolls exactly 4. */
const PIXELS_PER_INVOCATION = 4;

/**
 * The wide path sums a pixel's taps in i32 before adding the int64 bias: exact while
 * taps * 2^15 * 2^7 < 2^31 (int16 inputs, int8 weights, no offsets).
 */
const MAX_WIDE_TAPS = 511;

const TWO_POW_32 = 4294967296;

const prepared = (node: DelegateNode): DepthwiseIntParams | null => preparedBy(node, depthwiseConv2dInt);

/** [tap][out_slice] words, each the slice's 4 weights as bytes (the stored values, before the offset). */
function packWeights(p: DepthwiseIntParams, outSlices: number): Uint32Array {
  const { values, offset } = p.weights;
  const { outC, filterH, filterW } = p.geo;
  const words = new Uint32Array(filterH * filterW * outSlices);
  for (let t = 0; t < filterH * filterW; t++) {
    for (let c = 0; c < outC; c++) {
      const stored = (values[t * outC + c] as number) - offset;
      const w = t * outSlices + (c >> 2);
      words[w] = ((words[w] as number) | ((stored & 0xff) << ((c & 3) * 8))) >>> 0;
    }
  }
  return words;
}

/**
 * Per output channel, as vec4 slices. 32-bit paths: (bias + input_offset * sum of the channel's
 * weights) | 0, the interior-window sum's constant part as the CPU forms it, wrapped. Wide path:
 * the int64 bias as (low words, high words) pairs of slices.
 */
function packBias(p: DepthwiseIntParams, outSlices: number): Int32Array {
  const { outC, filterH, filterW } = p.geo;
  const taps = filterH * filterW;
  const bias = p.bias.values;
  const w = p.weights.values;
  if (p.requant.wide) {
    const out = new Int32Array(outSlices * 8);
    for (let c = 0; c < outC; c++) {
      const v = bias ? (bias[c] as number) : 0;
      const high = Math.floor(v / TWO_POW_32);
      const slot = (c >> 2) * 8 + (c & 3);
      out[slot] = (v - high * TWO_POW_32) | 0;
      out[slot + 4] = high | 0;
    }
    return out;
  }
  const out = new Int32Array(outSlices * 4);
  for (let c = 0; c < outC; c++) {
    let sum = 0;
    for (let t = 0; t < taps; t++) sum += w[t * outC + c] as number;
    out[c] = ((bias ? (bias[c] as number) : 0) + p.inputOffset * sum) | 0;
  }
  return out;
}

/**
 * [fy][out_slice]: what filter row fy adds when its input row is outside the image, undoing its
 * share of the folded input-offset term: -input_offset * (sum of the row's weights), wrapped.
 */
function packRowCorrections(p: DepthwiseIntParams, outSlices: number): Int32Array {
  const { outC, filterH, filterW } = p.geo;
  const w = p.weights.values;
  const out = new Int32Array(filterH * outSlices * 4);
  for (let fy = 0; fy < filterH; fy++) {
    for (let c = 0; c < outC; c++) {
      let sum = 0;
      for (let fx = 0; fx < filterW; fx++) sum += w[(fy * filterW + fx) * outC + c] as number;
      out[fy * outSlices * 4 + c] = (-p.inputOffset * sum) | 0;
    }
  }
  return out;
}

export const depthwiseConv2dInteger: OpImpl = {
  name: 'depthwise_conv2d_int',
  integer: true,
  isSupported(node, ctx) {
    const p = prepared(node);
    if (!p) return 'not prepared by the integer DEPTHWISE_CONV_2D kernel';
    const x = node.inputs[CONV_INPUTS.input] as RuntimeTensor;
    const filter = node.inputs[CONV_INPUTS.filter] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    if (x.dtype !== 'int8' && x.dtype !== 'uint8' && x.dtype !== 'int16') return `input is ${x.dtype}; int8, uint8 or int16 expected`;
    if (y.dtype !== x.dtype || !integerStorage(y.dtype))
      return `output is ${y.dtype}, input ${x.dtype}: they must be the same integer type`;
    const weightType = x.dtype === 'uint8' ? 'uint8' : 'int8';
    if (filter.dtype !== weightType) return `${x.dtype} input needs ${weightType} weights, got ${filter.dtype}`;
    const g = p.geo;
    const taps = g.filterH * g.filterW;
    const wide = p.requant.wide;
    return (
      constant(filter, 'filter') ??
      constantBias(inputAt(node, CONV_INPUTS.bias)) ??
      requantUnsupported(p.requant) ??
      (wide && p.inputOffset !== 0 ? 'the 64-bit path needs a zero input offset' : null) ??
      (wide && taps > MAX_WIDE_TAPS ? `the 64-bit path sums up to ${MAX_WIDE_TAPS} taps in 32 bits; this filter has ${taps}` : null) ??
      weightBytesProblem(taps * Math.ceil(g.outC / 4) * 4, ctx.limits) ??
      true
    );
  },
  build(node): NodeProgram {
    const x = node.inputs[CONV_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const p = prepared(node) as DepthwiseIntParams;
    const g = p.geo;
    const outSlices = Math.ceil(g.outC / 4);
    const xBlocks = Math.ceil(g.outW / PIXELS_PER_INVOCATION);
    const requant = gpuRequant(p.requant, outSlices * 4);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'depthwise_conv2d_int',
            constants: {
              REQUANT_MODE: requant.mode,
              MULTIPLIER_ONE: p.multiplier === 1,
              SLIDING: g.strideW === 1 && g.dilationW === 1,
              INT16: x.dtype === 'int16',
              UNSIGNED: x.dtype === 'uint8',
              WIDE: p.requant.wide,
            },
          },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'raw', data: packWeights(p, outSlices) },
            channel_bias: { kind: 'raw', data: packBias(p, outSlices) },
            row_correction: { kind: 'raw', data: packRowCorrections(p, outSlices) },
            channel_requant: requant.binding,
            y: { kind: 'tensor', tensor: y },
          },
          uniforms: {
            ...convWindowUniforms(g),
            in_c: g.inC,
            in_slices: Math.ceil(g.inC / 4),
            out_c: g.outC,
            out_slices: outSlices,
            x_blocks: xBlocks,
            multiplier: p.multiplier,
            input_zero_point: -p.inputOffset,
            weight_offset: p.weights.offset,
            output_offset: requant.offset,
            output_lo: requant.lo,
            output_hi: requant.hi,
          },
          invocations: g.batches * g.outH * xBlocks * outSlices,
        },
      ],
    };
  },
};

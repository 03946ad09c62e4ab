// CONV_2D on integer activations (shaders/conv2d_int.wgsl), bit-exact with the CPU kernel
// (src/kernels/conv_int.ts conv2dInt): int8, legacy uint8 and 16x8. Geometry, offset weights,
// bias and the output pipeline come from the CPU prepare; what is per output channel is folded
// into constants here, once.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { CONV_INPUTS, type ConvGeometry } from '../../src/kernels/conv_geometry.js';
import { type ConvIntParams, conv2dInt } from '../../src/kernels/conv_int.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import type { NodeProgram, OpContext, OpImpl } from '../program.js';
import { constant, inputAt } from './common.js';
import { convWindowUniforms, weightBytesProblem } from './conv_common.js';
import { dotConstants } from './int_dot.js';
import { elementConstant, QUANTIZED_8_16 } from './int_slice.js';
import { gpuRequant, requantUnsupported } from './requant.js';

/** Output pixels along x per invocation. */
const PIXELS_PER_INVOCATION = 4;

type ElementType = 'int8' | 'uint8' | 'int16';

const prepared = (node: DelegateNode): ConvIntParams | null => preparedBy(node, conv2dInt);

const slicesOf = (channels: number) => Math.ceil(channels / 4);

function packedWeightBytes(g: ConvGeometry): number {
  return slicesOf(g.outC) * g.filterH * g.filterW * slicesOf(g.inC) * 16;
}

function problems(node: DelegateNode, ctx: OpContext): string | null {
  const p = prepared(node);
  if (!p) return 'not prepared by the integer CONV_2D kernel';
  const x = node.inputs[CONV_INPUTS.input] as RuntimeTensor;
  const y = node.outputs[0] as RuntimeTensor;
  if (!(QUANTIZED_8_16 as readonly string[]).includes(x.dtype)) return `input has dtype ${x.dtype}; int8, uint8 or int16 expected`;
  if (y.dtype !== x.dtype) return `output has dtype ${y.dtype}, the input ${x.dtype}`;
  const filter = inputAt(node, CONV_INPUTS.filter);
  const bias = inputAt(node, CONV_INPUTS.bias);
  // Weights and bias are packed and folded at build time.
  const runtimeTensors = constant(filter, 'filter') ?? (bias ? constant(bias, 'bias') : null);
  if (runtimeTensors) return runtimeTensors;
  if (!p.weights.constant || !p.bias.constant) return 'filter and bias must be constants';
  if (x.dtype === 'int16' && p.inputOffset !== 0) return 'int16 input must have zero point 0';
  return requantUnsupported(p.requant) ?? weightBytesProblem(packedWeightBytes(p.geo), ctx.limits);
}

/**
 * The raw weight bytes in the shader's layout ([out_slice][fy][fx][in_slice] vec4<u32>, lane j =
 * output channel 4 * out_slice + j, byte i = input channel 4 * in_slice + i), from the CPU's offset
 * weights (raw = value - offset). Groups are expanded to all input channels: outside its group a
 * channel's weight is the filter zero point (offset weight 0), so those products add nothing.
 */
function packWeights(p: ConvIntParams): Uint32Array {
  const g = p.geo;
  const { values, offset } = p.weights;
  const taps = g.filterH * g.filterW;
  const inSlices = slicesOf(g.inC);
  const bytes = new Uint8Array(slicesOf(g.outC) * taps * inSlices * 16);
  const filterZeroPoint = -offset;
  const perGroup = g.outC / g.groups;
  const at = (oc: number, t: number, ic: number) =>
    (((Math.floor(oc / 4) * taps + t) * inSlices + Math.floor(ic / 4)) * 4 + (oc % 4)) * 4 + (ic % 4);
  for (let oc = 0; oc < g.outC; oc++) {
    const group = Math.floor(oc / perGroup);
    for (let t = 0; t < taps; t++) {
      if (filterZeroPoint !== 0) for (let ic = 0; ic < g.inC; ic++) bytes[at(oc, t, ic)] = filterZeroPoint;
      for (let f = 0; f < g.filterC; f++) {
        // Int8 weights store their two's complement byte.
        bytes[at(oc, t, group * g.filterC + f)] = ((values[(oc * taps + t) * g.filterC + f] as number) - offset) & 0xff;
      }
    }
  }
  return new Uint32Array(bytes.buffer);
}

/**
 * Per output channel (padded to whole slices), the constant the CPU adds to every sum: bias +
 * inputOffset * rowSums[oc]. 32-bit paths: wrapped to int32 (the CPU wraps the whole sum once,
 * which is the same modulo 2^32). Wide: the int64 value as (low, high) words.
 */
function channelConstants(p: ConvIntParams): Int32Array {
  const channels = slicesOf(p.geo.outC) * 4;
  const bias = p.bias.values;
  const exact = (oc: number) => (bias?.[oc] ?? 0) + p.inputOffset * (p.weights.rowSums[oc] as number);
  if (!p.requant.wide) {
    const out = new Int32Array(channels);
    for (let oc = 0; oc < p.geo.outC; oc++) out[oc] = exact(oc) | 0;
    return out;
  }
  const words = new BigInt64Array(channels);
  for (let oc = 0; oc < p.geo.outC; oc++) words[oc] = BigInt(exact(oc));
  return new Int32Array(words.buffer);
}

/** The dot product of packed 8-bit words the shader uses (DOT). */
function dotFunction(element: ElementType, ctx: OpContext): string {
  const dots = dotConstants(ctx);
  return element === 'uint8' ? dots.DOT_U8 : dots.DOT_I8;
}

export const conv2dInteger: OpImpl = {
  name: 'conv2d_int',
  integer: true,
  isSupported(node, ctx) {
    return problems(node, ctx) ?? true;
  },
  build(node, ctx): NodeProgram {
    const p = prepared(node) as ConvIntParams;
    const g = p.geo;
    const x = node.inputs[CONV_INPUTS.input] as RuntimeTensor;
    const element = x.dtype as ElementType;
    const outSlices = slicesOf(g.outC);
    const outSlicesPerInvocation = outSlices % 2 === 0 ? 2 : 1;
    const xBlocks = Math.ceil(g.outW / PIXELS_PER_INVOCATION);
    const requant = gpuRequant(p.requant, outSlices * 4);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'conv2d_int',
            entryPoint: element === 'int16' ? 'main_16' : 'main',
            constants: {
              ELEMENT: elementConstant(element) as string,
              REQUANT_MODE: requant.mode,
              WIDE: p.requant.wide,
              FILTER_ZERO_POINT: -p.weights.offset,
              // The CPU pads with the input zero point (padValue).
              PAD_BYTE: p.padValue & 0xff,
              PIXELS_PER_INVOCATION,
              OUT_SLICES_PER_INVOCATION: outSlicesPerInvocation,
              DOT: dotFunction(element, ctx),
            },
          },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'raw', data: packWeights(p) },
            bias: { kind: 'raw', data: channelConstants(p) },
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
            channel_requant: requant.binding,
          },
          uniforms: {
            ...convWindowUniforms(g),
            in_c: g.inC,
            in_slices: slicesOf(g.inC),
            out_c: g.outC,
            out_slices: outSlices,
            x_blocks: xBlocks,
            out_offset: requant.offset,
            out_lo: requant.lo,
            out_hi: requant.hi,
          },
          invocations: g.batches * g.outH * xBlocks * (outSlices / outSlicesPerInvocation),
        },
      ],
    };
  },
};

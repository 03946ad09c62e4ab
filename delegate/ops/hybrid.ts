// Hybrid (dynamic-range) CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: float32 activations,
// constant int8 weights. Float implementations (not `integer`) that take the nodes the CPU's
// hybrid kernels prepared, and compute what those kernels compute, to the bit:
//   1. shaders/hybrid_quantize.wgsl: each batch row of the input quantized to int8 (symmetric or
//      asymmetric per the CPU kernel's path) into scratch, with the row's scale and zero point;
//   2. shaders/hybrid_conv.wgsl: integer dot products, then the float rescale in the CPU kernel's
//      f32 order, bias and activation.
// Everything (geometry, path, scales, activation) comes from the CPU kernel's prepared params.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { conv2dHybrid, type HybridConvParams } from '../../src/kernels/conv.js';
import { CONV_INPUTS } from '../../src/kernels/conv_geometry.js';
import { depthwiseConv2dHybrid, type HybridDepthwiseParams } from '../../src/kernels/depthwise_conv.js';
import { FULLY_CONNECTED_INPUTS, fullyConnectedHybrid, type HybridFcParams } from '../../src/kernels/fully_connected.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sameSliceLayout } from '../layout.js';
import type { BindingSource, DispatchSpec, NodeProgram, OpContext, OpImpl } from '../program.js';
import { activationConstant, constant, inputAt, verdict } from './common.js';
import { activationProblem, constantBias, convWindowUniforms, weightBytesProblem } from './conv_common.js';
import { dotConstants } from './int_dot.js';

/** hybrid_conv.wgsl's RESCALE modes: the CPU kernels' f32 orders of acc x batch scale x channel scale. */
const RESCALE = { batch: 0, channelFirst: 1, grouped: 2, depthwise: 3 } as const;

/** The convolution a hybrid node runs, in hybrid_conv.wgsl's terms (FULLY_CONNECTED: 1x1 images). */
interface HybridGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
  multiplier: number;
}

/** How the node quantizes and rescales. */
interface HybridPlan {
  geo: HybridGeometry;
  asymmetric: boolean;
  /** The per-tensor filter scale folded into the batch factor (EvalHybrid, per-tensor FC), or null. */
  foldScale: number | null;
  rescale: number;
  activation: string;
  hasBias: boolean;
}

const slicesOf = (c: number) => Math.ceil(c / 4);

/** Output channel scales, one vec4 per output slice (0 in padded lanes). */
function packScales(scales: Float32Array, outC: number): Float32Array {
  const out = new Float32Array(slicesOf(outC) * 4);
  out.set(scales.subarray(0, outC));
  return out;
}

/** The bias as f32 (zeros when absent), one vec4 per output slice: raw, never in f16. */
function packBiasF32(bias: RuntimeTensor | null, outC: number): Float32Array {
  const out = new Float32Array(slicesOf(outC) * 4);
  if (bias) out.set((bias.data as Float32Array).subarray(0, outC));
  return out;
}

/**
 * Conv weights [outC][taps][inC / groups] (int8 values) as hybrid_conv.wgsl's words
 * [out_slice][tap][in_slice][output lane], four input channels each, zeros outside each group;
 * and each output channel's weight sum per tap, [out_slice][tap] vec4s.
 */
function packConvInt8(w: Float32Array, outC: number, taps: number, inC: number, groups: number) {
  const os = slicesOf(outC);
  const is = slicesOf(inC);
  const filterC = inC / groups;
  const perGroup = outC / groups;
  const words = new Uint32Array(os * taps * is * 4);
  const sums = new Int32Array(os * taps * 4);
  for (let oc = 0; oc < outC; oc++) {
    const g = Math.floor(oc / perGroup);
    for (let t = 0; t < taps; t++) {
      let sum = 0;
      for (let f = 0; f < filterC; f++) {
        const v = w[(oc * taps + t) * filterC + f] as number;
        const ic = g * filterC + f;
        const word = ((Math.floor(oc / 4) * taps + t) * is + Math.floor(ic / 4)) * 4 + (oc % 4);
        words[word] = ((words[word] as number) | ((v & 0xff) << (8 * (ic % 4)))) >>> 0;
        sum += v;
      }
      sums[(Math.floor(oc / 4) * taps + t) * 4 + (oc % 4)] = sum;
    }
  }
  return { words, sums };
}

/** Depthwise weights [taps][outC] (int8 values) as words [tap][out_slice] of four output channels. */
function packDepthwiseInt8(w: Float32Array, taps: number, outC: number): Uint32Array {
  const os = slicesOf(outC);
  const words = new Uint32Array(taps * os);
  for (let t = 0; t < taps; t++) {
    for (let oc = 0; oc < outC; oc++) {
      const i = t * os + Math.floor(oc / 4);
      words[i] = ((words[i] as number) | (((w[t * outC + oc] as number) & 0xff) << (8 * (oc % 4)))) >>> 0;
    }
  }
  return words;
}

/** The two dispatches of a hybrid node. */
function hybridProgram(
  node: DelegateNode,
  ctx: OpContext,
  slots: { input: number; bias: number },
  plan: HybridPlan,
  weights: Uint32Array,
  tapSums: Int32Array | null,
  channelScales: Float32Array,
): NodeProgram {
  const g = plan.geo;
  const inSlices = slicesOf(g.inC);
  const outSlices = slicesOf(g.outC);
  const rowSlices = g.inH * g.inW * inSlices;
  const q: BindingSource = { kind: 'scratch', name: 'hybrid_q', bytes: g.batches * rowSlices * 4 };
  const factors: BindingSource = { kind: 'scratch', name: 'hybrid_factors', bytes: g.batches * 8 };
  const depthwise = tapSums === null;
  const quantize: DispatchSpec = {
    shader: { template: 'hybrid_quantize', constants: { ASYMMETRIC: plan.asymmetric, FOLD: plan.foldScale !== null } },
    bindings: { x: { kind: 'tensor', tensor: node.inputs[slots.input] as RuntimeTensor }, q, factors },
    uniforms: { row_slices: rowSlices, in_slices: inSlices, in_c: g.inC, fold_scale: plan.foldScale ?? 1 },
    // One workgroup (64 invocations, shaders/common.wgsl WG) per batch row.
    invocations: g.batches * 64,
  };
  const bindings: Record<string, BindingSource> = {
    q,
    factors,
    weights: { kind: 'raw', data: weights },
    channel_scales: { kind: 'raw', data: packScales(channelScales, g.outC) },
    bias: { kind: 'raw', data: packBiasF32(inputAt(node, slots.bias), g.outC) },
    y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
  };
  if (tapSums) bindings.tap_sums = { kind: 'raw', data: tapSums };
  const conv: DispatchSpec = {
    shader: {
      template: 'hybrid_conv',
      entryPoint: depthwise ? 'depthwise' : 'main',
      constants: {
        RESCALE: plan.rescale,
        HAS_BIAS: plan.hasBias,
        ACTIVATION: plan.activation,
        MULTIPLIER_ONE: g.multiplier === 1,
        DOT_I8: dotConstants(ctx).DOT_I8,
      },
    },
    bindings,
    uniforms: {
      ...convWindowUniforms(g),
      in_slices: inSlices,
      out_slices: outSlices,
      multiplier: g.multiplier,
    },
    invocations: g.batches * g.outH * g.outW * outSlices,
  };
  return { kind: 'dispatch', dispatches: [quantize, conv] };
}

const convPrepared = (node: DelegateNode): HybridConvParams | null => preparedBy(node, conv2dHybrid);

export const conv2dHybridOp: OpImpl = {
  name: 'conv2d_hybrid',
  isSupported(node, ctx) {
    const p = convPrepared(node);
    if (!p) return 'not a hybrid (int8-weight) CONV_2D';
    const g = p.geo;
    return verdict(
      constant(inputAt(node, CONV_INPUTS.filter), 'filter'),
      constantBias(inputAt(node, CONV_INPUTS.bias)),
      weightBytesProblem(slicesOf(g.outC) * g.filterH * g.filterW * slicesOf(g.inC) * 16, ctx.limits),
    );
  },
  build(node, ctx): NodeProgram {
    const p = convPrepared(node) as HybridConvParams;
    const g = p.geo;
    const cs = p.weights.channelScales;
    const { words, sums } = packConvInt8(p.weights.values, g.outC, g.filterH * g.filterW, g.inC, g.groups);
    const plan: HybridPlan = {
      geo: { ...g, multiplier: 1 },
      asymmetric: p.perChannelPath,
      foldScale: p.perChannelPath ? null : (cs[0] as number),
      rescale: !p.perChannelPath ? RESCALE.batch : g.groups === 1 ? RESCALE.channelFirst : RESCALE.grouped,
      // The conv family clamps only the RELU family (TANH / SIGN_BIT: no clamp), as the CPU does.
      activation: activationConstant(p.activation),
      hasBias: inputAt(node, CONV_INPUTS.bias) !== null,
    };
    return hybridProgram(node, ctx, CONV_INPUTS, plan, words, sums, cs);
  },
};

const depthwisePrepared = (node: DelegateNode): HybridDepthwiseParams | null => preparedBy(node, depthwiseConv2dHybrid);

export const depthwiseConv2dHybridOp: OpImpl = {
  name: 'depthwise_conv2d_hybrid',
  isSupported(node, ctx) {
    const p = depthwisePrepared(node);
    if (!p) return 'not a hybrid (int8-weight) DEPTHWISE_CONV_2D';
    const g = p.geo;
    return verdict(
      constant(inputAt(node, CONV_INPUTS.filter), 'filter'),
      constantBias(inputAt(node, CONV_INPUTS.bias)),
      weightBytesProblem(g.filterH * g.filterW * slicesOf(g.outC) * 4, ctx.limits),
    );
  },
  build(node, ctx): NodeProgram {
    const p = depthwisePrepared(node) as HybridDepthwiseParams;
    const g = p.geo;
    const plan: HybridPlan = {
      geo: g,
      asymmetric: true, // TFLite's depthwise always takes the per-channel (asymmetric) path
      foldScale: null,
      rescale: RESCALE.depthwise,
      activation: activationConstant(p.activation),
      hasBias: inputAt(node, CONV_INPUTS.bias) !== null,
    };
    const words = packDepthwiseInt8(p.weights.values, g.filterH * g.filterW, g.outC);
    return hybridProgram(node, ctx, CONV_INPUTS, plan, words, null, p.weights.channelScales);
  },
};

const fcPrepared = (node: DelegateNode): HybridFcParams | null => preparedBy(node, fullyConnectedHybrid);

export const fullyConnectedHybridOp: OpImpl = {
  name: 'fully_connected_hybrid',
  isSupported(node, ctx) {
    const p = fcPrepared(node);
    if (!p) return 'not a hybrid (int8-weight) FULLY_CONNECTED';
    const { batch, inputSize, units } = p;
    const why =
      constant(inputAt(node, FULLY_CONNECTED_INPUTS.weights), 'weights') ??
      constantBias(inputAt(node, FULLY_CONNECTED_INPUTS.bias)) ??
      // The hybrid FC applies TANH / SIGN_BIT too: not reproducible to the bit in WGSL (tanh).
      activationProblem(p.activation);
    if (why) return why;
    if (inputSize === 0) return 'the weights have input size 0';
    const x = node.inputs[FULLY_CONNECTED_INPUTS.input] as RuntimeTensor;
    if (!sameSliceLayout(x.shape, [batch, inputSize])) {
      return `input shape [${x.shape}] is not stored as rows of ${inputSize} (add a RESHAPE before it)`;
    }
    return weightBytesProblem(slicesOf(units) * slicesOf(inputSize) * 16, ctx.limits) ?? true;
  },
  build(node, ctx): NodeProgram {
    const p = fcPrepared(node) as HybridFcParams;
    const { batch, inputSize, units } = p;
    const cs = p.weights.channelScales;
    const perChannel = p.weights.perChannel;
    const { words, sums } = packConvInt8(p.weights.values, units, 1, inputSize, 1);
    const plan: HybridPlan = {
      geo: {
        batches: batch,
        inH: 1,
        inW: 1,
        inC: inputSize,
        outH: 1,
        outW: 1,
        outC: units,
        filterH: 1,
        filterW: 1,
        strideH: 1,
        strideW: 1,
        dilationH: 1,
        dilationW: 1,
        padH: 0,
        padW: 0,
        multiplier: 1,
      },
      asymmetric: p.asymmetric,
      // Per-tensor weights fold their scale into the batch factor; per-channel: acc * (s * c).
      foldScale: perChannel ? null : (cs[0] as number),
      rescale: perChannel ? RESCALE.channelFirst : RESCALE.batch,
      activation: activationConstant(p.activation),
      // The CPU always adds the bias (0 without one): 0 + -0 is +0.
      hasBias: true,
    };
    return hybridProgram(node, ctx, FULLY_CONNECTED_INPUTS, plan, words, sums, cs);
  },
};

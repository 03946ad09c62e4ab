// Shared by the convolution-family builders (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
// TRANSPOSE_CONV): the fused activation as a shader constant, support checks on the constant
// weights and bias, and weight packing into the shaders' vec4 layouts.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { Activation } from '../../src/kernels/util.js';
import { constant, float32 } from './common.js';

const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** Why the prepared fused activation cannot run on the GPU, or null. */
export function activationProblem(activation: number): string | null {
  if (activation >= Activation.NONE && activation <= Activation.RELU6) return null;
  // TFLite's float kernels ignore TANH / SIGN_BIT here (CalculateActivationRange gives no clamp)
  // while its GPU delegate applies them: neither behaviour is worth copying blindly.
  return `fused activation ${ACTIVATION_NAMES[activation] ?? activation} is not supported`;
}

/**
 * Why the float kernel did not prepare the node: the first of `slots` that is not float32 (the
 * hybrid kernels take int8 weights), else a generic reason.
 */
export function notFloatReason(inputs: readonly (RuntimeTensor | null)[], slots: Readonly<Record<string, number>>): string {
  for (const [what, slot] of Object.entries(slots)) {
    const t = inputs[slot];
    if (t && t.dtype !== 'float32') return float32(t, what) as string;
  }
  return 'not prepared by the float32 kernel';
}

/** An optional bias must be a constant (the prepare checked its dtype and size). */
export function constantBias(bias: RuntimeTensor | null): string | null {
  return bias ? constant(bias, 'bias') : null;
}

/** Packed weights must fit one storage buffer binding. */
export function weightBytesProblem(bytes: number, limits: { maxStorageBufferBindingSize: number }): string | null {
  const max = limits.maxStorageBufferBindingSize;
  return bytes > max ? `packed weights (${bytes} bytes) exceed maxStorageBufferBindingSize (${max})` : null;
}

/** [out_slice][..taps..][in_slice] blocks of 4 vec4s (see shaders/conv2d.wgsl), from OHWI weights. */
export function packConvWeights(w: Float32Array, outC: number, taps: number, inC: number, groups = 1): Float32Array {
  const os = Math.ceil(outC / 4);
  const is = Math.ceil(inC / 4);
  const filterC = inC / groups;
  const perGroup = outC / groups;
  const out = new Float32Array(os * taps * is * 16);
  for (let oc = 0; oc < outC; oc++) {
    const g = Math.floor(oc / perGroup);
    for (let t = 0; t < taps; t++) {
      for (let f = 0; f < filterC; f++) {
        const ic = g * filterC + f;
        const block = ((Math.floor(oc / 4) * taps + t) * is + Math.floor(ic / 4)) * 16;
        out[block + (ic % 4) * 4 + (oc % 4)] = w[(oc * taps + t) * filterC + f] as number;
      }
    }
  }
  return out;
}

/** One vec4 per output slice, zero-padded; zeros when there is no bias. */
export function packBias(bias: RuntimeTensor | null, outC: number): Float32Array {
  const out = new Float32Array(Math.ceil(outC / 4) * 4);
  if (bias) out.set((bias.data as Float32Array).subarray(0, outC));
  return out;
}

/** The geometry fields every convolution shader's uniforms share. */
type ConvWindow = Readonly<
  Record<
    'inH' | 'inW' | 'outH' | 'outW' | 'filterH' | 'filterW' | 'strideH' | 'strideW' | 'dilationH' | 'dilationW' | 'padH' | 'padW',
    number
  >
>;

/** A prepared convolution's window (float, integer or hybrid) as its shader's uniforms. */
export function convWindowUniforms(g: ConvWindow) {
  return {
    in_h: g.inH,
    in_w: g.inW,
    out_h: g.outH,
    out_w: g.outW,
    filter_h: g.filterH,
    filter_w: g.filterW,
    stride_h: g.strideH,
    stride_w: g.strideW,
    dilation_h: g.dilationH,
    dilation_w: g.dilationW,
    pad_top: g.padH,
    pad_left: g.padW,
  };
}

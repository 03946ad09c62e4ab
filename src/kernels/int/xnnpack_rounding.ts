// TFLite's default XNNPACK delegate on 8-bit nodes (integerRounding 'xnnpack'): which nodes it
// takes (its Visit*Node checks), its float32 requantization scales and its output clamp.
import { FusedActivation, type QuantizedIntType, quantizedTypeRange } from '../../quant/index.js';
import type { NodeContext, RuntimeTensor } from '../kernel.js';
import { xnnpackRuns } from '../kernel.js';
import { legacyQuantization } from './quant_params.js';

/** 1.5 * 2^52: adding and subtracting it rounds a double to an integer, ties to even. */
export const ROUND_EVEN = 6755399441055744;

/** lrintf: the nearest integer, ties to even (exact for |v| < 2^51). */
export function roundHalfEven(v: number): number {
  return v + ROUND_EVEN - ROUND_EVEN;
}

/** The float bounds of a fused activation as the XNNPACK delegate maps them; null when it refuses the activation. */
function xnnpackActivationBounds(activation: number): [number, number] | null {
  switch (activation) {
    case FusedActivation.NONE:
      return [-Infinity, Infinity];
    case FusedActivation.RELU:
      return [0, Infinity];
    case FusedActivation.RELU_N1_TO_1:
      return [-1, 1];
    case FusedActivation.RELU6:
      return [0, 6];
    default:
      return null;
  }
}

/** XNNPACK's xnn_qs8_quantize / xnn_qu8_quantize of an activation bound: lrintf(clamp(v / scale + zp)). */
export function xnnpackQuantize(value: number, scale: number, zeroPoint: number, type: QuantizedIntType): number {
  const [qmin, qmax] = quantizedTypeRange(type);
  const v = Math.fround(Math.fround(value / Math.fround(scale)) + zeroPoint);
  const clamped = v < qmin ? qmin : Math.min(v, qmax);
  return roundHalfEven(clamped);
}

/** The output clamp XNNPACK derives from a fused activation. */
export function xnnpackOutputRange(activation: number, scale: number, zeroPoint: number, type: QuantizedIntType): [number, number] {
  const [min, max] = xnnpackActivationBounds(activation) ?? [-Infinity, Infinity];
  return [xnnpackQuantize(min, scale, zeroPoint, type), xnnpackQuantize(max, scale, zeroPoint, type)];
}

/** Smallest positive normal float32: XNNPACK rejects subnormal, zero, negative and non-finite scales. */
const FLOAT32_MIN_NORMAL = 2 ** -126;

function xnnpackScaleOk(scale: number): boolean {
  return scale >= FLOAT32_MIN_NORMAL && scale <= 3.4028234663852886e38;
}

/** CheckTensorFloat32OrQUInt8Type for an 8-bit activation: per-tensor, dimension 0, valid scale and zero point. */
export function xnnpackActivationOk(t: RuntimeTensor): boolean {
  const q = t.quantization;
  if (q?.quantizedDimension !== 0 || q.scale.length !== 1) return false;
  if (t.dtype === 'uint8' && q.zeroPoint.length !== 1) return false;
  const [qmin, qmax] = quantizedTypeRange(t.dtype as QuantizedIntType);
  const zp = q.zeroPoint[0] ?? 0;
  return xnnpackScaleOk(q.scale[0] as number) && zp >= qmin && zp <= qmax;
}

/** CheckTensorFloat32OrQCInt8Type for constant 8-bit weights (per-channel along `channelDim`, or per-tensor). */
function xnnpackWeightsOk(t: RuntimeTensor, channelDim: number): boolean {
  const q = t.quantization;
  if (!q || q.scale.length === 0 || t.kind !== 'constant') return false;
  if (t.dtype === 'uint8') {
    return q.quantizedDimension === 0 && q.scale.length === 1 && q.zeroPoint.length === 1 && xnnpackActivationOk(t);
  }
  if (t.dtype !== 'int8') return false;
  if (q.scale.length > 1) {
    return (
      q.quantizedDimension === channelDim &&
      t.shape[channelDim] === q.scale.length &&
      (q.zeroPoint[0] ?? 0) === 0 &&
      q.scale.every(xnnpackScaleOk)
    );
  }
  const zp = q.zeroPoint[0] ?? 0;
  return xnnpackScaleOk(q.scale[0] as number) && zp >= -128 && zp <= 127;
}

/** CheckTensorFloat32OrFloat16OrQCInt32Type for a constant rank-1 int32 bias. */
function xnnpackBiasOk(t: RuntimeTensor): boolean {
  const q = t.quantization;
  if (t.dtype !== 'int32' || t.kind !== 'constant' || t.shape.length !== 1) return false;
  if (!q || q.scale.length === 0 || q.quantizedDimension !== 0) return false;
  if (q.scale.length > 1) return q.scale.every(xnnpackScaleOk);
  return (q.zeroPoint[0] ?? 0) === 0 && xnnpackScaleOk(q.scale[0] as number);
}

/** The node shapes XNNPACK takes, by op. */
export type XnnpackOp = 'conv' | 'depthwise' | 'transpose' | 'fully_connected';

/** The parsed options XNNPACK looks at (any of the ops' option objects fits). */
export interface XnnpackNodeOptions {
  activation: number;
  /** DEPTHWISE_CONV_2D's depth_multiplier option (0 when the model omits it). */
  depthMultiplier?: number;
}

/**
 * Whether TFLite's XNNPACK delegate would take this 8-bit node (its Visit*Node checks), under
 * 'xnnpack' integer rounding (always false under 'reference'). `weights` is the filter, `bias` the optional bias input.
 * TRANSPOSE_CONV also needs a constant output_shape, which its kernel checks.
 */
export function xnnpackTakes(
  ctx: NodeContext,
  op: XnnpackOp,
  x: RuntimeTensor,
  weights: RuntimeTensor,
  bias: RuntimeTensor | null,
  out: RuntimeTensor,
  options: XnnpackNodeOptions,
): boolean {
  if (!xnnpackRuns(ctx)) return false;
  if (x.dtype !== 'int8' && x.dtype !== 'uint8') return false;
  if (weights.dtype !== x.dtype || out.dtype !== x.dtype) return false;
  if (!xnnpackActivationOk(x) || !xnnpackActivationOk(out)) return false;
  if (xnnpackActivationBounds(options.activation) === null) return false;
  const channelDim = op === 'depthwise' ? 3 : 0;
  if (!xnnpackWeightsOk(weights, channelDim)) return false;
  if (op === 'conv' || op === 'depthwise') {
    // CONV_2D and DEPTHWISE_CONV_2D need a bias; the others take it optionally.
    if (!bias) return false;
  }
  if (bias && !xnnpackBiasOk(bias)) return false;
  if (op === 'fully_connected') {
    // Statically quantized int8 weights must have a zero zero point.
    return !(weights.dtype === 'int8' && legacyQuantization(weights).zeroPoint !== 0);
  }
  if (op === 'depthwise') {
    const multiplier = options.depthMultiplier ?? 0;
    const outC = weights.shape[3] as number;
    // XNNPACK reads the channel multiplier from the option (TFLite's kernel from the shapes).
    if (multiplier <= 0 || outC % multiplier !== 0 || outC / multiplier !== x.shape[3]) return false;
  }
  return true;
}

/**
 * XNNPACK's float32 requantization scales, input_scale * filter_scale[c] / output_scale in float32
 * per channel; null when one reaches 256, which XNNPACK refuses when it creates the operator: its
 * delegate then fails on the whole graph and TFLite runs its builtin kernels everywhere (see
 * xnnpackDelegateFails in xnnpack_graph.ts), this node included.
 */
export function xnnpackScales(x: RuntimeTensor, weights: RuntimeTensor, out: RuntimeTensor, channels: number): Float32Array | null {
  const f32 = Math.fround;
  const inputScale = f32(legacyQuantization(x).scale);
  const outputScale = f32(legacyQuantization(out).scale);
  const ws = weights.quantization?.scale ?? [];
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = f32(f32(inputScale * f32((ws.length > 1 ? ws[c] : ws[0]) as number)) / outputScale);
    if (!(s < 256)) return null;
    scales[c] = s;
  }
  return scales;
}

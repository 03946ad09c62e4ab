// When TFLite's XNNPACK delegate fails on a whole graph (integerRounding 'xnnpack').
//
// XNNPACK accepts a quantized node with a fused activation when it partitions the graph, but its
// operator creation (xnn_create_*_qs8 / _qu8, at the delegate's prepare) refuses an empty output
// range: the activation's bounds quantized to the output, min not below max (an int8 ADD with RELU
// and output zero point 127, say). The delegate then fails as a whole and TFLite restores its
// builtin kernels for every node ("Restored original execution plan after delegate application
// failure"). Measured with tfjs-tflite: one such ADD anywhere turns an int8 -> int8 QUANTIZE
// elsewhere in the graph back to the reference rounding; so does such a CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED or MAX_POOL_2D (an AVERAGE_POOL_2D does not).
//
// It fails the same way on a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED it takes whose float32
// requantization scale input_scale * filter_scale[c] / output_scale reaches 256 for some channel
// (xnn_create_*_qs8 / _qu8 refuse it; the delegate's partition checks do not look at it). Measured
// with tfjs-tflite: such a node (int8 CONV_2D, DEPTHWISE_CONV_2D, per-tensor FULLY_CONNECTED) turns
// an int8 -> int8 QUANTIZE elsewhere in the graph back to the reference rounding, while the node
// itself gives its builtin kernel's output. LiteRT.js fails differently: it runs such a graph
// anyway and returns uninitialized memory for every output, so no reference exists there.
import { calculateActivationRangeQuantized, FusedActivation } from '../quant/activation_range.js';
import { parseAddOptions, parseMulOptions, parseSubOptions } from './binary.js';
import { CONV_INPUTS, parseConv2DOptions, parseDepthwiseConv2DOptions, parsePool2DOptions } from './conv_geometry.js';
import { parseFullyConnectedOptions } from './fully_connected.js';
import { type XnnpackNodeOptions, type XnnpackOp, xnnpackScales, xnnpackTakes } from './int/xnnpack_rounding.js';
import { isKnown, type NodeContext } from './kernel.js';

/** Ops with a fused activation the delegate maps to an output range, and their parsed options. */
const FUSED: Record<string, (ctx: NodeContext) => XnnpackNodeOptions> = {
  ADD: parseAddOptions,
  SUB: parseSubOptions,
  MUL: parseMulOptions,
  CONV_2D: parseConv2DOptions,
  DEPTHWISE_CONV_2D: parseDepthwiseConv2DOptions,
  FULLY_CONNECTED: parseFullyConnectedOptions,
  MAX_POOL_2D: parsePool2DOptions,
};
/** XNNPACK takes these only with constant weights; otherwise the node never reaches it. */
const NEEDS_CONSTANT_WEIGHTS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);
const CLAMPS = new Set<number>([FusedActivation.RELU, FusedActivation.RELU6, FusedActivation.RELU_N1_TO_1]);

/** The convolutions whose requantization scales XNNPACK checks when it creates the operator. */
const SCALED: Record<string, XnnpackOp> = { CONV_2D: 'conv', DEPTHWISE_CONV_2D: 'depthwise', FULLY_CONNECTED: 'fully_connected' };

/** A node XNNPACK takes at partitioning whose requantization scale (some channel's) reaches 256. */
function scaleTooLarge(ctx: NodeContext, options: XnnpackNodeOptions): boolean {
  const op = SCALED[ctx.op.op];
  // CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share the input, weights, bias slots.
  const x = ctx.inputs[CONV_INPUTS.input];
  const weights = ctx.inputs[CONV_INPUTS.filter];
  const bias = ctx.inputs[CONV_INPUTS.bias];
  const out = ctx.outputs[0];
  if (op === undefined || !x || !weights || !out) return false;
  try {
    if (!xnnpackTakes(ctx, op, x, weights, bias ?? null, out, options)) return false;
    return xnnpackScales(x, weights, out, weights.quantization?.scale.length ?? 1) === null;
  } catch {
    return false; // the builtin kernel refuses the node itself
  }
}

/** True when some node would make XNNPACK's delegate fail (so no node of the graph runs on it). */
export function xnnpackDelegateFails(nodes: readonly NodeContext[]): boolean {
  return nodes.some((ctx) => {
    const parse = FUSED[ctx.op.op];
    if (parse === undefined) return false;
    let options: XnnpackNodeOptions;
    try {
      options = parse(ctx);
    } catch {
      return false; // the builtin kernel refuses the node itself
    }
    if (scaleTooLarge(ctx, options)) return true;
    const out = ctx.outputs[0];
    const q = out?.quantization;
    if (!out || (out.dtype !== 'int8' && out.dtype !== 'uint8') || !q || q.scale.length !== 1) return false;
    const weights = ctx.inputs[CONV_INPUTS.filter];
    if (NEEDS_CONSTANT_WEIGHTS.has(ctx.op.op) && !(weights && isKnown(weights))) return false;
    const { activation } = options;
    if (!CLAMPS.has(activation)) return false;
    try {
      const [lo, hi] = calculateActivationRangeQuantized(activation, q.scale[0] as number, q.zeroPoint[0] ?? 0, out.dtype);
      return lo >= hi;
    } catch {
      return false; // the builtin kernel refuses the node itself
    }
  });
}

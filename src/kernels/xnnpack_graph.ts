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
import { calculateActivationRangeQuantized, FusedActivation } from '../quant/activation_range.js';
import { isKnown, type NodeContext } from './kernel.js';
import { fusedActivation } from './util.js';

/** Ops with a fused activation the delegate maps to an output range. */
const FUSED = new Set(['ADD', 'SUB', 'MUL', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'MAX_POOL_2D']);
/** XNNPACK takes these only with constant weights; otherwise the node never reaches it. */
const NEEDS_CONSTANT_WEIGHTS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);
const CLAMPS = new Set<number>([FusedActivation.RELU, FusedActivation.RELU6, FusedActivation.RELU_N1_TO_1]);

/** True when some node would make XNNPACK's delegate fail (so no node of the graph runs on it). */
export function xnnpackDelegateFails(nodes: readonly NodeContext[]): boolean {
  return nodes.some((ctx) => {
    if (!FUSED.has(ctx.op.op)) return false;
    const out = ctx.outputs[0];
    const q = out?.quantization;
    if (!out || (out.dtype !== 'int8' && out.dtype !== 'uint8') || !q || q.scale.length !== 1) return false;
    const weights = ctx.inputs[1];
    if (NEEDS_CONSTANT_WEIGHTS.has(ctx.op.op) && !(weights && isKnown(weights))) return false;
    const activation = fusedActivation(ctx);
    if (!CLAMPS.has(activation)) return false;
    try {
      const [lo, hi] = calculateActivationRangeQuantized(activation, q.scale[0] as number, q.zeroPoint[0] ?? 0, out.dtype);
      return lo >= hi;
    } catch {
      return false; // the builtin kernel refuses the node itself
    }
  });
}

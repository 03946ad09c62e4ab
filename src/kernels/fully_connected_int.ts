// FULLY_CONNECTED on integer activations, bit-exact with TFLite (fully_connected.cc: the
// optimized / reference integer paths, which agree):
// - int8 with per-tensor int8 weights (weights zero point honoured) or per-channel int8 weights
//   (quantized along dimension 0, zero point ignored), int32 bias;
// - uint8 (legacy) with per-tensor uint8 weights and a zero point, int32 bias;
// - 16x8: int16 activations (zero points 0), int8 weights, int64 bias (64-bit accumulators and the
//   int64 MultiplyByQuantizedMultiplier) or int32 / no bias (32-bit accumulators).
// Weights [units, inputSize]; the input is read as [batch, inputSize] rows.
import { perChannelMultipliers } from '../quant/index.js';
import { FULLY_CONNECTED_INPUTS, parseFullyConnectedOptions } from './fully_connected.js';
import { type BiasValues, biasValues, checkBias, currentBias, quantizedBiasType } from './int/bias.js';
import { currentWeights, dotRows, type OffsetWeights, offsetWeights } from './int/dot.js';
import type { IntArray } from './int/int_array.js';
import {
  activationQuantization,
  guarded,
  legacyMultiplier,
  legacyQuantization,
  type Multipliers,
  requireZeroPointZero,
} from './int/quant_params.js';
import { builtinSingleRounding, makeRequant, type Requant, requantize } from './int/requant.js';
import { xnnpackScales, xnnpackTakes } from './int/xnnpack_rounding.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output } from './kernel.js';
import { type PackedIntRows, packedIntRows } from './wasm/matmul.js';
import { wasmIntMatmul, wasmRequantizes } from './wasm/requant.js';

export interface FcIntParams {
  batch: number;
  inputSize: number;
  units: number;
  inputOffset: number;
  weights: OffsetWeights;
  bias: BiasValues;
  requant: Requant;
  /** The input converted to Int16 rows, and the accumulators of every row. */
  rows: Int16Array;
  acc: Float64Array;
  /** The offset weights for the wasm kernels; null where they do not apply (16-bit inputs, other requantizations). */
  packed: PackedIntRows | null;
}

/** Output multipliers: per channel for several filter scales, else the legacy per-tensor one. */
function fcMultipliers(
  ctx: NodeContext,
  x: RuntimeTensor,
  filter: RuntimeTensor,
  bias: RuntimeTensor | null,
  out: RuntimeTensor,
  units: number,
): { m: Multipliers; perChannel: boolean } {
  const inputScale = activationQuantization(ctx, x, 'input').scale;
  const outputScale = activationQuantization(ctx, out, 'output').scale;
  const q = filter.quantization;
  if (!q || q.scale.length === 0) fail(ctx, `weights (${filter.dtype}) have no quantization parameters`);
  if (q.scale.length === 1)
    return { m: legacyMultiplier(ctx, inputScale, legacyQuantization(filter).scale, bias, outputScale, units), perChannel: false };
  if (x.dtype === 'uint8') fail(ctx, 'per-channel weight quantization needs int8 or int16 input, got uint8');
  // Per-channel quantization runs along the output units (dimension 0).
  if (q.quantizedDimension !== 0) fail(ctx, `weights must be quantized along dimension 0, got dimension ${q.quantizedDimension}`);
  if (q.scale.length !== units) fail(ctx, `weights have ${q.scale.length} scales, expected ${units} (one per unit)`);
  return { m: guarded(ctx, 'output multipliers', () => perChannelMultipliers(inputScale, q.scale, outputScale, units)), perChannel: true };
}

/**
 * The double scales of TFLite's float-requantizing reference FULLY_CONNECTED (the 16x8 path with
 * an int64 bias): double(input_scale) * double(filter_scale) / double(output_scale), the filter
 * scale per channel, or the tensor's legacy scale.
 */
function doubleScales(x: RuntimeTensor, filter: RuntimeTensor, out: RuntimeTensor, units: number, perChannel: boolean): Float64Array {
  const f32 = Math.fround;
  const inputScale = f32(legacyQuantization(x).scale);
  const outputScale = f32(legacyQuantization(out).scale);
  const scales = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    const filterScale = f32(perChannel ? (filter.quantization?.scale[u] as number) : legacyQuantization(filter).scale);
    scales[u] = (inputScale * filterScale) / outputScale;
  }
  return scales;
}

/** FULLY_CONNECTED with int8, uint8 or int16 activations. */
export const fullyConnectedInt: Kernel<FcIntParams> = {
  prepare(ctx) {
    const x = input(ctx, FULLY_CONNECTED_INPUTS.input);
    const filter = input(ctx, FULLY_CONNECTED_INPUTS.weights);
    const out = output(ctx, 0);
    if (ctx.outputs.length !== 1) fail(ctx, `expected 1 output, got ${ctx.outputs.length}`);
    const options = parseFullyConnectedOptions(ctx);
    if (x.dtype !== 'int8' && x.dtype !== 'uint8' && x.dtype !== 'int16') fail(ctx, `input must be int8, uint8 or int16, got ${x.dtype}`);
    const wantWeights = x.dtype === 'uint8' ? 'uint8' : 'int8';
    if (filter.dtype !== wantWeights) fail(ctx, `${x.dtype} input needs ${wantWeights} weights, got ${filter.dtype}`);
    if (out.dtype !== x.dtype) fail(ctx, `output must be ${x.dtype} like the input, got ${out.dtype}`);
    if (filter.shape.length !== 2) fail(ctx, `weights must be rank 2 [units, input size], got shape [${filter.shape}]`);
    if (x.shape.length === 0) fail(ctx, 'input must have at least one dimension');
    const [units, inputSize] = filter.shape as [number, number];
    const int16 = x.dtype === 'int16';
    const bias = checkBias(ctx, FULLY_CONNECTED_INPUTS.bias, units, int16 ? ['int32', 'int64'] : ['int32']);
    if (int16) {
      requireZeroPointZero(ctx, x, 'input');
      requireZeroPointZero(ctx, out, 'output');
    }
    const total = x.shape.reduce((a, d) => a * d, 1);
    let batch: number;
    if (inputSize === 0) batch = x.shape.slice(0, -1).reduce((a, d) => a * d, 1);
    else {
      if (total % inputSize !== 0)
        fail(ctx, `input of shape [${x.shape}] cannot be read as rows of ${inputSize} (the weights' input size)`);
      batch = total / inputSize;
    }
    if (options.keepNumDims) {
      const last = x.shape[x.shape.length - 1];
      if (last !== inputSize)
        fail(ctx, `keep_num_dims needs the input's last dimension (${last}) to equal the weights' input size (${inputSize})`);
      out.shape = [...x.shape.slice(0, -1), units];
    } else out.shape = [batch, units];
    const { m, perChannel } = fcMultipliers(ctx, x, filter, bias, out, units);
    // 16x8: TFLite takes its reference kernel for an int64 bias (or quantized_bias_type INT64),
    // with 64-bit sums requantized in double; otherwise (int32 bias or none) its optimized
    // 32-bit path through cpu_backend_gemm, whose ruy requantization rounds once (under
    // 'xnnpack' rounding, like int8 nodes XNNPACK declines; 'reference' keeps the reference
    // kernel's double rounding).
    const wide =
      int16 && ((bias !== null && bias.dtype === 'int64') || quantizedBiasType(ctx, options.quantizedBiasType, bias) === 'int64');
    // Per-channel kernels ignore the weights' zero point.
    const weightsOffset = perChannel ? 0 : -legacyQuantization(filter).zeroPoint;
    const xnnpack = xnnpackTakes(ctx, 'fully_connected', x, filter, bias, out, options) ? xnnpackScales(x, filter, out, units) : null;
    const requant = makeRequant(ctx, out, m, wide, options.activation, xnnpack);
    if (wide) requant.fp64Scales = doubleScales(x, filter, out, units, perChannel);
    else if (ctx.config.integerRounding === 'xnnpack' && int16) requant.singleRounding = true;
    else requant.singleRounding = builtinSingleRounding(ctx, x, xnnpack);
    return {
      batch,
      inputSize,
      units,
      inputOffset: -legacyQuantization(x).zeroPoint,
      weights: offsetWeights(filter, weightsOffset, units, inputSize),
      bias: biasValues(ctx, bias, units),
      requant,
      rows: new Int16Array(batch * inputSize),
      acc: new Float64Array(batch * units),
      // 8-bit sums wrap to int32 before requantizing, so the wasm int32 sums are the same.
      packed: int16 || inputSize === 0 || !wasmRequantizes(requant) ? null : packedIntRows(units, inputSize, isKnown(filter)),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as IntArray;
    if (out.length === 0) return;
    const { batch, inputSize, units, rows, acc, requant, inputOffset } = p;
    const x = input(ctx, FULLY_CONNECTED_INPUTS.input).data as IntArray;
    const w = currentWeights(input(ctx, FULLY_CONNECTED_INPUTS.weights), p.weights);
    const bias = currentBias(ctx, FULLY_CONNECTED_INPUTS.bias, p.bias);
    if (p.packed !== null) {
      const addend = (u: number) => inputOffset * (w.rowSums[u] as number) + (bias !== null ? (bias[u] as number) : 0);
      if (wasmIntMatmul(x, 0, batch, inputSize, p.packed, w.values, units, requant, addend, out, 0)) return;
    }
    rows.set(x.subarray(0, batch * inputSize));
    dotRows(rows, 0, inputSize, batch, inputSize, w.values, 0, units, acc, 0, units);
    for (let b = 0; b < batch; b++) {
      const dst = b * units;
      for (let u = 0; u < units; u++) {
        let s = (acc[dst + u] as number) + inputOffset * (w.rowSums[u] as number);
        if (bias !== null) s += bias[u] as number;
        out[dst + u] = requantize(requant, s, u);
      }
    }
  },
};

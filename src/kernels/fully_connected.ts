// FULLY_CONNECTED for float32 activations: float32 weights (reference_ops::FullyConnected) and
// int8 weights (fully_connected.cc EvalHybridDense: per-batch input quantization, symmetric or
// asymmetric per the asymmetricQuantizeInputs option, row sums folded in exactly).
// Weights [units, inputSize]; the input is read as [batch, inputSize] rows.

import { builtinOptions } from '../model/options.js';
import { biasValues, convActivationRange, expectFloat32, optionalBias } from './conv.js';
import {
  applyActivation,
  batchQuantizeFloats,
  type HybridInputScratch,
  type HybridWeights,
  hybridInputScratch,
  hybridWeights,
  refreshHybridWeights,
} from './hybrid.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, isKnown, output } from './kernel.js';
import { matmulRows, rowTimesRows } from './matmul_rows.js';
import { Activation } from './util.js';
import { type PackedFloatRows, packedFloatRows, wasmMatmulRows } from './wasm/matmul.js';

const fround = Math.fround;

/** Input slots of FULLY_CONNECTED (float, hybrid and integer kernels, GPU builder). */
export const FULLY_CONNECTED_INPUTS = { input: 0, weights: 1, bias: 2 } as const;

interface FcShape {
  batch: number;
  inputSize: number;
  units: number;
}

/** FULLY_CONNECTED's options (FullyConnectedOptions), checked; float, hybrid and integer kernels share them. */
export interface FullyConnectedOptions {
  activation: number;
  keepNumDims: boolean;
  asymmetricQuantizeInputs: boolean;
  /** TensorType code of a 16x8 bias declared by the converter (0 when the model says nothing). */
  quantizedBiasType: number;
}

export function parseFullyConnectedOptions(ctx: NodeContext): FullyConnectedOptions {
  const o = builtinOptions(ctx.op, 'FullyConnectedOptions');
  const format = o.weightsFormat ?? 0;
  if (format !== 0) fail(ctx, `weights format ${format} is not supported (only DEFAULT)`);
  return {
    activation: o.fusedActivationFunction ?? Activation.NONE,
    keepNumDims: o.keepNumDims ?? false,
    asymmetricQuantizeInputs: o.asymmetricQuantizeInputs ?? false,
    quantizedBiasType: o.quantizedBiasType ?? 0,
  };
}

/** Checks the node and sets the output shape (UpdateOutputSize); shared by float and hybrid. */
function prepareShape(ctx: NodeContext, { keepNumDims }: FullyConnectedOptions): FcShape {
  const x = input(ctx, FULLY_CONNECTED_INPUTS.input);
  const filter = input(ctx, FULLY_CONNECTED_INPUTS.weights);
  const out = output(ctx, 0);
  expectFloat32(ctx, x, 'input');
  expectFloat32(ctx, out, 'output');
  if (ctx.outputs.length !== 1) fail(ctx, `expected 1 output, got ${ctx.outputs.length}`);
  if (filter.shape.length !== 2) fail(ctx, `weights must be rank 2 [units, input size], got shape [${filter.shape}]`);
  if (x.shape.length === 0) fail(ctx, 'input must have at least one dimension');
  const [units, inputSize] = filter.shape as [number, number];
  optionalBias(ctx, FULLY_CONNECTED_INPUTS.bias, units);
  const total = x.shape.reduce((a, d) => a * d, 1);
  let batch: number;
  if (inputSize === 0) {
    batch = x.shape.slice(0, -1).reduce((a, d) => a * d, 1);
  } else {
    if (total % inputSize !== 0) fail(ctx, `input of shape [${x.shape}] cannot be read as rows of ${inputSize} (the weights' input size)`);
    batch = total / inputSize;
  }
  if (keepNumDims) {
    const last = x.shape[x.shape.length - 1];
    if (last !== inputSize)
      fail(ctx, `keep_num_dims needs the input's last dimension (${last}) to equal the weights' input size (${inputSize})`);
    out.shape = [...x.shape.slice(0, -1), units];
  } else {
    out.shape = [batch, units];
  }
  return { batch, inputSize, units };
}

/** What the float FULLY_CONNECTED prepare computes; the GPU builder reads it too. */
export interface FullyConnectedParams extends FcShape {
  /** The fused activation (clamped by lo / hi). */
  activation: number;
  lo: number;
  hi: number;
  /** The weights packed for the wasm kernel. */
  packed: PackedFloatRows;
}

export const fullyConnectedFloat: Kernel<FullyConnectedParams> = {
  prepare(ctx) {
    expectFloat32(ctx, input(ctx, FULLY_CONNECTED_INPUTS.weights), 'weights');
    const options = parseFullyConnectedOptions(ctx);
    const shape = prepareShape(ctx, options);
    const { activation } = options;
    // The float kernel only takes clamping activations (fully_connected.cc Prepare).
    if (
      activation !== Activation.NONE &&
      activation !== Activation.RELU &&
      activation !== Activation.RELU_N1_TO_1 &&
      activation !== Activation.RELU6
    ) {
      fail(ctx, `fused activation ${activation} is not supported with float weights`);
    }
    const [lo, hi] = convActivationRange(ctx, activation);
    const constant = isKnown(input(ctx, FULLY_CONNECTED_INPUTS.weights));
    return { ...shape, activation, lo, hi, packed: packedFloatRows(shape.units, shape.inputSize, 1, constant) };
  },
  eval(ctx, p) {
    const out = outputToCompute(ctx, p.inputSize);
    if (out === null) return;
    const x = input(ctx, FULLY_CONNECTED_INPUTS.input).data as Float32Array;
    const w = input(ctx, FULLY_CONNECTED_INPUTS.weights).data as Float32Array;
    const bias = biasValues(ctx, FULLY_CONNECTED_INPUTS.bias);
    const { inputSize, units, lo, hi } = p;
    if (wasmMatmulRows(x, 0, p.batch, inputSize, p.packed, w, units, bias, out, 0, lo, hi)) return;
    matmulRows(x, 0, inputSize, p.batch, inputSize, w, 0, units, bias, 0, out, 0, units, lo, hi);
  },
};

/** The float output to compute, or null when done: an empty output, or zero-size inputs (zeros). */
function outputToCompute(ctx: NodeContext, inputSize: number): Float32Array | null {
  const out = output(ctx, 0).data as Float32Array;
  if (out.length === 0) return null;
  if (inputSize === 0) {
    out.fill(0);
    return null;
  }
  return out;
}

export interface HybridFcParams extends FcShape, HybridInputScratch {
  weights: HybridWeights;
  asymmetric: boolean;
  /** The fused activation (applied by `activate`). */
  activation: number;
  activate: ((d: Float32Array) => void) | null;
  /** One batch row of float(int32 accumulator). */
  accRow: Float32Array;
  /** The float copy of the weights packed for the wasm kernel. */
  packed: PackedFloatRows;
}

export const fullyConnectedHybrid: Kernel<HybridFcParams> = {
  prepare(ctx) {
    const filter = input(ctx, FULLY_CONNECTED_INPUTS.weights);
    if (filter.dtype !== 'int8') fail(ctx, `hybrid weights must be int8, got ${filter.dtype}`);
    const options = parseFullyConnectedOptions(ctx);
    const shape = prepareShape(ctx, options);
    return {
      ...shape,
      weights: hybridWeights(ctx, filter, 0, 'weights'),
      asymmetric: options.asymmetricQuantizeInputs,
      activation: options.activation,
      activate: applyActivation(ctx, options.activation),
      ...hybridInputScratch(shape.batch, shape.inputSize),
      accRow: new Float32Array(shape.units),
      packed: packedFloatRows(shape.units, shape.inputSize, 1, isKnown(filter)),
    };
  },
  eval(ctx, p) {
    const out = outputToCompute(ctx, p.inputSize);
    if (out === null) return;
    const x = input(ctx, FULLY_CONNECTED_INPUTS.input).data as Float32Array;
    refreshHybridWeights(input(ctx, FULLY_CONNECTED_INPUTS.weights), p.weights);
    const bias = biasValues(ctx, FULLY_CONNECTED_INPUTS.bias);
    const { batch, inputSize, units, accRow } = p;
    const cs = p.weights.channelScales;
    const perChannel = p.weights.perChannel;
    batchQuantizeFloats(x, batch, inputSize, p.quantized, p.scales, p.zeroPoints, p.asymmetric);
    for (let b = 0; b < batch; b++) {
      // Per-tensor weights fold their scale into the batch factor first (in float).
      const sf = perChannel ? (p.scales[b] as number) : fround((p.scales[b] as number) * (cs[0] as number));
      // Dot products of (q - zero point): TFLite's dotprod - row_sum * offset, exactly.
      const values = p.weights.values;
      if (!wasmMatmulRows(p.quantized, b * inputSize, 1, inputSize, p.packed, values, units, null, accRow, 0, -Infinity, Infinity))
        rowTimesRows(p.quantized, b * inputSize, inputSize, values, 0, units, null, 0, accRow, 0, -Infinity, Infinity);
      const dst = b * units;
      for (let u = 0; u < units; u++) {
        const scale = perChannel ? fround(sf * (cs[u] as number)) : sf;
        const start = bias !== null ? (bias[u] as number) : 0;
        out[dst + u] = start + fround((accRow[u] as number) * scale);
      }
    }
    p.activate?.(out);
  },
};

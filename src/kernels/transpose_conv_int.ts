// TRANSPOSE_CONV on integer activations, bit-exact with TFLite (transpose_conv.cc;
// reference_integer_ops::TransposeConv):
// - int8: per-channel (or per-tensor) int8 weights, int32 bias, 32-bit accumulators;
// - 16x8: int16 activations (zero points 0), int8 weights, int64 bias with 64-bit accumulators
//   (or int32 bias with 32-bit ones).
// Inputs: output_shape (int32 [4]), weights [O, H, W, I], input, optional bias. When output_shape
// is only known at run time (a graph input), the output is dynamic: prepare precomputes the
// weights, multipliers and bias, and eval sizes the output from the shape it is given.
// Each output pixel gathers the input pixels whose scattered window covers it (the reference
// scatter loop read the other way round); integer sums are exact in doubles.
import { parseTransposeConvOptions, TRANSPOSE_CONV_INPUTS } from './conv_geometry.js';
import { type BiasValues, biasValues, checkBias, currentBias, wide16x8 } from './int/bias.js';
import type { IntArray } from './int/int_array.js';
import { convolutionMultipliers, legacyQuantization, requireSymmetricFilter, requireZeroPointZero } from './int/quant_params.js';
import { makeRequant, type Requant, requantize } from './int/requant.js';
import { xnnpackScales, xnnpackTakes } from './int/xnnpack_rounding.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, isKnown, markDynamic, output, resizeDynamic } from './kernel.js';
import { checkInputAndWeights, type TransposeGeometry, transposeGeometryFor, xnnpackTransposeGeometryOk } from './transpose_conv.js';

export interface TransposeIntParams {
  /** Options and fixed shapes, for geometry from an output_shape. */
  padding: number;
  strideH: number;
  strideW: number;
  /** null until known: from a constant output_shape at prepare, else set at the first eval. */
  geo: TransposeGeometry | null;
  /** The output_shape the current geometry was computed from (dynamic case). */
  shape: Int32Array;
  inputOffset: number;
  bias: BiasValues;
  requant: Requant;
  acc: Float64Array;
}

/** Output geometry for an output_shape (TFLite's checks, shared with the float kernel). */
function geometryFor(
  ctx: NodeContext,
  dims: ArrayLike<number>,
  p: Pick<TransposeIntParams, 'padding' | 'strideH' | 'strideW'>,
): TransposeGeometry {
  return transposeGeometryFor(
    ctx,
    input(ctx, TRANSPOSE_CONV_INPUTS.input),
    input(ctx, TRANSPOSE_CONV_INPUTS.weights),
    dims,
    p.padding,
    p.strideH,
    p.strideW,
  );
}

/** TRANSPOSE_CONV with int8 or int16 activations and int8 weights. */
export const transposeConvInt: Kernel<TransposeIntParams> = {
  prepare(ctx) {
    const shapeTensor = input(ctx, TRANSPOSE_CONV_INPUTS.outputShape);
    const weights = input(ctx, TRANSPOSE_CONV_INPUTS.weights);
    const x = input(ctx, TRANSPOSE_CONV_INPUTS.input);
    const out = output(ctx, 0);
    if (shapeTensor.dtype !== 'int32') fail(ctx, `output_shape must be int32, got ${shapeTensor.dtype}`);
    if (shapeTensor.shape.length !== 1) fail(ctx, `output_shape must be rank 1, got shape [${shapeTensor.shape}]`);
    if (x.dtype !== 'int8' && x.dtype !== 'int16') fail(ctx, `input must be int8 or int16, got ${x.dtype}`);
    if (weights.dtype !== 'int8') fail(ctx, `weights must be int8, got ${weights.dtype}`);
    if (out.dtype !== x.dtype) fail(ctx, `output must be ${x.dtype} like the input, got ${out.dtype}`);
    checkInputAndWeights(ctx, x, weights);
    const outC = weights.shape[0] as number;
    const int16 = x.dtype === 'int16';
    const bias = checkBias(ctx, TRANSPOSE_CONV_INPUTS.bias, outC, int16 ? ['int32', 'int64'] : ['int32']);
    requireSymmetricFilter(ctx, weights);
    if (int16) {
      requireZeroPointZero(ctx, x, 'input');
      requireZeroPointZero(ctx, out, 'output');
    }
    const options = parseTransposeConvOptions(ctx);
    // 16x8: 64-bit scratch for an int64 bias (or without bias unless quantized_bias_type is INT32).
    const wide = int16 && wide16x8(ctx, options.quantizedBiasType, bias);
    const multipliers = convolutionMultipliers(ctx, x, weights, bias, out, outC);
    let geo: TransposeGeometry | null = null;
    if (isKnown(shapeTensor)) {
      geo = geometryFor(ctx, shapeTensor.data as Int32Array, options);
      out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    } else {
      if (shapeTensor.shape[0] !== 4) fail(ctx, `output_shape must have 4 elements, got shape [${shapeTensor.shape}]`);
      markDynamic(out);
    }
    // XNNPACK takes only a constant output_shape, hence a geometry known here; it declines SAME
    // padding with a kernel smaller than the stride (TFLite's builtin kernel and rounding run).
    const delegated =
      geo !== null &&
      shapeTensor.kind === 'constant' &&
      xnnpackTakes(ctx, 'transpose', x, weights, bias, out, options) &&
      xnnpackTransposeGeometryOk(geo, options.padding);
    const xnnpack = delegated ? xnnpackScales(x, weights, out, outC) : null;
    return {
      ...options,
      geo,
      shape: new Int32Array(4),
      inputOffset: -legacyQuantization(x).zeroPoint,
      bias: biasValues(ctx, bias, outC),
      requant: makeRequant(ctx, out, multipliers, wide, options.activation, xnnpack),
      acc: new Float64Array(outC),
    };
  },
  eval(ctx, p) {
    const outTensor = output(ctx, 0);
    if (outTensor.kind === 'dynamic') {
      const dims = input(ctx, TRANSPOSE_CONV_INPUTS.outputShape).data as Int32Array;
      if (p.geo === null || dims.some((d, i) => d !== p.shape[i])) {
        p.geo = geometryFor(ctx, dims, p);
        p.shape.set(dims.subarray(0, 4));
      }
      const g = p.geo;
      resizeDynamic(outTensor, [g.batches, g.outH, g.outW, g.outC]);
    }
    const g = p.geo;
    if (g === null) fail(ctx, 'output_shape was never resolved');
    const out = outTensor.data as IntArray;
    if (out.length === 0) return;
    const x = input(ctx, TRANSPOSE_CONV_INPUTS.input).data as IntArray;
    const w = input(ctx, TRANSPOSE_CONV_INPUTS.weights).data as Int8Array;
    const bias = currentBias(ctx, TRANSPOSE_CONV_INPUTS.bias, p.bias);
    const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, padH, padW } = g;
    const { acc, inputOffset, requant } = p;
    const ocStride = filterH * filterW * inC;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const yy = oy + padH;
        const iyStart = Math.max(0, Math.ceil((yy - filterH + 1) / strideH));
        const iyEnd = Math.min(inH - 1, Math.floor(yy / strideH));
        for (let ox = 0; ox < outW; ox++) {
          const xx = ox + padW;
          const ixStart = Math.max(0, Math.ceil((xx - filterW + 1) / strideW));
          const ixEnd = Math.min(inW - 1, Math.floor(xx / strideW));
          acc.fill(0);
          for (let iy = iyStart; iy <= iyEnd; iy++) {
            const fy = yy - iy * strideH;
            for (let ix = ixStart; ix <= ixEnd; ix++) {
              const fx = xx - ix * strideW;
              const src = ((b * inH + iy) * inW + ix) * inC;
              let wb = (fy * filterW + fx) * inC;
              for (let oc = 0; oc < outC; oc++, wb += ocStride) {
                let s = 0;
                for (let c = 0; c < inC; c++) s += ((x[src + c] as number) + inputOffset) * (w[wb + c] as number);
                acc[oc] = (acc[oc] as number) + s;
              }
            }
          }
          const dst = ((b * outH + oy) * outW + ox) * outC;
          for (let oc = 0; oc < outC; oc++) {
            let s = acc[oc] as number;
            if (bias !== null) s += bias[oc] as number;
            out[dst + oc] = requantize(requant, s, oc);
          }
        }
      }
    }
  },
};

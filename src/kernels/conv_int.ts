// CONV_2D on integer activations, bit-exact with TFLite (conv.cc; reference_integer_ops
// ConvPerChannel and the legacy reference_ops Conv):
// - int8: per-channel (or per-tensor) int8 weights with zero zero points, int32 bias;
// - uint8 (legacy): per-tensor uint8 weights with a zero point, int32 bias, one multiplier;
// - 16x8: int16 activations with zero zero points, int8 weights, int64 bias (64-bit accumulators
//   and TFLite's int64 MultiplyByQuantizedMultiplier) or int32 bias (32-bit accumulators).
// Integer rounding (NodeContext.config.integerRounding, read at prepare):
// - 'reference' (default): TFLite's builtin reference kernels everywhere — the specification;
// - 'xnnpack': the 8-bit nodes TFLite's default XNNPACK delegate would take get its float32
//   requantization, reproducing what that delegate (and LiteRT.js) computes for them.
// The integer library (quantization checks, bias, requantization, dot products) is in int/.
import { CONV_INPUTS, type ConvGeometry, convGeometry, parseConv2DOptions } from './conv_geometry.js';
import { type BiasValues, biasValues, checkBias, currentBias, wide16x8 } from './int/bias.js';
import { currentWeights, dotRows, type OffsetWeights, offsetWeights } from './int/dot.js';
import type { IntArray } from './int/int_array.js';
import {
  checkConvDtypes,
  convolutionMultipliers,
  legacyQuantization,
  requireSymmetricFilter,
  requireZeroPointZero,
} from './int/quant_params.js';
import { builtinSingleRounding, makeRequant, type Requant, requantize } from './int/requant.js';
import { xnnpackScales, xnnpackTakes } from './int/xnnpack_rounding.js';
import type { Kernel } from './kernel.js';
import { input, isKnown, output } from './kernel.js';
import { type PackedIntRows, packedIntRows, wasmDotRows } from './wasm/matmul.js';

export interface ConvIntParams {
  geo: ConvGeometry;
  inputOffset: number;
  /** Raw value standing for padding: (pad + inputOffset) = 0, so padded taps add nothing. */
  padValue: number;
  weights: OffsetWeights;
  bias: BiasValues;
  requant: Requant;
  /** One output row of receptive fields, and its accumulators. */
  patches: Int16Array;
  acc: Float64Array;
  /** The offset weights for the wasm kernel; null where its int32 sums would not do (16-bit inputs). */
  packed: PackedIntRows | null;
}

/**
 * CONV_2D with int8, uint8 or int16 activations (bit-exact with TFLite's reference kernels).
 * Grouped convolutions (filter channels dividing the input channels) are supported.
 */
export const conv2dInt: Kernel<ConvIntParams> = {
  prepare(ctx) {
    const x = input(ctx, CONV_INPUTS.input);
    const filter = input(ctx, CONV_INPUTS.filter);
    const out = output(ctx, 0);
    checkConvDtypes(ctx, x, filter, out);
    const options = parseConv2DOptions(ctx);
    const geo = convGeometry(ctx, options, x, filter);
    const int16 = x.dtype === 'int16';
    const bias = checkBias(ctx, CONV_INPUTS.bias, geo.outC, int16 ? ['int32', 'int64'] : ['int32']);
    if (x.dtype !== 'uint8') requireSymmetricFilter(ctx, filter);
    if (int16) {
      requireZeroPointZero(ctx, x, 'input');
      requireZeroPointZero(ctx, out, 'output');
    }
    const multipliers = convolutionMultipliers(ctx, x, filter, bias, out, geo.outC);
    const xnnpack = xnnpackTakes(ctx, 'conv', x, filter, bias, out, options) ? xnnpackScales(x, filter, out, geo.outC) : null;
    const wide = int16 && wide16x8(ctx, options.quantizedBiasType, bias);
    const inputZeroPoint = legacyQuantization(x).zeroPoint;
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    const K = geo.filterH * geo.filterW * geo.filterC;
    return {
      geo,
      inputOffset: -inputZeroPoint,
      padValue: inputZeroPoint,
      weights: offsetWeights(filter, x.dtype === 'uint8' ? -legacyQuantization(filter).zeroPoint : 0, geo.outC, K),
      bias: biasValues(ctx, bias, geo.outC),
      requant: {
        ...makeRequant(ctx, out, multipliers, wide, options.activation, xnnpack),
        // 16x8 with 32-bit accumulators (int32 bias) is TFLite's optimized im2col + ruy GEMM too.
        singleRounding: builtinSingleRounding(ctx, x, xnnpack) || (ctx.config.integerRounding === 'xnnpack' && int16 && !wide),
      },
      patches: new Int16Array(geo.outW * K),
      acc: new Float64Array(geo.outW * geo.outC),
      // 8-bit sums wrap to int32 before requantizing, so the wasm int32 sums are the same.
      packed: int16 ? null : packedIntRows(geo.outC, K, isKnown(filter)),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as IntArray;
    if (out.length === 0) return;
    const x = input(ctx, CONV_INPUTS.input).data as IntArray;
    const w = currentWeights(input(ctx, CONV_INPUTS.filter), p.weights);
    const bias = currentBias(ctx, CONV_INPUTS.bias, p.bias);
    const g = p.geo;
    const { inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups } = g;
    const { patches, acc, requant } = p;
    const K = filterH * filterW * filterC;
    const perGroup = outC / groups;
    const rowLen = filterW * filterC;
    const pointwise = filterH === 1 && filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 && groups === 1;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * g.strideH - g.padH;
        for (let grp = 0; grp < groups; grp++) {
          const chan0 = grp * filterC;
          if (pointwise) {
            const start = (b * inH + oy) * inW * inC;
            patches.set(x.subarray(start, start + outW * inC));
          } else {
            for (let ox = 0; ox < outW; ox++) {
              const ix0 = ox * g.strideW - g.padW;
              const patch = ox * K;
              for (let fy = 0; fy < filterH; fy++) {
                const iy = iy0 + fy * g.dilationH;
                const pRow = patch + fy * rowLen;
                if (iy < 0 || iy >= inH) {
                  patches.fill(p.padValue, pRow, pRow + rowLen);
                  continue;
                }
                const inRow = (b * inH + iy) * inW;
                for (let fx = 0; fx < filterW; fx++) {
                  const ix = ix0 + fx * g.dilationW;
                  const q = pRow + fx * filterC;
                  if (ix < 0 || ix >= inW) {
                    patches.fill(p.padValue, q, q + filterC);
                    continue;
                  }
                  const src = (inRow + ix) * inC + chan0;
                  for (let c = 0; c < filterC; c++) patches[q + c] = x[src + c] as number;
                }
              }
            }
          }
          const oc0 = grp * perGroup;
          const packed = p.packed;
          if (packed === null || !wasmDotRows(patches, 0, outW, K, packed, w.values, oc0, perGroup, acc, oc0, outC))
            dotRows(patches, 0, K, outW, K, w.values, oc0 * K, perGroup, acc, oc0, outC);
        }
        const outRow = (b * outH + oy) * outW * outC;
        for (let ox = 0; ox < outW; ox++) {
          const base = ox * outC;
          for (let oc = 0; oc < outC; oc++) {
            let s = (acc[base + oc] as number) + p.inputOffset * (w.rowSums[oc] as number);
            if (bias !== null) s += bias[oc] as number;
            out[outRow + base + oc] = requantize(requant, s, oc);
          }
        }
      }
    }
  },
};

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
import { type PackedIntRows, packedIntRows, padTo8, ROW_TILE } from './wasm/matmul.js';
import { after, wasmKernels } from './wasm/module.js';
import { requantParamBytes, runRequant, wasmIntMatmul, wasmRequantizes, writeRequantParams } from './wasm/requant.js';

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
  /** Whether the wasm kernels reproduce `requant`. */
  wasmRequant: boolean;
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
    const requant: Requant = {
      ...makeRequant(ctx, out, multipliers, wide, options.activation, xnnpack),
      // 16x8 with 32-bit accumulators (int32 bias) is TFLite's optimized im2col + ruy GEMM too.
      singleRounding: builtinSingleRounding(ctx, x, xnnpack) || (ctx.config.integerRounding === 'xnnpack' && int16 && !wide),
    };
    return {
      geo,
      inputOffset: -inputZeroPoint,
      padValue: inputZeroPoint,
      weights: offsetWeights(filter, x.dtype === 'uint8' ? -legacyQuantization(filter).zeroPoint : 0, geo.outC, K),
      bias: biasValues(ctx, bias, geo.outC),
      requant,
      patches: new Int16Array(geo.outW * K),
      acc: new Float64Array(geo.outW * geo.outC),
      // 8-bit sums wrap to int32 before requantizing, so the wasm int32 sums are the same.
      packed: int16 ? null : packedIntRows(geo.outC, K, isKnown(filter)),
      wasmRequant: !int16 && wasmRequantizes(requant),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as IntArray;
    if (out.length === 0) return;
    const x = input(ctx, CONV_INPUTS.input).data as IntArray;
    const w = currentWeights(input(ctx, CONV_INPUTS.filter), p.weights);
    const bias = currentBias(ctx, CONV_INPUTS.bias, p.bias);
    if (convIntWasm(p, x, w, bias, out)) return;
    const g = p.geo;
    const { inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups } = g;
    const { patches, acc, requant } = p;
    const K = filterH * filterW * filterC;
    const perGroup = outC / groups;
    const pointwise = isPointwise(g);
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let grp = 0; grp < groups; grp++) {
          if (pointwise) {
            const start = (b * inH + oy) * inW * inC;
            patches.set(x.subarray(start, start + outW * inC));
          } else {
            gatherIntPatches(g, x, b, oy, grp, p.padValue, patches, 0, K);
          }
          const oc0 = grp * perGroup;
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

function isPointwise(g: ConvGeometry): boolean {
  return g.filterH === 1 && g.filterW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 && g.groups === 1;
}

/**
 * The receptive fields of output row `oy` of image `b` for group `grp`, one row per pixel at
 * patches[off + ox*stride...], padded taps holding `padValue` (which the input offset cancels).
 */
function gatherIntPatches(
  g: ConvGeometry,
  x: IntArray,
  b: number,
  oy: number,
  grp: number,
  padValue: number,
  patches: Int16Array,
  off: number,
  stride: number,
): void {
  const { inH, inW, inC, outW, filterH, filterW, filterC } = g;
  const rowLen = filterW * filterC;
  const iy0 = oy * g.strideH - g.padH;
  const chan0 = grp * filterC;
  for (let ox = 0; ox < outW; ox++) {
    const ix0 = ox * g.strideW - g.padW;
    const patch = off + ox * stride;
    for (let fy = 0; fy < filterH; fy++) {
      const iy = iy0 + fy * g.dilationH;
      const pRow = patch + fy * rowLen;
      if (iy < 0 || iy >= inH) {
        patches.fill(padValue, pRow, pRow + rowLen);
        continue;
      }
      const inRow = (b * inH + iy) * inW;
      for (let fx = 0; fx < filterW; fx++) {
        const ix = ix0 + fx * g.dilationW;
        const q = pRow + fx * filterC;
        if (ix < 0 || ix >= inW) {
          patches.fill(padValue, q, q + filterC);
          continue;
        }
        const src = (inRow + ix) * inC + chan0;
        for (let c = 0; c < filterC; c++) patches[q + c] = x[src + c] as number;
      }
    }
  }
}

/**
 * The 8-bit eval on the wasm kernels: the image copied in, patches gathered there (rows padded to
 * eight), int32 sums, requantization in wasm. False, having done nothing, where it does not apply.
 */
function convIntWasm(p: ConvIntParams, x: IntArray, w: OffsetWeights, bias: Float64Array | null, out: IntArray): boolean {
  const packed = p.packed;
  if (packed === null || !p.wasmRequant) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const g = p.geo;
  const { outH, outW, outC, filterH, filterW, filterC, groups } = g;
  const K = filterH * filterW * filterC;
  const { inputOffset, requant } = p;
  const rowSums = w.rowSums;
  const addend = (c: number) => inputOffset * (rowSums[c] as number) + (bias !== null ? (bias[c] as number) : 0);
  if (isPointwise(g)) return wasmIntMatmul(x, 0, g.batches * outH * outW, K, packed, w.values, outC, requant, addend, out, 0);
  const K8 = padTo8(K);
  const perGroup = outC / groups;
  const { inH, inW, inC } = g;
  const imageSize = inH * inW * inC;
  const patchBytes = outW * K8 * 2;
  const accBytes = outW * outC * 4;
  packed.src = w.values;
  const base = k.call(packed, patchBytes + imageSize * 2 + 2 * accBytes + requantParamBytes(outC) + 128);
  if (base === null) return false;
  const xPtr = after(base, patchBytes);
  const accPtr = after(xPtr, imageSize * 2);
  const outPtr = after(accPtr, accBytes);
  const parPtr = after(outPtr, accBytes);
  writeRequantParams(k, requant, outC, parPtr, addend);
  const i32 = k.i32;
  const { dot_i16: dot, patches_i16: gather } = k.exports;
  for (let b = 0; b < g.batches; b++) {
    k.i16.set(x.subarray(b * imageSize, (b + 1) * imageSize), xPtr >> 1);
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * g.strideH - g.padH;
      for (let grp = 0; grp < groups; grp++) {
        gather(
          xPtr,
          inH,
          inW,
          inC,
          grp * filterC,
          filterH,
          filterW,
          filterC,
          g.strideW,
          g.dilationH,
          g.dilationW,
          iy0,
          g.padW,
          outW,
          base,
          K8,
          p.padValue,
        );
        const oc0 = grp * perGroup;
        const wPtr = packed.ptr + oc0 * K8 * 2;
        for (let r = 0; r < outW; r += ROW_TILE) {
          const rows = Math.min(ROW_TILE, outW - r);
          dot(base + r * K8 * 2, K8, rows, K8, wPtr, perGroup, accPtr + (r * outC + oc0) * 4, outC);
        }
      }
      runRequant(k, requant, accPtr, outW, outC, parPtr, outPtr);
      out.set(i32.subarray(outPtr >> 2, (outPtr >> 2) + outW * outC), (b * outH + oy) * outW * outC);
    }
  }
  return true;
}

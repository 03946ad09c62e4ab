// DEPTHWISE_CONV_2D on integer activations, bit-exact with TFLite (depthwise_conv.cc;
// reference_integer_ops DepthwiseConvPerChannel and the legacy reference_ops DepthwiseConv):
// - int8: per-channel (or per-tensor) int8 weights with zero zero points, int32 bias;
// - uint8 (legacy): per-tensor uint8 weights with a zero point, int32 bias, one multiplier;
// - 16x8: int16 activations with zero zero points, int8 weights, int64 bias (64-bit accumulators
//   and TFLite's int64 MultiplyByQuantizedMultiplier).
// Integer rounding as CONV_2D (conv_int.ts): under 'xnnpack', nodes TFLite's default XNNPACK
// delegate would take get its float32 requantization.
import {
  CONV_INPUTS,
  type ConvGeometry,
  convWindow,
  type DepthwiseTaps,
  depthwiseShape,
  depthwiseTaps,
  parseDepthwiseConv2DOptions,
} from './conv_geometry.js';
import { type BiasValues, biasValues, checkBias, currentBias } from './int/bias.js';
import { currentWeights, type OffsetWeights, offsetWeights } from './int/dot.js';
import type { IntArray } from './int/int_array.js';
import { checkConvDtypes, convolutionMultipliers, legacyQuantization, requireZeroPointZero } from './int/quant_params.js';
import { makeRequant, type Requant, requantize } from './int/requant.js';
import { xnnpackScales, xnnpackTakes } from './int/xnnpack_rounding.js';
import type { Kernel } from './kernel.js';
import { input, isKnown, output } from './kernel.js';
import { after, type WasmResident, wasmKernels, wasmResident } from './wasm/module.js';
import { requantParamBytes, runRequant, wasmRequantizes, writeRequantParams } from './wasm/requant.js';

export interface DepthwiseIntParams extends DepthwiseTaps {
  geo: ConvGeometry;
  multiplier: number;
  inputOffset: number;
  weights: OffsetWeights;
  bias: BiasValues;
  requant: Requant;
  /** One output pixel's sums. */
  acc: Float64Array;
  /** Sum of each channel's weights over all taps, for the input-offset term of inside windows. */
  channelSums: Float64Array;
  /**
   * The offset weights as int32 [taps][C] for the wasm kernels; null where they do not apply
   * (16-bit inputs, whose 64-bit sums the int32 lanes cannot hold; channel multipliers > 1).
   */
  packed: (WasmResident & { src: Int16Array }) | null;
}

/**
 * The wasm path (channel multiplier 1, 8-bit inputs): int32 sums of (x + input offset) * w over
 * the taps inside the image — the JS loops' exact sums wrapped to int32, which is all the 8-bit
 * requantization reads — requantized in wasm. False, having done nothing, when unavailable.
 */
function depthwiseIntWasm(p: DepthwiseIntParams, x: IntArray, w: Int16Array, bias: BiasValues['values'], out: IntArray): boolean {
  const k = p.packed === null ? null : wasmKernels();
  if (k === null || p.packed === null) return false;
  const g = p.geo;
  const { inH, inW, inC, outH, outW, outC, filterH, filterW } = g;
  const inSize = inH * inW * inC;
  const outSize = outH * outW * outC;
  p.packed.src = w;
  const xPtr = k.call(p.packed, inSize * 2 + outSize * 8 + filterH * filterW * 16 + requantParamBytes(outC) + 64);
  if (xPtr === null) return false;
  const accPtr = after(xPtr, inSize * 2);
  const outPtr = after(accPtr, outSize * 4);
  const tapPtr = after(outPtr, outSize * 4);
  const parPtr = after(tapPtr, filterH * filterW * 16);
  const { inputOffset, requant } = p;
  writeRequantParams(k, requant, outC, parPtr, (c) => (bias !== null ? (bias[c] as number) : 0));
  for (let b = 0; b < g.batches; b++) {
    k.i16.set(x.subarray(b * inSize, (b + 1) * inSize), xPtr >> 1);
    k.exports.add_i16(xPtr, inSize, inputOffset);
    k.exports.depthwise_i32(
      xPtr,
      inH,
      inW,
      inC,
      p.packed.ptr,
      filterH,
      filterW,
      g.strideH,
      g.strideW,
      g.dilationH,
      g.dilationW,
      g.padH,
      g.padW,
      outH,
      outW,
      accPtr,
      tapPtr,
    );
    runRequant(k, requant, accPtr, outH * outW, outC, parPtr, outPtr);
    out.set(k.i32.subarray(outPtr >> 2, (outPtr >> 2) + outSize), b * outSize);
  }
  return true;
}

/**
 * DEPTHWISE_CONV_2D with int8, uint8 or int16 activations. Filter [1, H, W, C * multiplier];
 * output channel c*multiplier + m reads input channel c. Taps outside the image add nothing.
 */
export const depthwiseConv2dInt: Kernel<DepthwiseIntParams> = {
  prepare(ctx) {
    const x = input(ctx, CONV_INPUTS.input);
    const filter = input(ctx, CONV_INPUTS.filter);
    const out = output(ctx, 0);
    checkConvDtypes(ctx, x, filter, out);
    const { batches, inH, inW, inC, outC, filterH, filterW } = depthwiseShape(ctx, x, filter);
    const int16 = x.dtype === 'int16';
    // TFLite: int64 bias for 16x8, int32 otherwise.
    const bias = checkBias(ctx, CONV_INPUTS.bias, outC, int16 ? ['int64'] : ['int32']);
    if (int16) {
      requireZeroPointZero(ctx, x, 'input');
      requireZeroPointZero(ctx, out, 'output');
    }
    const options = parseDepthwiseConv2DOptions(ctx);
    const window = convWindow(options, inH, inW, filterH, filterW);
    const { outH, outW } = window;
    // Depthwise is the grouped convolution with one input channel per group.
    const geo: ConvGeometry = { batches, inH, inW, inC, outC, filterH, filterW, filterC: 1, groups: inC, ...window };
    const multipliers = convolutionMultipliers(ctx, x, filter, bias, out, outC);
    const xnnpack = xnnpackTakes(ctx, 'depthwise', x, filter, bias, out, options) ? xnnpackScales(x, filter, out, outC) : null;
    out.shape = [batches, outH, outW, outC];
    // Per-channel int8 / int16 kernels ignore the filter zero point (weights_offset = 0).
    const filterOffset = x.dtype === 'uint8' ? -legacyQuantization(filter).zeroPoint : 0;
    const requant = makeRequant(ctx, out, multipliers, int16, options.activation, xnnpack);
    return {
      geo,
      multiplier: outC / inC,
      inputOffset: -legacyQuantization(x).zeroPoint,
      weights: offsetWeights(filter, filterOffset, 1, filterH * filterW * outC),
      bias: biasValues(ctx, bias, outC),
      requant,
      acc: new Float64Array(outC),
      ...depthwiseTaps(geo),
      channelSums: new Float64Array(outC),
      packed: int16 || outC !== inC || !wasmRequantizes(requant) ? null : int32Taps(filterH * filterW * outC, isKnown(filter)),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as IntArray;
    if (out.length === 0) return;
    const x = input(ctx, CONV_INPUTS.input).data as IntArray;
    const w = currentWeights(input(ctx, CONV_INPUTS.filter), p.weights).values;
    const bias = currentBias(ctx, CONV_INPUTS.bias, p.bias);
    if (depthwiseIntWasm(p, x, w, bias, out)) return;
    const g = p.geo;
    const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } = g;
    const { acc, multiplier, inputOffset, requant, tapInput, tapFilter, channelSums } = p;
    const taps = filterH * filterW;
    channelSums.fill(0);
    for (let t = 0; t < taps; t++) for (let c = 0; c < outC; c++) channelSums[c] = (channelSums[c] as number) + (w[t * outC + c] as number);
    const spanH = (filterH - 1) * dilationH;
    const spanW = (filterW - 1) * dilationW;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * strideH - padH;
        const rowInside = iy0 >= 0 && iy0 + spanH < inH;
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = ox * strideW - padW;
          const dst = ((b * outH + oy) * outW + ox) * outC;
          if (rowInside && multiplier === 1 && ix0 >= 0 && ix0 + spanW < inW) {
            // Whole window inside: each channel sums raw products over the taps in a register;
            // the input offset enters once through the channel's weight sum.
            const base = ((b * inH + iy0) * inW + ix0) * inC;
            for (let c = 0; c < outC; c++) {
              let s = inputOffset * (channelSums[c] as number);
              for (let t = 0; t < taps; t++)
                s += (x[base + (tapInput[t] as number) + c] as number) * (w[(tapFilter[t] as number) + c] as number);
              if (bias !== null) s += bias[c] as number;
              out[dst + c] = requantize(requant, s, c);
            }
            continue;
          }
          acc.fill(0);
          for (let fy = 0; fy < filterH; fy++) {
            const iy = iy0 + fy * dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < filterW; fx++) {
              const ix = ix0 + fx * dilationW;
              if (ix < 0 || ix >= inW) continue;
              const src = ((b * inH + iy) * inW + ix) * inC;
              const wBase = (fy * filterW + fx) * outC;
              if (multiplier === 1) {
                for (let c = 0; c < inC; c++)
                  acc[c] = (acc[c] as number) + ((x[src + c] as number) + inputOffset) * (w[wBase + c] as number);
              } else {
                for (let c = 0; c < inC; c++) {
                  const v = (x[src + c] as number) + inputOffset;
                  const o = c * multiplier;
                  for (let m = 0; m < multiplier; m++) acc[o + m] = (acc[o + m] as number) + v * (w[wBase + o + m] as number);
                }
              }
            }
          }
          for (let c = 0; c < outC; c++) {
            let s = acc[c] as number;
            if (bias !== null) s += bias[c] as number;
            out[dst + c] = requantize(requant, s, c);
          }
        }
      }
    }
  },
};

/** A resident int32 copy of `count` offset weights (read from `src` when filled). */
function int32Taps(count: number, constant: boolean): WasmResident & { src: Int16Array } {
  const packed = Object.assign(
    wasmResident(count * 4, constant, (k, ptr) => k.i32.set(packed.src.subarray(0, count), ptr >> 2)),
    { src: new Int16Array(0) },
  );
  return packed;
}

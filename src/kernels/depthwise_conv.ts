// DEPTHWISE_CONV_2D for float32 activations: float32 weights (reference_ops::DepthwiseConv) and
// int8 per-channel weights (depthwise_conv.cc EvalHybridPerChannel: asymmetric per-batch input
// quantization). Filter [1, H, W, C * multiplier]; output channel c*multiplier + m reads input
// channel c. The multiplier comes from the shapes, as TFLite's float kernel computes it.
import { biasValues, type FloatConvCore, type FloatConvParams, floatConvKernel, prepareFloatConv } from './conv.js';
import {
  CONV_INPUTS,
  type ConvWindow,
  convWindow,
  type DepthwiseConv2DOptions,
  type DepthwiseShape,
  type DepthwiseTaps,
  depthwiseShape,
  depthwiseTaps,
  parseDepthwiseConv2DOptions,
} from './conv_geometry.js';
import {
  batchQuantizeFloats,
  type HybridInputScratch,
  type HybridWeights,
  hybridInputScratch,
  hybridWeights,
  refreshHybridWeights,
} from './hybrid.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { input, isKnown, output } from './kernel.js';
import { copyBias } from './wasm/matmul.js';
import { alignedAfter, type WasmResident, wasmKernels, wasmResident } from './wasm/module.js';

const fround = Math.fround;

export interface DepthwiseGeometry extends DepthwiseShape, ConvWindow {
  multiplier: number;
}

function depthwiseGeometry(ctx: NodeContext, options: DepthwiseConv2DOptions, x: RuntimeTensor, filter: RuntimeTensor): DepthwiseGeometry {
  const shape = depthwiseShape(ctx, x, filter);
  const window = convWindow(options, shape.inH, shape.inW, shape.filterH, shape.filterW);
  return { ...shape, ...window, multiplier: shape.outC / shape.inC };
}

/** Scratch of the depthwise kernel, sized at prepare. */
interface DepthwiseScratch extends DepthwiseTaps {
  /** One output pixel's sums (doubles), for border pixels and channel multipliers > 1. */
  acc: Float64Array;
  /** The filter as f64 [taps][C] in wasm memory (read from `src` when filled). */
  packed: WasmResident & { src: Float32Array };
}

function depthwiseScratch(g: DepthwiseGeometry, constantFilter: boolean): DepthwiseScratch {
  const count = g.filterH * g.filterW * g.outC;
  const packed = Object.assign(
    wasmResident(count * 8, constantFilter, (k, ptr) => k.f64.set(packed.src.subarray(0, count), ptr >> 3)),
    { src: new Float32Array(0) },
  );
  return { acc: new Float64Array(g.outC), ...depthwiseTaps(g), packed };
}

/**
 * depthwiseCore on the wasm kernels (channel multiplier 1): same taps, same order, same sums.
 * False, having done nothing, when unavailable.
 */
function depthwiseWasm(
  g: DepthwiseGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  lo: number,
  hi: number,
  scratch: DepthwiseScratch,
): boolean {
  const k = g.multiplier === 1 ? wasmKernels() : null;
  if (k === null) return false;
  const { inH, inW, inC, outH, outW, outC } = g;
  const inSize = inH * inW * inC;
  const outSize = outH * outW * outC;
  scratch.packed.src = w;
  const tapBytes = g.filterH * g.filterW * 16;
  const xPtr = k.call(scratch.packed, (inSize + outSize + outC) * 4 + tapBytes + 64);
  if (xPtr === null) return false;
  const outPtr = alignedAfter(xPtr, inSize * 4);
  const biasPtr = alignedAfter(outPtr, outSize * 4);
  const tapPtr = alignedAfter(biasPtr, outC * 4);
  const hasBias = copyBias(k, bias, 0, outC, biasPtr);
  const f32 = k.f32;
  for (let b = 0; b < g.batches; b++) {
    f32.set(x.subarray(b * inSize, (b + 1) * inSize), xPtr >> 2);
    k.exports.depthwise_f32(
      xPtr,
      inH,
      inW,
      inC,
      scratch.packed.ptr,
      g.filterH,
      g.filterW,
      g.strideH,
      g.strideW,
      g.dilationH,
      g.dilationW,
      g.padH,
      g.padW,
      outH,
      outW,
      biasPtr,
      hasBias,
      outPtr,
      lo,
      hi,
      tapPtr,
    );
    out.set(f32.subarray(outPtr >> 2, (outPtr >> 2) + outSize), b * outSize);
  }
  return true;
}

/**
 * Depthwise convolution. Pixels whose whole window lies inside the image (multiplier 1) sum
 * each channel over the precomputed tap offsets in a register; border pixels (and channel
 * multipliers > 1) accumulate per tap into `acc`, skipping taps outside the image (zero
 * padding). Sums run in doubles. The wasm kernel does the same sums when available.
 */
const depthwiseCore: FloatConvCore<DepthwiseGeometry, DepthwiseScratch> = (g, x, w, bias, out, lo, hi, scratch) => {
  if (depthwiseWasm(g, x, w, bias, out, lo, hi, scratch)) return;
  const { inH, inW, inC, outH, outW, outC, multiplier, filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } = g;
  const { acc, tapInput, tapFilter } = scratch;
  const taps = filterH * filterW;
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
          const base = ((b * inH + iy0) * inW + ix0) * inC;
          let c = 0;
          // Four channels at a time: independent sums, so the adds do not wait on each other.
          for (; c + 4 <= outC; c += 4) {
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            for (let t = 0; t < taps; t++) {
              const xi = base + (tapInput[t] as number) + c;
              const wi = (tapFilter[t] as number) + c;
              s0 += (x[xi] as number) * (w[wi] as number);
              s1 += (x[xi + 1] as number) * (w[wi + 1] as number);
              s2 += (x[xi + 2] as number) * (w[wi + 2] as number);
              s3 += (x[xi + 3] as number) * (w[wi + 3] as number);
            }
            if (bias !== null) {
              s0 += bias[c] as number;
              s1 += bias[c + 1] as number;
              s2 += bias[c + 2] as number;
              s3 += bias[c + 3] as number;
            }
            out[dst + c] = s0 < lo ? lo : Math.min(s0, hi);
            out[dst + c + 1] = s1 < lo ? lo : Math.min(s1, hi);
            out[dst + c + 2] = s2 < lo ? lo : Math.min(s2, hi);
            out[dst + c + 3] = s3 < lo ? lo : Math.min(s3, hi);
          }
          for (; c < outC; c++) {
            let s = 0;
            for (let t = 0; t < taps; t++)
              s += (x[base + (tapInput[t] as number) + c] as number) * (w[(tapFilter[t] as number) + c] as number);
            if (bias !== null) s += bias[c] as number;
            out[dst + c] = s < lo ? lo : Math.min(s, hi);
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
            for (let c = 0; c < inC; c++) {
              const v = x[src + c] as number;
              const o = c * multiplier;
              for (let m = 0; m < multiplier; m++) acc[o + m] = (acc[o + m] as number) + v * (w[wBase + o + m] as number);
            }
          }
        }
        for (let c = 0; c < outC; c++) {
          let s = acc[c] as number;
          if (bias !== null) s += bias[c] as number;
          out[dst + c] = s < lo ? lo : Math.min(s, hi);
        }
      }
    }
  }
};

/** What the float DEPTHWISE_CONV_2D prepare computes; the GPU builder reads it too. */
export interface DepthwiseConv2DParams extends FloatConvParams<DepthwiseGeometry> {
  scratch: DepthwiseScratch;
}

export const depthwiseConv2dFloat: Kernel<DepthwiseConv2DParams> = floatConvKernel(
  parseDepthwiseConv2DOptions,
  depthwiseGeometry,
  depthwiseScratch,
  depthwiseCore,
);

export interface HybridDepthwiseParams extends DepthwiseConv2DParams, HybridInputScratch {
  weights: HybridWeights;
}

/**
 * Hybrid DEPTHWISE_CONV_2D: TFLite always takes the per-channel path here, with asymmetric
 * per-batch input quantization; output = acc * channel scale * input scale + bias.
 */
export const depthwiseConv2dHybrid: Kernel<HybridDepthwiseParams> = {
  prepare(ctx) {
    const base = prepareFloatConv(ctx, 'int8', parseDepthwiseConv2DOptions, depthwiseGeometry);
    const geo = base.geo;
    return {
      ...base,
      scratch: depthwiseScratch(geo, isKnown(input(ctx, CONV_INPUTS.filter))),
      weights: hybridWeights(ctx, input(ctx, CONV_INPUTS.filter), 3, 'filter'),
      ...hybridInputScratch(geo.batches, geo.inH * geo.inW * geo.inC),
    };
  },
  eval(ctx, p) {
    const o = output(ctx, 0).data as Float32Array;
    if (o.length === 0) return;
    const g = p.geo;
    const x = input(ctx, CONV_INPUTS.input).data as Float32Array;
    refreshHybridWeights(input(ctx, CONV_INPUTS.filter), p.weights);
    const perBatch = g.inH * g.inW * g.inC;
    batchQuantizeFloats(x, g.batches, perBatch, p.quantized, p.scales, p.zeroPoints, true);
    depthwiseCore(g, p.quantized, p.weights.values, null, o, -Infinity, Infinity, p.scratch);
    const bias = biasValues(ctx, CONV_INPUTS.bias);
    const cs = p.weights.channelScales;
    const perImage = g.outH * g.outW * g.outC;
    const { lo, hi } = p;
    for (let b = 0; b < g.batches; b++) {
      const sf = p.scales[b] as number;
      for (let i = b * perImage, end = (b + 1) * perImage; i < end; i += g.outC) {
        for (let c = 0; c < g.outC; c++) {
          // float(acc) * input scale * channel scale, left to right in float: the generic
          // optimized kernel's order (reference_ops and NEON round in other orders, 1 ulp apart).
          let v = fround(fround((o[i + c] as number) * sf) * (cs[c] as number));
          if (bias !== null) v += bias[c] as number;
          o[i + c] = v < lo ? lo : Math.min(v, hi);
        }
      }
    }
  },
};

// TRANSPOSE_CONV for float32 activations (transpose_conv.cc; reference_ops::TransposeConv) and the
// geometry its hybrid (transpose_conv_hybrid.ts), integer and MediaPipe (transpose_conv_bias.ts)
// forms share. Weights are [O, H, W, I]. Each output pixel gathers the input pixels whose
// scattered window covers it, which is the reference scatter loop read the other way round.

import { evalFloatConv, expectFloat32, type FloatConvCore, type FloatConvParams, type FloatConvSlots, floatConvParams } from './conv.js';
import { parseTransposeConvOptions, TRANSPOSE_CONV_INPUTS, type TransposeConvOptions } from './conv_geometry.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output } from './kernel.js';
import { computeOutSize, computePadding, Padding } from './util.js';
import { copyBias } from './wasm/matmul.js';
import { alignedAfter, type WasmResident, wasmKernels, wasmResident } from './wasm/module.js';

/** TRANSPOSE_CONV geometry, shared with the integer kernel (transpose_conv_int.ts). */
export interface TransposeGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/** Rank, size and channel checks of the input and [O, H, W, I] weights. */
export function checkInputAndWeights(ctx: NodeContext, x: RuntimeTensor, weights: RuntimeTensor): void {
  if (x.shape.length !== 4) fail(ctx, `input must be rank 4 (NHWC), got shape [${x.shape}]`);
  if (weights.shape.length !== 4) fail(ctx, `weights must be rank 4 (OHWI), got shape [${weights.shape}]`);
  const [, inH, inW, inC] = x.shape as [number, number, number, number];
  const [outC, filterH, filterW, filterC] = weights.shape as [number, number, number, number];
  if (inH <= 0 || inW <= 0 || inC <= 0) fail(ctx, `input height, width and channels must be positive, got [${x.shape}]`);
  if (outC <= 0 || filterH <= 0 || filterW <= 0) fail(ctx, `weights dimensions must be positive, got [${weights.shape}]`);
  if (filterC !== inC) fail(ctx, `weights' input channels (${filterC}) differ from the input's channels (${inC})`);
}

/**
 * out[b, oy, ox, oc] = sum over input pixels (iy, ix) with oy = iy*strideH - padH + fy and
 * ox = ix*strideW - padW + fx (0 <= fy < H, 0 <= fx < W) of sum_ic x[b, iy, ix, ic] *
 * w[oc, fy, fx, ic]; then + bias and clamp.
 */
export const transposeConvCore: FloatConvCore<TransposeGeometry, Float64Array> = (g, x, w, bias, out, lo, hi, acc) => {
  if (transposeConvWasm(g, x, w, bias, out, lo, hi, acc)) return;
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, padH, padW } = g;
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
              for (let c = 0; c < inC; c++) s += (x[src + c] as number) * (w[wb + c] as number);
              acc[oc] = (acc[oc] as number) + s;
            }
          }
        }
        const dst = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          let s = acc[oc] as number;
          if (bias !== null) s += bias[oc] as number;
          out[dst + oc] = s < lo ? lo : Math.min(s, hi);
        }
      }
    }
  }
};

/** Per kernel (keyed by its scratch), the weights packed for the wasm kernel; refilled at every eval. */
const packedWeights = new WeakMap<Float64Array, WasmResident & { src: Float32Array }>();

/**
 * transposeConvCore on the wasm kernel: the same sums in the same order (per output channel lane).
 * False, having done nothing, when unavailable.
 */
function transposeConvWasm(
  g: TransposeGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  lo: number,
  hi: number,
  acc: Float64Array,
): boolean {
  const k = g.padH >= 0 && g.padW >= 0 && g.inC > 0 ? wasmKernels() : null;
  if (k === null) return false;
  const { inH, inW, inC, outH, outW, outC, filterH, filterW } = g;
  const blocks = Math.ceil(outC / 4);
  let packed = packedWeights.get(acc);
  if (packed === undefined) {
    const taps = filterH * filterW;
    const doubles = taps * blocks * inC * 4;
    const resident = Object.assign(
      wasmResident(doubles * 8, false, (kk, ptr) => {
        const f64 = kk.f64;
        const base = ptr >> 3;
        const src = resident.src;
        f64.fill(0, base, base + doubles);
        for (let oc = 0; oc < outC; oc++) {
          for (let t = 0; t < taps; t++) {
            const from = (oc * taps + t) * inC;
            const to = base + (t * blocks + (oc >> 2)) * inC * 4 + (oc & 3);
            for (let c = 0; c < inC; c++) f64[to + c * 4] = src[from + c] as number;
          }
        }
      }),
      { src: new Float32Array(0) },
    );
    packed = resident;
    packedWeights.set(acc, packed);
  }
  packed.src = w;
  const inSize = inH * inW * inC;
  const outSize = outH * outW * outC;
  const xPtr = k.call(packed, (inSize + outSize + outC) * 4 + 64);
  if (xPtr === null) return false;
  const outPtr = alignedAfter(xPtr, inSize * 4);
  const biasPtr = alignedAfter(outPtr, outSize * 4);
  const hasBias = copyBias(k, bias, 0, outC, biasPtr);
  const f32 = k.f32;
  for (let b = 0; b < g.batches; b++) {
    f32.set(x.subarray(b * inSize, (b + 1) * inSize), xPtr >> 2);
    k.exports.tconv_f32(
      xPtr,
      inH,
      inW,
      inC,
      packed.ptr,
      filterH,
      filterW,
      g.strideH,
      g.strideW,
      g.padH,
      g.padW,
      outH,
      outW,
      outC,
      biasPtr,
      hasBias,
      outPtr,
      lo,
      hi,
    );
    out.set(f32.subarray(outPtr >> 2, (outPtr >> 2) + outSize), b * outSize);
  }
  return true;
}

/** TRANSPOSE_CONV prepare: output shape from the constant output_shape input, padding checks. */
export function transposeGeometry(ctx: NodeContext, options: TransposeConvOptions): TransposeGeometry {
  const shapeTensor = input(ctx, TRANSPOSE_CONV_INPUTS.outputShape);
  const weights = input(ctx, TRANSPOSE_CONV_INPUTS.weights);
  const x = input(ctx, TRANSPOSE_CONV_INPUTS.input);
  if (shapeTensor.dtype !== 'int32') fail(ctx, `output_shape must be int32, got ${shapeTensor.dtype}`);
  if (shapeTensor.shape.length !== 1) fail(ctx, `output_shape must be rank 1, got shape [${shapeTensor.shape}]`);
  if (!isKnown(shapeTensor)) {
    fail(ctx, 'output_shape (input 0) is not known before running: it must be a constant or computed from constants and shapes');
  }
  checkInputAndWeights(ctx, x, weights);
  return transposeGeometryFor(ctx, x, weights, shapeTensor.data as Int32Array, options.padding, options.strideH, options.strideW);
}

/**
 * Output geometry for an output_shape, with TFLite's checks: batch and channels match, and a
 * forward convolution of that output (this padding and stride) gives the input's height and width.
 * Shared with the integer kernel, which may only learn output_shape at eval.
 */
export function transposeGeometryFor(
  ctx: NodeContext,
  x: RuntimeTensor,
  weights: RuntimeTensor,
  outputShape: ArrayLike<number>,
  padding: number,
  strideH: number,
  strideW: number,
): TransposeGeometry {
  const dims = Array.from(outputShape);
  if (dims.length !== 4) fail(ctx, `output_shape must have 4 elements, got [${dims}]`);
  const [n, outH, outW, outC] = dims as [number, number, number, number];
  const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
  const [filterO, filterH, filterW] = weights.shape as [number, number, number, number];
  if (n !== batches) fail(ctx, `output_shape batch ${n} differs from the input batch ${batches}`);
  if (outH <= 0 || outW <= 0) fail(ctx, `output_shape height and width must be positive, got [${dims}]`);
  if (outC !== filterO) fail(ctx, `output_shape channels ${outC} differ from the weights' output channels ${filterO}`);
  // The input must be what a forward convolution of the output would produce.
  const expectH = computeOutSize(padding, outH, filterH, strideH);
  const expectW = computeOutSize(padding, outW, filterW, strideW);
  if (expectH !== inH || expectW !== inW) {
    fail(
      ctx,
      `output_shape [${dims}] does not match the input [${x.shape}] for this padding and stride (it would give ${expectH}x${expectW})`,
    );
  }
  return {
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    filterH,
    filterW,
    strideH,
    strideW,
    padH: computePadding(strideH, 1, outH, filterH, inH),
    padW: computePadding(strideW, 1, outW, filterW, inW),
  };
}

/** What the float TRANSPOSE_CONV prepare computes (and MediaPipe's op); the GPU builder reads it too. */
export interface TransposeConvParams extends FloatConvParams<TransposeGeometry> {
  acc: Float64Array;
}

/** TRANSPOSE_CONV's tensors as the float conv eval names them. */
export const TRANSPOSE_CONV_FLOAT_SLOTS: FloatConvSlots = {
  input: TRANSPOSE_CONV_INPUTS.input,
  filter: TRANSPOSE_CONV_INPUTS.weights,
  bias: TRANSPOSE_CONV_INPUTS.bias,
};

export const transposeConvFloat: Kernel<TransposeConvParams> = {
  prepare(ctx) {
    expectFloat32(ctx, input(ctx, TRANSPOSE_CONV_INPUTS.weights), 'weights');
    expectFloat32(ctx, input(ctx, TRANSPOSE_CONV_INPUTS.input), 'input');
    expectFloat32(ctx, output(ctx, 0), 'output');
    const options = parseTransposeConvOptions(ctx);
    const base = floatConvParams(ctx, TRANSPOSE_CONV_INPUTS.bias, options.activation, transposeGeometry(ctx, options));
    return { ...base, acc: new Float64Array(base.geo.outC) };
  },
  eval(ctx, p) {
    evalFloatConv(ctx, TRANSPOSE_CONV_FLOAT_SLOTS, transposeConvCore, p, p.acc);
  },
};

/**
 * The geometry checks of the XNNPACK delegate's CalculateTransposeConvPaddings (shared with the
 * integer kernel): it declines SAME padding with a kernel smaller than the stride in either
 * dimension (its padding / adjustment derivation assumes kernel >= stride) and VALID padding with
 * an output smaller than the kernel; TFLite then runs its builtin kernel. Measured against
 * LiteRT.js: every int8 and hybrid case of SAME padding with kernel < stride gives the builtin
 * kernel's results, every other case XNNPACK's.
 */
export function xnnpackTransposeGeometryOk(g: TransposeGeometry, padding: number): boolean {
  if (padding === Padding.SAME) {
    // The input a SAME convolution of the output gives (always true of a geometry TFLite accepts).
    const consistent = Math.ceil(g.outH / g.strideH) === g.inH && Math.ceil(g.outW / g.strideW) === g.inW;
    return consistent && g.filterH >= g.strideH && g.filterW >= g.strideW;
  }
  return g.filterH <= g.outH && g.filterW <= g.outW;
}

// Quantized AVERAGE_POOL_2D and MAX_POOL_2D on NHWC int8, uint8 and int16 (tensorflow/lite/
// kernels/pooling.cc; math from reference/integer_ops/pooling.h and reference/pooling.h, which
// the builtin optimized kernels match). Input and output share scale and zero point, so no
// rescaling: the average is the int32 window sum divided by the number of input pixels inside
// the window, rounded half away from zero; the fused activation clamps in the output's units.
import { calculateActivationRangeQuantized } from '../quant/index.js';
import { type PoolWindow, parsePool2DOptions, poolWindow } from './conv_geometry.js';
import type { IntArray } from './int/int_array.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { POOL_INPUTS } from './pooling.js';
import { requireQuantizedType, tensorQuant } from './quantize.js';

export interface PoolIntParams extends PoolWindow {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  lo: number;
  hi: number;
  /** Per-channel accumulators of one output pixel. */
  acc: Int32Array;
}

function preparePoolInt(ctx: NodeContext): PoolIntParams {
  const x = input(ctx, POOL_INPUTS.input);
  const y = output(ctx, 0);
  const type = requireQuantizedType(ctx, x, 'the input');
  if (y.dtype !== type) fail(ctx, `output dtype ${y.dtype} differs from input dtype ${type}`);
  if (x.shape.length !== 4) fail(ctx, `input must be 4-D NHWC, got shape [${x.shape}]`);
  const [batches, inH, inW, depth] = x.shape;
  const options = parsePool2DOptions(ctx);
  const window = poolWindow(options, inH, inW);
  const { outH, outW } = window;
  y.shape = [batches, outH, outW, depth];
  // The kernel does not rescale (the converter gives input and output the same quantization).
  const qo = tensorQuant(ctx, y, 'the output');
  const [lo, hi] = calculateActivationRangeQuantized(options.activation, qo.scale, qo.zeroPoint, type);
  return {
    batches,
    inH,
    inW,
    depth,
    ...window,
    lo,
    hi,
    acc: new Int32Array(depth),
  };
}

function poolIntKernel(isMax: boolean): Kernel<PoolIntParams> {
  return {
    prepare: preparePoolInt,
    eval(ctx, p) {
      const x = input(ctx, POOL_INPUTS.input).data as IntArray;
      const o = output(ctx, 0).data as IntArray;
      if (isMax) maxPool(x, o, p);
      else if (!averagePool(x, o, p)) fail(ctx, 'an output pixel averages an empty window');
    },
  };
}

/** reference_integer_ops::AveragePool; false when a window has no input pixel. */
function averagePool(x: IntArray, o: IntArray, p: PoolIntParams): boolean {
  const { inH, inW, depth, outH, outW, strideH, strideW, filterH, filterW, padTop, padLeft, lo, hi, acc } = p;
  const rowStride = inW * depth;
  let oi = 0;
  for (let b = 0; b < p.batches; b++) {
    const batchBase = b * inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const originY = oy * strideH - padTop;
      const yStart = Math.max(0, originY);
      const yEnd = Math.min(inH, originY + filterH);
      for (let ox = 0; ox < outW; ox++, oi += depth) {
        const originX = ox * strideW - padLeft;
        const xStart = Math.max(0, originX);
        const xEnd = Math.min(inW, originX + filterW);
        const count = (yEnd - yStart) * (xEnd - xStart);
        if (count <= 0) return false;
        acc.fill(0);
        for (let yy = yStart; yy < yEnd; yy++) {
          const rowEnd = batchBase + yy * rowStride + xEnd * depth;
          for (let i = batchBase + yy * rowStride + xStart * depth; i < rowEnd; i += depth) {
            for (let c = 0; c < depth; c++) acc[c] += x[i + c];
          }
        }
        // C++ integer division truncates toward zero; the half count is added away from zero.
        const half = count >> 1;
        for (let c = 0; c < depth; c++) {
          const s = acc[c];
          const v = s > 0 ? ((s + half) / count) | 0 : ((s - half) / count) | 0;
          o[oi + c] = Math.min(Math.max(v, lo), hi);
        }
      }
    }
  }
  return true;
}

/** reference_integer_ops::MaxPool: the window maximum, clamped (an empty window gives the floor). */
function maxPool(x: IntArray, o: IntArray, p: PoolIntParams): void {
  const { inH, inW, depth, outH, outW, strideH, strideW, filterH, filterW, padTop, padLeft, lo, hi, acc } = p;
  const rowStride = inW * depth;
  let oi = 0;
  for (let b = 0; b < p.batches; b++) {
    const batchBase = b * inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const originY = oy * strideH - padTop;
      const yStart = Math.max(0, originY);
      const yEnd = Math.min(inH, originY + filterH);
      for (let ox = 0; ox < outW; ox++, oi += depth) {
        const originX = ox * strideW - padLeft;
        const xStart = Math.max(0, originX);
        const xEnd = Math.min(inW, originX + filterW);
        // Starting from the clamp's floor is the same as max(., lo) afterwards.
        acc.fill(lo);
        for (let yy = yStart; yy < yEnd; yy++) {
          const rowEnd = batchBase + yy * rowStride + xEnd * depth;
          for (let i = batchBase + yy * rowStride + xStart * depth; i < rowEnd; i += depth) {
            for (let c = 0; c < depth; c++) {
              const v = x[i + c];
              if (v > acc[c]) acc[c] = v;
            }
          }
        }
        for (let c = 0; c < depth; c++) o[oi + c] = Math.min(acc[c], hi);
      }
    }
  }
}

export const averagePool2dIntKernel = poolIntKernel(false);
export const maxPool2dIntKernel = poolIntKernel(true);

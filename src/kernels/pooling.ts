// AVERAGE_POOL_2D and MAX_POOL_2D on float32 NHWC (tensorflow/lite/kernels/pooling.cc; math from
// internal/reference/pooling.h). The window is clipped to the input, and the average divides by
// the number of input pixels inside it, not by the filter area.
import { activationRange, clampFloat } from './binary.js';
import { type PoolWindow, parsePool2DOptions, poolWindow } from './conv_geometry.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { Activation } from './util.js';
import { after, wasmKernels } from './wasm/module.js';

/** Input slots of AVERAGE_POOL_2D / MAX_POOL_2D (float and integer). */
export const POOL_INPUTS = { input: 0 } as const;

/** What the pooling prepare computed: NHWC sizes, the window and the fused activation. */
export interface PoolParams extends PoolWindow {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  /** The Pool2DOptions fused activation (Activation). */
  activation: number;
  /** The fused activation's bounds, or null for none. */
  clamp: [number, number] | null;
}

function preparePool(ctx: NodeContext): PoolParams {
  const x = input(ctx, POOL_INPUTS.input);
  const out = output(ctx, 0);
  if (x.dtype !== 'float32' || out.dtype !== 'float32') fail(ctx, `expects float32 input and output, got ${x.dtype} -> ${out.dtype}`);
  if (x.shape.length !== 4) fail(ctx, `input must be 4-D NHWC, got shape [${x.shape}]`);
  const [batches, inH, inW, depth] = x.shape;
  const options = parsePool2DOptions(ctx);
  const window = poolWindow(options, inH, inW);
  const { outH, outW } = window;
  out.shape = [batches, outH, outW, depth];
  const { activation } = options;
  return {
    batches,
    inH,
    inW,
    depth,
    ...window,
    activation,
    clamp: activation === Activation.NONE ? null : activationRange(ctx, activation, 'float32'),
  };
}

function poolKernel(isMax: boolean): Kernel<PoolParams> {
  return {
    prepare: preparePool,
    eval(ctx, p) {
      const x = input(ctx, POOL_INPUTS.input).data as Float32Array;
      const o = output(ctx, 0).data as Float32Array;
      if (poolWasm(p, isMax, x, o)) {
        if (p.clamp) clampFloat(o, p.clamp[0], p.clamp[1]);
        return;
      }
      const { inH, inW, depth, outH, outW, strideH, strideW, filterH, filterW, padTop, padLeft } = p;
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
            const oEnd = oi + depth;
            // Accumulate straight into the output pixel (float32, in window order like TFLite).
            o.fill(isMax ? Number.NEGATIVE_INFINITY : 0, oi, oEnd);
            for (let y = yStart; y < yEnd; y++) {
              for (let xx = xStart; xx < xEnd; xx++) {
                let i = batchBase + y * rowStride + xx * depth;
                if (isMax) {
                  for (let k = oi; k < oEnd; k++, i++) {
                    const v = x[i];
                    if (v > o[k]) o[k] = v;
                  }
                } else {
                  for (let k = oi; k < oEnd; k++, i++) o[k] += x[i];
                }
              }
            }
            if (!isMax) {
              const count = (yEnd - yStart) * (xEnd - xStart);
              for (let k = oi; k < oEnd; k++) o[k] = o[k] / count;
            }
          }
        }
      }
      if (p.clamp) clampFloat(o, p.clamp[0], p.clamp[1]);
    },
  };
}

/** The wasm path (same taps, same order, f32 lanes). False, having done nothing, when unavailable or the output is small. */
function poolWasm(p: PoolParams, isMax: boolean, x: Float32Array, o: Float32Array): boolean {
  if (o.length < 4096) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const { inH, inW, depth, outH, outW } = p;
  const inSize = inH * inW * depth;
  const outSize = outH * outW * depth;
  const xPtr = k.call(null, (inSize + outSize) * 4 + 64);
  if (xPtr === null) return false;
  const outPtr = after(xPtr, inSize * 4);
  const f32 = k.f32;
  for (let b = 0; b < p.batches; b++) {
    f32.set(x.subarray(b * inSize, (b + 1) * inSize), xPtr >> 2);
    k.exports.pool_f32(
      xPtr,
      inH,
      inW,
      depth,
      outH,
      outW,
      p.strideH,
      p.strideW,
      p.filterH,
      p.filterW,
      p.padTop,
      p.padLeft,
      isMax ? 1 : 0,
      outPtr,
    );
    o.set(f32.subarray(outPtr >> 2, (outPtr >> 2) + outSize), b * outSize);
  }
  return true;
}

export const averagePool2dKernel = poolKernel(false);
export const maxPool2dKernel = poolKernel(true);

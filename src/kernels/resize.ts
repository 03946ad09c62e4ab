// RESIZE_BILINEAR (float32, reference_ops::ResizeBilinear) and RESIZE_NEAREST_NEIGHBOR
// (reference_ops::ResizeNearestNeighbor) on NHWC tensors. The coordinate math runs in float32
// as TFLite's does, so sample positions land on the same pixels; per-row and per-column
// positions and weights are computed once in prepare.
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { elements, intValues, requireDtype, requireKnown, requireSameDtype } from './tensor_data.js';

const f32 = Math.fround;

/** Input slots of RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (float and integer). */
export const RESIZE_INPUTS = { input: 0, size: 1 } as const;

/** ResizeBilinearOptions / ResizeNearestNeighborOptions (the same two fields). */
export interface ResizeOptions {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export function parseResizeBilinearOptions(ctx: NodeContext): ResizeOptions {
  const o = builtinOptions(ctx.op, 'ResizeBilinearOptions');
  const options = { alignCorners: Boolean(o.alignCorners ?? false), halfPixelCenters: Boolean(o.halfPixelCenters ?? false) };
  if (options.alignCorners && options.halfPixelCenters) fail(ctx, 'half_pixel_centers and align_corners cannot both be true');
  return options;
}

export function parseResizeNearestNeighborOptions(ctx: NodeContext): ResizeOptions {
  const o = builtinOptions(ctx.op, 'ResizeNearestNeighborOptions');
  return { alignCorners: Boolean(o.alignCorners ?? false), halfPixelCenters: Boolean(o.halfPixelCenters ?? false) };
}

/** Checks the NHWC input and the [2] int32 size input; sets the output shape; returns [outH, outW]. */
export function prepareResize(ctx: NodeContext, x: RuntimeTensor, y: RuntimeTensor): [number, number] {
  if (x.shape.length !== 4) fail(ctx, `the input must be 4-D NHWC, got [${x.shape}]`);
  const sizeT = input(ctx, RESIZE_INPUTS.size);
  requireDtype(ctx, sizeT, ['int32'], 'the size input');
  if (sizeT.shape.length !== 1 || sizeT.shape[0] !== 2) fail(ctx, `the size input must have shape [2], got [${sizeT.shape}]`);
  requireKnown(ctx, sizeT, 'the size input');
  const [h, w] = intValues(ctx, sizeT, 'the size input') as [number, number];
  if (h <= 0 || w <= 0) fail(ctx, `the output size must be positive, got [${h}, ${w}]`);
  y.shape = [x.shape[0] as number, h, w, x.shape[3] as number];
  if ((x.shape[1] === 0 || x.shape[2] === 0) && numElements(y.shape) > 0) {
    fail(ctx, `cannot resize the empty image [${x.shape}] to ${h}x${w}`);
  }
  return [h, w];
}

/** The float32 scale between input and output coordinates. */
function resizeScale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
}

export interface BilinearAxis {
  lo: Int32Array;
  hi: Int32Array;
  /** Weight of `hi`: the scaled position minus `lo`. */
  frac: Float32Array;
}

/** reference_ops::ComputeInterpolationValues for every output index of one axis. */
export function bilinearAxis(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): BilinearAxis {
  const scale = resizeScale(inSize, outSize, alignCorners);
  const axis: BilinearAxis = { lo: new Int32Array(outSize), hi: new Int32Array(outSize), frac: new Float32Array(outSize) };
  for (let i = 0; i < outSize; i++) {
    const pos = halfPixel ? f32(f32(f32(i + 0.5) * scale) - 0.5) : f32(i * scale);
    const lo = Math.max(Math.floor(pos), 0);
    axis.lo[i] = lo;
    axis.hi[i] = Math.min(Math.ceil(pos), inSize - 1);
    axis.frac[i] = f32(pos - lo);
  }
  return axis;
}

/** What the RESIZE_BILINEAR prepare computed: NHWC sizes and per-row / per-column samples. */
export interface BilinearParams {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  ys: BilinearAxis;
  xs: BilinearAxis;
}

export const resizeBilinearKernel: Kernel<BilinearParams> = {
  prepare(ctx) {
    const x = input(ctx, RESIZE_INPUTS.input);
    const y = output(ctx, 0);
    requireDtype(ctx, x, ['float32'], 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    const { alignCorners, halfPixelCenters: halfPixel } = parseResizeBilinearOptions(ctx);
    const [outH, outW] = prepareResize(ctx, x, y);
    const [batches, inH, inW, depth] = x.shape as [number, number, number, number];
    return {
      batches,
      inH,
      inW,
      depth,
      ys: bilinearAxis(inH, outH, alignCorners, halfPixel),
      xs: bilinearAxis(inW, outW, alignCorners, halfPixel),
    };
  },
  eval(ctx, p) {
    const src = input(ctx, RESIZE_INPUTS.input).data as Float32Array;
    const out = output(ctx, 0).data as Float32Array;
    const { batches, inH, inW, depth, ys, xs } = p;
    const outH = ys.lo.length;
    const outW = xs.lo.length;
    const row = inW * depth;
    let o = 0;
    for (let b = 0; b < batches; b++) {
      const image = b * inH * row;
      for (let oy = 0; oy < outH; oy++) {
        const dy = ys.frac[oy] as number;
        const y0 = image + (ys.lo[oy] as number) * row;
        const y1 = image + (ys.hi[oy] as number) * row;
        const wy0 = f32(1 - dy);
        for (let ox = 0; ox < outW; ox++) {
          const dx = xs.frac[ox] as number;
          const wx0 = f32(1 - dx);
          const x0 = (xs.lo[ox] as number) * depth;
          const x1 = (xs.hi[ox] as number) * depth;
          const w00 = wy0 * wx0;
          const w10 = dy * wx0;
          const w01 = wy0 * dx;
          const w11 = dy * dx;
          for (let c = 0; c < depth; c++) {
            out[o++] =
              (src[y0 + x0 + c] as number) * w00 +
              (src[y1 + x0 + c] as number) * w10 +
              (src[y0 + x1 + c] as number) * w01 +
              (src[y1 + x1 + c] as number) * w11;
          }
        }
      }
    }
  },
};

/** reference_ops::GetNearestNeighbor for every output index of one axis. */
function nearestAxis(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Int32Array {
  const scale = resizeScale(inSize, outSize, alignCorners);
  const offset = halfPixel ? 0.5 : 0;
  const map = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const pos = f32(f32(i + offset) * scale);
    // TfLiteRound rounds halves away from zero; pos is never negative here.
    let v = Math.min(alignCorners ? Math.round(pos) : Math.floor(pos), inSize - 1);
    if (halfPixel) v = Math.max(0, v);
    map[i] = v;
  }
  return map;
}

/** What the RESIZE_NEAREST_NEIGHBOR prepare computed: NHWC sizes and the source row / column of each output. */
export interface NearestParams {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  ys: Int32Array;
  xs: Int32Array;
}

export const resizeNearestNeighborKernel: Kernel<NearestParams> = {
  prepare(ctx) {
    const x = input(ctx, RESIZE_INPUTS.input);
    const y = output(ctx, 0);
    requireDtype(ctx, x, ['float32', 'int32', 'uint8', 'int8', 'int16'], 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    const { alignCorners, halfPixelCenters: halfPixel } = parseResizeNearestNeighborOptions(ctx);
    const [outH, outW] = prepareResize(ctx, x, y);
    const [batches, inH, inW, depth] = x.shape as [number, number, number, number];
    return {
      batches,
      inH,
      inW,
      depth,
      ys: nearestAxis(inH, outH, alignCorners, halfPixel),
      xs: nearestAxis(inW, outW, alignCorners, halfPixel),
    };
  },
  eval(ctx, p) {
    const src = elements(input(ctx, RESIZE_INPUTS.input));
    const out = elements(output(ctx, 0));
    const { batches, inH, inW, depth, ys, xs } = p;
    const row = inW * depth;
    let o = 0;
    for (let b = 0; b < batches; b++) {
      const image = b * inH * row;
      for (let oy = 0; oy < ys.length; oy++) {
        const line = image + (ys[oy] as number) * row;
        for (let ox = 0; ox < xs.length; ox++) {
          const from = line + (xs[ox] as number) * depth;
          out.set(src.subarray(from, from + depth), o);
          o += depth;
        }
      }
    }
  },
};

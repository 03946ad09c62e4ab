// Quantized RESIZE_BILINEAR on NHWC (tensorflow/lite/kernels/resize_bilinear.cc, builtin
// kOptimized kernel). Input and output share quantization; each dtype takes its own path:
// - int8 and int16: reference_ops::ResizeBilinearInteger, positions in 1/1024 steps and an int64
//   weighted sum rounded half away from zero;
// - uint8: optimized_ops::ResizeBilinear. An exact 8x upsample with half-pixel centers, depth a
//   multiple of 8 and outputs of at least 8x8 runs ResizeBilinear888Uint8, whose 16-bit
//   fixed-point accumulation is the exact bilinear value (weights in 1/16) rounded half up;
//   every other case runs ResizeBilinearGenericSmallChannel in float32 (+0.5, truncated);
// - int8 and uint8 under integerRounding 'xnnpack': XNNPACK's ibilinear, which the runtimes' default
//   delegate takes: float32 source positions, weights rounded to 1/2048 (ties to even), a two-pass
//   integer blend and one rounding shift by 22 (xnn_indirection_init_resize_bilinear2d_hwc_q11).
import { f32 } from '../quant/index.js';
import type { IntArray } from './int/int_array.js';
import { roundHalfEven } from './int/xnnpack_rounding.js';
import { fail, input, type Kernel, type NodeContext, output, xnnpackRuns } from './kernel.js';
import { requireQuantizedType } from './quantize.js';
import { bilinearAxis, parseResizeBilinearOptions, prepareResize, RESIZE_INPUTS } from './resize.js';

/** Per output index of one axis: the two source indices and the weight of the second. */
interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  /** 'integer': weight in 1/1024 relative to lo (may be negative at the border); 'exact8': in 1/16; 'xnnpack': in 1/2048. */
  weight: Int32Array;
  /** 'float': the float32 fraction (input position - lo). */
  frac: Float32Array;
}

function newAxis(n: number): Axis {
  return { lo: new Int32Array(n), hi: new Int32Array(n), weight: new Int32Array(n), frac: new Float32Array(n) };
}

/** reference_ops::ComputeInterpolationValues over one axis (float32 positions), as the float kernel. */
function floatAxis(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Axis {
  return { ...bilinearAxis(inSize, outSize, alignCorners, halfPixel), weight: new Int32Array(outSize) };
}

/** reference_ops::ComputeInterpolationValuesInteger over one axis (positions in 1/1024). */
function integerAxis(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Axis {
  const scale10 =
    alignCorners && outSize > 1
      ? Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1))
      : Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize);
  const a = newAxis(outSize);
  for (let i = 0; i < outSize; i++) {
    const pos = halfPixel ? i * scale10 + Math.trunc(scale10 / 2) - 512 : i * scale10;
    const lo = Math.max(Math.trunc(pos / 1024), 0);
    a.lo[i] = lo;
    a.hi[i] = Math.min(Math.trunc((pos + 1023) / 1024), inSize - 1);
    a.weight[i] = pos - 1024 * lo;
  }
  return a;
}

/** ResizeBilinear888Uint8 positions: output i samples (2i + 1 - 8) / 16, clamped to the input. */
function exact8Axis(inSize: number, outSize: number): Axis {
  const a = newAxis(outSize);
  for (let i = 0; i < outSize; i++) {
    const pos16 = 2 * i + 1 - 8;
    const lo = pos16 < 0 ? 0 : Math.min(pos16 >> 4, inSize - 1);
    a.lo[i] = lo;
    a.hi[i] = Math.min(lo + 1, inSize - 1);
    a.weight[i] = pos16 < 0 || lo === inSize - 1 ? 0 : pos16 - 16 * lo;
  }
  return a;
}

/** XNNPACK's q11 positions and weights over one axis. */
function xnnpackAxis(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Axis {
  const adjust = alignCorners && outSize !== 1 ? 1 : 0;
  const scale = f32(f32(inSize - adjust) / f32(outSize - adjust));
  const max = inSize - 1;
  const offset = halfPixel && !alignCorners ? f32(f32(0.5 * scale) - 0.5) : 0;
  const a = newAxis(outSize);
  for (let i = 0; i < outSize; i++) {
    let pos = f32(i * scale);
    if (halfPixel && !alignCorners) pos = Math.min(Math.max(f32(pos + offset), 0), max);
    const lo = Math.trunc(pos);
    a.lo[i] = lo;
    a.hi[i] = Math.min(lo + 1, max);
    const alpha = f32(pos - lo);
    a.weight[i] = roundHalfEven(f32(alpha * 2048));
  }
  return a;
}

interface ResizeIntParams {
  mode: 'integer' | 'exact8' | 'float' | 'xnnpack';
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  ys: Axis;
  xs: Axis;
}

function prepareResizeInt(ctx: NodeContext): ResizeIntParams {
  const x = input(ctx, RESIZE_INPUTS.input);
  const y = output(ctx, 0);
  const type = requireQuantizedType(ctx, x, 'the input');
  if (y.dtype !== type) fail(ctx, `output dtype ${y.dtype} differs from input dtype ${type}`);
  const { alignCorners, halfPixelCenters: halfPixel } = parseResizeBilinearOptions(ctx);
  const [outH, outW] = prepareResize(ctx, x, y);
  const [batches, inH, inW, depth] = x.shape as [number, number, number, number];
  const base = { batches, inH, inW, depth };
  if (xnnpackRuns(ctx) && type !== 'int16' && inH > 0 && inW > 0) {
    return {
      ...base,
      mode: 'xnnpack',
      ys: xnnpackAxis(inH, outH, alignCorners, halfPixel),
      xs: xnnpackAxis(inW, outW, alignCorners, halfPixel),
    };
  }
  if (type !== 'uint8') {
    return {
      ...base,
      mode: 'integer',
      ys: integerAxis(inH, outH, alignCorners, halfPixel),
      xs: integerAxis(inW, outW, alignCorners, halfPixel),
    };
  }
  const factor = inH > 0 ? Math.trunc(outH / inH) : 0;
  const exact8 =
    !alignCorners &&
    halfPixel &&
    depth % 8 === 0 &&
    outH >= 8 &&
    outW >= 8 &&
    inH * factor === outH &&
    inW * factor === outW &&
    factor === 8;
  if (exact8) return { ...base, mode: 'exact8', ys: exact8Axis(inH, outH), xs: exact8Axis(inW, outW) };
  return { ...base, mode: 'float', ys: floatAxis(inH, outH, alignCorners, halfPixel), xs: floatAxis(inW, outW, alignCorners, halfPixel) };
}

export const resizeBilinearIntKernel: Kernel<ResizeIntParams> = {
  prepare: prepareResizeInt,
  eval(ctx, p) {
    const x = input(ctx, RESIZE_INPUTS.input).data as IntArray;
    const o = output(ctx, 0).data as IntArray;
    const { batches, inH, inW, depth, ys, xs } = p;
    const outH = ys.lo.length;
    const outW = xs.lo.length;
    const rowStride = inW * depth;
    let oi = 0;
    for (let b = 0; b < batches; b++) {
      const batchBase = b * inH * rowStride;
      for (let oy = 0; oy < outH; oy++) {
        const row0 = batchBase + ys.lo[oy] * rowStride;
        const row1 = batchBase + ys.hi[oy] * rowStride;
        for (let ox = 0; ox < outW; ox++, oi += depth) {
          const i00 = row0 + xs.lo[ox] * depth;
          const i01 = row0 + xs.hi[ox] * depth;
          const i10 = row1 + xs.lo[ox] * depth;
          const i11 = row1 + xs.hi[ox] * depth;
          if (p.mode === 'integer') {
            // Weights in 1/1024; products reach 2^36, exact in doubles (int64 in the C++).
            const wy = ys.weight[oy];
            const wx = xs.weight[ox];
            const w00 = (1024 - wy) * (1024 - wx);
            const w10 = wy * (1024 - wx);
            const w01 = (1024 - wy) * wx;
            const w11 = wy * wx;
            for (let c = 0; c < depth; c++) {
              const s = x[i00 + c] * w00 + x[i10 + c] * w10 + x[i01 + c] * w01 + x[i11 + c] * w11;
              o[oi + c] = s > 0 ? Math.trunc((s + 524288) / 1048576) : Math.trunc((s - 524288) / 1048576);
            }
          } else if (p.mode === 'xnnpack') {
            const ah = xs.weight[ox];
            const av = ys.weight[oy];
            for (let c = 0; c < depth; c++) {
              const tl = x[i00 + c];
              const bl = x[i10 + c];
              const t = tl * 2048 + (x[i01 + c] - tl) * ah;
              const b = bl * 2048 + (x[i11 + c] - bl) * ah;
              o[oi + c] = (t * 2048 + (b - t) * av + 0x200000) >> 22;
            }
          } else if (p.mode === 'exact8') {
            const wy = ys.weight[oy];
            const wx = xs.weight[ox];
            const w00 = (16 - wy) * (16 - wx);
            const w10 = wy * (16 - wx);
            const w01 = (16 - wy) * wx;
            const w11 = wy * wx;
            for (let c = 0; c < depth; c++) {
              o[oi + c] = (x[i00 + c] * w00 + x[i10 + c] * w10 + x[i01 + c] * w01 + x[i11 + c] * w11 + 128) >> 8;
            }
          } else {
            // ResizeBilinearGenericSmallChannel: four float32 weights, summed in order, + 0.5.
            const dy = ys.frac[oy];
            const dx = xs.frac[ox];
            const s0 = f32(f32(1 - dy) * f32(1 - dx));
            const s1 = f32(f32(1 - dy) * dx);
            const s2 = f32(dy * f32(1 - dx));
            const s3 = f32(dy * dx);
            for (let c = 0; c < depth; c++) {
              let v = f32(f32(x[i00 + c] * s0) + f32(x[i01 + c] * s1));
              v = f32(v + f32(x[i10 + c] * s2));
              v = f32(v + f32(x[i11 + c] * s3));
              o[oi + c] = Math.trunc(f32(v + 0.5));
            }
          }
        }
      }
    }
  },
};

// Naive float references for the delegate tests, written straight from TFLite's reference
// kernels' definitions (loops over every output element; doubles, rounded once at the end).
import { computeOutSize, computePadding } from '../../src/kernels/util.js';

const FLT_MAX = 3.4028234663852886e38;

export function clampAct(v: number, act: number): number {
  switch (act) {
    case 1:
      return Math.max(v, 0);
    case 2:
      return Math.min(Math.max(v, -1), 1);
    case 3:
      return Math.min(Math.max(v, 0), 6);
    default:
      return v;
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
}

/** Row-major coordinates of flat index i. */
function coords(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % (shape[d] as number);
    i = Math.floor(i / (shape[d] as number));
  }
  return c;
}

export interface ConvParams {
  strideH: number;
  strideW: number;
  dilationH?: number;
  dilationW?: number;
  padding: number;
  act?: number;
}

/**
 * The loop both convolutions share: every output element is its bias plus `tap` summed over the
 * (dilated) window's in-bounds input pixels, then clamped by the fused activation.
 */
function slidingWindow(
  xs: number[],
  fh: number,
  fw: number,
  o: number,
  b: Float32Array | null,
  p: ConvParams,
  tap: (b0: number, iy: number, ix: number, ky: number, kx: number, oc: number) => number,
): { shape: number[]; data: Float32Array } {
  const [n, h, wd] = xs as [number, number, number, number];
  const dh = p.dilationH ?? 1;
  const dw = p.dilationW ?? 1;
  const oh = computeOutSize(p.padding, h, fh, p.strideH, dh);
  const ow = computeOutSize(p.padding, wd, fw, p.strideW, dw);
  const pt = computePadding(p.strideH, dh, h, fh, oh);
  const pl = computePadding(p.strideW, dw, wd, fw, ow);
  const out = new Float32Array(n * oh * ow * o);
  for (let b0 = 0; b0 < n; b0++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let oc = 0; oc < o; oc++) {
          let s = b ? (b[oc] as number) : 0;
          for (let ky = 0; ky < fh; ky++)
            for (let kx = 0; kx < fw; kx++) {
              const iy = y * p.strideH - pt + ky * dh;
              const ix = xx * p.strideW - pl + kx * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
              s += tap(b0, iy, ix, ky, kx, oc);
            }
          out[((b0 * oh + y) * ow + xx) * o + oc] = clampAct(s, p.act ?? 0);
        }
  return { shape: [n, oh, ow, o], data: out };
}

export function conv2d(
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  b: Float32Array | null,
  p: ConvParams,
): { shape: number[]; data: Float32Array } {
  const [, h, wd, c] = xs as [number, number, number, number];
  const [o, fh, fw, fc] = ws as [number, number, number, number];
  const perGroup = o / (c / fc);
  return slidingWindow(xs, fh, fw, o, b, p, (b0, iy, ix, ky, kx, oc) => {
    const g = Math.floor(oc / perGroup);
    let s = 0;
    for (let f = 0; f < fc; f++) {
      s += (x[((b0 * h + iy) * wd + ix) * c + g * fc + f] as number) * (w[((oc * fh + ky) * fw + kx) * fc + f] as number);
    }
    return s;
  });
}

export function depthwiseConv2d(
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  b: Float32Array | null,
  p: ConvParams,
): { shape: number[]; data: Float32Array } {
  const [, h, wd, c] = xs as [number, number, number, number];
  const [, fh, fw, o] = ws as [number, number, number, number];
  const m = o / c;
  return slidingWindow(
    xs,
    fh,
    fw,
    o,
    b,
    p,
    (b0, iy, ix, ky, kx, oc) => (x[((b0 * h + iy) * wd + ix) * c + Math.floor(oc / m)] as number) * (w[(ky * fw + kx) * o + oc] as number),
  );
}

export function fullyConnected(
  x: Float32Array,
  rows: number,
  k: number,
  w: Float32Array,
  o: number,
  b: Float32Array | null,
  act = 0,
): Float32Array {
  const out = new Float32Array(rows * o);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < o; j++) {
      let s = b ? (b[j] as number) : 0;
      for (let i = 0; i < k; i++) s += (x[r * k + i] as number) * (w[j * k + i] as number);
      out[r * o + j] = clampAct(s, act);
    }
  return out;
}

/** Scatter form: every input pixel adds its filter-weighted window into the output. */
export function transposeConv(
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  b: Float32Array | null,
  outShape: number[],
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
): Float32Array {
  const [n, h, wd, c] = xs as [number, number, number, number];
  const [o, fh, fw] = ws as [number, number, number, number];
  const [, oh, ow] = outShape as [number, number, number, number];
  const acc = new Float64Array(n * oh * ow * o);
  for (let b0 = 0; b0 < n; b0++)
    for (let iy = 0; iy < h; iy++)
      for (let ix = 0; ix < wd; ix++)
        for (let ky = 0; ky < fh; ky++)
          for (let kx = 0; kx < fw; kx++) {
            const oy = iy * strideH + ky - padTop;
            const ox = ix * strideW + kx - padLeft;
            if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
            for (let oc = 0; oc < o; oc++) {
              let s = 0;
              for (let ic = 0; ic < c; ic++)
                s += (x[((b0 * h + iy) * wd + ix) * c + ic] as number) * (w[((oc * fh + ky) * fw + kx) * c + ic] as number);
              acc[((b0 * oh + oy) * ow + ox) * o + oc] += s;
            }
          }
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = (acc[i] as number) + (b ? (b[i % o] as number) : 0);
  return out;
}

export function pool2d(
  x: Float32Array,
  xs: number[],
  isMax: boolean,
  fh: number,
  fw: number,
  sh: number,
  sw: number,
  padding: number,
  act = 0,
): { shape: number[]; data: Float32Array } {
  const [n, h, wd, c] = xs as [number, number, number, number];
  const oh = computeOutSize(padding, h, fh, sh);
  const ow = computeOutSize(padding, wd, fw, sw);
  const pt = computePadding(sh, 1, h, fh, oh);
  const pl = computePadding(sw, 1, wd, fw, ow);
  const out = new Float32Array(n * oh * ow * c);
  for (let b0 = 0; b0 < n; b0++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let ch = 0; ch < c; ch++) {
          let acc = isMax ? -FLT_MAX : 0;
          let count = 0;
          for (let ky = 0; ky < fh; ky++)
            for (let kx = 0; kx < fw; kx++) {
              const iy = y * sh - pt + ky;
              const ix = xx * sw - pl + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
              const v = x[((b0 * h + iy) * wd + ix) * c + ch] as number;
              acc = isMax ? Math.max(acc, v) : acc + v;
              count++;
            }
          out[((b0 * oh + y) * ow + xx) * c + ch] = clampAct(isMax ? acc : acc / count, act);
        }
  return { shape: [n, oh, ow, c], data: out };
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
}

/** f over NumPy-broadcast inputs. */
export function binary(
  a: Float32Array,
  as: number[],
  b: Float32Array,
  bs: number[],
  f: (u: number, v: number) => number,
): { shape: number[]; data: Float32Array } {
  const shape = broadcastShape(as, bs);
  const r = shape.length;
  const out = new Float32Array(size(shape));
  const sa = strides(as);
  const sb = strides(bs);
  for (let i = 0; i < out.length; i++) {
    const c = coords(i, shape);
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < as.length; d++) ia += (as[d] === 1 ? 0 : (c[r - as.length + d] as number)) * (sa[d] as number);
    for (let d = 0; d < bs.length; d++) ib += (bs[d] === 1 ? 0 : (c[r - bs.length + d] as number)) * (sb[d] as number);
    out[i] = f(a[ia] as number, b[ib] as number);
  }
  return { shape, data: out };
}

export function reduce(
  x: Float32Array,
  xs: number[],
  axes: number[],
  keepDims: boolean,
  kind: 'sum' | 'mean' | 'max' | 'min' | 'prod',
): { shape: number[]; data: Float32Array } {
  const r = xs.length;
  const red = new Set(axes.map((a) => (a < 0 ? a + r : a)));
  const outFull = xs.map((d, i) => (red.has(i) ? 1 : d));
  const shape = keepDims ? outFull : xs.filter((_, i) => !red.has(i));
  const n = size(outFull);
  const init = kind === 'max' ? -FLT_MAX : kind === 'min' ? FLT_MAX : kind === 'prod' ? 1 : 0;
  const acc = new Float64Array(n).fill(init);
  const count = new Float64Array(n);
  const so = strides(outFull);
  for (let i = 0; i < x.length; i++) {
    const c = coords(i, xs);
    let o = 0;
    for (let d = 0; d < r; d++) o += (red.has(d) ? 0 : (c[d] as number)) * (so[d] as number);
    const v = x[i] as number;
    if (kind === 'max') acc[o] = Math.max(acc[o] as number, v);
    else if (kind === 'min') acc[o] = Math.min(acc[o] as number, v);
    else if (kind === 'prod') acc[o] = (acc[o] as number) * v;
    else acc[o] = (acc[o] as number) + v;
    count[o] = (count[o] as number) + 1;
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = kind === 'mean' ? (acc[i] as number) / (count[i] as number) : (acc[i] as number);
  return { shape, data };
}

export function pad(
  x: Float32Array,
  xs: number[],
  pads: [number, number][],
  mode: 'constant' | 'reflect' | 'symmetric',
  value = 0,
): { shape: number[]; data: Float32Array } {
  const shape = xs.map((d, i) => d + (pads[i] as [number, number])[0] + (pads[i] as [number, number])[1]);
  const out = new Float32Array(size(shape));
  const sx = strides(xs);
  for (let i = 0; i < out.length; i++) {
    const c = coords(i, shape);
    let src = 0;
    let inside = true;
    for (let d = 0; d < xs.length; d++) {
      let k = (c[d] as number) - (pads[d] as [number, number])[0];
      const n = xs[d] as number;
      if (k < 0 || k >= n) {
        if (mode === 'constant') inside = false;
        else if (mode === 'reflect') k = k < 0 ? -k : 2 * n - 2 - k;
        else k = k < 0 ? -k - 1 : 2 * n - 1 - k;
      }
      src += k * (sx[d] as number);
    }
    out[i] = inside ? (x[src] as number) : value;
  }
  return { shape, data: out };
}

export function concat(parts: { data: Float32Array; shape: number[] }[], axis: number): { shape: number[]; data: Float32Array } {
  const first = parts[0] as { shape: number[] };
  const r = first.shape.length;
  const a = axis < 0 ? axis + r : axis;
  const shape = [...first.shape];
  shape[a] = parts.reduce((s, p) => s + (p.shape[a] as number), 0);
  const out = new Float32Array(size(shape));
  const outer = shape.slice(0, a).reduce((x, d) => x * d, 1);
  const inner = shape.slice(a + 1).reduce((x, d) => x * d, 1);
  let o = 0;
  for (let i = 0; i < outer; i++)
    for (const p of parts) {
      const chunk = (p.shape[a] as number) * inner;
      out.set(p.data.subarray(i * chunk, (i + 1) * chunk), o);
      o += chunk;
    }
  return { shape, data: out };
}

const f32 = Math.fround;

/** TFLite's ResizeBilinear / ResizeNearestNeighbor with float32 coordinate math. */
export function resize(
  x: Float32Array,
  xs: number[],
  oh: number,
  ow: number,
  bilinear: boolean,
  alignCorners: boolean,
  halfPixel: boolean,
): Float32Array {
  const [n, h, w, c] = xs as [number, number, number, number];
  const scale = (i: number, o: number) => (alignCorners && o > 1 ? f32((i - 1) / (o - 1)) : f32(i / o));
  const sy = scale(h, oh);
  const sx = scale(w, ow);
  const at = (b: number, y: number, xx: number, ch: number) => x[((b * h + y) * w + xx) * c + ch] as number;
  const out = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let ch = 0; ch < c; ch++) {
          let v: number;
          if (bilinear) {
            const py = halfPixel ? f32(f32(f32(y + 0.5) * sy) - 0.5) : f32(y * sy);
            const px = halfPixel ? f32(f32(f32(xx + 0.5) * sx) - 0.5) : f32(xx * sx);
            const y0 = Math.max(Math.floor(py), 0);
            const y1 = Math.min(Math.ceil(py), h - 1);
            const x0 = Math.max(Math.floor(px), 0);
            const x1 = Math.min(Math.ceil(px), w - 1);
            const dy = py - y0;
            const dx = px - x0;
            v =
              at(b, y0, x0, ch) * (1 - dy) * (1 - dx) +
              at(b, y1, x0, ch) * dy * (1 - dx) +
              at(b, y0, x1, ch) * (1 - dy) * dx +
              at(b, y1, x1, ch) * dy * dx;
          } else {
            const off = halfPixel ? 0.5 : 0;
            const near = (i: number, s: number, n0: number) => {
              const pos = f32(f32(i + off) * s);
              let k = Math.min(alignCorners ? Math.round(pos) : Math.floor(pos), n0 - 1);
              if (halfPixel) k = Math.max(0, k);
              return k;
            };
            v = at(b, near(y, sy, h), near(xx, sx, w), ch);
          }
          out[((b * oh + y) * ow + xx) * c + ch] = v;
        }
  return out;
}

export function softmax(x: Float32Array, depth: number, beta: number, log: boolean): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / depth; r++) {
    const row = x.subarray(r * depth, (r + 1) * depth);
    const m = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp((v - m) * (log ? 1 : beta));
    for (let i = 0; i < depth; i++) {
      const d = (row[i] as number) - m;
      out[r * depth + i] = log ? d - Math.log(sum) : Math.exp(d * beta) / sum;
    }
  }
  return out;
}

export function depthToSpace(x: Float32Array, xs: number[], b: number): { shape: number[]; data: Float32Array } {
  const [n, h, w, c] = xs as [number, number, number, number];
  const oc = c / (b * b);
  const shape = [n, h * b, w * b, oc];
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) {
    const [bn, y, xx, ch] = coords(i, shape) as [number, number, number, number];
    const ic = ((y % b) * b + (xx % b)) * oc + ch;
    out[i] = x[((bn * h + Math.floor(y / b)) * w + Math.floor(xx / b)) * c + ic] as number;
  }
  return { shape, data: out };
}

export function spaceToDepth(x: Float32Array, xs: number[], b: number): { shape: number[]; data: Float32Array } {
  const [n, h, w, c] = xs as [number, number, number, number];
  const shape = [n, h / b, w / b, c * b * b];
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) {
    const [bn, y, xx, oc] = coords(i, shape) as [number, number, number, number];
    const blk = Math.floor(oc / c);
    const ic = oc % c;
    out[i] = x[((bn * h + y * b + Math.floor(blk / b)) * w + xx * b + (blk % b)) * c + ic] as number;
  }
  return { shape, data: out };
}

// Differential cases for small multi-op graphs (op 'CHAIN:<name>'): float I/O around int8 ops
// (QUANTIZE -> op -> DEQUANTIZE), requantizing int8 ops back to back, uint8 model I/O into an int8
// body, and the mixed int8 / float tails of public models (MoveNet's heatmap decoding, Magenta
// style transfer's instance normalization between int8 convolutions). Mixed graphs are where
// real models break: every tensor crossing between ops carries its own quantization.
// See ../run_case.ts for the contract.
import type { DType } from '../../../src/index.js';
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import { INT_LIMITS, type Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const ACTIVATIONS = [0, 1, 2, 3]; // NONE, RELU, RELU_N1_TO_1, RELU6
const SAME = 0;
const VALID = 1;

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Quantization of `dtype` for values in about [lo, hi]: the scale that maps the range onto the
 * type, times a factor (small factors saturate, large ones squeeze), the zero point that centres
 * it (now and then one at a type limit instead).
 */
function fitQuant(r: Rng, dtype: DType, lo: number, hi: number): FuzzQuant {
  const [qmin, qmax] = INT_LIMITS[dtype] as [number, number];
  const span = Math.max(hi - lo, 1e-6);
  const scale = Math.fround((span / (qmax - qmin)) * 10 ** r.uniform(-0.7, 0.5));
  const zp = r.bool(0.15) ? r.zeroPoint(dtype) : clamp(Math.round(qmin - lo / scale), qmin, qmax);
  return { scale: [scale], zeroPoint: [zp] };
}

/** The float range a quantization represents. */
function quantRange(dtype: DType, q: FuzzQuant): [number, number] {
  const [qmin, qmax] = INT_LIMITS[dtype] as [number, number];
  const s = q.scale[0] as number;
  const z = q.zeroPoint[0] as number;
  return [(qmin - z) * s, (qmax - z) * s];
}

/** A float input range: symmetric, positive or skewed, over decades. */
function floatRange(r: Rng): [number, number] {
  const m = 10 ** r.uniform(-1.5, 1.5);
  return r.pick([
    [-m, m],
    [0, m],
    [-m / 4, m],
    [-m, m / 8],
  ] as [number, number][]);
}

/** Symmetric per-channel int8 weights along `axis` (what TFLite's int8 convolutions require). */
function int8Weights(r: Rng, shape: number[], axis: number): { values: number[]; quant: FuzzQuant } {
  const channels = shape[axis] as number;
  const scale = Array.from({ length: channels }, () => r.scale(-3, 0));
  const values = r.bool(0.1) ? Array.from({ length: numel(shape) }, () => (r.bool() ? -127 : 127)) : r.ints(numel(shape), -127, 127);
  return { values, quant: { scale, zeroPoint: scale.map(() => 0), axis } };
}

/** Output size of a convolution / pool along one axis. */
function convOut(size: number, k: number, s: number, d: number, padding: number): number {
  return padding === SAME ? Math.ceil(size / s) : Math.floor((size - (k - 1) * d - 1) / s) + 1;
}

interface Q8 {
  /** Tensor index. */
  t: number;
  shape: number[];
  quant: FuzzQuant;
}

/**
 * An int8 CONV_2D or DEPTHWISE_CONV_2D (per-channel weights, int32 bias) on `x`: what an int8
 * model's body is made of. Returns the output (int8, with an output scale that keeps about two
 * standard deviations of the accumulator in range, times a factor).
 */
function int8Conv(g: GraphBuilder, r: Rng, x: Q8, kind: 'conv' | 'depthwise', outChannels?: number, forcePadding?: number): Q8 {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  let padding = forcePadding ?? r.pick([SAME, VALID]);
  const k = r.int(1, Math.min(3, Math.max(1, r.size)));
  const s = r.pick([1, 1, 2]);
  const d = r.bool(0.8) ? 1 : 2;
  if (padding === VALID && ((k - 1) * d + 1 > h || (k - 1) * d + 1 > w)) padding = SAME;
  const multiplier = kind === 'depthwise' ? r.pick([1, 1, 2]) : 1;
  const outC = kind === 'depthwise' ? c * multiplier : (outChannels ?? r.pick([1, 2, 3, 4, 5, 8].filter((v) => v <= Math.max(1, r.size))));
  const wShape = kind === 'depthwise' ? [1, k, k, outC] : [outC, k, k, c];
  const wts = int8Weights(r, wShape, kind === 'depthwise' ? 3 : 0);
  const filter = g.constant('int8', wShape, wts.values, wts.quant);
  const inScale = x.quant.scale[0] as number;
  const biasScale = wts.quant.scale.map((v) => Math.fround(inScale * v));
  const depth = kind === 'depthwise' ? k * k : k * k * c;
  const typical = 74 * 73 * Math.sqrt(depth);
  const bias = g.constant('int32', [outC], r.ints(outC, -Math.round(typical), Math.round(typical)), {
    scale: biasScale,
    zeroPoint: biasScale.map(() => 0),
    axis: 0,
  });
  const natural = (inScale * (wts.quant.scale[0] as number) * typical) / 64;
  const outQ: FuzzQuant = { scale: [Math.fround(natural * 10 ** r.uniform(-1, 1))], zeroPoint: [r.zeroPoint('int8')] };
  const oh = convOut(h, k, s, d, padding);
  const ow = convOut(w, k, s, d, padding);
  const shape = [n, oh, ow, outC];
  const y = g.activation('int8', shape, outQ);
  const act = r.pick(ACTIVATIONS);
  if (kind === 'conv') {
    const values = { padding, strideW: s, strideH: s, dilationWFactor: d, dilationHFactor: d, fusedActivationFunction: act };
    g.node('CONV_2D', [x.t, filter, bias], [y], { type: 'Conv2DOptions', values }, 3);
  } else {
    const values = {
      padding,
      strideW: s,
      strideH: s,
      depthMultiplier: multiplier,
      dilationWFactor: d,
      dilationHFactor: d,
      fusedActivationFunction: act,
    };
    g.node('DEPTHWISE_CONV_2D', [x.t, filter, bias], [y], { type: 'DepthwiseConv2DOptions', values }, 3);
  }
  return { t: y, shape, quant: outQ };
}

/** A float input and its QUANTIZE to int8 (`dtype`), quantized to fit the input's range. */
function quantizedInput(g: GraphBuilder, r: Rng, shape: number[], dtype: DType = 'int8'): Q8 {
  const range = floatRange(r);
  const x = g.input('float32', shape, { range });
  const quant = fitQuant(r, dtype, range[0], range[1]);
  const t = g.activation(dtype, shape, quant);
  g.node('QUANTIZE', [x], [t]);
  return { t, shape, quant };
}

/** DEQUANTIZE to a float graph output. */
function dequantizeOut(g: GraphBuilder, x: Q8): number {
  const y = g.output('float32', x.shape);
  g.node('DEQUANTIZE', [x.t], [y]);
  return y;
}

/** A 4-D image shape [N, H, W, C]. */
function imageShape(r: Rng): number[] {
  return [r.pick([1, 1, 2].filter((v) => v <= r.size)), r.dim(9), r.dim(9), r.dim(6)];
}

/** Two shapes that broadcast (same rank, 1s anywhere, or a lower rank). */
function broadcastPair(r: Rng): [number[], number[]] {
  const rank = r.rank(1, 4);
  const out = r.shape(rank, 6);
  const pattern = r.pick(['same', 'ones', 'lower'] as const);
  if (pattern === 'same') return [out, [...out]];
  const other = out.map((d) => (r.bool() ? 1 : d));
  const b = pattern === 'lower' ? other.slice(r.int(0, rank - 1)) : other;
  return r.bool() ? [out, b] : [b, out];
}

// ---------------------------------------------------------------------------------------------
// QUANTIZE -> int8 op -> DEQUANTIZE

/** float -> QUANTIZE -> ADD / SUB / MUL (int8, fused activation) -> DEQUANTIZE. */
const qdqBinary: OpFuzzer = {
  op: 'CHAIN:qdq_binary',
  dtypes: 'float32 -> int8 -> float32',
  rounding: 'xnnpack',
  make(r) {
    const g = new GraphBuilder();
    const [sa, sb] = broadcastPair(r);
    const a = quantizedInput(g, r, sa);
    const b = quantizedInput(g, r, sb);
    const op = r.pick(['ADD', 'SUB', 'MUL'] as const);
    const [alo, ahi] = quantRange('int8', a.quant);
    const [blo, bhi] = quantRange('int8', b.quant);
    const corners =
      op === 'MUL' ? [alo * blo, alo * bhi, ahi * blo, ahi * bhi] : op === 'ADD' ? [alo + blo, ahi + bhi] : [alo - bhi, ahi - blo];
    const outQ = fitQuant(r, 'int8', Math.min(...corners), Math.max(...corners));
    const shape =
      sa.length >= sb.length
        ? sa.map((d, i) => Math.max(d, sb[i - (sa.length - sb.length)] ?? 1))
        : sb.map((d, i) => Math.max(d, sa[i - (sb.length - sa.length)] ?? 1));
    const y = g.activation('int8', shape, outQ);
    const options = { type: `${op[0]}${op.slice(1).toLowerCase()}Options`, values: { fusedActivationFunction: r.pick(ACTIVATIONS) } };
    g.node(op, [a.t, b.t], [y], options, 2);
    dequantizeOut(g, { t: y, shape, quant: outQ });
    return g.graph;
  },
};

/** float -> QUANTIZE -> int8 CONV_2D / DEPTHWISE_CONV_2D (one or two) -> DEQUANTIZE. */
const qdqConv: OpFuzzer = {
  op: 'CHAIN:qdq_conv',
  dtypes: 'float32 -> int8 -> float32',
  rounding: 'xnnpack',
  make(r) {
    const g = new GraphBuilder();
    let x = quantizedInput(g, r, imageShape(r));
    const count = r.int(1, 2);
    for (let i = 0; i < count; i++) x = int8Conv(g, r, x, r.pick(['conv', 'depthwise']));
    dequantizeOut(g, x);
    return g.graph;
  },
};

/** float -> QUANTIZE -> int8 AVERAGE_POOL_2D / MAX_POOL_2D / MEAN / RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR -> DEQUANTIZE. */
const qdqPoolResize: OpFuzzer = {
  op: 'CHAIN:qdq_pool_resize',
  dtypes: 'float32 -> int8 -> float32',
  rounding: 'xnnpack',
  make(r) {
    const g = new GraphBuilder();
    const shape = imageShape(r);
    const x = quantizedInput(g, r, shape);
    const [n, h, w, c] = shape as [number, number, number, number];
    const op = r.pick(['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'MEAN', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR'] as const);
    // Pools and resizes keep the input's quantization (TFLite requires it of MAX_POOL / resizes; AVERAGE_POOL too).
    const keepQ = op !== 'MEAN' || r.bool(0.4);
    const [lo, hi] = quantRange('int8', x.quant);
    const outQ = keepQ ? x.quant : fitQuant(r, 'int8', lo / 2, hi / 2);
    let y: number;
    let outShape: number[];
    if (op === 'AVERAGE_POOL_2D' || op === 'MAX_POOL_2D') {
      const padding = r.pick([SAME, VALID]);
      const fh = r.int(1, padding === VALID ? h : Math.min(h + 1, 4));
      const fw = r.int(1, padding === VALID ? w : Math.min(w + 1, 4));
      const sh = r.int(1, 3);
      const sw = r.int(1, 3);
      outShape = [n, convOut(h, fh, sh, 1, padding), convOut(w, fw, sw, 1, padding), c];
      y = g.activation('int8', outShape, outQ);
      const values = { padding, strideW: sw, strideH: sh, filterWidth: fw, filterHeight: fh, fusedActivationFunction: r.pick(ACTIVATIONS) };
      g.node(op, [x.t], [y], { type: 'Pool2DOptions', values }, 2);
    } else if (op === 'MEAN') {
      const axes = r.pick([[1, 2], [2, 1], [-3, -2], [3], [1], [0, 1, 2, 3], [-1, 1]]);
      const keepDims = r.bool(0.6);
      const norm = new Set(axes.map((a) => (a + 4) % 4));
      outShape = keepDims ? shape.map((d, i) => (norm.has(i) ? 1 : d)) : shape.filter((_, i) => !norm.has(i));
      const ax = g.constant('int32', [axes.length], axes);
      y = g.activation('int8', outShape, outQ);
      g.node('MEAN', [x.t, ax], [y], { type: 'ReducerOptions', values: { keepDims } }, 2);
    } else {
      const alignCorners = r.bool(0.3);
      const halfPixelCenters = !alignCorners && r.bool(0.6);
      const oh = r.dim(11);
      const ow = r.dim(11);
      outShape = [n, oh, ow, c];
      const size = g.constant('int32', [2], [oh, ow]);
      y = g.activation('int8', outShape, outQ);
      const type = op === 'RESIZE_BILINEAR' ? 'ResizeBilinearOptions' : 'ResizeNearestNeighborOptions';
      g.node(op, [x.t, size], [y], { type, values: { alignCorners, halfPixelCenters } }, 3);
    }
    dequantizeOut(g, { t: y, shape: outShape, quant: outQ });
    return g.graph;
  },
};

/** An int8 -> int8 QUANTIZE (requantization), as the converter inserts before ops that need one scale. */
function requantize(g: GraphBuilder, x: Q8, quant: FuzzQuant, dtype: DType = 'int8'): Q8 {
  const t = g.activation(dtype, x.shape, quant);
  g.node('QUANTIZE', [x.t], [t]);
  return { t, shape: x.shape, quant };
}

const sameQuant = (a: FuzzQuant, b: FuzzQuant) => a.scale[0] === b.scale[0] && a.zeroPoint[0] === b.zeroPoint[0];

/**
 * float -> QUANTIZE (each input its own scale) -> QUANTIZE to the concatenation's scale (TFLite's
 * int8 CONCATENATION does not rescale) -> CONCATENATION -> SOFTMAX / LOGISTIC -> DEQUANTIZE.
 */
const qdqConcatSoftmax: OpFuzzer = {
  op: 'CHAIN:qdq_concat_softmax',
  dtypes: 'float32 -> int8 -> float32',
  // The oracle's XNNPACK takes the int8 -> int8 QUANTIZE (its qs8 convert rounds differently).
  rounding: 'xnnpack',
  floatTolerance: 1e-4,
  make(r) {
    const g = new GraphBuilder();
    const rank = r.rank(1, 4);
    const base = r.shape(rank, 6);
    const axis = r.int(-rank, rank - 1);
    const a = (axis + rank) % rank;
    let parts = Array.from({ length: r.int(1, 3) }, () =>
      quantizedInput(
        g,
        r,
        base.map((d, i) => (i === a ? r.dim(5) : d)),
      ),
    );
    const lo = Math.min(...parts.map((p) => quantRange('int8', p.quant)[0]));
    const hi = Math.max(...parts.map((p) => quantRange('int8', p.quant)[1]));
    const catQ = r.bool(0.3) ? (parts[0] as Q8).quant : fitQuant(r, 'int8', lo, hi);
    parts = parts.map((p) => (sameQuant(p.quant, catQ) ? p : requantize(g, p, catQ)));
    const catShape = base.map((d, i) => (i === a ? parts.reduce((s, p) => s + (p.shape[i] as number), 0) : d));
    const cat = g.activation('int8', catShape, catQ);
    g.node(
      'CONCATENATION',
      parts.map((p) => p.t),
      [cat],
      { type: 'ConcatenationOptions', values: { axis, fusedActivationFunction: 0 } },
    );
    const op = r.pick(['SOFTMAX', 'LOGISTIC', 'NONE'] as const);
    if (op === 'NONE') {
      dequantizeOut(g, { t: cat, shape: catShape, quant: catQ });
      return g.graph;
    }
    // TFLite requires int8 SOFTMAX / LOGISTIC outputs at scale 1/256, zero point -128.
    const outQ: FuzzQuant = { scale: [1 / 256], zeroPoint: [-128] };
    const y = g.activation('int8', catShape, outQ);
    if (op === 'SOFTMAX') g.node('SOFTMAX', [cat], [y], { type: 'SoftmaxOptions', values: { beta: r.pick([1, 1, 0.5, 2]) } }, 2);
    else g.node('LOGISTIC', [cat], [y], undefined, 2);
    dequantizeOut(g, { t: y, shape: catShape, quant: outQ });
    return g.graph;
  },
};

// ---------------------------------------------------------------------------------------------
// Requantizing int8 ops back to back

/**
 * ADD -> MUL -> CONCATENATION with a different scale at every step; intermediates are outputs too.
 * int8 inputs of the concatenation are requantized first (QUANTIZE int8 -> int8: TFLite's int8
 * CONCATENATION does not rescale); uint8 ones are rescaled by the concatenation itself.
 */
function requantChain(dtype: 'int8' | 'uint8'): OpFuzzer {
  return {
    op: 'CHAIN:requant_add_mul_concat',
    dtypes: dtype,
    // The oracle's XNNPACK takes the int8 -> int8 QUANTIZE (its qs8 convert rounds differently)
    // and the int8 / uint8 MUL.
    rounding: 'xnnpack',
    // tfjs-tflite's XNNPACK copies uint8 CONCATENATION inputs without rescaling them (TFLite's
    // builtin ConcatenationWithScaling, LiteRT.js and we rescale): LiteRT.js is the reference.
    ...(dtype === 'uint8' ? { oracle: 'litert' as const, note: 'tfjs-tflite (XNNPACK) does not rescale uint8 CONCATENATION inputs' } : {}),
    make(r) {
      const g = new GraphBuilder();
      const rank = r.rank(1, 4);
      const shape = r.shape(rank, 6);
      const input = (s: number[]): Q8 => {
        const quant = r.quant(dtype, -2.5, 0.5);
        return { t: g.input(dtype, s, { quant }), shape: s, quant };
      };
      const a = input(shape);
      const b = input(r.bool(0.5) ? shape : shape.map((d) => (r.bool() ? 1 : d)));
      const [alo, ahi] = quantRange(dtype, a.quant);
      const [blo, bhi] = quantRange(dtype, b.quant);
      const sumQ = fitQuant(r, dtype, alo + blo, ahi + bhi);
      const sum = g.output(dtype, shape, sumQ);
      g.node('ADD', [a.t, b.t], [sum], { type: 'AddOptions', values: { fusedActivationFunction: r.pick(ACTIVATIONS) } }, 2);
      const c = input(r.bool(0.5) ? shape : shape.map((d) => (r.bool() ? 1 : d)));
      const [slo, shi] = quantRange(dtype, sumQ);
      const [clo, chi] = quantRange(dtype, c.quant);
      const corners = [slo * clo, slo * chi, shi * clo, shi * chi];
      const prodQ = fitQuant(r, dtype, Math.min(...corners), Math.max(...corners));
      const prod = g.output(dtype, shape, prodQ);
      g.node('MUL', [sum, c.t], [prod], { type: 'MulOptions', values: { fusedActivationFunction: r.pick(ACTIVATIONS) } }, 2);
      const axis = r.int(-rank, rank - 1);
      const ax = (axis + rank) % rank;
      const d = input(shape.map((v, i) => (i === ax ? r.dim(4) : v)));
      const catQ = r.pick([prodQ, d.quant, sumQ, fitQuant(r, dtype, Math.min(slo, clo), Math.max(shi, chi))]);
      let parts: Q8[] = r.bool()
        ? [{ t: prod, shape, quant: prodQ }, d, { t: sum, shape, quant: sumQ }]
        : [d, { t: prod, shape, quant: prodQ }];
      if (dtype === 'int8') parts = parts.map((p) => (sameQuant(p.quant, catQ) ? p : requantize(g, p, catQ)));
      const catShape = shape.map((v, i) => (i === ax ? parts.reduce((s, p) => s + (p.shape[i] as number), 0) : v));
      const cat = g.output(dtype, catShape, catQ);
      g.node(
        'CONCATENATION',
        parts.map((p) => p.t),
        [cat],
        { type: 'ConcatenationOptions', values: { axis, fusedActivationFunction: 0 } },
      );
      return g.graph;
    },
  };
}

/**
 * MobileNet-style uint8 model I/O: uint8 input -> QUANTIZE to int8 -> int8 CONV / DEPTHWISE /
 * ADD body -> QUANTIZE back to uint8 (and a DEQUANTIZE float output of the body).
 */
const uint8Io: OpFuzzer = {
  op: 'CHAIN:uint8_io',
  dtypes: 'uint8 -> int8 -> uint8,float32',
  rounding: 'xnnpack',
  make(r) {
    const g = new GraphBuilder();
    const shape = imageShape(r);
    const inQ: FuzzQuant = r.bool(0.5) ? { scale: [Math.fround(1 / 128)], zeroPoint: [128] } : r.quant('uint8', -3, 0);
    const xu = g.input('uint8', shape, { quant: inQ });
    // The converter keeps the scale and shifts the zero point by 128; other scales requantize.
    const sameScale = r.bool(0.6);
    const q8: FuzzQuant = sameScale
      ? { scale: [...inQ.scale], zeroPoint: [(inQ.zeroPoint[0] as number) - 128] }
      : fitQuant(r, 'int8', ...quantRange('uint8', inQ));
    const x8 = g.activation('int8', shape, q8);
    g.node('QUANTIZE', [xu], [x8]);
    let x: Q8 = { t: x8, shape, quant: q8 };
    x = int8Conv(g, r, x, r.pick(['conv', 'depthwise']));
    if (r.bool(0.5)) {
      // A residual ADD of two branches of the body.
      const other = int8Conv(g, r, x, 'depthwise', undefined, SAME);
      const otherSame = other.shape.every((d, i) => d === x.shape[i]);
      if (otherSame) {
        const [alo, ahi] = quantRange('int8', x.quant);
        const [blo, bhi] = quantRange('int8', other.quant);
        const q = fitQuant(r, 'int8', alo + blo, ahi + bhi);
        const y = g.activation('int8', x.shape, q);
        g.node('ADD', [x.t, other.t], [y], { type: 'AddOptions', values: { fusedActivationFunction: r.pick(ACTIVATIONS) } }, 2);
        x = { t: y, shape: x.shape, quant: q };
      } else x = other;
    }
    const outQ: FuzzQuant = r.bool(0.6)
      ? { scale: [...x.quant.scale], zeroPoint: [(x.quant.zeroPoint[0] as number) + 128] }
      : fitQuant(r, 'uint8', ...quantRange('int8', x.quant));
    const yu = g.output('uint8', x.shape, outQ);
    g.node('QUANTIZE', [x.t], [yu]);
    dequantizeOut(g, x);
    return g.graph;
  },
};

// ---------------------------------------------------------------------------------------------
// Model tails

/** Float grid constants: row index [H, 1, 1] and column index [1, W, 1]. */
function grids(g: GraphBuilder, h: number, w: number): [number, number] {
  const ys = g.constant(
    'float32',
    [h, 1, 1],
    Array.from({ length: h }, (_, i) => i),
  );
  const xs = g.constant(
    'float32',
    [1, w, 1],
    Array.from({ length: w }, (_, i) => i),
  );
  return [ys, xs];
}

/**
 * MoveNet SinglePose's decoding tail on its int8 heads: the centre heatmap weighted by a distance
 * grid -> ARG_MAX over the flattened map -> FLOOR_DIV / FLOOR_MOD index math -> PACK -> GATHER_ND
 * the regression at the centre; then per keypoint: distances (SUB, MUL, ADD, SQRT) from the
 * regressed positions, heatmap / (distance + 1.8) -> ARG_MAX -> CAST, PACK, GATHER_ND offsets and
 * scores -> coordinates (ADD, DIV) -> CONCATENATION. Integer index outputs too.
 */
const movenetTail: OpFuzzer = {
  op: 'CHAIN:movenet_tail',
  dtypes: 'int8 -> float32,int32',
  floatTolerance: 1e-4,
  make(r) {
    const g = new GraphBuilder();
    const h = r.int(1, Math.max(1, Math.min(9, r.size + 1)));
    const w = r.int(1, Math.max(1, Math.min(9, r.size + 1)));
    const k = r.int(1, Math.min(5, Math.max(1, r.size)));
    const f32 = (shape?: number[]) => g.activation('float32', shape);
    const i32 = (shape?: number[]) => g.activation('int32', shape);
    const node = (op: string, inputs: number[], outputs: number[], options?: { type: string; values: Record<string, unknown> }) =>
      g.node(op, inputs, outputs, options);
    const deq = (t: number, shape: number[]) => {
      const y = f32(shape);
      node('DEQUANTIZE', [t], [y]);
      return y;
    };
    // Heads of the int8 body.
    const centerQ = r.quant('int8', -2, 0);
    const center = g.input('int8', [1, h, w, 1], { quant: centerQ });
    const regQ = r.quant('int8', -2, 0);
    const reg = g.input('int8', [1, h, w, 2 * k], { quant: regQ });
    const heatQ = r.quant('int8', -2, 0);
    const heat = g.input('int8', [1, h, w, k], { quant: heatQ });
    const offQ = r.quant('int8', -2, 0);
    const off = g.input('int8', [1, h, w, 2 * k], { quant: offQ });
    // Centre: logistic heatmap * weight grid (1 / (distance to the image centre + 1)), flattened argmax.
    const centerF = deq(center, [1, h, w, 1]);
    const centerP = f32([1, h, w, 1]);
    node('LOGISTIC', [centerF], [centerP]);
    const weights = Array.from({ length: h * w }, (_, i) => {
      const y = Math.floor(i / w) - (h - 1) / 2;
      const x = (i % w) - (w - 1) / 2;
      return Math.fround(1 / (Math.sqrt(y * y + x * x) + 1));
    });
    const wGrid = g.constant('float32', [1, h, w, 1], weights);
    const centerW = f32([1, h, w, 1]);
    node('MUL', [centerP, wGrid], [centerW], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
    const flat = f32([1, h * w]);
    node('RESHAPE', [centerW, g.constant('int32', [2], [1, h * w])], [flat], { type: 'ReshapeOptions', values: { newShape: [1, h * w] } });
    const argAxis = g.constant('int32', [1], [r.pick([1, -1])]);
    const cIdx = i32([1]);
    node('ARG_MAX', [flat, argAxis], [cIdx], { type: 'ArgMaxOptions', values: { outputType: 2 } }); // INT32
    const wConst = g.constant('int32', [], [w]);
    const cy = i32([1]);
    node('FLOOR_DIV', [cIdx, wConst], [cy]);
    const cx = i32([1]);
    if (r.bool()) node('FLOOR_MOD', [cIdx, wConst], [cx]);
    else {
      const cyw = i32([1]);
      node('MUL', [cy, wConst], [cyw], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
      node('SUB', [cIdx, cyw], [cx], { type: 'SubOptions', values: { fusedActivationFunction: 0 } });
    }
    const cyx = g.output('int32', [1, 2]);
    node('PACK', [cy, cx], [cyx], { type: 'PackOptions', values: { valuesCount: 2, axis: 1 } });
    // Regression at the centre: [1, 2k] -> [k, 2] keypoint positions in grid units.
    const regF = deq(reg, [1, h, w, 2 * k]);
    const regHw = f32([h, w, 2 * k]);
    node('RESHAPE', [regF, g.constant('int32', [3], [h, w, 2 * k])], [regHw], {
      type: 'ReshapeOptions',
      values: { newShape: [h, w, 2 * k] },
    });
    const regAt = f32([1, 2 * k]);
    node('GATHER_ND', [regHw, cyx], [regAt]);
    const regK = f32([k, 2]);
    node('RESHAPE', [regAt, g.constant('int32', [2], [k, 2])], [regK], { type: 'ReshapeOptions', values: { newShape: [k, 2] } });
    const cyxF = f32([1, 2]);
    node('CAST', [cyx], [cyxF], { type: 'CastOptions', values: { inDataType: 2, outDataType: 0 } });
    const kp = f32([k, 2]);
    node('ADD', [regK, cyxF], [kp], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
    const ky = f32([k]);
    const kx = f32([k]);
    node('UNPACK', [kp], [ky, kx], { type: 'UnpackOptions', values: { num: 2, axis: 1 } });
    // Distances from every cell to each regressed keypoint.
    const [ys, xs] = grids(g, h, w);
    const dy = f32([h, 1, k]);
    node('SUB', [ys, ky], [dy], { type: 'SubOptions', values: { fusedActivationFunction: 0 } });
    const dx = f32([1, w, k]);
    node('SUB', [xs, kx], [dx], { type: 'SubOptions', values: { fusedActivationFunction: 0 } });
    const dy2 = f32([h, 1, k]);
    node('MUL', [dy, dy], [dy2], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
    const dx2 = f32([1, w, k]);
    if (r.bool()) node('MUL', [dx, dx], [dx2], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
    else node('SQUARED_DIFFERENCE', [xs, kx], [dx2]);
    const d2 = f32([h, w, k]);
    node('ADD', [dy2, dx2], [d2], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
    const dist = f32([h, w, k]);
    node('SQRT', [d2], [dist]);
    const distP = f32([h, w, k]);
    node('ADD', [dist, g.constant('float32', [], [1.8])], [distP], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
    // Keypoint heatmap / (distance + 1.8), argmax over the cells.
    const heatF = deq(heat, [1, h, w, k]);
    const heatP = f32([1, h, w, k]);
    node('LOGISTIC', [heatF], [heatP]);
    const heatHw = f32([h, w, k]);
    node('RESHAPE', [heatP, g.constant('int32', [3], [h, w, k])], [heatHw], { type: 'ReshapeOptions', values: { newShape: [h, w, k] } });
    const scored = f32([h, w, k]);
    node('DIV', [heatHw, distP], [scored], { type: 'DivOptions', values: { fusedActivationFunction: 0 } });
    const cells = f32([h * w, k]);
    node('RESHAPE', [scored, g.constant('int32', [2], [h * w, k])], [cells], { type: 'ReshapeOptions', values: { newShape: [h * w, k] } });
    const kIdx = g.output('int32', [k]);
    node('ARG_MAX', [cells, g.constant('int32', [], [0])], [kIdx], { type: 'ArgMaxOptions', values: { outputType: 2 } });
    const kyI = i32([k]);
    node('FLOOR_DIV', [kIdx, wConst], [kyI]);
    const kxI = i32([k]);
    node('FLOOR_MOD', [kIdx, wConst], [kxI]);
    const kRange = g.constant(
      'int32',
      [k],
      Array.from({ length: k }, (_, i) => i),
    );
    const idx3 = i32([k, 3]);
    node('PACK', [kyI, kxI, kRange], [idx3], { type: 'PackOptions', values: { valuesCount: 3, axis: 1 } });
    const score = f32([k]);
    node('GATHER_ND', [heatHw, idx3], [score]);
    // Offsets at the chosen cells: [h, w, k, 2] gathered by (y, x, k).
    const offF = deq(off, [1, h, w, 2 * k]);
    const off4 = f32([h, w, k, 2]);
    node('RESHAPE', [offF, g.constant('int32', [4], [h, w, k, 2])], [off4], { type: 'ReshapeOptions', values: { newShape: [h, w, k, 2] } });
    const offAt = f32([k, 2]);
    node('GATHER_ND', [off4, idx3], [offAt]);
    const yx = i32([k, 2]);
    node('PACK', [kyI, kxI], [yx], { type: 'PackOptions', values: { valuesCount: 2, axis: 1 } });
    const yxF = f32([k, 2]);
    node('CAST', [yx], [yxF], { type: 'CastOptions', values: { inDataType: 2, outDataType: 0 } });
    const pos = f32([k, 2]);
    node('ADD', [yxF, offAt], [pos], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
    const coords = f32([k, 2]);
    node('DIV', [pos, g.constant('float32', [2], [h, w])], [coords], { type: 'DivOptions', values: { fusedActivationFunction: 0 } });
    const score2 = f32([k, 1]);
    node('RESHAPE', [score, g.constant('int32', [2], [k, 1])], [score2], { type: 'ReshapeOptions', values: { newShape: [k, 1] } });
    const result = g.output('float32', [k, 3]);
    node('CONCATENATION', [coords, score2], [result], { type: 'ConcatenationOptions', values: { axis: 1, fusedActivationFunction: 0 } });
    // The minimum distance of each keypoint (SQRT's result seen directly).
    const minDist = g.output('float32', [k]);
    node('REDUCE_MIN', [dist, g.constant('int32', [2], [0, 1])], [minDist], { type: 'ReducerOptions', values: { keepDims: false } });
    return g.graph;
  },
};

/**
 * Magenta arbitrary style transfer's instance normalization between int8 convolutions:
 * int8 -> MIRROR_PAD -> CONV_2D -> DEQUANTIZE -> MEAN over H, W (keep_dims) -> SQUARED_DIFFERENCE
 * -> MEAN -> ADD eps -> RSQRT -> MUL / SUB (scale and shift) -> QUANTIZE -> int8 RELU / RESIZE_NEAREST
 * -> CONV_2D -> DEQUANTIZE -> LOGISTIC. The float statistics are outputs too.
 */
const instanceNorm: OpFuzzer = {
  op: 'CHAIN:instance_norm',
  dtypes: 'int8 -> float32 -> int8 -> float32',
  rounding: 'xnnpack',
  floatTolerance: 1e-4,
  // Normalising a near-constant channel divides by a tiny deviation: tfjs-tflite and LiteRT.js
  // then differ from each other by as much as we differ from either (measured).
  withinRuntimeGap: true,
  note: "a float output also passes within 2x the two TFLite builds' own gap (ill-conditioned normalisation)",
  make(r) {
    const g = new GraphBuilder();
    const shape = [1, r.dim(7) + 1, r.dim(7) + 1, r.dim(5)];
    const inQ = r.quant('int8', -2.5, -0.5);
    const x0 = g.input('int8', shape, { quant: inQ });
    let x: Q8 = { t: x0, shape, quant: inQ };
    // MIRROR_PAD (REFLECT pads below the size, SYMMETRIC up to it) keeps the quantization.
    const mode = r.pick([0, 1]);
    const [, h, w] = shape as [number, number, number, number];
    const maxPad = (size: number) => (mode === 0 ? size - 1 : size);
    const ph = r.int(0, Math.min(2, maxPad(h)));
    const pw = r.int(0, Math.min(2, maxPad(w)));
    const padShape = [1, h + 2 * ph, w + 2 * pw, shape[3] as number];
    const pads = g.constant('int32', [4, 2], [0, 0, ph, ph, pw, pw, 0, 0]);
    const padded = g.activation('int8', padShape, inQ);
    g.node('MIRROR_PAD', [x.t, pads], [padded], { type: 'MirrorPadOptions', values: { mode } });
    x = int8Conv(g, r, { t: padded, shape: padShape, quant: inQ }, 'conv', r.pick([1, 2, 3, 4, 8]), VALID);
    const [, oh, ow, c] = x.shape as [number, number, number, number];
    const f = g.activation('float32', x.shape);
    g.node('DEQUANTIZE', [x.t], [f]);
    const hw = g.constant(
      'int32',
      [2],
      r.pick([
        [1, 2],
        [2, 1],
        [-3, -2],
      ]),
    );
    const mean = g.output('float32', [1, 1, 1, c]);
    g.node('MEAN', [f, hw], [mean], { type: 'ReducerOptions', values: { keepDims: true } });
    const sq = g.activation('float32', x.shape);
    g.node('SQUARED_DIFFERENCE', [f, mean], [sq]);
    const variance = g.output('float32', [1, 1, 1, c]);
    g.node('MEAN', [sq, hw], [variance], { type: 'ReducerOptions', values: { keepDims: true } });
    const veps = g.activation('float32', [1, 1, 1, c]);
    g.node('ADD', [variance, g.constant('float32', [], [r.pick([1e-3, 1e-5])])], [veps], {
      type: 'AddOptions',
      values: { fusedActivationFunction: 0 },
    });
    const inv = g.activation('float32', [1, 1, 1, c]);
    g.node('RSQRT', [veps], [inv]);
    const gamma = g.constant('float32', [c], r.floats(c, 0.2, 2));
    const beta = g.constant('float32', [c], r.floats(c, -1, 1));
    const scaleT = g.activation('float32', [1, 1, 1, c]);
    g.node('MUL', [inv, gamma], [scaleT], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
    // y = x * scale + (beta - mean * scale), as the converter folds it.
    const xs = g.activation('float32', x.shape);
    g.node('MUL', [f, scaleT], [xs], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
    const ms = g.activation('float32', [1, 1, 1, c]);
    g.node('MUL', [mean, scaleT], [ms], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
    const shift = g.activation('float32', [1, 1, 1, c]);
    g.node('SUB', [beta, ms], [shift], { type: 'SubOptions', values: { fusedActivationFunction: 0 } });
    const normed = g.output('float32', x.shape);
    g.node('ADD', [xs, shift], [normed], { type: 'AddOptions', values: { fusedActivationFunction: r.pick([0, 1]) } });
    const nq = fitQuant(r, 'int8', -3, 3);
    const q = g.activation('int8', x.shape, nq);
    g.node('QUANTIZE', [normed], [q]);
    let y: Q8 = { t: q, shape: x.shape, quant: nq };
    if (r.bool(0.5)) {
      const up = [1, oh * 2, ow * 2, c];
      const ru = g.activation('int8', up, nq);
      g.node('RESIZE_NEAREST_NEIGHBOR', [q, g.constant('int32', [2], [oh * 2, ow * 2])], [ru], {
        type: 'ResizeNearestNeighborOptions',
        values: { alignCorners: false, halfPixelCenters: r.bool() },
      });
      y = { t: ru, shape: up, quant: nq };
    }
    y = int8Conv(g, r, y, 'conv', 3, SAME);
    const out = g.activation('float32', y.shape);
    g.node('DEQUANTIZE', [y.t], [out]);
    const img = g.output('float32', y.shape);
    g.node('LOGISTIC', [out], [img]);
    return g.graph;
  },
};

/**
 * MoveNet's input side: uint8 image -> CAST to float -> SUB / MUL normalization -> QUANTIZE to
 * int8 -> CONV_2D -> DEPTHWISE_CONV_2D -> ADD -> RESIZE_BILINEAR -> LOGISTIC (int8) -> DEQUANTIZE.
 */
const movenetHead: OpFuzzer = {
  op: 'CHAIN:movenet_head',
  dtypes: 'uint8 -> float32 -> int8 -> float32',
  rounding: 'xnnpack',
  make(r) {
    const g = new GraphBuilder();
    const shape = [1, r.dim(9), r.dim(9), r.pick([1, 3].filter((v) => v <= r.size))];
    const img = g.input('uint8', shape);
    const f = g.activation('float32', shape);
    g.node('CAST', [img], [f], { type: 'CastOptions', values: { inDataType: 3, outDataType: 0 } });
    const centred = g.activation('float32', shape);
    g.node('SUB', [f, g.constant('float32', [], [127.5])], [centred], { type: 'SubOptions', values: { fusedActivationFunction: 0 } });
    const norm = g.activation('float32', shape);
    g.node('MUL', [centred, g.constant('float32', [], [Math.fround(1 / 127.5)])], [norm], {
      type: 'MulOptions',
      values: { fusedActivationFunction: 0 },
    });
    const inQ = fitQuant(r, 'int8', -1, 1);
    const q = g.activation('int8', shape, inQ);
    g.node('QUANTIZE', [norm], [q]);
    const a = int8Conv(g, r, { t: q, shape, quant: inQ }, 'conv', undefined, SAME);
    const b = int8Conv(g, r, a, 'depthwise', undefined, SAME);
    let x = b;
    if (b.shape.every((d, i) => d === a.shape[i])) {
      const [alo, ahi] = quantRange('int8', a.quant);
      const [blo, bhi] = quantRange('int8', b.quant);
      const sq = fitQuant(r, 'int8', alo + blo, ahi + bhi);
      const s = g.activation('int8', a.shape, sq);
      g.node('ADD', [a.t, b.t], [s], { type: 'AddOptions', values: { fusedActivationFunction: 0 } }, 2);
      x = { t: s, shape: a.shape, quant: sq };
    }
    const [, h, w, c] = x.shape as [number, number, number, number];
    const up = [1, h * 2, w * 2, c];
    const ru = g.activation('int8', up, x.quant);
    g.node('RESIZE_BILINEAR', [x.t, g.constant('int32', [2], [h * 2, w * 2])], [ru], {
      type: 'ResizeBilinearOptions',
      values: { alignCorners: false, halfPixelCenters: r.bool(0.7) },
    });
    const lq: FuzzQuant = { scale: [1 / 256], zeroPoint: [-128] };
    const l = g.activation('int8', up, lq);
    g.node('LOGISTIC', [ru], [l], undefined, 2);
    dequantizeOut(g, { t: ru, shape: up, quant: x.quant });
    dequantizeOut(g, { t: l, shape: up, quant: lq });
    return g.graph;
  },
};

export const chainFuzzers: OpFuzzer[] = [
  qdqBinary,
  qdqConv,
  qdqPoolResize,
  qdqConcatSoftmax,
  requantChain('int8'),
  requantChain('uint8'),
  uint8Io,
  movenetHead,
  movenetTail,
  instanceNorm,
];

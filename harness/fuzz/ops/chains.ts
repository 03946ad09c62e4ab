// Differential cases for small multi-op graphs (op 'CHAIN:<name>'): float I/O around int8 ops
// (QUANTIZE -> op -> DEQUANTIZE), requantizing int8 ops back to back, uint8 model I/O into an int8
// body, and the mixed int8 / float tails of public models (model_tails.ts). Mixed graphs are where
// real models break: every tensor crossing between ops carries its own quantization.
// See ../run_case.ts for the contract.
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { OpFuzzer } from '../run_case.js';
import { instanceNorm, movenetHead, movenetTail } from './model_tails.js';
import {
  ACTIVATIONS,
  broadcastPair,
  convOut,
  dequantizeOut,
  fitQuant,
  imageShape,
  int8Conv,
  type Q8,
  quantizedInput,
  quantRange,
  requantize,
  SAME,
  sameQuant,
  VALID,
} from './quant_graph.js';

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

// Differential cases for the mixed int8 / float tails of public models (MoveNet's heatmap decoding
// and head, Magenta style transfer's instance normalization between int8 convolutions).
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { OpFuzzer } from '../run_case.js';
import { dequantizeOut, fitQuant, int8Conv, type Q8, quantRange, SAME, VALID } from './quant_graph.js';

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
export const movenetTail: OpFuzzer = {
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
export const instanceNorm: OpFuzzer = {
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
export const movenetHead: OpFuzzer = {
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

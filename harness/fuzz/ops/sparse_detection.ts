// Differential cases for DENSIFY (sparse constants: dense and CSR levels, permuted traversal
// orders, dense blocks as the converter writes them, int32 / uint16 / uint8 index vectors;
// float32, int8 and float16 values) and the custom op TFLite_Detection_PostProcess (SSD box
// decoding and fast / regular non-max suppression, float32 and uint8 inputs, options as a
// FlexBuffer map). See ../run_case.ts for the contract.
import { builder as flexBuilder } from 'flatbuffers/mjs/flexbuffers.js';
import { DETECTION_INPUTS, type DetectionFlexOptions, type DType, floatToHalf } from '../../../src/index.js';
import { type FuzzIndexType, type FuzzQuant, type FuzzSparseDim, type FuzzSparsity, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------
// DENSIFY

/** How a dense tensor is stored sparsely: level order over the original dims, their formats, dense blocks. */
interface SparseSpec {
  /** Permutation of the original dims: the first `rank` levels. The block levels follow, in order. */
  order: number[];
  /** Format of each original-dim level (block levels are always dense, as TFLite requires). */
  formats: ('dense' | 'sparse_csr')[];
  /** Blocked original dims, increasing (TFLite's converter matches block_map[k] against dims in order). */
  blockMap: number[];
  blockSize: number[];
  /** Chance that a CSR level also stores an all-zero child (explicit zeros are valid). */
  keepZero: number;
}

/** An index vector type that holds `max`: int32 always, the narrower ones when they fit. */
function indexType(r: Rng, max: number): FuzzIndexType {
  return r.pick((['int32', 'uint16', 'uint8'] as const).filter((t) => max <= (t === 'int32' ? 2 ** 31 - 1 : t === 'uint16' ? 65535 : 255)));
}

/**
 * The sparse layout of `dense` (row-major `shape`) under `spec`: the values in traversal order and
 * the dim metadata TFLite's FormatConverter::SparseToDense walks (one segments entry per node of the
 * parent level, in traversal order; CSR levels keep the children holding a nonzero).
 */
function sparsify(
  r: Rng,
  dense: readonly number[],
  shape: readonly number[],
  spec: SparseSpec,
): { sparsity: FuzzSparsity; values: number[] } {
  const rank = shape.length;
  const k = spec.blockMap.length;
  const total = rank + k;
  // Expanded dims: original dims 0..rank-1 (divided by their block size), then the block dims.
  const expanded = shape.map((d, i) => {
    const b = spec.blockMap.indexOf(i);
    return b < 0 ? d : d / (spec.blockSize[b] as number);
  });
  expanded.push(...spec.blockSize);
  const traversal = [...spec.order, ...spec.blockMap.map((_, b) => rank + b)];
  const formats = [...spec.formats, ...spec.blockMap.map(() => 'dense' as const)];
  const strides = shape.map((_, i) => numel(shape.slice(i + 1)));
  const coord = new Array<number>(total).fill(0); // by expanded dim
  const flat = (): number => {
    let f = 0;
    for (let d = 0; d < rank; d++) {
      const b = spec.blockMap.indexOf(d);
      const idx = b < 0 ? (coord[d] as number) : (coord[d] as number) * (spec.blockSize[b] as number) + (coord[rank + b] as number);
      f += idx * (strides[d] as number);
    }
    return f;
  };
  const hasNonzero = (level: number): boolean => {
    if (level === total) return dense[flat()] !== 0;
    const dim = traversal[level] as number;
    for (let i = 0; i < (expanded[dim] as number); i++) {
      coord[dim] = i;
      if (hasNonzero(level + 1)) return true;
    }
    return false;
  };
  const segments: number[][] = formats.map(() => [0]);
  const indices: number[][] = formats.map(() => []);
  const values: number[] = [];
  const visit = (level: number): void => {
    if (level === total) {
      values.push(dense[flat()] as number);
      return;
    }
    const dim = traversal[level] as number;
    for (let i = 0; i < (expanded[dim] as number); i++) {
      coord[dim] = i;
      if (formats[level] === 'sparse_csr') {
        if (!hasNonzero(level + 1) && !r.bool(spec.keepZero)) continue;
        (indices[level] as number[]).push(i);
      }
      visit(level + 1);
    }
    if (formats[level] === 'sparse_csr') (segments[level] as number[]).push((indices[level] as number[]).length);
  };
  visit(0);
  const dimMetadata = formats.map((format, level): FuzzSparseDim => {
    const size = expanded[traversal[level] as number] as number;
    if (format === 'dense') return { format, denseSize: size };
    const seg = segments[level] as number[];
    const idx = indices[level] as number[];
    return {
      format,
      segments: seg,
      indices: idx,
      segmentsType: indexType(r, seg[seg.length - 1] as number),
      indicesType: indexType(r, size - 1),
    };
  });
  return { sparsity: { traversalOrder: traversal, blockMap: spec.blockMap, dimMetadata }, values };
}

/** A dense shape, its storage spec, and the dense contents (block-structured zeros when blocked). */
function drawSparse(r: Rng, rank: number, fixedShape?: number[]): { shape: number[]; spec: SparseSpec; nonzero: boolean[] } {
  const shape = fixedShape ? [...fixedShape] : r.shape(rank, rank >= 3 ? 6 : 9);
  const blockMap: number[] = [];
  const blockSize: number[] = [];
  if (rank > 0 && r.bool(0.45)) {
    // The converter's block patterns: 4x1 / 1x4 (or 2, 8, 16 wide) on one dim, sometimes two.
    const dims = rank === 1 ? [0] : r.bool(0.25) ? [rank - 2, rank - 1] : [r.pick([0, rank - 1])];
    for (const d of dims) {
      const bs = r.pick([4, 4, 2, 8, 1, 16].filter((b) => b <= Math.max(4, r.size * 2)));
      if (!fixedShape) shape[d] = bs * r.int(1, Math.max(1, Math.min(4, Math.floor(16 / bs))));
      if ((shape[d] as number) % bs !== 0) continue;
      blockMap.push(d);
      blockSize.push(bs);
    }
  }
  // Mostly the converter's identity order; sometimes a permutation of the original dims.
  const order = Array.from({ length: rank }, (_, i) => i);
  if (r.bool(0.3)) {
    for (let i = rank - 1; i > 0; i--) {
      const j = r.int(0, i);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
  }
  // The converter writes [dense, ..., sparse_csr] (e.g. FC weights: dense rows, CSR columns); draw any mix.
  const formats = order.map((_, level) =>
    r.bool(0.3) ? ('dense' as const) : level === rank - 1 || r.bool(0.5) ? ('sparse_csr' as const) : ('dense' as const),
  );
  const spec: SparseSpec = { order, formats, blockMap, blockSize, keepZero: r.pick([0, 0, 0.1]) };
  // Nonzero pattern: whole blocks zero (block sparsity), else element density.
  const n = numel(shape);
  const density = r.pick([0.1, 0.3, 0.5, 0.8, 1]);
  const strides = shape.map((_, i) => numel(shape.slice(i + 1)));
  const blockKeep = new Map<string, boolean>();
  const nonzero = Array.from({ length: n }, (_, f) => {
    if (blockMap.length === 0) return r.bool(density);
    const key = shape.map((_, d) => {
      const idx = Math.floor(f / (strides[d] as number)) % (shape[d] as number);
      const b = blockMap.indexOf(d);
      return b < 0 ? idx : Math.floor(idx / (blockSize[b] as number));
    });
    const id = key.join(',');
    if (!blockKeep.has(id)) blockKeep.set(id, r.bool(density));
    return (blockKeep.get(id) as boolean) && r.bool(0.9);
  });
  // At least one stored value: an empty buffer makes the constant a non-constant for TFLite.
  if (!nonzero.some(Boolean)) nonzero[r.int(0, n - 1)] = true;
  return { shape, spec, nonzero };
}

/** Nonzero values of `dtype` (float16: the bit patterns). */
function nonzeroValue(r: Rng, dtype: DType): number {
  if (dtype === 'int8') return r.pick([-128, 127, r.int(-128, -1), r.int(1, 127)]);
  const v = Math.fround(r.bool(0.5) ? r.uniform(0.01, 3) : -r.uniform(0.01, 3));
  return dtype === 'float16' ? floatToHalf(v) : v;
}

/**
 * DENSIFY of a sparse constant, and its float result consumed by FULLY_CONNECTED (rank 2: the
 * sparse FC weights of real models) or ADD. The consumer is needed: both runtimes' XNNPACK unpack a
 * sparse constant statically for the nodes it takes, and a DENSIFY whose output is a graph output
 * fails there (tfjs-tflite: "failed to setup XNNPACK runtime"; LiteRT.js: the output is never
 * written). int8 and float16 values go through DEQUANTIZE first, as converters write float16 weights.
 */
function densify(dtype: 'float32' | 'int8' | 'float16'): OpFuzzer {
  return {
    op: 'DENSIFY',
    dtypes: dtype === 'float32' ? dtype : `${dtype} -> DEQUANTIZE`,
    // DENSIFY itself is exact (a misplaced value is off by O(1)); the FULLY_CONNECTED behind it sums
    // in XNNPACK's order, and rows of few stored values can cancel (1.3e-5 of the output's range seen).
    floatTolerance: 1e-4,
    note: 'exact densify; the tolerance covers the FULLY_CONNECTED consumer summing in another order',
    make(r) {
      const g = new GraphBuilder();
      // float16 weights -> FULLY_CONNECTED: LiteRT.js's result is garbage (off by up to 1e5 on
      // dense-stored [1, 3] weights; tfjs-tflite and we agree), so float16 feeds ADD only.
      const fc = dtype !== 'float16' && r.bool(0.5);
      const rank = fc ? 2 : r.rank(1, 4);
      const { shape, spec, nonzero } = drawSparse(r, rank);
      const dense = nonzero.map((nz) => (nz ? nonzeroValue(r, dtype) : 0));
      const { sparsity, values } = sparsify(r, dense, shape, spec);
      const quant: FuzzQuant | undefined = dtype === 'int8' ? { scale: [r.scale(-2, 0)], zeroPoint: [0] } : undefined;
      const w = g.tensor({ dtype, shape, data: values, sparsity, ...(quant ? { quant } : {}) });
      let d = g.activation(dtype, [...shape], quant);
      g.node('DENSIFY', [w], [d]);
      if (dtype !== 'float32') {
        const f = g.activation('float32', [...shape]);
        g.node('DEQUANTIZE', [d], [f], undefined, dtype === 'float16' ? 3 : 2);
        d = f;
      }
      if (fc) {
        const [out, inner] = shape as [number, number];
        const batch = r.int(1, 3);
        const x = g.input('float32', [batch, inner], { range: [-2, 2] });
        const b = r.bool() ? g.constant('float32', [out], r.floats(out, -1, 1)) : -1;
        const y = g.output('float32', [batch, out]);
        g.node('FULLY_CONNECTED', [x, d, b], [y], { type: 'FullyConnectedOptions', values: { fusedActivationFunction: 0 } });
      } else {
        const x = g.input('float32', [...shape], { range: [-2, 2] });
        const y = g.output('float32', [...shape]);
        g.node('ADD', [x, d], [y], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
      }
      return g.graph;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TFLite_Detection_PostProcess

interface DetectionOpts {
  maxDetections: number;
  maxClassesPerDetection: number;
  detectionsPerClass?: number;
  useRegularNms?: boolean;
  scoreThreshold: number;
  iouThreshold: number;
  numClasses: number;
  scales: [number, number, number, number];
}

/** The FlexBuffer map TFLite's Init reads (keys sorted, as flexbuffers maps require). */
function detectionOptions(r: Rng, o: DetectionOpts): Uint8Array {
  const b = flexBuilder();
  const float = (v: number) => (Number.isInteger(v) && r.bool(0.3) ? b.addInt(v) : b.addFloat(v));
  const entries: [keyof DetectionFlexOptions, () => void][] = [
    ['max_detections', () => b.addInt(o.maxDetections)],
    ['max_classes_per_detection', () => b.addInt(o.maxClassesPerDetection)],
    ['nms_score_threshold', () => float(o.scoreThreshold)],
    ['nms_iou_threshold', () => float(o.iouThreshold)],
    ['num_classes', () => b.addInt(o.numClasses)],
    ['y_scale', () => float(o.scales[0])],
    ['x_scale', () => float(o.scales[1])],
    ['h_scale', () => float(o.scales[2])],
    ['w_scale', () => float(o.scales[3])],
  ];
  if (o.detectionsPerClass !== undefined) entries.push(['detections_per_class', () => b.addInt(o.detectionsPerClass as number)]);
  if (o.useRegularNms !== undefined) {
    // The exporter writes a bool; TFLite's AsBool also reads an int.
    const v = o.useRegularNms;
    entries.push(['use_regular_nms', () => (r.bool(0.7) ? b.add(v) : b.addInt(v ? 1 : 0))]);
  }
  entries.sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
  b.startMap(true);
  for (const [key, add] of entries) {
    b.addKey(key);
    add();
  }
  b.end();
  return b.finish();
}

type DetectionScheme = 'float32' | 'uint8' | 'float32 boxes, uint8 scores';

/** Uint8 quantization whose range covers [lo, hi]. */
function coverQuant(lo: number, hi: number): FuzzQuant {
  const scale = Math.fround((hi - lo) / 255);
  return { scale: [scale], zeroPoint: [Math.min(255, Math.max(0, Math.round(-lo / scale)))] };
}

function detectionPostProcess(scheme: DetectionScheme): OpFuzzer {
  return {
    op: 'CUSTOM:TFLite_Detection_PostProcess',
    dtypes: scheme,
    ...(scheme === 'float32'
      ? {}
      : {
          note: "regular NMS on tied uint8 scores: tfjs-tflite's TFLite puts the later class first, LiteRT.js's newer one merges stably; we follow tfjs-tflite (the reference)",
        }),
    make(r) {
      const g = new GraphBuilder();
      // Now and then model-sized: many anchors and classes (long sorts, many suppressions).
      const big = r.size >= 9 && r.bool(0.15);
      const numBoxes = big ? r.int(40, 150) : r.int(1, Math.max(1, Math.min(24, r.size * 3)));
      const numClasses = big ? r.int(6, 30) : r.int(1, Math.max(1, Math.min(6, r.size)));
      const labelOffset = r.pick([0, 1]);
      const boxStride = r.bool(0.8) ? 4 : 4 + 2 * r.int(1, 3); // keypoint models carry more values per box
      const regular = r.bool();
      const o: DetectionOpts = {
        maxDetections: big ? r.int(5, 40) : r.int(1, Math.max(1, Math.min(12, r.size + 2))),
        // Regular NMS fills max_detections rows only: more classes per detection would leave rows unwritten.
        maxClassesPerDetection: regular ? 1 : r.pick([1, 1, 2, 3, big ? 8 : 1]),
        scoreThreshold: Math.fround(r.pick([0, 1e-8, r.uniform(0, 0.6), r.uniform(0, 0.6), -1])),
        iouThreshold: Math.fround(r.pick([0.5, 0.6, 1, r.uniform(0.05, 0.95), r.uniform(0.05, 0.95)])),
        numClasses,
        scales: r.bool(0.6) ? [10, 10, 5, 5] : ([0, 0, 0, 0].map(() => Math.fround(r.uniform(0.5, 12))) as DetectionOpts['scales']),
      };
      if (regular || r.bool(0.5)) o.useRegularNms = regular;
      if (r.bool(0.7)) o.detectionsPerClass = r.int(1, big ? 40 : 10);

      // Anchors in a few clusters, so that decoded boxes overlap and NMS suppresses some.
      const clusters = Array.from({ length: r.int(1, 4) }, () => [r.uniform(0.1, 0.9), r.uniform(0.1, 0.9)]);
      const anchors: number[] = [];
      for (let i = 0; i < numBoxes; i++) {
        const [cy, cx] = r.pick(clusters) as [number, number];
        // Now and then a zero-size anchor: a degenerate box (IoU 0 with everything, still valid).
        const size = () => (r.bool(0.04) ? 0 : r.uniform(0.05, 0.6));
        anchors.push(cy + r.uniform(-0.08, 0.08), cx + r.uniform(-0.08, 0.08), size(), size());
      }
      const encodings: number[] = [];
      for (let i = 0; i < numBoxes; i++) {
        encodings.push(r.uniform(-3, 3), r.uniform(-3, 3), r.uniform(-2, 2), r.uniform(-2, 2));
        for (let j = 4; j < boxStride; j++) encodings.push(r.uniform(-3, 3));
      }
      const cwb = numClasses + labelOffset;
      // Float scores: random float32 values, so exact ties (whose order TFLite leaves to its sorts) are rare.
      const logits = r.bool(0.3);
      const scores = Array.from({ length: numBoxes * cwb }, () => (logits ? r.uniform(-3, 3) : r.uniform(0, 1)));

      const boxShape = [1, numBoxes, boxStride];
      const scoreShape = [1, numBoxes, cwb];
      const inputs: number[] = [];
      const { boxEncodings, classPredictions, anchors: anchorSlot } = DETECTION_INPUTS;
      if (scheme === 'uint8') {
        const bq = coverQuant(-3, 3);
        const aq = coverQuant(0, 1.05);
        const quantize = (v: number, q: FuzzQuant, min = 0) =>
          Math.min(255, Math.max(min, Math.round(v / (q.scale[0] as number)) + (q.zeroPoint[0] as number)));
        // Anchor sizes stay at least one step above the zero point: decoded boxes must not invert.
        const aData = anchors.map((v, i) => quantize(Math.max(0, v), aq, i % 4 >= 2 ? (aq.zeroPoint[0] as number) + 1 : 0));
        inputs[boxEncodings] = g.input('uint8', boxShape, { quant: bq, data: encodings.map((v) => quantize(v, bq)) });
        inputs[anchorSlot] = g.constant('uint8', [numBoxes, 4], aData, aq);
      } else {
        inputs[boxEncodings] = g.input('float32', boxShape, { data: encodings.map(Math.fround) });
        inputs[anchorSlot] = g.constant('float32', [numBoxes, 4], anchors.map(Math.fround));
      }
      if (scheme === 'float32') {
        inputs[classPredictions] = g.input('float32', scoreShape, { data: scores.map(Math.fround) });
      } else {
        // uint8 scores tie often: TFLite's sorts are stable (NMS) or libc++'s partial_sort, which we follow.
        const sq: FuzzQuant = logits ? coverQuant(-3, 3) : { scale: [1 / 256], zeroPoint: [0] };
        const data = scores.map((v) => Math.min(255, Math.max(0, Math.round(v / (sq.scale[0] as number)) + (sq.zeroPoint[0] as number))));
        inputs[classPredictions] = g.input('uint8', scoreShape, { quant: sq, data });
      }
      const rows = o.maxDetections * o.maxClassesPerDetection;
      const shapes = [[1, rows, 4], [1, rows], [1, rows], [1]];
      // Fast NMS leaves the slots past num_detections (and the classes past num_classes in each
      // row) unwritten: TFLite's hold whatever the arena held. Those slots are masked to 0 behind
      // the op; regular NMS (one class per detection) writes every slot, so its outputs stay raw.
      const outs = regular ? shapes.map((s) => g.output('float32', s)) : shapes.map((s) => g.activation('float32', s));
      g.node('CUSTOM:TFLite_Detection_PostProcess', inputs, outs, undefined, 1, {
        customOptions: detectionOptions(r, o),
      });
      if (!regular) maskUnwritten(g, outs, o.maxClassesPerDetection, Math.min(o.maxClassesPerDetection, numClasses));
      return g.graph;
    },
  };
}

/**
 * Graph outputs equal to the detection outputs `outs` where the slot was written (slot s = row * m
 * + col, written when row < num_detections and col < categories), 0 elsewhere: a key per slot
 * (its row, or past every row), RELU(num_detections - key) cast to bool, SELECT_V2.
 */
function maskUnwritten(g: GraphBuilder, outs: number[], m: number, categories: number): void {
  const [boxes, classes, scores, count] = outs as [number, number, number, number];
  const rows = g.graph.tensors[classes]?.shape[1] as number;
  const key = g.constant(
    'float32',
    [1, rows, 1],
    Array.from({ length: rows }, (_, s) => (s % m < categories ? Math.floor(s / m) : rows)),
  );
  const live = g.activation('float32', [1, rows, 1]);
  g.node('SUB', [count, key], [live], { type: 'SubOptions', values: { fusedActivationFunction: 1 } });
  const mask3 = g.activation('bool', [1, rows, 1]);
  g.node('CAST', [live], [mask3], { type: 'CastOptions', values: { inDataType: 0, outDataType: 6 } });
  const mask2 = g.activation('bool', [1, rows]);
  g.node('RESHAPE', [mask3, g.constant('int32', [2], [1, rows])], [mask2], { type: 'ReshapeOptions', values: { newShape: [1, rows] } });
  const zero = g.constant('float32', [1], [0]);
  for (const [t, mask, shape] of [
    [boxes, mask3, [1, rows, 4]],
    [classes, mask2, [1, rows]],
    [scores, mask2, [1, rows]],
  ] as const) {
    const y = g.output('float32', [...shape]);
    g.node('SELECT_V2', [mask, t, zero], [y], { type: 'SelectV2Options', values: {} });
  }
  g.graph.outputs.push(count);
}

export const sparseDetectionFuzzers: OpFuzzer[] = [
  densify('float32'),
  densify('int8'),
  densify('float16'),
  detectionPostProcess('float32'),
  detectionPostProcess('uint8'),
  detectionPostProcess('float32 boxes, uint8 scores'),
];

// CUSTOM:TFLite_Detection_PostProcess (tensorflow/lite/kernels/detection_postprocess.cc): decodes
// SSD box encodings against anchors (center-size -> corners), then non-max suppression, either
// the fast multi-class variant (each anchor ranked by its best class) or the regular one (NMS per
// class, merged). Inputs: box encodings [1, N, >=4], class scores [1, N, C], anchors [N, 4], as
// float32 or uint8 (dequantized as TFLite does, in float32). Outputs, all float32 and sized by
// max_detections: boxes [1, D, 4], classes [1, D], scores [1, D], num_detections [1].
// Options come as a FlexBuffer map in the operator's custom options.
import { toObject } from 'flatbuffers/mjs/flexbuffers.js';
import { f32 } from '../quant/index.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { tensorScale, tensorZeroPoint } from './tensor_data.js';

/** TFLite's default when the options omit detections_per_class. */
const DEFAULT_DETECTIONS_PER_CLASS = 100;

export interface DetectionOptions {
  maxDetections: number;
  maxClassesPerDetection: number;
  detectionsPerClass: number;
  useRegularNms: boolean;
  scoreThreshold: number;
  iouThreshold: number;
  numClasses: number;
  yScale: number;
  xScale: number;
  hScale: number;
  wScale: number;
}

/** Reads the FlexBuffer options map (missing numbers read as 0, as flexbuffers' AsInt32/AsFloat do). */
export function parseDetectionOptions(bytes: Uint8Array): DetectionOptions {
  const copy = bytes.slice();
  const map = toObject(copy.buffer) as Record<string, unknown> | null;
  if (!map || typeof map !== 'object') throw new Error('the custom options are not a FlexBuffer map');
  const num = (key: string): number => {
    const v = map[key];
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return Number(v);
    return 0;
  };
  const int = (key: string) => Math.trunc(num(key)) | 0;
  const has = (key: string) => map[key] !== undefined && map[key] !== null;
  return {
    maxDetections: int('max_detections'),
    maxClassesPerDetection: int('max_classes_per_detection'),
    detectionsPerClass: has('detections_per_class') ? int('detections_per_class') : DEFAULT_DETECTIONS_PER_CLASS,
    useRegularNms: has('use_regular_nms') ? num('use_regular_nms') !== 0 : false,
    scoreThreshold: f32(num('nms_score_threshold')),
    iouThreshold: f32(num('nms_iou_threshold')),
    numClasses: int('num_classes'),
    yScale: f32(num('y_scale')),
    xScale: f32(num('x_scale')),
    hScale: f32(num('h_scale')),
    wScale: f32(num('w_scale')),
  };
}

interface DetectionParams extends DetectionOptions {
  numBoxes: number;
  boxStride: number;
  classesWithBackground: number;
  labelOffset: number;
  /** Corners (ymin, xmin, ymax, xmax) per anchor. */
  decoded: Float32Array;
  /** Dequantized class scores (uint8 input), else null (the input is read directly). */
  scores: Float32Array | null;
  /** Per-anchor best class (fast NMS), scratch. */
  maxScores: Float32Array;
  sortedClasses: Int32Array;
  /** One class's scores over all anchors (regular NMS), scratch. */
  classScores: Float32Array;
}

function requireFloatOrUint8(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'uint8') fail(ctx, `${what} must be float32 or uint8, got ${t.dtype}`);
}

export const detectionPostProcess: Kernel<DetectionParams> = {
  prepare(ctx) {
    if (ctx.inputs.length !== 3) fail(ctx, `expects 3 inputs, got ${ctx.inputs.length}`);
    if (ctx.outputs.length !== 4) fail(ctx, `expects 4 outputs, got ${ctx.outputs.length}`);
    if (!ctx.op.customOptions) fail(ctx, 'the custom options (a FlexBuffer map) are missing');
    let options: DetectionOptions;
    try {
      options = parseDetectionOptions(ctx.op.customOptions);
    } catch (e) {
      fail(ctx, `cannot read the custom options: ${e instanceof Error ? e.message : String(e)}`);
    }
    const boxes = input(ctx, 0);
    const classes = input(ctx, 1);
    const anchors = input(ctx, 2);
    requireFloatOrUint8(ctx, boxes, 'the box encodings');
    requireFloatOrUint8(ctx, classes, 'the class predictions');
    requireFloatOrUint8(ctx, anchors, 'the anchors');
    // TFLite reads the anchors with the box encodings' type.
    if (anchors.dtype !== boxes.dtype) fail(ctx, `the anchors (${anchors.dtype}) must have the box encodings' type (${boxes.dtype})`);
    if (boxes.shape.length !== 3) fail(ctx, `the box encodings must be 3-D, got [${boxes.shape}]`);
    if (classes.shape.length !== 3) fail(ctx, `the class predictions must be 3-D, got [${classes.shape}]`);
    if (anchors.shape.length !== 2) fail(ctx, `the anchors must be 2-D, got [${anchors.shape}]`);
    const [batch, numBoxes, boxStride] = boxes.shape as [number, number, number];
    if (batch !== 1 || classes.shape[0] !== 1) fail(ctx, 'only batch size 1 is supported (as in TFLite)');
    if (boxStride < 4) fail(ctx, `box encodings need at least 4 values per box, got ${boxStride}`);
    if (classes.shape[1] !== numBoxes) fail(ctx, `class predictions [${classes.shape}] do not match ${numBoxes} boxes`);
    if (anchors.shape[0] !== numBoxes || anchors.shape[1] !== 4)
      fail(ctx, `the anchors must have shape [${numBoxes}, 4], got [${anchors.shape}]`);
    const classesWithBackground = classes.shape[2] as number;
    const labelOffset = classesWithBackground - options.numClasses;
    if (labelOffset < 0 || labelOffset > 1) {
      fail(ctx, `num_classes ${options.numClasses} does not fit ${classesWithBackground} class scores (at most one background class)`);
    }
    if (options.maxDetections < 0) fail(ctx, `max_detections must be >= 0, got ${options.maxDetections}`);
    if (!(options.iouThreshold > 0 && options.iouThreshold <= 1))
      fail(ctx, `nms_iou_threshold must be in (0, 1], got ${options.iouThreshold}`);
    if (options.useRegularNms) {
      if (Math.min(options.detectionsPerClass, options.maxDetections) <= 0) fail(ctx, 'detections_per_class must be positive');
    } else if (options.maxClassesPerDetection <= 0) {
      fail(ctx, `max_classes_per_detection must be positive, got ${options.maxClassesPerDetection}`);
    }
    for (let i = 0; i < 4; i++) {
      if (output(ctx, i).dtype !== 'float32') fail(ctx, `output ${i} must be float32, got ${output(ctx, i).dtype}`);
    }
    const detected = options.maxDetections * options.maxClassesPerDetection;
    output(ctx, 0).shape = [1, detected, 4];
    output(ctx, 1).shape = [1, detected];
    output(ctx, 2).shape = [1, detected];
    output(ctx, 3).shape = [1];
    const categories = Math.max(0, Math.min(options.maxClassesPerDetection, options.numClasses));
    return {
      ...options,
      numBoxes,
      boxStride,
      classesWithBackground,
      labelOffset,
      decoded: new Float32Array(numBoxes * 4),
      scores: classes.dtype === 'uint8' ? new Float32Array(numBoxes * classesWithBackground) : null,
      maxScores: new Float32Array(numBoxes),
      classScores: new Float32Array(options.useRegularNms ? numBoxes : 0),
      sortedClasses: new Int32Array(numBoxes * Math.max(categories, 1)),
    };
  },
  eval(ctx, p) {
    decodeBoxes(ctx, p);
    const classes = input(ctx, 1);
    let scores: Float32Array;
    if (p.scores) {
      // optimized_ops::Dequantize: scale * (q - zero_point), in float32.
      const q = classes.data as Uint8Array;
      const scale = f32(tensorScale(classes));
      const zeroPoint = tensorZeroPoint(classes);
      scores = p.scores;
      for (let i = 0; i < scores.length; i++) scores[i] = scale * ((q[i] as number) - zeroPoint);
    } else {
      scores = classes.data as Float32Array;
    }
    const outBoxes = output(ctx, 0).data as Float32Array;
    const outClasses = output(ctx, 1).data as Float32Array;
    const outScores = output(ctx, 2).data as Float32Array;
    const outCount = output(ctx, 3).data as Float32Array;
    // TFLite leaves unused slots untouched; zero them so results do not depend on the arena.
    outBoxes.fill(0);
    outClasses.fill(0);
    outScores.fill(0);
    if (!validBoxes(p.decoded, p.numBoxes)) fail(ctx, 'a decoded box has ymin > ymax or xmin > xmax');
    if (p.useRegularNms) regularNms(p, scores, outBoxes, outClasses, outScores, outCount);
    else fastNms(p, scores, outBoxes, outClasses, outScores, outCount);
  },
};

/** DecodeCenterSizeBoxes: anchors and encodings (y, x, h, w) to corners, in double then float32. */
function decodeBoxes(ctx: NodeContext, p: DetectionParams): void {
  const boxes = input(ctx, 0);
  const anchors = input(ctx, 2);
  const quantized = boxes.dtype === 'uint8';
  const bq = boxes.data as Uint8Array | Float32Array;
  const aq = anchors.data as Uint8Array | Float32Array;
  const boxScale = f32(tensorScale(boxes));
  const boxZero = tensorZeroPoint(boxes);
  const anchorScale = f32(tensorScale(anchors));
  const anchorZero = tensorZeroPoint(anchors);
  // Dequantizer: (float(q) - zero_point) * scale, in float32.
  const box = (i: number) => (quantized ? f32(((bq[i] as number) - boxZero) * boxScale) : (bq[i] as number));
  const anchor = (i: number) => (quantized ? f32(((aq[i] as number) - anchorZero) * anchorScale) : (aq[i] as number));
  const { yScale, xScale, hScale, wScale, boxStride, decoded } = p;
  for (let idx = 0; idx < p.numBoxes; idx++) {
    const b = idx * boxStride;
    const a = idx * 4;
    const y = box(b);
    const x = box(b + 1);
    const h = box(b + 2);
    const w = box(b + 3);
    const ay = anchor(a);
    const ax = anchor(a + 1);
    const ah = anchor(a + 2);
    const aw = anchor(a + 3);
    const yCenter = f32((y / yScale) * ah + ay);
    const xCenter = f32((x / xScale) * aw + ax);
    const halfH = f32(0.5 * Math.exp(h / hScale) * ah);
    const halfW = f32(0.5 * Math.exp(w / wScale) * aw);
    decoded[a] = yCenter - halfH;
    decoded[a + 1] = xCenter - halfW;
    decoded[a + 2] = yCenter + halfH;
    decoded[a + 3] = xCenter + halfW;
  }
}

function validBoxes(decoded: Float32Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const a = i * 4;
    if ((decoded[a] as number) > (decoded[a + 2] as number) || (decoded[a + 1] as number) > (decoded[a + 3] as number)) return false;
  }
  return true;
}

/** ComputeIntersectionOverUnion, every step in float32. */
function iou(d: Float32Array, i: number, j: number): number {
  const a = i * 4;
  const b = j * 4;
  const areaI = f32(f32((d[a + 2] as number) - (d[a] as number)) * f32((d[a + 3] as number) - (d[a + 1] as number)));
  const areaJ = f32(f32((d[b + 2] as number) - (d[b] as number)) * f32((d[b + 3] as number) - (d[b + 1] as number)));
  if (areaI <= 0 || areaJ <= 0) return 0;
  const yMin = Math.max(d[a] as number, d[b] as number);
  const xMin = Math.max(d[a + 1] as number, d[b + 1] as number);
  const yMax = Math.min(d[a + 2] as number, d[b + 2] as number);
  const xMax = Math.min(d[a + 3] as number, d[b + 3] as number);
  const intersection = f32(Math.max(f32(yMax - yMin), 0) * Math.max(f32(xMax - xMin), 0));
  return f32(intersection / f32(f32(areaI + areaJ) - intersection));
}

/**
 * NonMaxSuppressionSingleClassHelper: keeps scores >= the threshold, visits them by decreasing
 * score (stable: ties in index order) and drops every later box overlapping a kept one by more
 * than the IoU threshold. Returns the kept box indices, at most maxDetections.
 */
function nmsSingleClass(p: DetectionParams, scores: ArrayLike<number>, count: number, maxDetections: number): number[] {
  const keep: number[] = [];
  for (let i = 0; i < count; i++) if ((scores[i] as number) >= p.scoreThreshold) keep.push(i);
  // Array.prototype.sort is stable, like the std::stable_sort TFLite uses.
  keep.sort((i, j) => (scores[j] as number) - (scores[i] as number));
  const outputSize = Math.min(keep.length, maxDetections);
  const selected: number[] = [];
  const active = new Uint8Array(keep.length).fill(1);
  let numActive = keep.length;
  for (let i = 0; i < keep.length; i++) {
    if (numActive === 0 || selected.length >= outputSize) break;
    if (active[i] !== 1) continue;
    const boxI = keep[i] as number;
    selected.push(boxI);
    active[i] = 0;
    numActive--;
    for (let j = i + 1; j < keep.length; j++) {
      if (active[j] === 1 && iou(p.decoded, boxI, keep[j] as number) > p.iouThreshold) {
        active[j] = 0;
        numActive--;
      }
    }
  }
  return selected;
}

/** NonMaxSuppressionMultiClassFastHelper: NMS on each anchor's best class score. */
function fastNms(
  p: DetectionParams,
  scores: Float32Array,
  outBoxes: Float32Array,
  outClasses: Float32Array,
  outScores: Float32Array,
  outCount: Float32Array,
): void {
  const { numBoxes, numClasses, classesWithBackground, labelOffset, maxScores, sortedClasses } = p;
  const perAnchor = Math.min(p.maxClassesPerDetection, numClasses);
  const order = new Array<number>(numClasses);
  for (let row = 0; row < numBoxes; row++) {
    const base = row * classesWithBackground + labelOffset;
    const out = row * perAnchor;
    if (perAnchor === 1) {
      // ArgMaxVector: the first maximum.
      let best = 0;
      let bestValue = scores[base] as number;
      for (let c = 1; c < numClasses; c++) {
        const v = scores[base + c] as number;
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      sortedClasses[out] = best;
    } else {
      for (let c = 0; c < numClasses; c++) order[c] = c;
      libcxxPartialSort(order, perAnchor, (i, j) => (scores[base + i] as number) > (scores[base + j] as number));
      for (let c = 0; c < perAnchor; c++) sortedClasses[out + c] = order[c] as number;
    }
    maxScores[row] = scores[base + (sortedClasses[out] as number)] as number;
  }
  const selected = nmsSingleClass(p, maxScores, numBoxes, p.maxDetections);
  let outIndex = 0;
  for (const anchor of selected) {
    const base = anchor * classesWithBackground + labelOffset;
    for (let col = 0; col < perAnchor; col++) {
      const slot = p.maxClassesPerDetection * outIndex + col;
      const cls = sortedClasses[anchor * perAnchor + col] as number;
      outBoxes.set(p.decoded.subarray(anchor * 4, anchor * 4 + 4), slot * 4);
      outClasses[slot] = cls;
      outScores[slot] = scores[base + cls] as number;
    }
    outIndex++;
  }
  outCount[0] = outIndex;
}

/**
 * Regular NMS: when a class's picks are merged into the running list, equal scores put the new
 * (later) class first. That is what the TFLite build of the oracle (tfjs-tflite) does, checked on
 * the SSD model's real inputs; current TFLite merges with a stable std::inplace_merge (earlier
 * classes first). Set to false for that order.
 */
const NEW_CLASS_FIRST_ON_TIES = true;

/**
 * NonMaxSuppressionMultiClassRegularHelper (single-threaded): NMS per class, each class's picks
 * merged into one list sorted by score, cut to max_detections after each class.
 */
function regularNms(
  p: DetectionParams,
  scores: Float32Array,
  outBoxes: Float32Array,
  outClasses: Float32Array,
  outScores: Float32Array,
  outCount: Float32Array,
): void {
  const { numBoxes, numClasses, classesWithBackground, labelOffset, maxDetections } = p;
  const perClass = Math.min(p.detectionsPerClass, maxDetections);
  const classScores = p.classScores;
  let merged: { index: number; score: number }[] = [];
  for (let col = 0; col < numClasses; col++) {
    for (let row = 0; row < numBoxes; row++) classScores[row] = scores[row * classesWithBackground + col + labelOffset] as number;
    const selected = nmsSingleClass(p, classScores, numBoxes, perClass);
    if (selected.length === 0) continue;
    const fresh = selected.map((box) => ({ score: classScores[box] as number, index: box * classesWithBackground + col + labelOffset }));
    merged = mergeByScore(merged, fresh).slice(0, maxDetections);
  }
  for (let i = 0; i < merged.length; i++) {
    const { index, score } = merged[i] as { index: number; score: number };
    const anchor = Math.floor(index / classesWithBackground);
    outBoxes.set(p.decoded.subarray(anchor * 4, anchor * 4 + 4), i * 4);
    outClasses[i] = index - anchor * classesWithBackground - labelOffset;
    outScores[i] = score;
  }
  outCount[0] = merged.length;
}

/** Merges two lists sorted by decreasing score (the running list `a`, a new class's picks `b`). */
function mergeByScore<T extends { score: number }>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const sb = (b[j] as T).score;
    const sa = (a[i] as T).score;
    if (sb > sa || (NEW_CLASS_FIRST_ON_TIES && sb === sa)) out.push(b[j++] as T);
    else out.push(a[i++] as T);
  }
  while (i < a.length) out.push(a[i++] as T);
  while (j < b.length) out.push(b[j++] as T);
  return out;
}

/**
 * libc++'s std::partial_sort(first, first + k, last, comp) on an index array: a heap of the first
 * k elements, the rest sifted through it, then sort_heap (pop_heap with Floyd's sift-down and a
 * sift-up). TFLite sorts with it where it does not ask for a stable order, so the order of equal
 * scores is libc++'s; reproducing it keeps ties bit-exact with the TFLite build of the oracle.
 * `less(a, b)` is the comparator (true when a must come before b).
 */
export function libcxxPartialSort(items: number[], k: number, less: (a: number, b: number) => boolean): void {
  const n = items.length;
  if (k <= 0) return;
  const siftDown = (len: number, start: number): void => {
    let child = start;
    if (len < 2 || Math.floor((len - 2) / 2) < child) return;
    child = 2 * child + 1;
    if (child + 1 < len && less(items[child] as number, items[child + 1] as number)) child++;
    if (less(items[child] as number, items[start] as number)) return;
    const top = items[start] as number;
    let hole = start;
    do {
      items[hole] = items[child] as number;
      hole = child;
      if (Math.floor((len - 2) / 2) < child) break;
      child = 2 * child + 1;
      if (child + 1 < len && less(items[child] as number, items[child + 1] as number)) child++;
    } while (!less(items[child] as number, top));
    items[hole] = top;
  };
  // make_heap over [0, k)
  if (k > 1) for (let start = Math.floor((k - 2) / 2); start >= 0; start--) siftDown(k, start);
  for (let i = k; i < n; i++) {
    if (less(items[i] as number, items[0] as number)) {
      const t = items[i] as number;
      items[i] = items[0] as number;
      items[0] = t;
      siftDown(k, 0);
    }
  }
  // sort_heap over [0, k)
  for (let len = k; len > 1; len--) {
    const top = items[0] as number;
    // Floyd's sift-down: move the larger child up until a leaf.
    let hole = 0;
    let child = 0;
    for (;;) {
      child = 2 * child + 1;
      if (child + 1 < len && less(items[child] as number, items[child + 1] as number)) child++;
      items[hole] = items[child] as number;
      hole = child;
      if (child > Math.floor((len - 2) / 2)) break;
    }
    const last = len - 1;
    if (hole === last) {
      items[hole] = top;
    } else {
      items[hole] = items[last] as number;
      items[last] = top;
      // sift_up the element now at `hole`.
      const holeLen = hole + 1;
      if (holeLen > 1) {
        let parentLen = Math.floor((holeLen - 2) / 2);
        let pos = hole;
        if (less(items[parentLen] as number, items[pos] as number)) {
          const t = items[pos] as number;
          do {
            items[pos] = items[parentLen] as number;
            pos = parentLen;
            if (parentLen === 0) break;
            parentLen = Math.floor((parentLen - 1) / 2);
          } while (less(items[parentLen] as number, t));
          items[pos] = t;
        }
      }
    }
  }
}

// Non-max suppression of CUSTOM:TFLite_Detection_PostProcess (tensorflow/lite/kernels/
// detection_postprocess.cc): the fast multi-class variant (each anchor ranked by its best class)
// and the regular one (NMS per class, merged), on boxes already decoded to corners, with TFLite's
// float32 IoU and its sorts' order on ties.
import { f32 } from '../quant/index.js';

/** What the suppression reads: the options, the decoded boxes and scratch sized by Prepare. */
export interface NmsParams {
  numBoxes: number;
  numClasses: number;
  classesWithBackground: number;
  labelOffset: number;
  maxDetections: number;
  maxClassesPerDetection: number;
  detectionsPerClass: number;
  scoreThreshold: number;
  iouThreshold: number;
  /** Corners (ymin, xmin, ymax, xmax) per anchor. */
  decoded: Float32Array;
  /** Per-anchor best class (fast NMS), scratch. */
  maxScores: Float32Array;
  sortedClasses: Int32Array;
  /** One class's scores over all anchors (regular NMS), scratch. */
  classScores: Float32Array;
}

/** The four outputs: boxes [D, 4], classes [D], scores [D], num_detections [1]. */
export interface DetectionOutputs {
  boxes: Float32Array;
  classes: Float32Array;
  scores: Float32Array;
  count: Float32Array;
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
function nmsSingleClass(p: NmsParams, scores: ArrayLike<number>, count: number, maxDetections: number): number[] {
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
export function fastNms(p: NmsParams, scores: Float32Array, out: DetectionOutputs): void {
  const { numBoxes, numClasses, classesWithBackground, labelOffset, maxScores, sortedClasses } = p;
  const perAnchor = Math.min(p.maxClassesPerDetection, numClasses);
  const order = new Array<number>(numClasses);
  for (let row = 0; row < numBoxes; row++) {
    const base = row * classesWithBackground + labelOffset;
    const first = row * perAnchor;
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
      sortedClasses[first] = best;
    } else {
      for (let c = 0; c < numClasses; c++) order[c] = c;
      libcxxPartialSort(order, perAnchor, (i, j) => (scores[base + i] as number) > (scores[base + j] as number));
      for (let c = 0; c < perAnchor; c++) sortedClasses[first + c] = order[c] as number;
    }
    maxScores[row] = scores[base + (sortedClasses[first] as number)] as number;
  }
  const selected = nmsSingleClass(p, maxScores, numBoxes, p.maxDetections);
  let outIndex = 0;
  for (const anchor of selected) {
    const base = anchor * classesWithBackground + labelOffset;
    for (let col = 0; col < perAnchor; col++) {
      const slot = p.maxClassesPerDetection * outIndex + col;
      const cls = sortedClasses[anchor * perAnchor + col] as number;
      out.boxes.set(p.decoded.subarray(anchor * 4, anchor * 4 + 4), slot * 4);
      out.classes[slot] = cls;
      out.scores[slot] = scores[base + cls] as number;
    }
    outIndex++;
  }
  out.count[0] = outIndex;
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
export function regularNms(p: NmsParams, scores: Float32Array, out: DetectionOutputs): void {
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
    out.boxes.set(p.decoded.subarray(anchor * 4, anchor * 4 + 4), i * 4);
    out.classes[i] = index - anchor * classesWithBackground - labelOffset;
    out.scores[i] = score;
  }
  out.count[0] = merged.length;
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

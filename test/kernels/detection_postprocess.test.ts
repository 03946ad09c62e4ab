// CUSTOM:TFLite_Detection_PostProcess: FlexBuffer options, box decoding, the fast and regular NMS
// paths with TFLite's tie orders, uint8 dequantization, output sizes and bad nodes. Expected values
// are worked out by hand from detection_postprocess.cc.
import { encode } from 'flatbuffers/mjs/flexbuffers.js';
import { describe, expect, test } from 'vitest';
import { parseDetectionOptions } from '../../src/kernels/detection_postprocess.js';
import type { Quantization } from '../../src/model/types.js';
import { runOp } from '../support/run_op.js';

const f32 = Math.fround;

/** Anchors as (y, x, h, w): a0 and a1 overlap (IoU 0.905), a2 and a3 stand apart. */
const ANCHORS = [0.5, 0.5, 1, 1, 0.55, 0.5, 1, 1, 0.5, 2, 1, 1, 2, 2, 1, 1];
/** Decoded corners (ymin, xmin, ymax, xmax) with zero encodings: center -+ half size, in float32. */
const CORNERS = [0, 1, 2, 3].map((a) => {
  const [y, x, h, w] = ANCHORS.slice(a * 4, a * 4 + 4).map(f32) as [number, number, number, number];
  return [f32(y - h / 2), f32(x - w / 2), f32(y + h / 2), f32(x + w / 2)];
});
/** Per anchor: background, class 0, class 1. */
const SCORES = [0, 0.9, 0.1, 0, 0.8, 0.85, 0, 0.3, 0.2, 0, 0.05, 0.3];

const BASE_OPTIONS = {
  max_detections: 3,
  max_classes_per_detection: 1,
  nms_score_threshold: 0,
  nms_iou_threshold: 0.5,
  num_classes: 2,
  y_scale: 10,
  x_scale: 10,
  h_scale: 5,
  w_scale: 5,
};

function run(
  options: Record<string, number | boolean>,
  boxes: number[] = new Array(16).fill(0),
  scores: number[] = SCORES,
  quant?: { boxes: Quantization; scores: Quantization; anchors: Quantization; anchorData: number[] },
) {
  const dtype = quant ? 'uint8' : 'float32';
  return runOp({
    op: 'CUSTOM:TFLite_Detection_PostProcess',
    customOptions: encode(options),
    inputs: [
      { dtype, shape: [1, 4, 4], data: boxes, quantization: quant?.boxes },
      { dtype, shape: [1, 4, 3], data: scores, quantization: quant?.scores },
      { dtype, shape: [4, 4], data: quant ? quant.anchorData : ANCHORS, constant: true, quantization: quant?.anchors },
    ],
    outputs: [{ dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }],
  });
}

const corners = (...anchors: number[]) => anchors.flatMap((a) => CORNERS[a] as number[]);

describe('TFLite_Detection_PostProcess options', () => {
  test('reads the FlexBuffer map, with TFLite defaults for the optional keys', () => {
    const o = parseDetectionOptions(encode(BASE_OPTIONS));
    expect(o).toMatchObject({ maxDetections: 3, maxClassesPerDetection: 1, numClasses: 2, iouThreshold: 0.5, yScale: 10, hScale: 5 });
    expect(o.detectionsPerClass).toBe(100);
    expect(o.useRegularNms).toBe(false);
  });

  test('reads 64-bit integers and doubles', () => {
    // A double that float32 cannot hold widens the whole map to 8-byte values.
    const o = parseDetectionOptions(encode({ ...BASE_OPTIONS, nms_score_threshold: 0.3, use_regular_nms: true, detections_per_class: 7 }));
    expect(o).toMatchObject({ maxDetections: 3, numClasses: 2, detectionsPerClass: 7, useRegularNms: true, scoreThreshold: f32(0.3) });
  });
});

describe('TFLite_Detection_PostProcess', () => {
  test('output shapes follow max_detections * max_classes_per_detection', () => {
    const out = run({ ...BASE_OPTIONS, max_detections: 2, max_classes_per_detection: 2 });
    expect(out.map((o) => o.shape)).toEqual([[1, 4, 4], [1, 4], [1, 4], [1]]);
  });

  test('decodes center-size encodings against the anchors', () => {
    // Anchor 0 with y = 1 (+0.1 * h), x = -2 (-0.2 * w), h = w = 5 ln 2 (exp -> 2: half size 1).
    const enc = new Array(16).fill(0);
    enc.splice(0, 4, 1, -2, 5 * Math.LN2, 5 * Math.LN2);
    const [boxes] = run({ ...BASE_OPTIONS, max_detections: 1 }, enc);
    const [ymin, xmin, ymax, xmax] = Array.from(boxes?.data as Float32Array);
    expect(ymin).toBeCloseTo(0.6 - 1, 6);
    expect(xmin).toBeCloseTo(0.3 - 1, 6);
    expect(ymax).toBeCloseTo(0.6 + 1, 6);
    expect(xmax).toBeCloseTo(0.3 + 1, 6);
  });

  test('fast NMS: best class per anchor, overlaps suppressed, equal scores in anchor order', () => {
    // Best classes: a0 0.9 (c0), a1 0.85 (c1, suppressed by a0), a2 0.3 (c0), a3 0.3 (c1).
    const [boxes, classes, scores, count] = run(BASE_OPTIONS);
    expect(Array.from(boxes?.data as Float32Array)).toEqual(corners(0, 2, 3));
    expect(Array.from(classes?.data as Float32Array)).toEqual([0, 0, 1]);
    expect(Array.from(scores?.data as Float32Array)).toEqual([f32(0.9), f32(0.3), f32(0.3)]);
    expect(Array.from(count?.data as Float32Array)).toEqual([3]);
  });

  test('fast NMS: score threshold and unused slots', () => {
    const [boxes, classes, scores, count] = run({ ...BASE_OPTIONS, nms_score_threshold: 0.5 });
    expect(Array.from(count?.data as Float32Array)).toEqual([1]);
    expect(Array.from(classes?.data as Float32Array)).toEqual([0, 0, 0]);
    expect(Array.from(scores?.data as Float32Array)).toEqual([f32(0.9), 0, 0]);
    expect(Array.from(boxes?.data as Float32Array).slice(4)).toEqual(new Array(8).fill(0));
  });

  test('fast NMS with several classes per anchor: the order of libc++ partial_sort on ties', () => {
    // a1 ranks first (0.7). a0's three tied classes: libc++'s heap-based partial_sort yields
    // [2, 0, 1] (by hand: make_heap gives [1, 0, 2], sort_heap with Floyd's pop_heap [2, 0, 1]).
    const scores = [0, 0.5, 0.5, 0.5, 0, 0.1, 0.7, 0.2, 0, 0, 0, 0, 0, 0, 0, 0];
    const out = runOp({
      op: 'CUSTOM:TFLite_Detection_PostProcess',
      customOptions: encode({
        ...BASE_OPTIONS,
        num_classes: 3,
        max_classes_per_detection: 3,
        max_detections: 2,
        nms_score_threshold: 0.25,
      }),
      inputs: [
        { dtype: 'float32', shape: [1, 4, 4], data: new Array(16).fill(0) },
        { dtype: 'float32', shape: [1, 4, 4], data: scores },
        { dtype: 'float32', shape: [4, 4], data: [0.5, 0.5, 1, 1, 3, 3, 1, 1, 6, 6, 1, 1, 9, 9, 1, 1], constant: true },
      ],
      outputs: [{ dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }],
    });
    expect(Array.from(out[1]?.data as Float32Array)).toEqual([1, 2, 0, 2, 0, 1]);
    expect(Array.from(out[2]?.data as Float32Array)).toEqual([0.7, 0.2, 0.1, 0.5, 0.5, 0.5].map(f32));
    expect(Array.from(out[3]?.data as Float32Array)).toEqual([2]);
  });

  test('regular NMS: per-class NMS, merged by score, a later class first on equal scores', () => {
    // Class 0 keeps a0 (0.9) and a2 (0.3); class 1 keeps a1 (0.85) and a3 (0.3).
    const opts = { ...BASE_OPTIONS, use_regular_nms: true, detections_per_class: 2, max_detections: 4 };
    const [boxes, classes, scores, count] = run(opts);
    expect(Array.from(classes?.data as Float32Array)).toEqual([0, 1, 1, 0]);
    expect(Array.from(boxes?.data as Float32Array)).toEqual(corners(0, 1, 3, 2));
    expect(Array.from(scores?.data as Float32Array)).toEqual([0.9, 0.85, 0.3, 0.3].map(f32));
    expect(Array.from(count?.data as Float32Array)).toEqual([4]);
    // max_detections cuts the merged list.
    const cut = run({ ...opts, max_detections: 3 });
    expect(Array.from(cut[1]?.data as Float32Array)).toEqual([0, 1, 1]);
    expect(Array.from(cut[3]?.data as Float32Array)).toEqual([3]);
  });

  test('uint8 inputs are dequantized as (q - zero_point) * scale', () => {
    const quant = {
      boxes: { scale: [0.1], zeroPoint: [128], quantizedDimension: 0 },
      scores: { scale: [1 / 256], zeroPoint: [0], quantizedDimension: 0 },
      anchors: { scale: [0.01], zeroPoint: [0], quantizedDimension: 0 },
      anchorData: ANCHORS.map((v) => Math.round(v * 100)),
    };
    // Scores 230/256 etc.; box encodings all at the zero point (0.0).
    const q = [0, 230, 26, 0, 205, 218, 0, 77, 51, 0, 13, 77];
    const [boxes, classes, scores, count] = run(BASE_OPTIONS, new Array(16).fill(128), q, quant);
    expect(Array.from(classes?.data as Float32Array)).toEqual([0, 0, 1]);
    expect(Array.from(scores?.data as Float32Array)).toEqual([230 / 256, 77 / 256, 77 / 256]);
    expect(Array.from(count?.data as Float32Array)).toEqual([3]);
    const expected = corners(0, 2, 3);
    Array.from(boxes?.data as Float32Array).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 5);
    });
  });

  test('rejects bad nodes with clear errors', () => {
    expect(() => run({ ...BASE_OPTIONS, num_classes: 5 })).toThrow(/num_classes 5 does not fit 3 class scores/);
    expect(() => run({ ...BASE_OPTIONS, nms_iou_threshold: 0 })).toThrow(/nms_iou_threshold must be in \(0, 1\]/);
    expect(() => run({ ...BASE_OPTIONS, max_classes_per_detection: 0 })).toThrow(/max_classes_per_detection must be positive/);
    expect(() =>
      runOp({
        op: 'CUSTOM:TFLite_Detection_PostProcess',
        inputs: [
          { dtype: 'float32', shape: [1, 4, 4] },
          { dtype: 'float32', shape: [1, 4, 3] },
          { dtype: 'float32', shape: [4, 4], constant: true },
        ],
        outputs: [{ dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }, { dtype: 'float32' }],
      }),
    ).toThrow(/custom options .* are missing/);
  });
});

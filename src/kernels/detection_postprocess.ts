// CUSTOM:TFLite_Detection_PostProcess (tensorflow/lite/kernels/detection_postprocess.cc): decodes
// SSD box encodings against anchors (center-size -> corners), then non-max suppression
// (detection_nms.ts), either the fast multi-class variant or the regular one. Inputs: box
// encodings [1, N, >=4], class scores [1, N, C], anchors [N, 4], as float32 or uint8
// (dequantized as TFLite does, in float32). Outputs, all float32 and sized by max_detections:
// boxes [1, D, 4], classes [1, D], scores [1, D], num_detections [1].
// Options come as a FlexBuffer map in the operator's custom options.
import { toObject } from 'flatbuffers/mjs/flexbuffers.js';
import { f32 } from '../quant/index.js';
import { type DetectionOutputs, fastNms, type NmsParams, regularNms } from './detection_nms.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { tensorScale, tensorZeroPoint } from './tensor_data.js';

export const DETECTION_INPUTS = { boxEncodings: 0, classPredictions: 1, anchors: 2 } as const;
export const DETECTION_OUTPUTS = { boxes: 0, classes: 1, scores: 2, numDetections: 3 } as const;

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

/** The FlexBuffer map's keys as TFLite's Init reads them; any may be absent. */
export interface DetectionFlexOptions {
  max_detections: number;
  max_classes_per_detection: number;
  detections_per_class: number;
  use_regular_nms: boolean;
  nms_score_threshold: number;
  nms_iou_threshold: number;
  num_classes: number;
  y_scale: number;
  x_scale: number;
  h_scale: number;
  w_scale: number;
}

/** Reads the FlexBuffer options map (missing numbers read as 0, as flexbuffers' AsInt32/AsFloat do). */
export function parseDetectionOptions(bytes: Uint8Array): DetectionOptions {
  const copy = bytes.slice();
  const map = toObject(copy.buffer) as Partial<Record<keyof DetectionFlexOptions, unknown>> | null;
  if (!map || typeof map !== 'object') throw new Error('the custom options are not a FlexBuffer map');
  const num = (key: keyof DetectionFlexOptions): number => {
    const v = map[key];
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return Number(v);
    return 0;
  };
  const int = (key: keyof DetectionFlexOptions) => Math.trunc(num(key)) | 0;
  const has = (key: keyof DetectionFlexOptions) => map[key] !== undefined && map[key] !== null;
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

/** The node's custom options, read and checked (the checks that need no tensor shapes). */
export function parseDetectionPostProcessOptions(ctx: NodeContext): DetectionOptions {
  if (!ctx.op.customOptions) fail(ctx, 'the custom options (a FlexBuffer map) are missing');
  let options: DetectionOptions;
  try {
    options = parseDetectionOptions(ctx.op.customOptions);
  } catch (e) {
    fail(ctx, `cannot read the custom options: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (options.maxDetections < 0) fail(ctx, `max_detections must be >= 0, got ${options.maxDetections}`);
  if (!(options.iouThreshold > 0 && options.iouThreshold <= 1)) {
    fail(ctx, `nms_iou_threshold must be in (0, 1], got ${options.iouThreshold}`);
  }
  if (options.useRegularNms) {
    if (Math.min(options.detectionsPerClass, options.maxDetections) <= 0) fail(ctx, 'detections_per_class must be positive');
  } else if (options.maxClassesPerDetection <= 0) {
    fail(ctx, `max_classes_per_detection must be positive, got ${options.maxClassesPerDetection}`);
  }
  return options;
}

/** The kernel's prepared sizes and scratch. */
export interface DetectionParams extends DetectionOptions, NmsParams {
  boxStride: number;
  /** Dequantized class scores (uint8 input), else null (the input is read directly). */
  scores: Float32Array | null;
}

function requireFloatOrUint8(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'uint8') fail(ctx, `${what} must be float32 or uint8, got ${t.dtype}`);
}

export const detectionPostProcess: Kernel<DetectionParams> = {
  prepare(ctx) {
    if (ctx.inputs.length !== 3) fail(ctx, `expects 3 inputs, got ${ctx.inputs.length}`);
    if (ctx.outputs.length !== 4) fail(ctx, `expects 4 outputs, got ${ctx.outputs.length}`);
    const options = parseDetectionPostProcessOptions(ctx);
    const boxes = input(ctx, DETECTION_INPUTS.boxEncodings);
    const classes = input(ctx, DETECTION_INPUTS.classPredictions);
    const anchors = input(ctx, DETECTION_INPUTS.anchors);
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
    for (let i = 0; i < ctx.outputs.length; i++) {
      if (output(ctx, i).dtype !== 'float32') fail(ctx, `output ${i} must be float32, got ${output(ctx, i).dtype}`);
    }
    const detected = options.maxDetections * options.maxClassesPerDetection;
    output(ctx, DETECTION_OUTPUTS.boxes).shape = [1, detected, 4];
    output(ctx, DETECTION_OUTPUTS.classes).shape = [1, detected];
    output(ctx, DETECTION_OUTPUTS.scores).shape = [1, detected];
    output(ctx, DETECTION_OUTPUTS.numDetections).shape = [1];
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
    const classes = input(ctx, DETECTION_INPUTS.classPredictions);
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
    const out: DetectionOutputs = {
      boxes: output(ctx, DETECTION_OUTPUTS.boxes).data as Float32Array,
      classes: output(ctx, DETECTION_OUTPUTS.classes).data as Float32Array,
      scores: output(ctx, DETECTION_OUTPUTS.scores).data as Float32Array,
      count: output(ctx, DETECTION_OUTPUTS.numDetections).data as Float32Array,
    };
    // TFLite leaves unused slots untouched; zero them so results do not depend on the arena.
    out.boxes.fill(0);
    out.classes.fill(0);
    out.scores.fill(0);
    if (!validBoxes(p.decoded, p.numBoxes)) fail(ctx, 'a decoded box has ymin > ymax or xmin > xmax');
    if (p.useRegularNms) regularNms(p, scores, out);
    else fastNms(p, scores, out);
  },
};

/** DecodeCenterSizeBoxes: anchors and encodings (y, x, h, w) to corners, in double then float32. */
function decodeBoxes(ctx: NodeContext, p: DetectionParams): void {
  const boxes = input(ctx, DETECTION_INPUTS.boxEncodings);
  const anchors = input(ctx, DETECTION_INPUTS.anchors);
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

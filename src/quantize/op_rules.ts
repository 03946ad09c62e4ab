// Which ops full-integer quantization handles and how (operator_property.cc, tfl_ops.td): the
// weighted ops, the ops with fixed output parameters, the "same scale" ops whose output takes
// the input's parameters, and the ops whose every tensor gets its own calibrated parameters.
// Versions are what op_version.cc gives int8 (ptq.md §3) and int16 activations (§4).

export type OpRule =
  /** Weights (input 1) symmetric int8 per channel along `axis` (null: per tensor), bias (input 2) int32 / int64. */
  | { kind: 'weighted'; axis: number | null; biasSlot: number; int8: number; int16: number }
  /** Output scale / zero point fixed by the runtime's kernel. */
  | { kind: 'fixed'; int8: [number, number]; int16: [number, number]; int8Version: number; int16Version: number }
  /** One data input; the output takes its parameters (same scale, so no rescaling). `dataSlots` are the quantized inputs. */
  | { kind: 'same-scale'; int8: number; int16: number }
  /** Several data inputs: the output keeps its calibrated parameters and each input is requantized to them. */
  | { kind: 'same-scale-multi'; int8: number; int16: number }
  /** Each input and the output keep their own calibrated parameters (constants quantized from their values). */
  | { kind: 'independent'; int8: number; int16: number }
  /** Reads only its input's shape (any element type): takes whichever form the input has. */
  | { kind: 'shape-only'; int8: number; int16: number };

/** Versions: [int8, int16]. A 0 for int16 means the op has no 16x8 kernel. */
const same = (int8: number, int16: number): OpRule => ({ kind: 'same-scale', int8, int16 });
const independent = (int8: number, int16: number): OpRule => ({ kind: 'independent', int8, int16 });

export const INTEGER_RULES: Record<string, OpRule> = {
  SHAPE: { kind: 'shape-only', int8: 1, int16: 1 },
  CONV_2D: { kind: 'weighted', axis: 0, biasSlot: 2, int8: 3, int16: 4 },
  DEPTHWISE_CONV_2D: { kind: 'weighted', axis: 3, biasSlot: 2, int8: 3, int16: 5 },
  // Per tensor: the per-channel int8 FC is only in the newest converters (ptq.md §3).
  FULLY_CONNECTED: { kind: 'weighted', axis: null, biasSlot: 2, int8: 4, int16: 7 },
  SOFTMAX: { kind: 'fixed', int8: [1 / 256, -128], int16: [1 / 32768, 0], int8Version: 2, int16Version: 3 },
  LOGISTIC: { kind: 'fixed', int8: [1 / 256, -128], int16: [1 / 32768, 0], int8Version: 2, int16Version: 3 },
  TANH: { kind: 'fixed', int8: [1 / 128, 0], int16: [1 / 32768, 0], int8Version: 2, int16Version: 3 },
  MAX_POOL_2D: same(2, 3),
  AVERAGE_POOL_2D: same(2, 3),
  RESHAPE: same(1, 1),
  SQUEEZE: same(1, 1),
  EXPAND_DIMS: same(1, 1),
  PAD: same(2, 4),
  PADV2: same(2, 4),
  STRIDED_SLICE: same(2, 4),
  SLICE: same(2, 3),
  TRANSPOSE: same(2, 5),
  SPACE_TO_BATCH_ND: same(2, 4),
  BATCH_TO_SPACE_ND: same(2, 4),
  RESIZE_BILINEAR: same(2, 4),
  RESIZE_NEAREST_NEIGHBOR: same(2, 4),
  GATHER: same(2, 0),
  SPLIT: same(2, 4),
  SPLIT_V: same(2, 0),
  UNPACK: same(2, 4),
  DEPTH_TO_SPACE: same(2, 0),
  SPACE_TO_DEPTH: same(2, 0),
  CONCATENATION: { kind: 'same-scale-multi', int8: 2, int16: 3 },
  PACK: { kind: 'same-scale-multi', int8: 2, int16: 3 },
  MAXIMUM: { kind: 'same-scale-multi', int8: 2, int16: 4 },
  MINIMUM: { kind: 'same-scale-multi', int8: 2, int16: 4 },
  ADD: independent(2, 3),
  SUB: independent(2, 3),
  MUL: independent(2, 4),
  MEAN: independent(2, 3),
  RELU: independent(2, 3),
  RELU6: independent(2, 3),
  LEAKY_RELU: independent(2, 2),
  PRELU: independent(1, 0), // TFLite registers PRELU version 1 only (int8 included)
  HARD_SWISH: independent(2, 0),
};

/** The data (non-parameter) inputs of same-scale ops: the rest (shapes, paddings, axes) are int32 and untouched. */
export function dataSlots(op: string, inputs: number): number[] {
  if (op === 'CONCATENATION' || op === 'PACK' || op === 'MAXIMUM' || op === 'MINIMUM') return Array.from({ length: inputs }, (_, i) => i);
  if (op === 'SPLIT') return [1];
  return [0];
}

// The delegate's precisions and what each means for storage, shaders and constants.
// TFLite's precision-loss-allowed mode is F16 (fp16 storage and math); here:
//   fp32          f32 storage and math (the default, and TFLite's default).
//   fp16-storage  f16 storage packed two per u32, f32 math: adapters without 'shader-f16'.
//   fp16          f16 storage and math with f32 accumulation of sums (TFLite's F32_F16):
//                 adapters with 'shader-f16'.
//
// Storage precision per tensor. In an f16 precision, tensors inside a partition are stored in
// f16, but the tensors at its boundary are not (like TFLite's GPU delegate, which never
// downgrades external tensors to f16): the nodes that read a partition input or write a
// partition output run with f32 storage (the fp32 prelude), so inputs are read exactly and
// outputs are written before any f16 rounding. Where an f16 node reads an f32 tensor, or an f32
// node an f16 one, a conversion dispatch makes a short-lived copy (conversions.ts).
import type { ShaderName } from '../../shaders/index.js';
import { floatToHalfSaturating } from '../../src/kernels/dequantize.js';
import type { NodePlan } from './programs.js';
import { type StoragePlan, storageOf } from './storage.js';

export type Precision = 'fp32' | 'fp16-storage' | 'fp16';

/** The wording used in reports (kernel describe()). */
export const PRECISION_LABEL: Record<Precision, string> = {
  fp32: 'fp32',
  'fp16-storage': 'fp16-storage (f32 math)',
  fp16: 'fp16',
};

/** The shader prelude that defines S4, T, T4, A4, ld, st... for a precision. */
export const PRELUDE: Record<Precision, ShaderName> = {
  fp32: 'prelude_fp32',
  'fp16-storage': 'prelude_fp16_storage',
  fp16: 'prelude_fp16',
};

export function choosePrecision(precisionLossAllowed: boolean, features: ReadonlySet<string>): Precision {
  if (!precisionLossAllowed) return 'fp32';
  return features.has('shader-f16') ? 'fp16' : 'fp16-storage';
}

/** Bytes of one stored vec4 slice. */
export function bytesPerSlice(p: Precision): number {
  return p === 'fp32' ? 16 : 8;
}

/**
 * Stored bytes of slice-layout values (length a multiple of 4). Both f16 precisions store the
 * same bytes: halves in element order (pack2x16float puts the first value in the low half).
 */
export function encodeSlices(p: Precision, values: Float32Array): Float32Array | Uint16Array {
  return p === 'fp32' ? values : toHalf(values);
}

/**
 * Stored bytes of constant weights and biases (the shaders' W4): f16 only where the math is f16
 * ('fp16'). 'fp16-storage' keeps them f32: its math is f32, so f16 weights would only round them.
 */
export function encodeWeights(p: Precision, values: Float32Array): Float32Array | Uint16Array {
  return p === 'fp16' ? toHalf(values) : values;
}

export interface PrecisionPlan {
  /** The storage (prelude) each node runs with; 'fp32' for aliases, which run nothing. */
  readonly nodePrecision: readonly Precision[];
  /** The storage with each group in the precision of the node that writes it. */
  readonly storage: StoragePlan;
}

/** Nodes at the partition's boundary run with f32 storage, the others in the partition's precision. */
export function planNodePrecision(nodes: readonly NodePlan[], storage: StoragePlan, precision: Precision): PrecisionPlan {
  const groups = storage.groups.map((g) => ({ ...g }));
  const nodePrecision = nodes.map(({ node, program, reads }): Precision => {
    if (precision === 'fp32' || program.kind === 'alias') return 'fp32';
    const boundary =
      reads.some((t) => storageOf(storage, t).partitionInput) || node.outputs.some((t) => storageOf(storage, t).partitionOutput);
    const p = boundary ? 'fp32' : precision;
    for (const t of node.outputs) (groups[storageOf(storage, t).id] as { precision: Precision }).precision = p;
    return p;
  });
  return { nodePrecision, storage: { groups, groupOf: storage.groupOf } };
}

/** Half bits of every element, saturating as the shaders' f16 stores do. */
function toHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalfSaturating(values[i] as number);
  return out;
}

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

/**
 * Integer tensors keep their type on the GPU (never converted to float): int8 and uint8 packed
 * four to a u32 (one slice is one word, the dense bytes when the channels are a multiple of 4),
 * int16 two to a u32, int32 as is (see shaders/quant.wgsl).
 */
export type IntStorage = 'int8' | 'uint8' | 'int16' | 'int32';

/** How a tensor is stored on the GPU: in a float precision, or as its integer type. */
export type Storage = Precision | IntStorage;

const INT_STORAGE: ReadonlySet<string> = new Set<IntStorage>(['int8', 'uint8', 'int16', 'int32']);

/** The integer storage of a dtype, or null for float (and unsupported) dtypes. */
export function integerStorage(dtype: string): IntStorage | null {
  return INT_STORAGE.has(dtype) ? (dtype as IntStorage) : null;
}

export function isIntStorage(s: Storage): s is IntStorage {
  return INT_STORAGE.has(s);
}

/** Bytes of one element in an integer storage. */
export function intElementBytes(s: IntStorage): 1 | 2 | 4 {
  return s === 'int32' ? 4 : s === 'int16' ? 2 : 1;
}

/** Bytes of one stored vec4 slice. */
export function bytesPerSlice(s: Storage): number {
  if (isIntStorage(s)) return 4 * intElementBytes(s);
  return s === 'fp32' ? 16 : 8;
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
  /** The storage with each float group in the precision of the node that writes it. */
  readonly storage: StoragePlan;
}

/**
 * Nodes at the partition's boundary run with f32 storage, the others in the partition's precision.
 * Integer tensors keep their integer storage whatever the node's precision.
 */
export function planNodePrecision(nodes: readonly NodePlan[], storage: StoragePlan, precision: Precision): PrecisionPlan {
  const groups = storage.groups.map((g) => ({ ...g }));
  const nodePrecision = nodes.map(({ node, program, reads }): Precision => {
    if (precision === 'fp32' || program.kind === 'alias') return 'fp32';
    const boundary =
      reads.some((t) => storageOf(storage, t).partitionInput) || node.outputs.some((t) => storageOf(storage, t).partitionOutput);
    const p = boundary ? 'fp32' : precision;
    for (const t of node.outputs) {
      const g = groups[storageOf(storage, t).id] as { storage: Storage };
      if (!isIntStorage(g.storage)) g.storage = p;
    }
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

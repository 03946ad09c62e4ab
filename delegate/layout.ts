// The slice layout of tensors on the GPU (see shaders/common.wgsl): the last dimension padded to
// a multiple of 4 and stored as vec4 slices, row-major over the other dimensions; padded lanes 0.

/** Where a tensor's elements live in slice layout. */
export interface SliceLayout {
  /** Product of all dimensions but the last (1 for rank 0 and 1). */
  rows: number;
  /** The last dimension (1 for rank 0). */
  channels: number;
  /** ceil(channels / 4): slices per row. */
  slices: number;
  /** rows * slices. */
  sliceCount: number;
}

export function sliceLayout(shape: readonly number[]): SliceLayout {
  const channels = shape.length ? (shape[shape.length - 1] as number) : 1;
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i] as number;
  const slices = Math.ceil(channels / 4);
  return { rows, channels, slices, sliceCount: rows * slices };
}

/**
 * Whether two shapes of equal element count store their elements identically, so one buffer
 * serves both (RESHAPE as an alias): same last dimension, or both multiples of 4 (then the
 * layout is plain row-major).
 */
export function sameSliceLayout(a: readonly number[], b: readonly number[]): boolean {
  const ca = sliceLayout(a).channels;
  const cb = sliceLayout(b).channels;
  return ca === cb || (ca % 4 === 0 && cb % 4 === 0);
}

/** Whether the slice layout of `shape` is plain row-major (nothing to convert at the CPU edge in fp32). */
export function isDenseLayout(shape: readonly number[]): boolean {
  return sliceLayout(shape).channels % 4 === 0;
}

/** Dense row-major values -> slice layout (padded lanes 0). */
export function toSlices(dense: ArrayLike<number>, shape: readonly number[]): Float32Array {
  const { rows, channels, slices } = sliceLayout(shape);
  const out = new Float32Array(rows * slices * 4);
  if (channels === slices * 4) {
    out.set(dense);
    return out;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) out[r * slices * 4 + c] = dense[r * channels + c] as number;
  }
  return out;
}

/**
 * Dense integer values -> slice layout as the GPU stores them (padded lanes 0): elements of
 * `elementBytes` bytes, little-endian, so int8 / uint8 come out four to a word, int16 two.
 */
export function toIntSlices(dense: ArrayLike<number>, shape: readonly number[], elementBytes: 1 | 2 | 4): Uint32Array {
  const { rows, channels, slices } = sliceLayout(shape);
  const out = new Uint32Array(rows * slices * elementBytes);
  // Signed views store unsigned values' bits too (200 as int8 is 0xc8).
  const lanes =
    elementBytes === 1 ? new Int8Array(out.buffer) : elementBytes === 2 ? new Int16Array(out.buffer) : new Int32Array(out.buffer);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) lanes[r * slices * 4 + c] = dense[r * channels + c] as number;
  }
  return out;
}

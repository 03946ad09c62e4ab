// DENSIFY: expands a sparse constant (TACO-style dense / CSR dimensions, optional dense blocks) into
// its dense shape (tensorflow/lite/kernels/densify.cc; the walk follows FormatConverter::SparseToDense
// in internal/utils/sparsity_format_converter.cc).
import type { TypedArray } from '../model/dtype.js';
import { numElements } from '../model/dtype.js';
import type { Sparsity } from '../model/types.js';
import { fail, input, isKnown, type Kernel, output } from './kernel.js';

/** DENSIFY's one input, the sparse constant (its DensifyOptions table has no fields). */
export const DENSIFY_INPUTS = { input: 0 } as const;

/**
 * The dense tensor (same element type as `values`, row-major `denseShape`) that `values` and
 * `sparsity` describe; positions no value covers are zero. Throws on inconsistent metadata.
 */
export function densify(values: TypedArray, denseShape: readonly number[], sparsity: Sparsity): TypedArray {
  const { traversalOrder, blockMap, dimMetadata } = sparsity;
  const origRank = denseShape.length;
  const totalRank = traversalOrder.length;
  if (dimMetadata.length !== totalRank) {
    throw new Error(`sparsity has ${dimMetadata.length} dim_metadata entries for a traversal order of ${totalRank}`);
  }
  if (totalRank !== origRank + blockMap.length) {
    throw new Error(`traversal order of ${totalRank} does not cover rank ${origRank} plus ${blockMap.length} block dimensions`);
  }
  for (const d of traversalOrder) if (d < 0 || d >= totalRank) throw new Error(`traversal order [${traversalOrder}] is not a permutation`);

  // Block sizes come from the dense size of each block dimension (InitSparseToDenseConverter).
  const blockSize = blockMap.map((origDim, b) => {
    if (origDim < 0 || origDim >= origRank) throw new Error(`block map [${blockMap}] names a dimension outside rank ${origRank}`);
    const size = dimMetadata[traversalOrder[origRank + b]]?.denseSize ?? 0;
    if (size <= 0) throw new Error(`block dimension ${b} has size ${size}`);
    return size;
  });

  const size = numElements(denseShape);
  const dense = new (values.constructor as new (n: number) => TypedArray)(size);
  const denseStrides = new Array<number>(origRank);
  for (let d = origRank - 1, s = 1; d >= 0; d--) {
    denseStrides[d] = s;
    s *= denseShape[d];
  }
  const indices = new Array<number>(totalRank).fill(0);
  const origIdx = new Array<number>(origRank).fill(0);
  const cells = dense as unknown as { [i: number]: unknown };
  const source = values as unknown as { [i: number]: unknown };
  let next = 0;

  const place = (): void => {
    for (let i = 0; i < origRank; i++) origIdx[traversalOrder[i]] = indices[i];
    for (let i = origRank; i < totalRank; i++) {
      const b = traversalOrder[i] - origRank;
      const d = blockMap[b];
      origIdx[d] = origIdx[d] * blockSize[b] + indices[i];
    }
    let flat = 0;
    for (let d = 0; d < origRank; d++) {
      if (origIdx[d] < 0 || origIdx[d] >= denseShape[d]) throw new Error(`index [${origIdx}] is outside the dense shape [${denseShape}]`);
      flat += origIdx[d] * denseStrides[d];
    }
    if (next >= values.length) throw new Error(`the sparse layout needs more than the ${values.length} stored values`);
    cells[flat] = source[next++];
  };

  const populate = (level: number, prev: number): void => {
    if (level === totalRank) {
      place();
      return;
    }
    const meta = dimMetadata[level];
    if (meta.format === 'dense') {
      for (let i = 0; i < meta.denseSize; i++) {
        indices[level] = i;
        populate(level + 1, prev * meta.denseSize + i);
      }
      return;
    }
    const segments = meta.arraySegments;
    const ids = meta.arrayIndices;
    if (prev + 1 >= segments.length) return;
    const end = Math.min(segments[prev + 1], ids.length);
    for (let i = segments[prev]; i < end; i++) {
      indices[level] = ids[i];
      populate(level + 1, i);
    }
  };

  if (size > 0) populate(0, 0);
  return dense;
}

export const densifyKernel: Kernel<TypedArray> = {
  prepare(ctx) {
    const x = input(ctx, DENSIFY_INPUTS.input);
    const out = output(ctx, 0);
    if (!isKnown(x)) fail(ctx, 'input must be a constant tensor');
    if (!x.sparsity) fail(ctx, `input tensor ${x.index} (${x.name}) has no sparsity parameters`);
    if (out.dtype !== x.dtype) fail(ctx, `output dtype ${out.dtype} differs from input dtype ${x.dtype}`);
    // densify.cc's Eval takes these three and fails on any other type ("Type N not supported").
    if (x.dtype !== 'float32' && x.dtype !== 'float16' && x.dtype !== 'int8') fail(ctx, `dtype ${x.dtype} is not supported`);
    out.shape = [...x.shape];
    try {
      return densify(x.data, x.shape, x.sparsity);
    } catch (e) {
      fail(ctx, `input tensor ${x.index} (${x.name}): ${(e as Error).message}`);
    }
  },
  eval(ctx, dense) {
    (output(ctx, 0).data as Exclude<TypedArray, BigInt64Array | BigUint64Array>).set(dense as Float32Array);
  },
};

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { densify, densifyKernel } from '../../src/kernels/densify.js';
import { DEFAULT_KERNEL_CONFIG, type NodeContext, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import { allocTyped, numElements, typedView } from '../../src/model/dtype.js';
import { readModel } from '../../src/model/reader.js';
import type { DimensionMetadata, Sparsity } from '../../src/model/types.js';
import { runOp } from '../support/run_op.js';

const dense = (denseSize: number): DimensionMetadata => ({ format: 'dense', denseSize, arraySegments: [], arrayIndices: [] });
const csr = (arraySegments: number[], arrayIndices: number[]): DimensionMetadata => ({
  format: 'sparse_csr',
  denseSize: 0,
  arraySegments,
  arrayIndices,
});

describe('densify (FormatConverter::SparseToDense)', () => {
  it('expands a CSR matrix', () => {
    // [[0, 1, 0, 2], [0, 0, 0, 0], [3, 0, 0, 4]]
    const sparsity: Sparsity = { traversalOrder: [0, 1], blockMap: [], dimMetadata: [dense(3), csr([0, 2, 2, 4], [1, 3, 0, 3])] };
    expect(Array.from(densify(new Float32Array([1, 2, 3, 4]), [3, 4], sparsity) as ArrayLike<number>)).toEqual([
      0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 0, 4,
    ]);
  });

  it('expands 2x2 dense blocks stored in a block-CSR layout', () => {
    // 4x4: [[1,0,2,3],[0,4,0,0],[0,0,5,0],[0,0,0,6]]; blocks (0,0), (0,1), (1,1) are non-zero.
    const sparsity: Sparsity = {
      traversalOrder: [0, 1, 2, 3],
      blockMap: [0, 1],
      dimMetadata: [dense(2), csr([0, 2, 3], [0, 1, 1]), dense(2), dense(2)],
    };
    const values = new Int8Array([1, 0, 0, 4, 2, 3, 0, 0, 5, 0, 0, 6]);
    const out = densify(values, [4, 4], sparsity);
    expect(out).toBeInstanceOf(Int8Array);
    expect(Array.from(out as ArrayLike<number>)).toEqual([1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 6]);
  });

  it('follows a column-major traversal order (CSC)', () => {
    // [[1, 0, 2], [0, 3, 0]] walked column by column.
    const sparsity: Sparsity = { traversalOrder: [1, 0], blockMap: [], dimMetadata: [dense(3), csr([0, 1, 2, 3], [0, 1, 0])] };
    expect(Array.from(densify(new Float32Array([1, 3, 2]), [2, 3], sparsity) as ArrayLike<number>)).toEqual([1, 0, 2, 0, 3, 0]);
  });

  it('rejects metadata that points outside the dense shape or past the values', () => {
    const outside: Sparsity = { traversalOrder: [0, 1], blockMap: [], dimMetadata: [dense(1), csr([0, 1], [5])] };
    expect(() => densify(new Float32Array([1]), [1, 4], outside)).toThrow(/outside the dense shape/);
    const short: Sparsity = { traversalOrder: [0, 1], blockMap: [], dimMetadata: [dense(1), csr([0, 2], [0, 1])] };
    expect(() => densify(new Float32Array([1]), [1, 4], short)).toThrow(/more than the 1 stored values/);
  });
});

function tensor(index: number, t: Partial<RuntimeTensor> & Pick<RuntimeTensor, 'dtype' | 'shape' | 'data'>): RuntimeTensor {
  return { index, name: `t${index}`, quantization: null, kind: 'constant', ...t };
}

describe('DENSIFY kernel', () => {
  it('is registered for float16 and writes the dense raw bits', () => {
    const found = lookupKernel('DENSIFY', 1, ['float16'], ['float16']);
    expect(found.ok).toBe(true);
    const sparsity: Sparsity = { traversalOrder: [0, 1], blockMap: [], dimMetadata: [dense(2), csr([0, 1, 2], [1, 0])] };
    const x = tensor(0, { dtype: 'float16', shape: [2, 2], data: new Uint16Array([0x3c00, 0xc000]), sparsity });
    const out = tensor(1, { dtype: 'float16', shape: [], data: allocTyped('float16', 0), kind: 'activation' });
    const ctx: NodeContext = {
      config: DEFAULT_KERNEL_CONFIG,
      index: 3,
      op: {
        index: 3,
        op: 'DENSIFY',
        builtinCode: 0,
        customCode: null,
        version: 1,
        inputs: [0],
        outputs: [1],
        intermediates: [],
        optionsType: null,
        options: {},
        customOptions: null,
      },
      inputs: [x],
      outputs: [out],
      intermediates: [],
    };
    const params = densifyKernel.prepare(ctx);
    expect(out.shape).toEqual([2, 2]);
    out.data = allocTyped('float16', 4);
    densifyKernel.eval(ctx, params);
    expect(Array.from(out.data as ArrayLike<number>)).toEqual([0, 0x3c00, 0xc000, 0]);
  });

  it('fails clearly when the input has no sparsity parameters', () => {
    expect(() =>
      runOp({ op: 'DENSIFY', inputs: [{ dtype: 'float32', shape: [2], data: [1, 2], constant: true }], outputs: [{ dtype: 'float32' }] }),
    ).toThrow(/has no sparsity parameters/);
  });
});

const SPARSE_MODEL = '/work/shared/models/face_detection_full_range_sparse_fp16.tflite';

describe.skipIf(!existsSync(SPARSE_MODEL))('face_detection_full_range_sparse_fp16.tflite', () => {
  it('densifies all 46 sparse FLOAT16 weights to their declared shapes', () => {
    const model = readModel(new Uint8Array(readFileSync(SPARSE_MODEL)));
    const sg = model.subgraphs[0]!;
    const densifyOps = sg.operators.filter((op) => op.op === 'DENSIFY');
    expect(densifyOps.length).toBe(46);
    for (const op of densifyOps) {
      const t = sg.tensors[op.inputs[0]!]!;
      expect(t.dtype).toBe('float16');
      const sparsity = t.sparsity!;
      const values = typedView(t.data!, 'float16') as Uint16Array;
      const out = densify(values, t.shape, sparsity) as Uint16Array;
      expect(out.length).toBe(numElements(t.shape));
      expect(sg.tensors[op.outputs[0]!]!.shape).toEqual(t.shape);

      // Independent check for this model's layout: dense leading dims in order, CSR last dim.
      const rank = t.shape.length;
      expect(sparsity.traversalOrder).toEqual([...t.shape.keys()]);
      expect(sparsity.blockMap).toEqual([]);
      const last = sparsity.dimMetadata[rank - 1]!;
      expect(last.format).toBe('sparse_csr');
      const cols = t.shape[rank - 1]!;
      const rows = numElements(t.shape) / cols;
      expect(last.arraySegments.length).toBe(rows + 1);
      expect(last.arraySegments[rows]).toBe(values.length);
      const want = new Uint16Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        for (let k = last.arraySegments[r]!; k < last.arraySegments[r + 1]!; k++) want[r * cols + last.arrayIndices[k]!] = values[k]!;
      }
      expect(Array.from(out)).toEqual(Array.from(want));
    }
  });
});

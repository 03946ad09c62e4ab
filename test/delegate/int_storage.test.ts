// Integer tensors on the GPU: dense CPU arrays in and out of the slice layout (int8 / uint8 four
// to a word, int16 two, int32 one), through integer RESHAPE aliases, equal to the CPU to the bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import { toIntSlices } from '../../delegate/layout.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

const q = { scale: [0.5], zeroPoint: [3], quantizedDimension: 0 };
const count = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** Every value pattern of the type in turn, extremes included. */
function values(dtype: string, n: number): number[] {
  const spread = (i: number, bits: number) => ((i * 0x9e3779b1) >>> (32 - bits)) - (dtype.startsWith('u') ? 0 : 2 ** (bits - 1));
  const bits = dtype === 'int16' ? 16 : dtype === 'int32' ? 32 : 8;
  return Array.from({ length: n }, (_, i) => (i === 0 ? -(2 ** (bits - 1)) * (dtype.startsWith('u') ? 0 : 1) : spread(i, bits)));
}

describe('integer storage at the partition edges', () => {
  const cases = [
    ['int8', [2, 3, 5], [6, 5]], // odd channels: to_slices / to_dense
    ['uint8', [2, 8], [4, 4]], // dense: uploaded and read back as is
    ['int8', [1, 7], [7]],
    ['int16', [3, 3], [1, 3, 3]],
    ['int16', [2, 1, 3], [2, 3]],
    ['int32', [5, 3], [1, 5, 3]],
    ['int32', [2, 4], [8]],
  ] as const;
  for (const [dtype, shape, to] of cases) {
    it(`RESHAPE ${dtype} [${shape}] -> [${to}]`, async (t) => {
      if (!delegate) return t.skip();
      await expectGpuMatchesCpu(
        {
          op: 'RESHAPE',
          options: { newShape: [...to] },
          inputs: [
            { dtype, shape: [...shape], data: values(dtype, count(shape)), quantization: q },
            { dtype: 'int32', shape: [to.length], data: [...to], constant: true },
          ],
          outputs: [{ dtype, quantization: q }],
        },
        delegate,
      );
    });
  }
});

describe('toIntSlices', () => {
  it('packs int8 four to a word, little-endian, padded lanes 0', () => {
    expect([...toIntSlices([1, -1, 2, 3, -128], [1, 5], 1)]).toEqual([0x0302ff01, 0x80]);
  });
  it('packs int16 two to a word', () => {
    expect([...toIntSlices([1, -2, 3], [3], 2)]).toEqual([0xfffe0001, 0x3]);
  });
});

// Integer AVERAGE_POOL_2D and MAX_POOL_2D on the GPU against the integer CPU kernels, to the bit:
// every type, odd channels, SAME padding (clipped windows at the edges), fused activations and
// the average's rounding ties.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { DType } from '../../src/model/dtype.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { intValues } from './int_values.js';
import { testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const count = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

interface PoolCase {
  op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D';
  dtype: DType;
  shape: number[];
  filter: [number, number];
  stride: [number, number];
  /** 0 SAME, 1 VALID. */
  padding: 0 | 1;
  act?: number;
  zeroPoint?: number;
  data?: number[];
}

function poolCase(c: PoolCase) {
  const zp = c.dtype === 'int16' ? 0 : (c.zeroPoint ?? (c.dtype === 'uint8' ? 128 : -3));
  return {
    op: c.op,
    options: {
      padding: c.padding,
      filterHeight: c.filter[0],
      filterWidth: c.filter[1],
      strideH: c.stride[0],
      strideW: c.stride[1],
      fusedActivationFunction: c.act ?? 0,
    },
    inputs: [{ dtype: c.dtype, shape: c.shape, data: c.data ?? intValues(c.dtype, count(c.shape)), quantization: q(0.05, zp) }],
    outputs: [{ dtype: c.dtype, quantization: q(0.05, zp) }],
  };
}

const DTYPES: DType[] = ['int8', 'uint8', 'int16'];

describe('integer pooling on the GPU', () => {
  for (const op of ['AVERAGE_POOL_2D', 'MAX_POOL_2D'] as const) {
    for (const dtype of DTYPES) {
      it(`${op} ${dtype}: 3 channels, 3x3 stride 2 SAME`, async (t) => {
        if (!delegate) return t.skip();
        await expectGpuMatchesCpu(poolCase({ op, dtype, shape: [1, 5, 6, 3], filter: [3, 3], stride: [2, 2], padding: 0 }), delegate);
      });
      it(`${op} ${dtype}: 5 channels, 2x3 stride 1 VALID, 2 batches, RELU6`, async (t) => {
        if (!delegate) return t.skip();
        await expectGpuMatchesCpu(
          poolCase({ op, dtype, shape: [2, 4, 4, 5], filter: [2, 3], stride: [1, 1], padding: 1, act: 3 }),
          delegate,
        );
      });
    }
    it(`${op} uint8: RELU and RELU_N1_TO_1 clamp in output units`, async (t) => {
      if (!delegate) return t.skip();
      for (const act of [1, 2]) {
        await expectGpuMatchesCpu(
          poolCase({ op, dtype: 'uint8', shape: [1, 4, 4, 4], filter: [2, 2], stride: [2, 2], padding: 0, act, zeroPoint: 120 }),
          delegate,
        );
      }
    });
    it(`${op} int8: global window over 8 channels`, async (t) => {
      if (!delegate) return t.skip();
      await expectGpuMatchesCpu(poolCase({ op, dtype: 'int8', shape: [1, 3, 3, 8], filter: [3, 3], stride: [1, 1], padding: 1 }), delegate);
    });
  }
  it('AVERAGE_POOL_2D int8 / int16: ties round away from zero', async (t) => {
    if (!delegate) return t.skip();
    // Pairs summing to odd numbers of both signs: +-0.5 averages.
    const data = [1, 2, -1, -2, 3, 4, -3, -4, 5, 6, -5, -6, 7, 8, -7, -8];
    for (const dtype of ['int8', 'int16'] as const) {
      await expectGpuMatchesCpu(
        poolCase({ op: 'AVERAGE_POOL_2D', dtype, shape: [1, 2, 2, 4], filter: [2, 1], stride: [2, 1], padding: 1, data }),
        delegate,
      );
      // Windows of 3 clipped to 2 at the SAME edges; counts of 2, 3, 4 and 6.
      await expectGpuMatchesCpu(
        poolCase({ op: 'AVERAGE_POOL_2D', dtype, shape: [1, 2, 2, 4], filter: [3, 3], stride: [1, 1], padding: 0, data }),
        delegate,
      );
    }
  });
});

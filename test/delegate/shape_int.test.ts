// Integer data movement and reductions on the GPU against the CPU kernels, to the bit:
// CONCATENATION, PAD / PADV2 / MIRROR_PAD, MEAN, RESIZE_*, ARG_MAX / ARG_MIN and RESHAPE repacks.
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
const zeroPointOf = (dtype: DType) => (dtype === 'uint8' ? 128 : dtype === 'int8' ? -3 : 0);
const quantOf = (dtype: DType) => (dtype === 'int32' ? undefined : q(0.05, zeroPointOf(dtype)));

describe('integer CONCATENATION on the GPU', () => {
  const cases: [DType, number[][], number][] = [
    [
      'int8',
      [
        [2, 3],
        [2, 5],
        [2, 2],
      ],
      -1,
    ], // lane mode at offsets 3 and 8
    [
      'uint8',
      [
        [1, 2, 4],
        [1, 2, 3],
        [1, 2, 5],
      ],
      2,
    ],
    [
      'int16',
      [
        [1, 2, 2, 3],
        [1, 1, 2, 3],
      ],
      1,
    ],
    [
      'int16',
      [
        [2, 3],
        [2, 1],
        [2, 6],
      ],
      1,
    ],
    [
      'int32',
      [
        [1, 3],
        [2, 3],
      ],
      0,
    ],
    [
      'uint8',
      [
        [2, 2, 3],
        [2, 2, 3],
      ],
      0,
    ],
  ];
  for (const [dtype, shapes, axis] of cases) {
    it(`${dtype} axis ${axis}: ${shapes.map((s) => `[${s}]`).join(' + ')}`, async (t) => {
      if (!delegate) return t.skip();
      await expectGpuMatchesCpu(
        {
          op: 'CONCATENATION',
          options: { axis, fusedActivationFunction: 0 },
          inputs: shapes.map((shape, i) => ({ dtype, shape, data: intValues(dtype, count(shape), i + 1), quantization: quantOf(dtype) })),
          outputs: [{ dtype, quantization: quantOf(dtype) }],
        },
        delegate,
      );
    });
  }
  it('uint8 inputs with other scales and zero points are requantized as the CPU does', async (t) => {
    if (!delegate) return t.skip();
    for (const axis of [-1, 1]) {
      await expectGpuMatchesCpu(
        {
          op: 'CONCATENATION',
          options: { axis, fusedActivationFunction: 0 },
          inputs: [
            { dtype: 'uint8', shape: [1, 3, 3], data: intValues('uint8', 9, 1), quantization: q(0.1, 100) },
            { dtype: 'uint8', shape: [1, 3, 3], data: intValues('uint8', 9, 2), quantization: q(0.05, 128) },
            { dtype: 'uint8', shape: [1, 3, 3], data: intValues('uint8', 9, 3), quantization: q(0.0371, 7) },
          ],
          outputs: [{ dtype: 'uint8', quantization: q(0.05, 128) }],
        },
        delegate,
      );
    }
  });
});

describe('integer MEAN on the GPU', () => {
  // [dtype, shape, axes, keepDims, input quantization, output quantization]
  const cases: [DType, number[], number[], boolean, [number, number], [number, number]][] = [
    ['int8', [1, 4, 3, 5], [1, 2], true, [0.05, -3], [0.02, 5]], // optimized Mean (fixed point) / XNNPACK
    ['uint8', [2, 3, 3, 3], [2, 1], true, [0.1, 128], [0.07, 120]],
    ['int8', [1, 3, 4, 6], [2], false, [0.05, -3], [0.05, -3]], // XNNPACK, else truncating
    ['uint8', [2, 3, 5], [0, 2], false, [0.1, 128], [0.1, 128]], // truncating over a last axis
    ['int16', [2, 3, 5], [1], true, [0.1, 0], [0.1, 0]],
    ['int16', [3, 7], [-1], false, [0.1, 0], [0.1, 0]],
  ];
  for (const [dtype, shape, axes, keepDims, qi, qo] of cases) {
    for (const integerRounding of ['reference', 'xnnpack'] as const) {
      it(`${dtype} [${shape}] axes [${axes}] keepDims ${keepDims} (${integerRounding})`, async (t) => {
        if (!delegate) return t.skip();
        await expectGpuMatchesCpu(
          {
            op: 'MEAN',
            integerRounding,
            options: { keepDims },
            inputs: [
              { dtype, shape, data: intValues(dtype, count(shape)), quantization: q(...qi) },
              { dtype: 'int32', shape: [axes.length], data: axes, constant: true },
            ],
            outputs: [{ dtype, quantization: q(...qo) }],
          },
          delegate,
        );
      });
    }
  }
});

describe('integer PAD / PADV2 / MIRROR_PAD on the GPU', () => {
  const pads = (p: number[][]) => ({ dtype: 'int32' as DType, shape: [p.length, 2], data: p.flat(), constant: true });
  // [dtype, shape, paddings]
  const cases: [DType, number[], number[][]][] = [
    [
      'int8',
      [1, 3, 3, 3],
      [
        [0, 0],
        [1, 1],
        [2, 0],
        [0, 0],
      ],
    ],
    [
      'uint8',
      [2, 3, 5],
      [
        [0, 1],
        [1, 0],
        [3, 2],
      ],
    ], // the last dimension padded (lane mode)
    [
      'int16',
      [2, 5],
      [
        [1, 1],
        [0, 3],
      ],
    ],
    [
      'int32',
      [3, 2],
      [
        [2, 1],
        [1, 1],
      ],
    ],
  ];
  for (const [dtype, shape, paddings] of cases) {
    const x = { dtype, shape, data: intValues(dtype, count(shape)), quantization: quantOf(dtype) };
    it(`PAD ${dtype} [${shape}] (fill: the output zero point)`, async (t) => {
      if (!delegate) return t.skip();
      await expectGpuMatchesCpu({ op: 'PAD', inputs: [x, pads(paddings)], outputs: [{ dtype, quantization: quantOf(dtype) }] }, delegate);
    });
    it(`PADV2 ${dtype} [${shape}] (fill: the constant value)`, async (t) => {
      if (!delegate) return t.skip();
      const value = { dtype, shape: [1], data: [dtype === 'uint8' ? 201 : -77], quantization: quantOf(dtype), constant: true };
      await expectGpuMatchesCpu(
        { op: 'PADV2', inputs: [x, pads(paddings), value], outputs: [{ dtype, quantization: quantOf(dtype) }] },
        delegate,
      );
    });
    for (const mode of [0, 1]) {
      it(`MIRROR_PAD ${mode === 0 ? 'REFLECT' : 'SYMMETRIC'} ${dtype} [${shape}]`, async (t) => {
        if (!delegate) return t.skip();
        const mirrored = paddings.map(([b, a], d) => [
          Math.min(b as number, (shape[d] as number) - 1),
          Math.min(a as number, (shape[d] as number) - 1),
        ]);
        await expectGpuMatchesCpu(
          { op: 'MIRROR_PAD', options: { mode }, inputs: [x, pads(mirrored)], outputs: [{ dtype, quantization: quantOf(dtype) }] },
          delegate,
        );
      });
    }
  }
});

describe('integer RESHAPE / SQUEEZE / EXPAND_DIMS repacks on the GPU', () => {
  const cases: [DType, number[], number[]][] = [
    ['int8', [2, 3, 5], [5, 6]],
    ['uint8', [3, 6], [2, 9]],
    ['int16', [2, 3], [3, 2]],
    ['int32', [2, 5], [5, 2]],
    ['int8', [4, 3], [12]],
  ];
  for (const [dtype, shape, to] of cases) {
    it(`RESHAPE ${dtype} [${shape}] -> [${to}]`, async (t) => {
      if (!delegate) return t.skip();
      await expectGpuMatchesCpu(
        {
          op: 'RESHAPE',
          options: { newShape: to },
          inputs: [
            { dtype, shape, data: intValues(dtype, count(shape)), quantization: quantOf(dtype) },
            { dtype: 'int32', shape: [to.length], data: to, constant: true },
          ],
          outputs: [{ dtype, quantization: quantOf(dtype) }],
        },
        delegate,
      );
    });
  }
  it('SQUEEZE int16 [2, 3, 1] -> [2, 3] is an alias; EXPAND_DIMS uint8 [2, 3] -> [2, 3, 1] repacks', async (t) => {
    if (!delegate) return t.skip();
    await expectGpuMatchesCpu(
      {
        op: 'SQUEEZE',
        options: { squeezeDims: [2] },
        inputs: [{ dtype: 'int16', shape: [2, 3, 1], data: intValues('int16', 6), quantization: quantOf('int16') }],
        outputs: [{ dtype: 'int16', quantization: quantOf('int16') }],
      },
      delegate,
    );
    await expectGpuMatchesCpu(
      {
        op: 'EXPAND_DIMS',
        inputs: [
          { dtype: 'uint8', shape: [2, 3], data: intValues('uint8', 6), quantization: quantOf('uint8') },
          { dtype: 'int32', shape: [1], data: [2], constant: true },
        ],
        outputs: [{ dtype: 'uint8', quantization: quantOf('uint8') }],
      },
      delegate,
    );
  });
});

// Integer activations and unary ops on the GPU (delegate/ops/unary_int.ts) against their CPU
// kernels, to the bit: every value of the 8-bit types, int16 extremes and random values, odd
// channel counts (padded lanes), both integerRounding modes.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { DType } from '../../src/model/dtype.js';
import type { Options } from '../../src/model/types.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

type IntType = 'int8' | 'uint8' | 'int16';
const quant = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** All 256 values of an 8-bit type (shape [4, 64] or, odd, [3, 5, 17] holding them and a few more). */
function allBytes(type: 'int8' | 'uint8', odd: boolean): { shape: number[]; data: number[] } {
  const lo = type === 'int8' ? -128 : 0;
  const shape = odd ? [3, 5, 17] : [4, 64];
  const n = shape.reduce((a, d) => a * d, 1);
  return { shape, data: Array.from({ length: n }, (_, i) => lo + ((i * 97) % 256)) };
}

/** int16 extremes, values around 0, and pseudo-random ones; 7 channels. */
function int16Values(): { shape: number[]; data: number[] } {
  const fixed = [-32768, -32767, -1, 0, 1, 32766, 32767, -16384, 16384, -4096, 4095, 127, -128, 255];
  const shape = [2, 9, 7];
  const n = shape.reduce((a, d) => a * d, 1);
  let s = 12345;
  const data = Array.from({ length: n }, (_, i) => {
    if (i < fixed.length) return fixed[i] as number;
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) - 32768;
  });
  return { shape, data };
}

interface Case {
  op: string;
  type: IntType;
  inQ: [number, number];
  outQ: [number, number];
  options?: Options;
  rounding?: IntegerRounding;
  /** Input values: default all 8-bit values, or int16Values(). */
  values?: { shape: number[]; data: number[] };
}

async function run(c: Case, odd = false): Promise<void> {
  if (!delegate) return;
  const values = c.values ?? (c.type === 'int16' ? int16Values() : allBytes(c.type, odd));
  await expectGpuMatchesCpu(
    {
      op: c.op,
      options: c.options ?? {},
      integerRounding: c.rounding ?? 'reference',
      inputs: [{ dtype: c.type as DType, shape: values.shape, data: values.data, quantization: quant(...c.inQ) }],
      outputs: [{ dtype: c.type as DType, quantization: quant(...c.outQ) }],
    },
    delegate,
    `${c.op} ${c.type}`,
  );
}

const SIGMOID_OUT: Record<'int8' | 'uint8', [number, number]> = { int8: [1 / 256, -128], uint8: [1 / 256, 0] };
const TANH_OUT: Record<'int8' | 'uint8', [number, number]> = { int8: [1 / 128, 0], uint8: [1 / 128, 128] };

const cases: Case[] = [
  // LOGISTIC / TANH: the 8-bit LUTs, int16 interpolation (scale 1/3000) and power-of-two paths.
  ...(['int8', 'uint8'] as const).flatMap((t): Case[] => [
    { op: 'LOGISTIC', type: t, inQ: [0.0625, t === 'int8' ? 3 : 130], outQ: SIGMOID_OUT[t] },
    { op: 'TANH', type: t, inQ: [0.03, t === 'int8' ? -5 : 120], outQ: TANH_OUT[t] },
  ]),
  { op: 'LOGISTIC', type: 'int16', inQ: [1 / 3000, 0], outQ: [1 / 32768, 0] },
  { op: 'LOGISTIC', type: 'int16', inQ: [2 ** -12, 0], outQ: [1 / 32768, 0] },
  { op: 'TANH', type: 'int16', inQ: [1 / 5000, 0], outQ: [1 / 32768, 0] },
  { op: 'TANH', type: 'int16', inQ: [2 ** -11, 0], outQ: [1 / 32768, 0] },
  { op: 'TANH', type: 'int16', inQ: [2 ** -12, 0], outQ: [1 / 32768, 0] },
  // LEAKY_RELU: reference QuantizeLeakyRelu and (xnnpack rounding) XNNPACK's vlrelu; negative alpha.
  ...(['int8', 'uint8'] as const).flatMap((t) =>
    (['reference', 'xnnpack'] as const).flatMap((rounding): Case[] => [
      {
        op: 'LEAKY_RELU',
        type: t,
        inQ: [0.05, t === 'int8' ? 4 : 127],
        outQ: [0.04, t === 'int8' ? -9 : 100],
        options: { alpha: 0.2 },
        rounding,
      },
      { op: 'LEAKY_RELU', type: t, inQ: [0.1, 0], outQ: [0.1, t === 'int8' ? 0 : 128], options: { alpha: -0.5 }, rounding },
    ]),
  ),
  { op: 'LEAKY_RELU', type: 'int16', inQ: [0.001, 0], outQ: [0.0007, 0], options: { alpha: 0.3 } },
  { op: 'LEAKY_RELU', type: 'int16', inQ: [0.001, 0], outQ: [0.001, 0], options: { alpha: -1.5 } },
  // HARD_SWISH.
  { op: 'HARD_SWISH', type: 'int8', inQ: [0.05, -10], outQ: [0.03, -50] },
  { op: 'HARD_SWISH', type: 'uint8', inQ: [0.04, 128], outQ: [0.025, 20] },
  // RSQRT int8: inputs from the zero point up (the CPU rejects values below it).
  {
    op: 'RSQRT',
    type: 'int8',
    inQ: [0.02, -128],
    outQ: [0.05, -100],
    values: { shape: [5, 51], data: Array.from({ length: 255 }, (_, i) => i - 128) },
  },
  // The RELU family, with rescaling.
  ...(['int8', 'uint8'] as const).flatMap((t): Case[] =>
    ['RELU', 'RELU6', 'RELU_N1_TO_1', 'RELU_0_TO_1'].map((op) => ({
      op,
      type: t,
      inQ: [0.05, t === 'int8' ? 7 : 120] as [number, number],
      outQ: [0.03, t === 'int8' ? -20 : 90] as [number, number],
    })),
  ),
  { op: 'RELU', type: 'int16', inQ: [0.001, 0], outQ: [0.0015, 0] },
  { op: 'RELU6', type: 'int16', inQ: [0.0005, 0], outQ: [0.0002, 0] },
  // ABS int8 / int16, ELU int8, GELU (erf and tanh forms).
  { op: 'ABS', type: 'int8', inQ: [0.05, 3], outQ: [0.04, -7] },
  { op: 'ABS', type: 'int16', inQ: [0.001, 0], outQ: [0.0009, 0] },
  { op: 'ELU', type: 'int8', inQ: [0.05, 10], outQ: [0.03, -60] },
  { op: 'GELU', type: 'int8', inQ: [0.04, 5], outQ: [0.02, -100] },
  { op: 'GELU', type: 'uint8', inQ: [0.04, 130], outQ: [0.02, 10], options: { approximate: true } },
];

describe('integer activations on the GPU equal the CPU kernels', () => {
  for (const c of cases) {
    const label = `${c.op} ${c.type} in ${c.inQ} out ${c.outQ}${c.options ? ` ${JSON.stringify(c.options)}` : ''} ${c.rounding ?? ''}`;
    it(label, async (t) => {
      if (!delegate) return t.skip();
      await run(c);
    });
  }
  it('odd channel counts (17): LOGISTIC int8, HARD_SWISH uint8, LEAKY_RELU int8 xnnpack', async (t) => {
    if (!delegate) return t.skip();
    await run(cases[0] as Case, true);
    await run({ op: 'HARD_SWISH', type: 'uint8', inQ: [0.04, 128], outQ: [0.025, 20] }, true);
    await run({ op: 'LEAKY_RELU', type: 'int8', inQ: [0.05, 4], outQ: [0.04, -9], options: { alpha: 0.2 }, rounding: 'xnnpack' }, true);
  });
});

describe('integer PRELU on the GPU equals the CPU kernel', () => {
  const every = (type: 'int8' | 'uint8') => Array.from({ length: 256 }, (_, i) => (type === 'int8' ? -128 : 0) + i);
  const some = (type: 'int8' | 'uint8', n: number, seed: number) =>
    Array.from({ length: n }, (_, i) => (type === 'int8' ? -128 : 0) + ((i * 131 + seed * 17) % 256));
  const count = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
  const shapes: { x: number[]; alpha: number[]; constant: boolean }[] = [
    { x: [256, 1], alpha: [256], constant: false }, // every (input, alpha) pair
    { x: [2, 3, 5, 7], alpha: [7], constant: true }, // per-channel alpha, odd channels
    { x: [2, 3, 5, 7], alpha: [1, 1, 7], constant: true },
    { x: [3, 5, 6], alpha: [1], constant: true }, // one alpha: splatted across the lanes
    { x: [3, 1, 9], alpha: [3, 4, 1], constant: false }, // both broadcast
  ];
  for (const type of ['int8', 'uint8'] as const) {
    for (const s of shapes) {
      it(`${type} [${s.x}] with alpha [${s.alpha}]${s.constant ? ' (constant)' : ''}`, async (t) => {
        if (!delegate) return t.skip();
        const zp = type === 'int8' ? [5, -3, -10] : [130, 120, 100];
        await expectGpuMatchesCpu(
          {
            op: 'PRELU',
            inputs: [
              {
                dtype: type,
                shape: s.x,
                data: count(s.x) === 256 ? every(type) : some(type, count(s.x), 1),
                quantization: quant(0.05, zp[0] as number),
              },
              {
                dtype: type,
                shape: s.alpha,
                data: count(s.alpha) === 256 ? every(type) : some(type, count(s.alpha), 2),
                quantization: quant(0.01, zp[1] as number),
                constant: s.constant,
              },
            ],
            outputs: [{ dtype: type, quantization: quant(0.04, zp[2] as number) }],
          },
          delegate,
          `PRELU ${type}`,
        );
      });
    }
  }
});

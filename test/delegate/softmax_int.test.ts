// Integer SOFTMAX on the GPU (delegate/ops/softmax_int.ts) against the CPU kernel, to the bit:
// rows holding every 8-bit value, odd and single-channel rows, int16 extremes and random rows,
// int8 / uint8 input with 8- and 16-bit outputs, several input scales and betas.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { DType } from '../../src/model/dtype.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

type IntType = 'int8' | 'uint8' | 'int16';
const quant = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const RANGE: Record<IntType, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

/** Pseudo-random values of the type (a fixed seed per call site). */
function randomInts(type: IntType, n: number, seed: number, spread = 1): number[] {
  const [lo, hi] = RANGE[type];
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = (s >>> 8) / 2 ** 24;
    const mid = (lo + hi) / 2;
    return Math.round(Math.min(hi, Math.max(lo, mid + (u - 0.5) * (hi - lo) * spread)));
  });
}

/** Rows of the 8-bit type: one holding all 256 values, then random rows of several depths. */
function shapes8(type: 'int8' | 'uint8'): { shape: number[]; data: number[] }[] {
  const [lo] = RANGE[type];
  return [
    { shape: [1, 256], data: Array.from({ length: 256 }, (_, i) => lo + ((i * 97) % 256)) },
    { shape: [2, 3, 17], data: randomInts(type, 102, 7) },
    { shape: [5, 1], data: randomInts(type, 5, 8) },
    { shape: [4, 8], data: randomInts(type, 32, 9, 0.1) }, // close values: many near-equal probabilities
    { shape: [48, 23], data: randomInts(type, 48 * 23, 10, 0.3) }, // many rows: probabilities near rounding ties
  ];
}

interface Case {
  inType: IntType;
  outType: IntType;
  inQ: [number, number];
  outQ: [number, number];
  beta: number;
  rounding?: IntegerRounding;
}

const cases: Case[] = [
  { inType: 'int8', outType: 'int8', inQ: [0.1, 3], outQ: [1 / 256, -128], beta: 1 },
  { inType: 'int8', outType: 'int8', inQ: [0.02, -10], outQ: [1 / 256, -128], beta: 1, rounding: 'xnnpack' },
  { inType: 'int8', outType: 'int8', inQ: [0.5, 0], outQ: [1 / 256, -128], beta: 0.7 },
  { inType: 'uint8', outType: 'uint8', inQ: [0.0625, 128], outQ: [1 / 256, 0], beta: 1 },
  { inType: 'uint8', outType: 'uint8', inQ: [0.3, 100], outQ: [1 / 256, 0], beta: 0.25, rounding: 'xnnpack' },
  { inType: 'int8', outType: 'int16', inQ: [0.05, 0], outQ: [1 / 32768, 0], beta: 1 },
  { inType: 'uint8', outType: 'int16', inQ: [0.08, 128], outQ: [1 / 65536, -32768], beta: 1 },
];

const int16Cases: { inQ: number; beta: number; rounding?: IntegerRounding }[] = [
  { inQ: 0.001, beta: 1 },
  { inQ: 0.0002, beta: 1, rounding: 'xnnpack' },
  { inQ: 0.00005, beta: 2 },
];

function int16Shapes(): { shape: number[]; data: number[] }[] {
  const extremes = [-32768, 32767, 0, -1, 1, -32767, 32766];
  return [
    { shape: [3, 7], data: [...extremes, ...randomInts('int16', 14, 3)] },
    { shape: [2, 300], data: randomInts('int16', 600, 4) },
    { shape: [6, 1], data: randomInts('int16', 6, 5) },
    { shape: [4, 5], data: randomInts('int16', 20, 6, 0.01) },
  ];
}

async function run(c: Case, input: { shape: number[]; data: number[] }): Promise<void> {
  if (!delegate) return;
  await expectGpuMatchesCpu(
    {
      op: 'SOFTMAX',
      options: { beta: c.beta },
      integerRounding: c.rounding ?? 'reference',
      inputs: [{ dtype: c.inType as DType, shape: input.shape, data: input.data, quantization: quant(...c.inQ) }],
      outputs: [{ dtype: c.outType as DType, quantization: quant(...c.outQ) }],
    },
    delegate,
    `SOFTMAX ${c.inType} -> ${c.outType} [${input.shape}]`,
  );
}

describe('integer SOFTMAX on the GPU equals the CPU kernel', () => {
  for (const c of cases) {
    it(`${c.inType} -> ${c.outType}, input scale ${c.inQ[0]}, beta ${c.beta} ${c.rounding ?? ''}`, async (t) => {
      if (!delegate) return t.skip();
      for (const input of shapes8(c.inType as 'int8' | 'uint8')) await run(c, input);
    });
  }
  for (const c of int16Cases) {
    it(`int16 -> int16, input scale ${c.inQ}, beta ${c.beta} ${c.rounding ?? ''}`, async (t) => {
      if (!delegate) return t.skip();
      const full: Case = { inType: 'int16', outType: 'int16', inQ: [c.inQ, 0], outQ: [1 / 32768, 0], beta: c.beta, rounding: c.rounding };
      for (const input of int16Shapes()) await run(full, input);
    });
  }
});

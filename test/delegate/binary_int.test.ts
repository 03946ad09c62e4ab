// Integer elementwise binary ops on the GPU (delegate/ops/binary_int.ts) against the CPU kernels,
// to the bit: quantized ADD / SUB / MUL (8-bit pair tables in both rounding modes, int16
// power-of-two and general paths, int16 MUL), SQUARED_DIFFERENCE, DIV, integer MAXIMUM / MINIMUM;
// broadcasting (scalars, odd channels, splatted lanes), zero points at the type limits,
// saturation and fused activations.
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

const RELU = 1;
const RELU_N1_TO_1 = 2;
const RELU6 = 3;

const count = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** n values spread over the type's range, its extremes first. */
function values(dtype: string, n: number, seed: number): number[] {
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : dtype === 'uint8' ? [0, 255] : dtype === 'int16' ? [-32768, 32767] : [-2e9, 2e9];
  const span = hi - lo + 1;
  return Array.from({ length: n }, (_, i) => {
    if (i === 0) return lo;
    if (i === 1) return hi;
    return lo + ((Math.imul(i + seed * 7919, 0x9e3779b1) >>> 0) % span);
  });
}

const quant = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

interface Side {
  shape: number[];
  scale: number;
  zp: number;
  constant?: boolean;
}

function binaryCase(
  op: string,
  dtype: DType,
  a: Side,
  b: Side,
  out: { scale: number; zp: number },
  options: Options = {},
  integerRounding: IntegerRounding = 'reference',
) {
  return {
    op,
    options,
    integerRounding,
    inputs: [
      { dtype, shape: a.shape, data: values(dtype, count(a.shape), 1), quantization: quant(a.scale, a.zp), constant: a.constant },
      { dtype, shape: b.shape, data: values(dtype, count(b.shape), 2), quantization: quant(b.scale, b.zp), constant: b.constant },
    ],
    outputs: [{ dtype, quantization: quant(out.scale, out.zp) }],
  };
}

const run = async (t: { skip: () => void }, c: ReturnType<typeof binaryCase>, what: string) => {
  if (!delegate) return t.skip();
  await expectGpuMatchesCpu(c, delegate, what);
};

describe('8-bit ADD / SUB / MUL / SQUARED_DIFFERENCE / DIV (pair tables)', () => {
  const shapes: [number[], number[]][] = [
    [
      [2, 3, 5],
      [2, 3, 5],
    ], // same shape, odd channels
    [[2, 3, 6], [1]], // scalar
    [
      [2, 1, 7],
      [1, 3, 1],
    ], // both broadcast; b splatted
    [
      [3, 1],
      [2, 3, 4],
    ], // a splatted across lanes
    [
      [1, 2, 1, 3],
      [2, 1, 5, 3],
    ],
  ];
  for (const rounding of ['reference', 'xnnpack'] as const) {
    for (const dtype of ['int8', 'uint8'] as const) {
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      for (const op of ['ADD', 'SUB', 'MUL']) {
        shapes.forEach(([sa, sb], i) => {
          it(`${op} ${dtype} [${sa}] x [${sb}] ${rounding}`, (t) =>
            run(
              t,
              binaryCase(
                op,
                dtype,
                { shape: sa, scale: 0.05, zp: i === 1 ? lo : 3 },
                { shape: sb, scale: 0.02 * (i + 1), zp: i === 2 ? hi : -1 - lo / 2 },
                { scale: op === 'MUL' ? 0.5 : 0.07, zp: i === 3 ? hi : lo + 100 },
                { fusedActivationFunction: [0, RELU, RELU6, RELU_N1_TO_1, 0][i] },
                rounding,
              ),
              `${op} ${dtype}`,
            ));
        });
      }
      it(`ADD ${dtype} saturating output, constant input, ${rounding}`, (t) =>
        run(
          t,
          binaryCase(
            'ADD',
            dtype,
            { shape: [4, 9], scale: 1, zp: lo },
            { shape: [9], scale: 0.9, zp: hi, constant: true },
            { scale: 0.01, zp: 0 },
            {},
            rounding,
          ),
          'ADD',
        ));
    }
    it(`SQUARED_DIFFERENCE int8 ${rounding}`, (t) =>
      run(
        t,
        binaryCase(
          'SQUARED_DIFFERENCE',
          'int8',
          { shape: [2, 3, 5], scale: 0.1, zp: -128 },
          { shape: [5], scale: 0.05, zp: 127 },
          { scale: 4, zp: -120 },
          {},
          rounding,
        ),
        'SQUARED_DIFFERENCE',
      ));
  }
  it('DIV uint8', (t) =>
    run(
      t,
      binaryCase(
        'DIV',
        'uint8',
        { shape: [3, 6], scale: 0.1, zp: 10 },
        { shape: [1, 6], scale: 0.05, zp: 128 },
        { scale: 0.2, zp: 7 },
        { fusedActivationFunction: RELU },
      ),
      'DIV',
    ));
});

describe('int16 ADD / SUB / MUL', () => {
  for (const op of ['ADD', 'SUB']) {
    it(`${op} int16 power-of-two scales (pot path)`, (t) =>
      run(
        t,
        binaryCase(
          op,
          'int16',
          { shape: [2, 3, 5], scale: 2 ** -10, zp: 0 },
          { shape: [1, 3, 1], scale: 2 ** -12, zp: 0 },
          { scale: 2 ** -10, zp: 0 },
          { potScaleInt16: true, fusedActivationFunction: RELU },
        ),
        `${op} pot`,
      ));
    it(`${op} int16 general path, broadcast`, (t) =>
      run(
        t,
        binaryCase(op, 'int16', { shape: [2, 3, 7], scale: 0.0011, zp: 0 }, { shape: [7], scale: 0.0003, zp: 0 }, { scale: 0.0009, zp: 0 }),
        `${op} general`,
      ));
    it(`${op} int16 general path, saturating, RELU6`, (t) =>
      run(
        t,
        binaryCase(
          op,
          'int16',
          { shape: [4, 4], scale: 0.01, zp: 0 },
          { shape: [1], scale: 0.02, zp: 0 },
          { scale: 0.0002, zp: 0 },
          { fusedActivationFunction: RELU6 },
        ),
        `${op} general`,
      ));
  }
  it('ADD int16 power-of-two scales without potScaleInt16 (general path)', (t) =>
    run(
      t,
      binaryCase(
        'ADD',
        'int16',
        { shape: [3, 5], scale: 2 ** -10, zp: 0 },
        { shape: [3, 5], scale: 2 ** -11, zp: 0 },
        { scale: 2 ** -10, zp: 0 },
      ),
      'ADD',
    ));
  it('MUL int16 broadcast', (t) =>
    run(
      t,
      binaryCase(
        'MUL',
        'int16',
        { shape: [2, 5], scale: 0.001, zp: 0 },
        { shape: [2, 1], scale: 0.002, zp: 0 },
        { scale: 0.01, zp: 0 },
        { fusedActivationFunction: RELU },
      ),
      'MUL',
    ));
  it('MUL int16 with an output multiplier above one', (t) =>
    run(
      t,
      binaryCase('MUL', 'int16', { shape: [9], scale: 0.5, zp: 0 }, { shape: [9], scale: 0.25, zp: 0 }, { scale: 0.01, zp: 0 }),
      'MUL',
    ));
});

describe('integer MAXIMUM / MINIMUM', () => {
  for (const op of ['MAXIMUM', 'MINIMUM']) {
    for (const dtype of ['int8', 'uint8', 'int16', 'int32'] as const) {
      it(`${op} ${dtype} broadcast`, (t) =>
        run(
          t,
          binaryCase(op, dtype, { shape: [2, 3, 5], scale: 0.1, zp: 0 }, { shape: [3, 1], scale: 0.1, zp: 0 }, { scale: 0.1, zp: 0 }),
          op,
        ));
    }
  }
});

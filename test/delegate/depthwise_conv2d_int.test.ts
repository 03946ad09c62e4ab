// Integer DEPTHWISE_CONV_2D on the GPU (delegate/ops/depthwise_conv2d_int.ts) against the CPU
// kernel (src/kernels/depthwise_conv_int.ts), to the bit: int8 per-channel and per-tensor, legacy
// uint8 with filter zero points, 16x8 with int64 bias, depth multipliers, strides, dilations,
// padding, fused clamps, both integer rounding modes.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { Quantization } from '../../src/model/types.js';
import { lcg, q } from '../support/quant_ref.js';
import type { OpCase } from '../support/run_op.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

const SAME = 0;
const VALID = 1;
const RELU6 = 3;
const RELU = 1;

interface DwCase {
  dtype: 'int8' | 'uint8' | 'int16';
  /** [h, w, c] (batch 1 unless `batches`). */
  in: [number, number, number];
  batches?: number;
  filter: [number, number];
  multiplier?: number;
  stride?: [number, number];
  dilation?: [number, number];
  padding?: number;
  activation?: number;
  inQ: Quantization;
  /** Filter scales (one, or one per output channel) and zero point. */
  wScales: number[];
  wZero?: number;
  outQ: Quantization;
  bias?: boolean;
  rounding?: IntegerRounding;
  seed: number;
}

const RANGE = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] } as const;

function opCase(c: DwCase): OpCase {
  const rnd = lcg(c.seed);
  const [h, w, ch] = c.in;
  const n = c.batches ?? 1;
  const mult = c.multiplier ?? 1;
  const oc = ch * mult;
  const [fh, fw] = c.filter;
  const [lo, hi] = RANGE[c.dtype];
  const x = Array.from({ length: n * h * w * ch }, (_, i) => (i === 0 ? lo : i === 1 ? hi : rnd(lo, hi)));
  const wType = c.dtype === 'uint8' ? 'uint8' : 'int8';
  const [wlo, whi] = wType === 'uint8' ? [0, 255] : [-127, 127];
  const filt = Array.from({ length: fh * fw * oc }, () => rnd(wlo, whi));
  const inScale = c.inQ.scale[0] as number;
  const biasScales = (c.wScales.length > 1 ? c.wScales : [c.wScales[0] as number]).map((s) => s * inScale);
  const wide = c.dtype === 'int16';
  const biasData = Array.from({ length: oc }, () => rnd(-40000, 40000));
  const bias =
    c.bias === false
      ? null
      : {
          dtype: wide ? ('int64' as const) : ('int32' as const),
          shape: [oc],
          data: wide ? biasData.map((v) => BigInt(v) * 1000n) : biasData,
          quantization: q(biasScales),
          constant: true,
        };
  return {
    op: 'DEPTHWISE_CONV_2D',
    integerRounding: c.rounding ?? 'reference',
    options: {
      padding: c.padding ?? SAME,
      strideH: c.stride?.[0] ?? 1,
      strideW: c.stride?.[1] ?? 1,
      dilationHFactor: c.dilation?.[0] ?? 1,
      dilationWFactor: c.dilation?.[1] ?? 1,
      depthMultiplier: mult,
      fusedActivationFunction: c.activation ?? 0,
    },
    inputs: [
      { dtype: c.dtype, shape: [n, h, w, ch], data: x, quantization: c.inQ },
      { dtype: wType, shape: [1, fh, fw, oc], data: filt, quantization: q(c.wScales, c.wZero ?? 0, 3), constant: true },
      bias,
    ],
    outputs: [{ dtype: c.dtype, quantization: c.outQ }],
  };
}

/** Per-channel scales whose multipliers have shifts from -14 to +2 (some above 1: left shifts). */
const mixed = (oc: number) => Array.from({ length: oc }, (_, i) => [0.002, 0.05, 0.0000031, 0.4, 0.0117][i % 5] as number);

const cases: [string, DwCase][] = [
  [
    'int8 per-channel, mixed shifts, 3 channels, 3x3 SAME',
    { dtype: 'int8', in: [6, 7, 3], filter: [3, 3], inQ: q(0.05, 3), wScales: mixed(3), outQ: q(0.02, -5), seed: 1 },
  ],
  [
    'int8 per-channel, 5 channels, 5x5 VALID, RELU6',
    {
      dtype: 'int8',
      in: [7, 9, 5],
      filter: [5, 5],
      padding: VALID,
      activation: RELU6,
      inQ: q(0.05, -7),
      wScales: mixed(5),
      outQ: q(0.03, -100),
      seed: 2,
    },
  ],
  [
    'int8 per-tensor, 8 channels, stride 2 SAME, 2 batches',
    {
      dtype: 'int8',
      in: [7, 8, 8],
      batches: 2,
      filter: [3, 3],
      stride: [2, 2],
      inQ: q(0.1, 10),
      wScales: [0.004],
      outQ: q(0.05, 2),
      seed: 3,
    },
  ],
  [
    'int8 depth multiplier 2, 3 channels, dilation 2',
    {
      dtype: 'int8',
      in: [8, 9, 3],
      multiplier: 2,
      filter: [3, 3],
      dilation: [2, 2],
      inQ: q(0.05, -1),
      wScales: mixed(6),
      outQ: q(0.02, 0),
      seed: 4,
    },
  ],
  [
    'int8 depth multiplier 3, 5 channels, stride 2 x 1, dilation 1 x 2, RELU',
    {
      dtype: 'int8',
      in: [6, 11, 5],
      multiplier: 3,
      filter: [3, 2],
      stride: [2, 1],
      dilation: [1, 2],
      activation: RELU,
      inQ: q(0.05, 12),
      wScales: mixed(15),
      outQ: q(0.04, -20),
      seed: 5,
    },
  ],
  [
    'int8 without bias, 5x5 stride 2 SAME (rows outside the image)',
    {
      dtype: 'int8',
      in: [5, 6, 8],
      filter: [5, 5],
      stride: [2, 2],
      bias: false,
      inQ: q(0.05, -128),
      wScales: mixed(8),
      outQ: q(0.05, 0),
      seed: 6,
    },
  ],
  ...[0, 128, 255].map((zw, i): [string, DwCase] => [
    `uint8 filter zero point ${zw}, 3x3 SAME, ${[3, 5, 8][i]} channels`,
    {
      dtype: 'uint8',
      in: [6, 7, [3, 5, 8][i] as number],
      filter: [3, 3],
      stride: i === 1 ? [2, 2] : [1, 1],
      inQ: q(0.02, [128, 0, 255][i] as number),
      wScales: [0.01],
      wZero: zw,
      outQ: q(0.03, [3, 128, 200][i] as number),
      activation: i === 2 ? RELU6 : 0,
      seed: 10 + i,
    },
  ]),
  [
    'uint8 depth multiplier 2, 5x5 dilation 2',
    {
      dtype: 'uint8',
      in: [9, 9, 3],
      multiplier: 2,
      filter: [5, 5],
      dilation: [2, 2],
      inQ: q(0.02, 100),
      wScales: [0.005],
      wZero: 119,
      outQ: q(0.06, 128),
      seed: 14,
    },
  ],
  [
    '16x8 int64 bias, 3x3 SAME, 5 channels',
    { dtype: 'int16', in: [5, 6, 5], filter: [3, 3], inQ: q(0.0005, 0), wScales: mixed(5), outQ: q(0.0004, 0), seed: 20 },
  ],
  [
    '16x8 int64 bias, depth multiplier 2, 5x5 stride 2, RELU6',
    {
      dtype: 'int16',
      in: [7, 7, 3],
      multiplier: 2,
      filter: [5, 5],
      stride: [2, 2],
      activation: RELU6,
      inQ: q(0.0005, 0),
      wScales: mixed(6),
      outQ: q(0.0003, 0),
      seed: 21,
    },
  ],
  [
    '16x8 without bias, 8 channels, dilation 2',
    {
      dtype: 'int16',
      in: [6, 6, 8],
      filter: [3, 3],
      dilation: [2, 2],
      bias: false,
      inQ: q(0.0005, 0),
      wScales: [0.01],
      outQ: q(0.0004, 0),
      seed: 22,
    },
  ],
];

describe('DEPTHWISE_CONV_2D integer on the GPU', () => {
  for (const rounding of ['reference', 'xnnpack'] as const) {
    for (const [name, c] of cases) {
      it(`${name} (${rounding})`, async (t) => {
        if (!delegate) return t.skip();
        await expectGpuMatchesCpu(opCase({ ...c, rounding }), delegate);
      });
    }
  }
});

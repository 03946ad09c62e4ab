// Integer CONV_2D on the GPU (delegate/ops/conv2d_int.ts) against the CPU kernel, to the bit:
// int8 (per-channel and per-tensor weights), legacy uint8 (filter zero points), 16x8 with 32- and
// 64-bit accumulators; padding, strides, dilations, groups, fused activations; both integer
// roundings; with the packed dot-product builtins and without.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import { lcg, q } from '../support/quant_ref.js';
import type { OpCase, OpTensor } from '../support/run_op.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { testDelegate } from './support.js';

let withDot: WebGpuDelegate | null = null;
let plain: WebGpuDelegate | null = null;
beforeAll(async () => {
  withDot = await testDelegate();
  plain = await testDelegate({ integerDotProduct: false });
});
afterAll(() => {
  withDot?.dispose();
  plain?.dispose();
});

const SAME = 0;
const VALID = 1;
const RELU_N1_TO_1 = 2;
const RELU6 = 3;

interface ConvSpec {
  dtype: 'int8' | 'uint8' | 'int16';
  input: [number, number, number, number];
  /** [outC, filterH, filterW, filterC]. */
  filter: [number, number, number, number];
  bias?: 'int32' | 'int64' | null;
  inputZeroPoint?: number;
  filterZeroPoint?: number;
  outputZeroPoint?: number;
  /** Per-channel filter scales (int8 / int16 only), else one. */
  perChannel?: boolean;
  padding?: number;
  stride?: [number, number];
  dilation?: [number, number];
  activation?: number;
  /** The real value of a typical output (scales the input): 1 or 6 make the activations clamp. */
  typicalReal?: number;
  /** Bias near 2^31 and a tiny multiplier: sums that wrap around int32 land inside the output range. */
  wrap?: boolean;
  /**
   * 16x8: input channels alternating at +-32767 and output channels 0 / 1 matching / opposing
   * them, so those sums reach +-K * 2^22 (past int32 for K > 512), and int64 biases past 2^32.
   */
  extreme?: boolean;
  seed: number;
}

const RANGES = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] } as const;
const clampTo = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, v));

function convCase(s: ConvSpec, integerRounding: IntegerRounding): OpCase {
  const rnd = lcg(s.seed);
  const [n, h, w, c] = s.input;
  const [oc, kh, kw, kc] = s.filter;
  const K = kh * kw * kc;
  const filterType = s.dtype === 'uint8' ? 'uint8' : 'int8';
  const filterRange = filterType === 'uint8' ? ([0, 255] as const) : ([-127, 127] as const);
  const zx = s.inputZeroPoint ?? 0;
  const zw = s.filterZeroPoint ?? 0;
  // Values spread around the zero points (clamped at the ends of the range).
  const amplitude = s.dtype === 'int16' ? 20000 : 100;
  const x = Array.from({ length: n * h * w * c }, (_, i) =>
    s.extreme ? (i % 2 ? 32767 : -32768) : clampTo(zx + rnd(-amplitude, amplitude), RANGES[s.dtype]),
  );
  const filt = Array.from({ length: oc * kh * kw * kc }, (_, i) => {
    const ch = Math.floor(i / (kh * kw * kc));
    if (s.extreme && ch < 2) return ((i % kc) % 2 ? 127 : -127) * (ch === 0 ? 1 : -1);
    return clampTo(zw + rnd(-100, 100), filterRange);
  });
  // Per-channel scales over three orders of magnitude: mixed shifts.
  const relative = [1, 0.07, 3.1, 0.4, 11, 0.9, 0.013, 1.7];
  const wScales = s.perChannel ? Array.from({ length: oc }, (_, i) => 0.01 * (relative[i % relative.length] as number)) : [0.01];
  const ws0 = wScales[0] as number;
  // A typical sum (uniform values): amplitude * 100 * sqrt(K) / 3; a typical output is 50 steps.
  const typicalSum = s.extreme ? K * 2 ** 22 : (amplitude * 100 * Math.sqrt(K)) / 3;
  const inScale = s.typicalReal ? s.typicalReal / (ws0 * typicalSum) : s.dtype === 'int16' ? 0.0005 : 0.05;
  const outSteps = s.wrap ? 2 ** 31 / 100 : s.extreme ? typicalSum / 20000 : typicalSum / 50;
  const outScale = inScale * ws0 * outSteps;
  const inputs: (OpTensor | null)[] = [
    { dtype: s.dtype, shape: [n, h, w, c], data: x, quantization: q(inScale, zx) },
    { dtype: filterType, shape: [oc, kh, kw, kc], data: filt, quantization: q(wScales, zw, 0), constant: true },
  ];
  const biasType = s.bias === undefined ? 'int32' : s.bias;
  if (biasType) {
    const spread = Math.round(typicalSum);
    const values = Array.from({ length: oc }, (_, i) => {
      if (s.wrap) return 2 ** 31 - 1 - rnd(0, spread);
      if (s.extreme && i >= 2) return (i % 2 ? 1 : -1) * 2 ** 34 + rnd(-spread, spread);
      return rnd(-spread, spread);
    });
    inputs.push({
      dtype: biasType,
      shape: [oc],
      data: biasType === 'int64' ? values.map((v) => BigInt(v)) : values,
      quantization: q(
        wScales.map((ws) => inScale * ws),
        0,
      ),
      constant: true,
    });
  } else {
    inputs.push(null);
  }
  return {
    op: 'CONV_2D',
    integerRounding,
    options: {
      padding: s.padding ?? SAME,
      strideH: s.stride?.[0] ?? 1,
      strideW: s.stride?.[1] ?? 1,
      dilationHFactor: s.dilation?.[0] ?? 1,
      dilationWFactor: s.dilation?.[1] ?? 1,
      fusedActivationFunction: s.activation ?? 0,
    },
    inputs,
    outputs: [{ dtype: s.dtype, quantization: q(outScale, s.outputZeroPoint ?? 0) }],
  };
}

const CASES: [string, ConvSpec][] = [
  // int8
  [
    'int8 per-channel mixed shifts, 3x3 SAME stride 2, 3 -> 5 channels',
    {
      dtype: 'int8',
      input: [1, 7, 6, 3],
      filter: [5, 3, 3, 3],
      perChannel: true,
      stride: [2, 2],
      inputZeroPoint: -3,
      outputZeroPoint: 5,
      seed: 1,
    },
  ],
  [
    'int8 per-tensor 1x1 VALID, 8 -> 8 channels, 2 batches',
    { dtype: 'int8', input: [2, 3, 5, 8], filter: [8, 1, 1, 8], padding: VALID, inputZeroPoint: 17, outputZeroPoint: -9, seed: 2 },
  ],
  [
    'int8 3x3 dilation 2 SAME, 5 -> 4 channels, RELU6',
    {
      dtype: 'int8',
      input: [1, 6, 7, 5],
      filter: [4, 3, 3, 5],
      perChannel: true,
      dilation: [2, 2],
      activation: RELU6,
      typicalReal: 6,
      inputZeroPoint: 20,
      outputZeroPoint: -128,
      seed: 3,
    },
  ],
  [
    'int8 2x3 stride (2, 1) dilation (1, 2), no bias, RELU_N1_TO_1',
    {
      dtype: 'int8',
      input: [1, 7, 6, 3],
      filter: [4, 2, 3, 3],
      perChannel: true,
      stride: [2, 1],
      dilation: [1, 2],
      bias: null,
      activation: RELU_N1_TO_1,
      typicalReal: 1,
      inputZeroPoint: -128,
      seed: 4,
    },
  ],
  [
    'int8 grouped: 8 input channels in 2 groups of 4, 6 outputs',
    { dtype: 'int8', input: [1, 4, 5, 8], filter: [6, 3, 3, 4], perChannel: true, inputZeroPoint: 7, seed: 5 },
  ],
  ['int8 sums wrapping around int32 (bias near 2^31)', { dtype: 'int8', input: [1, 4, 4, 4], filter: [4, 3, 3, 4], wrap: true, seed: 6 }],
  // uint8
  [
    'uint8 zero points 0 (input) and 255 (filter), 3x3 SAME stride 2, 3 -> 8 channels',
    {
      dtype: 'uint8',
      input: [1, 7, 7, 3],
      filter: [8, 3, 3, 3],
      stride: [2, 2],
      inputZeroPoint: 0,
      filterZeroPoint: 255,
      outputZeroPoint: 200,
      seed: 7,
    },
  ],
  [
    'uint8 zero points 255 (input) and 0 (filter), 1x1, 5 -> 3 channels, RELU_N1_TO_1',
    {
      dtype: 'uint8',
      input: [1, 3, 4, 5],
      filter: [3, 1, 1, 5],
      inputZeroPoint: 255,
      filterZeroPoint: 0,
      outputZeroPoint: 128,
      activation: RELU_N1_TO_1,
      typicalReal: 1,
      seed: 8,
    },
  ],
  [
    'uint8 3x3 dilation 2 VALID, 4 -> 8 channels, RELU6',
    {
      dtype: 'uint8',
      input: [1, 7, 6, 4],
      filter: [8, 3, 3, 4],
      padding: VALID,
      dilation: [2, 2],
      inputZeroPoint: 128,
      filterZeroPoint: 117,
      outputZeroPoint: 3,
      activation: RELU6,
      typicalReal: 6,
      seed: 9,
    },
  ],
  [
    'uint8 grouped: 6 input channels in 3 groups of 2, 3 outputs',
    { dtype: 'uint8', input: [1, 3, 4, 6], filter: [3, 3, 3, 2], inputZeroPoint: 60, filterZeroPoint: 140, outputZeroPoint: 100, seed: 10 },
  ],
  [
    'uint8 sums wrapping around int32 (bias near 2^31), 1x1',
    {
      dtype: 'uint8',
      input: [1, 3, 3, 8],
      filter: [4, 1, 1, 8],
      wrap: true,
      inputZeroPoint: 30,
      filterZeroPoint: 200,
      outputZeroPoint: 128,
      seed: 14,
    },
  ],
  // 16x8
  [
    '16x8 int64 bias (64-bit sums), 3x3 SAME, 5 -> 3 channels',
    { dtype: 'int16', input: [1, 5, 4, 5], filter: [3, 3, 3, 5], perChannel: true, bias: 'int64', seed: 11 },
  ],
  [
    '16x8 no bias (64-bit sums), 3x3 over 64 channels, sums past int32: chunked partial sums',
    { dtype: 'int16', input: [1, 3, 3, 64], filter: [4, 3, 3, 64], perChannel: true, bias: null, extreme: true, padding: VALID, seed: 12 },
  ],
  [
    '16x8 int64 bias past 2^32, 1x1 over 600 channels, sums past int32',
    { dtype: 'int16', input: [1, 1, 2, 600], filter: [4, 1, 1, 600], bias: 'int64', extreme: true, seed: 15 },
  ],
  [
    '16x8 int32 bias (32-bit sums), 3x3 SAME stride 2, 3 -> 8 channels, RELU6',
    {
      dtype: 'int16',
      input: [1, 6, 5, 3],
      filter: [8, 3, 3, 3],
      perChannel: true,
      stride: [2, 2],
      activation: RELU6,
      typicalReal: 6,
      seed: 13,
    },
  ],
];

for (const [mode, delegate] of [
  ['dot4 builtins', () => withDot],
  ['plain dot products', () => plain],
] as const) {
  describe(`CONV_2D integer on the GPU (${mode})`, () => {
    for (const rounding of ['reference', 'xnnpack'] as const) {
      for (const [what, spec] of CASES) {
        it(`${what} (${rounding})`, async (t) => {
          const d = delegate();
          if (!d) return t.skip();
          await expectGpuMatchesCpu(convCase(spec, rounding), d, what);
        });
      }
    }
  });
}

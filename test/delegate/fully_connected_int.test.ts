// Integer FULLY_CONNECTED on the GPU (delegate/ops/fully_connected_int.ts) against the CPU kernel
// (src/kernels/fully_connected_int.ts), to the bit, in both integer rounding modes, with and
// without the packed 4x8 dot product.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { DType } from '../../src/model/dtype.js';
import type { Quantization } from '../../src/model/types.js';
import { lcg, q } from '../support/quant_ref.js';
import { type OpCase, runOp } from '../support/run_op.js';
import { expectGpuMatchesCpu, intCaseGraph } from './int_support.js';
import { testDelegate } from './support.js';

let dotDelegate: WebGpuDelegate | null = null;
let plainDelegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  dotDelegate = await testDelegate();
  plainDelegate = await testDelegate({ integerDotProduct: false });
});
afterAll(() => {
  dotDelegate?.dispose();
  plainDelegate?.dispose();
});

const RELU6 = 3;
const LIMITS: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

interface FcSpec {
  dtype: 'int8' | 'uint8' | 'int16';
  /** Input shape; the weights are [units, k]. */
  shape: number[];
  units: number;
  k: number;
  inQ: Quantization;
  wQ: Quantization;
  outQ: Quantization;
  /** Bias dtype, or null for none; `biasRange` bounds its values. */
  bias: 'int32' | 'int64' | null;
  biasRange?: [number, number];
  /** Input values range (default: the type's, extremes first). */
  xRange?: [number, number];
  /** Largest weight magnitude per unit (default 127, or the full uint8 range). */
  wMax?: number[];
  options?: Record<string, unknown>;
  seed: number;
}

function fcCase(s: FcSpec, integerRounding: IntegerRounding): OpCase {
  const rnd = lcg(s.seed);
  const count = s.shape.reduce((a, d) => a * d, 1);
  const [lo, hi] = LIMITS[s.dtype] as [number, number];
  // The extremes of the type first, then random values.
  const x = s.xRange
    ? Array.from({ length: count }, () => rnd(...(s.xRange as [number, number])))
    : Array.from({ length: count }, (_, i) => (i === 0 ? lo : i === 1 ? hi : rnd(lo, hi)));
  const wDtype: DType = s.dtype === 'uint8' ? 'uint8' : 'int8';
  const w = Array.from({ length: s.units * s.k }, (_, i) => {
    if (s.dtype === 'uint8') return i === 0 ? 0 : rnd(0, 255);
    const max = s.wMax?.[Math.floor(i / s.k)] ?? 127;
    return rnd(-max, max);
  });
  const [blo, bhi] = s.biasRange ?? [-20000, 20000];
  const biasValues = Array.from({ length: s.units }, () => rnd(blo, bhi));
  const bias =
    s.bias === null
      ? null
      : {
          dtype: s.bias,
          shape: [s.units],
          data: s.bias === 'int64' ? biasValues.map(BigInt) : biasValues,
          // The legacy check compares it with input scale * filter scale.
          quantization: q((s.inQ.scale[0] as number) * (s.wQ.scale[0] as number)),
          constant: true,
        };
  return {
    op: 'FULLY_CONNECTED',
    integerRounding,
    options: { fusedActivationFunction: 0, keepNumDims: false, ...s.options },
    inputs: [
      { dtype: s.dtype, shape: s.shape, data: x, quantization: s.inQ },
      { dtype: wDtype, shape: [s.units, s.k], data: w, quantization: s.wQ, constant: true },
      bias,
    ],
    outputs: [{ dtype: s.dtype, quantization: s.outQ }],
  };
}

const CASES: Record<string, FcSpec> = {
  // Output scales put most outputs inside the range, so rounding decides many of them.
  'int8 per-tensor, input zero point -128, output -128, RELU6': {
    dtype: 'int8',
    shape: [3, 17],
    units: 5,
    k: 17,
    inQ: q(0.04, -128),
    wQ: q(0.007),
    outQ: q(0.1, -128),
    bias: 'int32',
    options: { fusedActivationFunction: RELU6 },
    seed: 1,
  },
  'int8 per-tensor, zero points 127': {
    dtype: 'int8',
    shape: [2, 9],
    units: 3,
    k: 9,
    inQ: q(0.05, 127),
    wQ: q(0.01),
    outQ: q(0.27, 127),
    bias: 'int32',
    seed: 2,
  },
  // Multipliers from 2^-11 to 6.25: shifts -10 to +3 side by side; small weights where the
  // multiplier is large keep those outputs in range.
  'int8 per-channel, mixed shifts, no bias': {
    dtype: 'int8',
    shape: [2, 6],
    units: 7,
    k: 6,
    inQ: q(0.05, 3),
    xRange: [-20, 26],
    wQ: q([0.0002, 0.003, 0.05, 0.9, 2.5, 0.01, 0.3]),
    wMax: [127, 127, 22, 1, 1, 111, 4],
    outQ: q(0.02, -5),
    bias: null,
    seed: 3,
  },
  // Multiplier 1/4 exactly: a quarter of the sums land on ties, which the reference rounds away
  // from zero, XNNPACK to even and ruy up.
  'int8 rounding ties: batch 6, K 11, 9 units': {
    dtype: 'int8',
    shape: [6, 11],
    units: 9,
    k: 11,
    inQ: q(0.5, -3),
    xRange: [-11, 5],
    wQ: q(0.25),
    wMax: [8, 8, 8, 8, 8, 8, 8, 8, 8],
    outQ: q(0.5, 1),
    bias: 'int32',
    biasRange: [-40, 40],
    seed: 11,
  },
  // Power-of-two multipliers 1/16 to 8 (left shifts): ties where the multiplier is below 1.
  'int8 per-channel, power-of-two multipliers': {
    dtype: 'int8',
    shape: [5, 7],
    units: 5,
    k: 7,
    inQ: q(0.5, 2),
    xRange: [-6, 10],
    wQ: q([0.25, 0.0625, 2, 8, 0.5]),
    wMax: [8, 20, 1, 1, 6],
    outQ: q(0.5, -1),
    bias: 'int32',
    biasRange: [-20, 20],
    seed: 12,
  },
  'int16 (16x8) rounding ties': {
    dtype: 'int16',
    shape: [4, 9],
    units: 7,
    k: 9,
    inQ: q(0.5),
    xRange: [-300, 300],
    wQ: q(0.25),
    outQ: q(0.5),
    bias: 'int32',
    biasRange: [-1000, 1000],
    seed: 13,
  },
  'int8 per-tensor weights with a zero point': {
    dtype: 'int8',
    shape: [4, 10],
    units: 6,
    k: 10,
    inQ: q(0.03, -11),
    wQ: q(0.02, -5),
    outQ: q(0.17, 4),
    bias: 'int32',
    seed: 4,
  },
  // A bias near INT32_MAX: the 32-bit accumulator wraps as the CPU's `| 0` does.
  'int8, wrapping accumulators': {
    dtype: 'int8',
    shape: [2, 8],
    units: 4,
    k: 8,
    inQ: q(0.03, 0),
    wQ: q(0.02),
    outQ: q(0.3, 0),
    bias: 'int32',
    biasRange: [2147480000, 2147483647],
    seed: 5,
  },
  'uint8, zero points 255 / 128': {
    dtype: 'uint8',
    shape: [4, 9],
    units: 3,
    k: 9,
    inQ: q(0.02, 255),
    wQ: q(0.01, 128),
    outQ: q(0.11, 128),
    bias: 'int32',
    seed: 6,
  },
  'uint8, weights zero point 255, RELU6': {
    dtype: 'uint8',
    shape: [2, 5],
    units: 6,
    k: 5,
    inQ: q(0.03, 128),
    wQ: q(0.02, 255),
    outQ: q(0.24, 10),
    bias: null,
    options: { fusedActivationFunction: RELU6 },
    seed: 7,
  },
  'int16 (16x8), int32 bias': {
    dtype: 'int16',
    shape: [2, 13],
    units: 6,
    k: 13,
    inQ: q(0.001),
    wQ: q(0.01),
    outQ: q(0.01),
    bias: 'int32',
    biasRange: [-2000000, 2000000],
    seed: 8,
  },
  'int16 (16x8) per-channel, no bias, keep_num_dims': {
    dtype: 'int16',
    shape: [2, 3, 7],
    units: 5,
    k: 7,
    inQ: q(0.002),
    wQ: q([0.01, 0.0001, 0.3, 0.05, 0.002]),
    wMax: [127, 127, 4, 25, 127],
    outQ: q(0.014),
    bias: null,
    options: { quantizedBiasType: 2, keepNumDims: true },
    seed: 9,
  },
  'int8 batch rows read through the slice layout ([4, 2, 4] as rows of 8)': {
    dtype: 'int8',
    shape: [4, 2, 4],
    units: 5,
    k: 8,
    inQ: q(0.04, 10),
    wQ: q(0.01),
    outQ: q(0.1, -3),
    bias: 'int32',
    seed: 10,
  },
};

describe('FULLY_CONNECTED integer on the GPU', () => {
  for (const [name, spec] of Object.entries(CASES)) {
    for (const rounding of ['reference', 'xnnpack'] as const) {
      it(`${name} (${rounding})`, async (t) => {
        if (!dotDelegate || !plainDelegate) return t.skip();
        const c = fcCase(spec, rounding);
        await expectGpuMatchesCpu(c, dotDelegate, 'dot4 path');
        await expectGpuMatchesCpu(c, plainDelegate, 'plain path');
      });
    }
  }

  it('the tie cases separate the two rounding modes on the CPU', () => {
    for (const name of ['int8 rounding ties: batch 6, K 11, 9 units', 'int16 (16x8) rounding ties']) {
      const spec = CASES[name] as FcSpec;
      const [ref, xnn] = (['reference', 'xnnpack'] as const).map((r) =>
        Array.from((runOp(fcCase(spec, r))[0]?.data ?? []) as ArrayLike<number>),
      );
      expect(ref, name).not.toEqual(xnn);
    }
  });

  it('declines 16x8 with an int64 bias (requantized in double)', async (t) => {
    if (!dotDelegate) return t.skip();
    const c = fcCase({ ...(CASES['int16 (16x8), int32 bias'] as FcSpec), bias: 'int64' }, 'reference');
    const { graph } = intCaseGraph(c, [[2, 6]]);
    const claims = await dotDelegate.prepare(graph);
    expect(claims.partitions).toEqual([]);
    expect([...claims.reasons.values()].join()).toMatch(/double precision/);
  });

  it('declines weights computed at run time', async (t) => {
    if (!dotDelegate) return t.skip();
    const c = fcCase(CASES['int8 per-tensor, zero points 127'] as FcSpec, 'reference');
    const w = c.inputs[1];
    if (w) w.constant = false;
    const { graph } = intCaseGraph(c, [[2, 3]]);
    const claims = await dotDelegate.prepare(graph);
    expect(claims.partitions).toEqual([]);
    expect([...claims.reasons.values()].join()).toMatch(/weights must be a constant/);
  });
});

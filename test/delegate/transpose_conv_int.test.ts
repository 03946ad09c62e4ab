// Integer TRANSPOSE_CONV on the GPU (delegate/ops/transpose_conv_int.ts) against the CPU kernel
// (src/kernels/transpose_conv_int.ts), to the bit, in both integer rounding modes, with and
// without the packed 4x8 dot product.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import { readModel } from '../../src/model/reader.js';
import type { Quantization, Tensor } from '../../src/model/types.js';
import { SHARED_MODELS_DIR } from '../support/corpus.js';
import { lcg, q } from '../support/quant_ref.js';
import { type OpCase, type OpTensor, runOp } from '../support/run_op.js';
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

const SAME = 0;
const VALID = 1;
const RELU6 = 3;
const TYPE_INT32 = 2;

interface TconvSpec {
  dtype: 'int8' | 'int16';
  /** Input [N, H, W, C], output [N, OH, OW, OC], filter [OC, KH, KW, C]. */
  input: [number, number, number, number];
  output: [number, number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: number;
  inQ: Quantization;
  wQ: Quantization;
  outQ: Quantization;
  bias: 'int32' | 'int64' | null;
  biasRange?: [number, number];
  /** Input values range (default: the type's, extremes first). */
  xRange?: [number, number];
  /** Every input value and weight at its most negative (the largest products). */
  extremes?: boolean;
  wMax?: number;
  options?: Record<string, unknown>;
  seed: number;
}

function tconvCase(s: TconvSpec, integerRounding: IntegerRounding): OpCase {
  const rnd = lcg(s.seed);
  const [lo, hi] = s.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  const inCount = s.input.reduce((a, d) => a * d, 1);
  const oc = s.output[3];
  const [kh, kw] = s.kernel;
  const x = Array.from({ length: inCount }, (_, i) => {
    if (s.extremes) return lo;
    if (s.xRange) return rnd(...s.xRange);
    return i === 0 ? lo : i === 1 ? hi : rnd(lo, hi);
  });
  const wMax = s.wMax ?? 127;
  const w = Array.from({ length: oc * kh * kw * s.input[3] }, () => (s.extremes ? -128 : rnd(-wMax, wMax)));
  const [blo, bhi] = s.biasRange ?? [-20000, 20000];
  const biasValues = Array.from({ length: oc }, () => rnd(blo, bhi));
  const bias =
    s.bias === null
      ? null
      : {
          dtype: s.bias,
          shape: [oc],
          data: s.bias === 'int64' ? biasValues.map(BigInt) : biasValues,
          quantization: q(0.001),
          constant: true,
        };
  return {
    op: 'TRANSPOSE_CONV',
    integerRounding,
    options: { padding: s.padding, strideH: s.stride[0], strideW: s.stride[1], fusedActivationFunction: 0, ...s.options },
    inputs: [
      { dtype: 'int32', shape: [4], data: [...s.output], constant: true },
      { dtype: 'int8', shape: [oc, kh, kw, s.input[3]], data: w, quantization: s.wQ, constant: true },
      { dtype: s.dtype, shape: [...s.input], data: x, quantization: s.inQ },
      bias,
    ],
    outputs: [{ dtype: s.dtype, quantization: s.outQ }],
  };
}

const CASES: Record<string, TconvSpec> = {
  'int8 SAME, stride 2, odd output, per-channel mixed shifts, input zero point -128': {
    dtype: 'int8',
    input: [1, 3, 2, 2],
    output: [1, 5, 4, 3],
    kernel: [3, 3],
    stride: [2, 2],
    padding: SAME,
    inQ: q(0.05, -128),
    wQ: q([0.02, 0.004, 0.0003]),
    outQ: q(0.5, 5),
    bias: 'int32',
    seed: 1,
  },
  // Multiplier 1/4 exactly: many ties, which the rounding modes resolve differently.
  'int8 VALID, strides 1 x 2, batch 2, 5 -> 6 channels, rounding ties': {
    dtype: 'int8',
    input: [2, 3, 3, 5],
    output: [2, 5, 7, 6],
    kernel: [3, 3],
    stride: [1, 2],
    padding: VALID,
    inQ: q(0.5, 3),
    xRange: [-8, 14],
    wQ: q(0.25),
    wMax: 6,
    outQ: q(0.5, -2),
    bias: 'int32',
    biasRange: [-50, 50],
    seed: 2,
  },
  // A kernel smaller than the stride: output pixels no tap reaches get only the bias.
  'int8 SAME, 1x1 kernel, stride 2, output zero point 127': {
    dtype: 'int8',
    input: [1, 2, 3, 4],
    output: [1, 4, 6, 5],
    kernel: [1, 1],
    stride: [2, 2],
    padding: SAME,
    inQ: q(0.04, 9),
    wQ: q(0.01),
    outQ: q(0.12, 127),
    bias: 'int32',
    seed: 3,
  },
  'int8 RELU6, no bias': {
    dtype: 'int8',
    input: [1, 2, 2, 7],
    output: [1, 4, 4, 9],
    kernel: [2, 2],
    stride: [2, 2],
    padding: VALID,
    inQ: q(0.03, -5),
    wQ: q(0.01),
    outQ: q(0.05, -100),
    bias: null,
    options: { fusedActivationFunction: RELU6 },
    seed: 4,
  },
  // 64-bit accumulators and an int64 bias beyond 2^32.
  '16x8 int64 bias, SAME, stride 2': {
    dtype: 'int16',
    input: [1, 3, 3, 6],
    output: [1, 6, 6, 5],
    kernel: [3, 3],
    stride: [2, 2],
    padding: SAME,
    inQ: q(0.001),
    wQ: q(0.004),
    outQ: q(1),
    bias: 'int64',
    biasRange: [-5000000000, 5000000000],
    seed: 5,
  },
  // 600 channels of -32768 x -128: sums of 2.5e9, beyond int32, kept exact in 64 bits.
  '16x8 int64 bias, sums beyond int32': {
    dtype: 'int16',
    input: [1, 1, 2, 600],
    output: [1, 1, 2, 3],
    kernel: [1, 1],
    stride: [1, 1],
    padding: VALID,
    inQ: q(0.001),
    wQ: q(0.008),
    outQ: q(1),
    bias: 'int64',
    extremes: true,
    seed: 6,
  },
  '16x8 int64 bias, per-channel weights': {
    dtype: 'int16',
    input: [1, 2, 3, 6],
    output: [1, 3, 5, 5],
    kernel: [2, 3],
    stride: [1, 1],
    padding: VALID,
    inQ: q(0.001),
    wQ: q([0.01, 0.002, 0.03, 0.0005, 0.004]),
    outQ: q(0.02),
    bias: 'int64',
    biasRange: [-3000000, 3000000],
    wMax: 30,
    seed: 9,
  },
  '16x8 int32 bias (32-bit accumulators), VALID': {
    dtype: 'int16',
    input: [2, 2, 3, 3],
    output: [2, 5, 7, 4],
    kernel: [3, 3],
    stride: [2, 2],
    padding: VALID,
    inQ: q(0.002),
    wQ: q(0.01),
    outQ: q(0.02),
    bias: 'int32',
    biasRange: [-3000000, 3000000],
    seed: 7,
  },
  '16x8 without bias, quantized_bias_type INT32': {
    dtype: 'int16',
    input: [1, 2, 2, 5],
    output: [1, 3, 3, 2],
    kernel: [2, 2],
    stride: [1, 1],
    padding: VALID,
    inQ: q(0.002),
    wQ: q(0.01),
    outQ: q(0.03),
    bias: null,
    options: { quantizedBiasType: TYPE_INT32 },
    seed: 8,
  },
};

describe('TRANSPOSE_CONV integer on the GPU', () => {
  for (const [name, spec] of Object.entries(CASES)) {
    for (const rounding of ['reference', 'xnnpack'] as const) {
      it(`${name} (${rounding})`, async (t) => {
        if (!dotDelegate || !plainDelegate) return t.skip();
        const c = tconvCase(spec, rounding);
        await expectGpuMatchesCpu(c, dotDelegate, 'dot4 path');
        await expectGpuMatchesCpu(c, plainDelegate, 'plain path');
      });
    }
  }

  it('declines an output_shape computed at run time', async (t) => {
    if (!dotDelegate) return t.skip();
    const c = tconvCase(CASES['int8 RELU6, no bias'] as TconvSpec, 'reference');
    const shape = c.inputs[0];
    if (shape) shape.constant = false;
    const { graph } = intCaseGraph(c, [[1, 4, 4, 9]]);
    const claims = await dotDelegate.prepare(graph);
    expect(claims.partitions).toEqual([]);
    // The planner turns down its dynamic output before the op is asked.
    expect([...claims.reasons.values()].join()).toMatch(/known only at run time/);
  });
});

// seanet_transpose_conv0_16x8 (tflite-micro's integration test: 16x8, int64 bias, stride 2 SAME)
// feeds its output_shape at run time, which the delegate cannot take (a dynamic output); its node
// with that shape as a constant runs on the GPU and must give the reference golden output.
const SEANET = 'seanet_transpose_conv0_16x8';
const seanetFile = join(SHARED_MODELS_DIR, `${SEANET}.tflite`);
const goldenDir = join(SHARED_MODELS_DIR, 'golden');
const csv = (file: string) =>
  readFileSync(join(goldenDir, file), 'utf8')
    .split(/[\s,]+/)
    .filter((v) => v !== '')
    .map(Number);

describe.skipIf(!existsSync(seanetFile) || !existsSync(goldenDir))(`${SEANET} on the GPU`, () => {
  it('matches the CPU and the reference golden with a constant output_shape', async (t) => {
    if (!dotDelegate) return t.skip();
    const graph = readModel(new Uint8Array(readFileSync(seanetFile))).subgraphs[0];
    const node = graph?.operators[0];
    if (!graph || node?.op !== 'TRANSPOSE_CONV') throw new Error(`${SEANET}: expected one TRANSPOSE_CONV`);
    const tensorAt = (i: number) => graph.tensors[i] as Tensor;
    const constantOf = (tensor: Tensor): OpTensor => {
      const bytes = tensor.data as Uint8Array;
      const view = (Ctor: { new (b: ArrayBufferLike, o: number, n: number): ArrayLike<number> | ArrayLike<bigint> }, size: number) =>
        new Ctor(bytes.slice().buffer, 0, bytes.byteLength / size);
      const data = tensor.dtype === 'int64' ? view(BigInt64Array, 8) : tensor.dtype === 'int8' ? view(Int8Array, 1) : view(Int32Array, 4);
      return { dtype: tensor.dtype, shape: tensor.shape, data, quantization: tensor.quantization ?? undefined, constant: true };
    };
    const [, weightsIndex, inputIndex, biasIndex] = node.inputs as [number, number, number, number];
    const x = tensorAt(inputIndex);
    const out = tensorAt(node.outputs[0] as number);
    const c: OpCase = {
      op: 'TRANSPOSE_CONV',
      version: node.version,
      options: node.options,
      inputs: [
        { dtype: 'int32', shape: [4], data: csv('seanet_transpose_conv0_input0_int32.csv'), constant: true },
        constantOf(tensorAt(weightsIndex)),
        { dtype: x.dtype, shape: x.shape, data: csv('seanet_transpose_conv0_input1_int16.csv'), quantization: x.quantization ?? undefined },
        biasIndex >= 0 ? constantOf(tensorAt(biasIndex)) : null,
      ],
      outputs: [{ dtype: out.dtype, quantization: out.quantization ?? undefined }],
    };
    expect(Array.from(runOp(c)[0]?.data as Int16Array)).toEqual(csv('seanet_transpose_conv0_golden_int16.csv'));
    await expectGpuMatchesCpu(c, dotDelegate, `${SEANET} (dot4 path)`);
  });
});

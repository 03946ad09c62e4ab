// Full-integer quantization (int8, and 16x8: int16 activations) of the corpus's float models with
// a seeded synthetic representative set (16 samples drawn like verify's inputs): the file runs in
// the real runtime and our CPU interpreter matches it (verify's integer bars), its structure is
// what TFLite's converter writes (ptq.md §3–4), and its outputs stay near the float model's.
import { describe, expect, it } from 'vitest';
import { nodeOracle } from '../../harness/node_oracle.js';
import { makeModelInputs } from '../../harness/oracle/inputs.js';
import { verifyModel } from '../../harness/verify.js';
import { schema as fb, packModel, QuantizeError, quantize, readModel, type Tensor, type TypedArray, unpackModel } from '../../src/index.js';
import { ALL_MODELS, FLOAT_MODELS, load, nodesOf, relativeGap, runCpu } from './support.js';

const SAMPLES = 16;
const dataset = (floatBytes: Uint8Array) => Array.from({ length: SAMPLES }, (_, i) => makeModelInputs(floatBytes, 100 + i) as TypedArray[]);

/**
 * "Near the float model": max |q − f| / max |f| on verify's seed-1 noise input, measured and given
 * headroom. MobileNet's softmax is flat on noise (peak 0.02), so its top-1 class is what is held;
 * the face detectors' box regressors on noise move by up to 40% of their peak under int8.
 */
const GAP: Record<'int8' | '16x8', Record<string, number>> = {
  int8: { mobilenet_v1_025_224_f32: 1, blazeface_front_f32: 0.25, face_detection_short_range: 0.5 },
  '16x8': { mobilenet_v1_025_224_f32: 1, blazeface_front_f32: 0.1, face_detection_short_range: 0.15 },
};
const DEFAULT_GAP = 0.05;
/** 16x8: ops TFLite has no int16 kernel for stay float (allowFloatFallback), listed in the report. */
const NO_INT16: Record<string, string[]> = { hand_recrop_f32: ['PRELU'] };

/** What each mode writes (ptq.md §3, §4). */
const MODE = {
  int8: {
    activation: 'int8',
    bias: 'int32',
    versions: { CONV_2D: 3, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 4 },
    probability: [Math.fround(1 / 256), -128, 2],
    quantizeFromFloat: 1,
    dequantize: 2,
  },
  '16x8': {
    activation: 'int16',
    bias: 'int64',
    versions: { CONV_2D: 4, DEPTHWISE_CONV_2D: 5, FULLY_CONNECTED: 7 },
    probability: [Math.fround(1 / 32768), 0, 3],
    quantizeFromFloat: 3,
    dequantize: 3,
  },
} as const;
const CLASSIFIERS = new Set(['mobilenet_v1_025_224_f32', 'mnist_conv_fc_f32', 'magic_wand_f32']);

const scaleOf = (t: Tensor | null | undefined) => t?.quantization?.scale ?? [];
const zeroOf = (t: Tensor | null | undefined) => t?.quantization?.zeroPoint ?? [];

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if ((a[i] as number) > (a[best] as number)) best = i;
  return best;
}

for (const mode of ['int8', '16x8'] as const) {
  for (const m of ALL_MODELS) {
    describe.skipIf(!m.available)(`${mode} ${m.name}`, () => {
      it('structure as the converter writes it, real runtime agrees, near the float model', { timeout: 300_000 }, async () => {
        const floatBytes = load(m.path);
        const want = MODE[mode];
        const { bytes, report } = await quantize(floatBytes, {
          mode,
          representativeDataset: dataset(floatBytes),
          allowFloatFallback: true,
        });
        const noInt16 = mode === '16x8' ? (NO_INT16[m.name] ?? []) : [];
        expect(report.floatFallback.map((n) => n.op)).toEqual(report.nodes.filter((n) => noInt16.includes(n.op)).map((n) => n.op));
        expect(report.calibrationSamples).toBe(SAMPLES);
        const model = readModel(bytes);
        const sg = model.subgraphs[0];
        if (!sg) throw new Error('no subgraph');
        // Float I/O: a QUANTIZE after each float input, a DEQUANTIZE before each output.
        for (const i of sg.inputs) expect(sg.tensors[i]?.dtype).toBe('float32');
        for (const o of sg.outputs) expect(sg.tensors[o]?.dtype).toBe('float32');
        expect(nodesOf(model, 'QUANTIZE').filter((q) => sg.inputs.includes(q.inputs[0] as number)).length).toBeGreaterThan(0);
        for (const q of nodesOf(model, 'QUANTIZE'))
          expect(q.version).toBe(q.tensors[0]?.dtype === 'float32' ? want.quantizeFromFloat : mode === 'int8' ? 2 : 3);
        for (const d of nodesOf(model, 'DEQUANTIZE')) expect(d.version).toBe(want.dequantize);
        // 16x8 activations are symmetric: every int16 tensor has zero point 0.
        if (mode === '16x8')
          for (const t of sg.tensors.filter((x) => x.dtype === 'int16')) expect(new Set(zeroOf(t))).toEqual(new Set([0]));

        for (const [op, axis] of [
          ['CONV_2D', 0],
          ['DEPTHWISE_CONV_2D', 3],
          ['FULLY_CONNECTED', null],
        ] as const) {
          for (const n of nodesOf(model, op)) {
            const [input, w, bias] = n.tensors;
            const output = sg.tensors[n.outputs[0] as number];
            expect(n.version).toBe(want.versions[op]);
            expect([input?.dtype, w?.dtype, output?.dtype]).toEqual([want.activation, 'int8', want.activation]);
            expect(new Set(zeroOf(w))).toEqual(new Set([0]));
            if (axis === null) expect(scaleOf(w).length).toBe(1);
            else {
              expect(w?.quantization?.quantizedDimension).toBe(axis);
              expect(scaleOf(w).length).toBe(w?.shape[axis]);
            }
            // Weights use the full symmetric range: the largest reaches ±127, none is -128.
            const raw = w?.data ?? new Uint8Array();
            let peak = 0;
            for (const byte of raw) {
              const v = (byte << 24) >> 24;
              expect(v).toBeGreaterThanOrEqual(-127);
              peak = Math.max(peak, Math.abs(v));
            }
            expect(peak).toBe(127);
            if (bias) {
              expect(bias.dtype).toBe(want.bias);
              const inputScale = scaleOf(input)[0] as number;
              expect(scaleOf(bias)).toEqual(scaleOf(w).map((s) => Math.fround(inputScale * s)));
              expect(new Set(zeroOf(bias))).toEqual(new Set([0]));
            }
          }
        }
        for (const n of [...nodesOf(model, 'SOFTMAX'), ...nodesOf(model, 'LOGISTIC')]) {
          const out = sg.tensors[n.outputs[0] as number];
          expect([scaleOf(out)[0], zeroOf(out)[0], n.version]).toEqual([...want.probability]);
        }
        for (const op of ['MAX_POOL_2D', 'AVERAGE_POOL_2D', 'RESHAPE', 'SQUEEZE', 'PAD', 'STRIDED_SLICE']) {
          for (const n of nodesOf(model, op)) {
            const input = n.tensors[0];
            const out = sg.tensors[n.outputs[0] as number];
            if (input?.dtype !== want.activation) continue;
            expect([scaleOf(out), zeroOf(out)], `${op} ${n.index} keeps its input's scale`).toEqual([scaleOf(input), zeroOf(input)]);
          }
        }
        for (const n of nodesOf(model, 'CONCATENATION')) {
          const out = sg.tensors[n.outputs[0] as number];
          for (const t of n.tensors)
            expect([scaleOf(t), zeroOf(t)], 'concatenation inputs are requantized to the output').toEqual([scaleOf(out), zeroOf(out)]);
        }
        // No float constant is left (dropped, not kept beside the int8 copy) but those float-fallback nodes read.
        const fallbackReads = new Set(sg.operators.filter((o) => noInt16.includes(o.op)).flatMap((o) => o.inputs));
        expect(sg.tensors.filter((t) => t.dtype === 'float32' && t.data && !fallbackReads.has(t.index)).map((t) => t.name)).toEqual([]);

        const v = await verifyModel(`${m.name}_${mode}`, bytes, { oracle: nodeOracle, timingRuns: 0 });
        expect(v.status, `${v.error?.message ?? ''} ${JSON.stringify(v.outputs)}`).toBe('pass');
        const inputs = makeModelInputs(floatBytes, 1);
        const float = await runCpu(floatBytes, inputs);
        const quantized = await runCpu(bytes, inputs);
        expect(relativeGap(float, quantized)).toBeLessThan(GAP[mode][m.name] ?? DEFAULT_GAP);
        if (CLASSIFIERS.has(m.name)) expect(argmax(quantized[0] as Float32Array)).toBe(argmax(float[0] as Float32Array));
        // Constants shrink to about a quarter (int8 weights, int32 biases); an fp16 source starts at half.
        const constantBytes = (b: Uint8Array) =>
          (readModel(b).subgraphs[0]?.tensors ?? []).reduce((n, t) => n + (t.data?.byteLength ?? 0), 0);
        const fp16Source = readModel(floatBytes).subgraphs[0]?.tensors.some((t) => t.dtype === 'float16');
        // (Tiny models are mostly biases, which stay 4 bytes as int32, 8 as 16x8's int64.)
        const before = constantBytes(floatBytes);
        if (before > 10_000) expect(constantBytes(bytes)).toBeLessThan(before * (fp16Source ? 0.6 : 0.3) * (mode === '16x8' ? 1.2 : 1));
      });
    });
  }
}

const mnist = FLOAT_MODELS.find((m) => m.name === 'mnist_conv_fc_f32');
describe.skipIf(!mnist?.available)('int8 options (mnist_conv_fc_f32)', () => {
  const floatBytes = mnist?.available ? load(mnist.path) : new Uint8Array();

  it('int8 I/O: no QUANTIZE / DEQUANTIZE at the edges; uint8 I/O: zero point + 128 and QUANTIZE v2 both ways', {
    timeout: 120_000,
  }, async () => {
    const int8 = readModel(
      (
        await quantize(floatBytes, {
          mode: 'int8',
          representativeDataset: dataset(floatBytes),
          inferenceInputType: 'int8',
          inferenceOutputType: 'int8',
        })
      ).bytes,
    );
    const sg = int8.subgraphs[0];
    expect(sg?.inputs.map((i) => sg.tensors[i]?.dtype)).toEqual(['int8']);
    expect(sg?.outputs.map((i) => sg.tensors[i]?.dtype)).toEqual(['int8']);
    expect(nodesOf(int8, 'QUANTIZE').length + nodesOf(int8, 'DEQUANTIZE').length).toBe(0);

    const { bytes } = await quantize(floatBytes, {
      mode: 'int8',
      representativeDataset: dataset(floatBytes),
      inferenceInputType: 'uint8',
      inferenceOutputType: 'uint8',
    });
    const u8 = readModel(bytes);
    const usg = u8.subgraphs[0];
    const input = usg?.tensors[usg.inputs[0] as number];
    const q = nodesOf(u8, 'QUANTIZE');
    expect(input?.dtype).toBe('uint8');
    expect(q.map((n) => n.version)).toEqual([2, 2]);
    const inner = usg?.tensors[q.find((n) => n.inputs[0] === usg.inputs[0])?.outputs[0] as number];
    expect(zeroOf(input)[0]).toBe((zeroOf(inner)[0] as number) + 128);
    expect(scaleOf(input)).toEqual(scaleOf(inner));
    const v = await verifyModel('mnist_int8_uint8io', bytes, { oracle: nodeOracle, timingRuns: 0 });
    expect(v.status).toBe('pass');
  });

  it('an op with no int8 rule is a QuantizeError naming the node, or stays float with allowFloatFallback', {
    timeout: 120_000,
  }, async () => {
    // The variant: SOFTMAX turned into EXP (float in, float out), which has no int8 rule.
    const t = unpackModel(floatBytes);
    const code = t.operatorCodes.find((c) => c.builtinCode === fb.BuiltinOperator.SOFTMAX) as fb.OperatorCodeT;
    code.builtinCode = fb.BuiltinOperator.EXP;
    code.deprecatedBuiltinCode = fb.BuiltinOperator.EXP;
    code.version = 1;
    const sg = t.subgraphs[0] as fb.SubGraphT;
    const node = sg.operators.findIndex((o) => o.opcodeIndex === t.operatorCodes.indexOf(code));
    for (const o of sg.operators)
      if (o.opcodeIndex === t.operatorCodes.indexOf(code)) {
        o.builtinOptionsType = fb.BuiltinOptions.ExpOptions;
        o.builtinOptions = new fb.ExpOptionsT();
      }
    const variant = packModel(t);
    const attempt = quantize(variant, { mode: 'int8', representativeDataset: dataset(variant) });
    await expect(attempt).rejects.toThrow(QuantizeError);
    await expect(attempt).rejects.toThrow(`subgraph 0 node ${node} (EXP): cannot be quantized`);

    const { bytes, report } = await quantize(variant, { mode: 'int8', representativeDataset: dataset(variant), allowFloatFallback: true });
    expect(report.floatFallback.map((n) => [n.node, n.op])).toEqual([[node, 'EXP']]);
    const model = readModel(bytes);
    const exp = nodesOf(model, 'EXP')[0];
    expect(exp?.tensors[0]?.dtype).toBe('float32'); // fed by a DEQUANTIZE
    expect(nodesOf(model, 'DEQUANTIZE').some((d) => d.outputs[0] === exp?.inputs[0])).toBe(true);
    const v = await verifyModel('mnist_int8_exp_fallback', bytes, { oracle: nodeOracle, timingRuns: 0 });
    expect(v.status).toBe('pass');
  });

  it('without a representative dataset int8 says what it needs', async () => {
    await expect(quantize(floatBytes, { mode: 'int8' })).rejects.toThrow(/needs a representativeDataset/);
  });
});

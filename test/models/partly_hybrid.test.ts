// mnist_conv_fc_partly_hybrid mixes a float CONV, an int8 FC and a per-channel hybrid FC. No
// available runtime computes per-channel hybrid FC as TFLite's builtin kernels do, so verify says
// NO REFERENCE for it; here the whole model is checked through a variant whose hybrid FC weights
// are requantized per tensor (a path tfjs-tflite computes with TFLite's builtin kernels). The
// per-channel arithmetic itself is covered by test/kernels/hybrid.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeOracle } from '../../harness/node_oracle.js';
import { makeModelInputs } from '../../harness/oracle/inputs.js';
import { referenceGap, verifyModel } from '../../harness/verify.js';
import { readModel } from '../../src/model/reader.js';
import * as fb from '../../src/model/schema/tflite_generated.js';
import { corpusModels, hasShared } from '../support/corpus.js';
import { packModel, unpackModel } from '../support/model_variant.js';

const model = corpusModels().find((m) => m.name === 'mnist_conv_fc_partly_hybrid');

/** The model with every per-channel hybrid FC weight tensor requantized to one scale (the largest). */
function perTensorVariant(bytes: Uint8Array): Uint8Array {
  const t = unpackModel(bytes);
  const sg = t.subgraphs[0] as fb.SubGraphT;
  let changed = 0;
  for (const op of sg.operators) {
    if (t.operatorCodes[op.opcodeIndex]?.builtinCode !== fb.BuiltinOperator.FULLY_CONNECTED) continue;
    const input = sg.tensors[op.inputs[0] as number];
    const weights = sg.tensors[op.inputs[1] as number];
    const q = weights?.quantization;
    if (input?.type !== fb.TensorType.FLOAT32 || weights?.type !== fb.TensorType.INT8 || !q || q.scale.length < 2) continue;
    const buffer = t.buffers[weights.buffer] as fb.BufferT;
    const rows = q.scale.length;
    const perRow = buffer.data.length / rows;
    const target = Math.max(...q.scale);
    buffer.data = buffer.data.map((byte, i) => {
      const w = (byte << 24) >> 24;
      const v = Math.max(-127, Math.min(127, Math.round((w * (q.scale[Math.floor(i / perRow)] as number)) / target)));
      return v & 0xff;
    });
    q.scale = [target];
    q.zeroPoint = [0n];
    changed++;
  }
  expect(changed).toBe(1);
  return packModel(t);
}

describe.skipIf(!hasShared)('mnist_conv_fc_partly_hybrid (per-channel hybrid FC)', () => {
  const bytes = hasShared ? new Uint8Array(readFileSync(model?.path as string)) : new Uint8Array();

  it('verify reports no reference runtime for the original, naming the node and why', async () => {
    expect(referenceGap(readModel(bytes))).toMatch(/node \d+ is a per-channel hybrid FULLY_CONNECTED/);
    const report = await verifyModel('partly_hybrid', bytes, { oracle: nodeOracle, timingRuns: 0 });
    expect(report.status).toBe('no-reference');
  });

  it("tfjs-tflite's builtin kernels ignore per-channel hybrid scales (the known oracle defect): all classes equal", async () => {
    const golden = await nodeOracle(bytes, makeModelInputs(bytes, 1), 1, false);
    expect(golden.oracle).toBe('tfjs-tflite');
    const probs = Array.from(golden.outputs[0]?.data as Float32Array);
    expect(Math.max(...probs) - Math.min(...probs)).toBeLessThan(1e-6);
  });

  it('the per-tensor variant matches TFLite builtin kernels (tfjs-tflite)', async () => {
    const variant = perTensorVariant(bytes);
    expect(referenceGap(readModel(variant))).toBeNull();
    for (const seed of [1, 2]) {
      const report = await verifyModel('partly_hybrid_per_tensor', variant, { oracle: nodeOracle, seed, timingRuns: 0 });
      expect(report.oracle).toBe('tfjs-tflite');
      expect({ status: report.status, error: report.error, worst: report.outputs.map((o) => o.maxRel) }).toMatchObject({ status: 'pass' });
    }
  });
});

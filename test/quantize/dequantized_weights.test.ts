// Dynamic range for ops without a hybrid kernel (GATHER here): the constant becomes int8 feeding
// DEQUANTIZE and the op stays float (ptq.md §2). No corpus model has one, so the float model is
// built in code: GATHER of a constant [64, 32] table (2048 elements, past the 1024 threshold).
import { describe, expect, it } from 'vitest';
import { nodeOracle } from '../../harness/node_oracle.js';
import { verifyModel } from '../../harness/verify.js';
import { schema as fb, packModel, quantize, readModel } from '../../src/index.js';
import { nodesOf, runCpu } from './support.js';

function gatherModel(): Uint8Array {
  const table = new Float32Array(64 * 32).map((_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
  const tensor = (name: string, shape: number[], type: fb.TensorType, buffer: number) =>
    Object.assign(new fb.TensorT(), { name, shape, type, buffer });
  const sg = new fb.SubGraphT(
    [
      tensor('table', [64, 32], fb.TensorType.FLOAT32, 1),
      tensor('indices', [4], fb.TensorType.INT32, 2),
      tensor('rows', [4, 32], fb.TensorType.FLOAT32, 3),
    ],
    [1],
    [2],
    [new fb.OperatorT(0, [0, 1], [2], fb.BuiltinOptions.GatherOptions, new fb.GatherOptionsT(0, 0))],
    'main',
  );
  const model = new fb.ModelT(
    3,
    [new fb.OperatorCodeT(fb.BuiltinOperator.GATHER, null, 1, fb.BuiltinOperator.GATHER)],
    [sg],
    'built in a test',
  );
  model.buffers = [new fb.BufferT(), new fb.BufferT(Array.from(new Uint8Array(table.buffer))), new fb.BufferT(), new fb.BufferT()];
  return packModel(model);
}

describe('dynamic range: GATHER weights through DEQUANTIZE', () => {
  it('int8 table → DEQUANTIZE (v2) → float GATHER; the real runtime agrees; rows within one int8 step', { timeout: 120_000 }, async () => {
    const floatBytes = gatherModel();
    const { bytes, report } = await quantize(floatBytes, { mode: 'dynamic-range' });
    expect(report.nodes.map((n) => n.action)).toEqual(['weights-dequantized']);
    const model = readModel(bytes);
    const [dq] = nodesOf(model, 'DEQUANTIZE');
    const [gather] = nodesOf(model, 'GATHER');
    expect(dq?.version).toBe(2);
    expect(dq?.tensors[0]?.dtype).toBe('int8');
    expect(dq?.tensors[0]?.quantization?.scale.length).toBe(1); // GATHER is per tensor
    expect(gather?.inputs[0]).toBe(dq?.outputs[0]);
    expect(gather?.tensors[0]?.dtype).toBe('float32');
    expect(bytes.byteLength).toBeLessThan(floatBytes.byteLength / 2);
    const inputs = [new Int32Array([0, 5, 63, 10])];
    const v = await verifyModel('gather_dynamic_range', bytes, { oracle: nodeOracle, timingRuns: 0, inputs });
    expect(v.status).toBe('pass');
    // Symmetric int8: every value is off by at most half a step, max|table| / 127 / 2.
    const [float] = await runCpu(floatBytes, inputs);
    const [quantized] = await runCpu(bytes, inputs);
    const step = (dq?.tensors[0]?.quantization?.scale[0] as number) / 2;
    (float as Float32Array).forEach((f, i) => {
      expect(Math.abs(f - (quantized as Float32Array)[i]!)).toBeLessThanOrEqual(step * (1 + 1e-6));
    });
  });
});

// Calibration keeps the running absolute min / max of every float activation over all samples
// (calibration_logger.cc), and quantize refuses models that are already quantized.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interpreter, QuantizeError, quantize, readModel } from '../../src/index.js';
import { calibrate } from '../../src/quantize/calibration.js';
import { SHARED_MODELS_DIR } from '../support/corpus.js';
import { FLOAT_MODELS, load } from './support.js';

const hello = FLOAT_MODELS.find((m) => m.name === 'hello_world_f32');

describe.skipIf(!hello?.available)('calibration (hello_world_f32: x → sin x)', () => {
  it("input range is exactly the samples' extremes, and every activation range holds what one run produces", async () => {
    const bytes = load(hello?.path as string);
    const samples = [0.5, -1.25, 3, 2].map((x) => [new Float32Array([x])]);
    const { ranges, samples: n } = await calibrate(bytes, samples);
    expect(n).toBe(4);
    const model = readModel(bytes);
    const sg = model.subgraphs[0];
    if (!sg) throw new Error('no subgraph');
    expect(ranges.get(sg.inputs[0] as number)).toEqual({ min: -1.25, max: 3 });
    // Every non-constant float tensor was seen; each single run's values lie inside the range.
    const activations = sg.tensors.filter((t) => t.dtype === 'float32' && !t.data);
    expect([...ranges.keys()].sort((a, b) => a - b)).toEqual(activations.map((t) => t.index));
    const interpreter = await Interpreter.create(bytes, { preserveAllTensors: true });
    await interpreter.allocateTensors();
    interpreter.setTensor(sg.inputs[0] as number, new Float32Array([3]));
    await interpreter.invoke();
    for (const t of activations) {
      const r = ranges.get(t.index) as { min: number; max: number };
      for (const v of interpreter.getTensor(t.index) as Float32Array) {
        expect(v).toBeGreaterThanOrEqual(r.min);
        expect(v).toBeLessThanOrEqual(r.max);
      }
    }
  });

  it('a sample with the wrong number of arrays names what the model takes', async () => {
    const bytes = load(hello?.path as string);
    await expect(calibrate(bytes, [[new Float32Array([1]), new Float32Array([2])]])).rejects.toThrow(
      /sample 0 has 2 arrays; the model has 1 input/,
    );
    await expect(calibrate(bytes, [])).rejects.toThrow(/gave no samples/);
  });

  it('integer I/O types are refused in the float modes', async () => {
    const bytes = load(hello?.path as string);
    await expect(quantize(bytes, { mode: 'dynamic-range', inferenceInputType: 'int8' })).rejects.toThrow(
      /inferenceInputType 'int8' needs mode int8 or 16x8/,
    );
  });

  it('an already-quantized model is refused, naming the node', async () => {
    const int8 = load(join(SHARED_MODELS_DIR, 'hello_world_int8.tflite'));
    const attempt = quantize(int8, { mode: 'float16' });
    await expect(attempt).rejects.toThrow(QuantizeError);
    await expect(attempt).rejects.toThrow(/subgraph 0 node \d+ \(\w+\): is already quantized/);
  });
});

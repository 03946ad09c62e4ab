// The npm-shipped models on a real photo (test/data/astronaut_256.ppm: a person, a face) rather
// than verify's noise: CPU, WebGPU fp32 and fp16 all pass verify against the real runtime, and
// selfie segmentation's fp16 mask, where f16 storage itself misses the 1e-2 bar at the mask's
// edge, still agrees with the runtime's almost everywhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Backend, createDelegates, type Precision } from '../../harness/backends.js';
import { nodeOracle } from '../../harness/node_oracle.js';
import { photoInput, readPpm } from '../../harness/photo.js';
import { verifyModel } from '../../harness/verify.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { readModel } from '../../src/model/reader.js';
import { corpusModels } from '../support/corpus.js';

const photo = readPpm(new Uint8Array(readFileSync(new URL('../data/astronaut_256.ppm', import.meta.url))));

/** Each model's input range (MediaPipe's model cards). */
const RANGES: Record<string, [number, number]> = {
  face_detection_short_range: [-1, 1],
  face_detection_full_range: [-1, 1],
  face_detection_full_range_sparse: [-1, 1],
  hand_landmark_lite: [0, 1],
  hand_landmark_full: [0, 1],
  selfie_segmentation: [0, 1],
  selfie_segmentation_landscape: [0, 1],
};

const models = corpusModels().filter((m) => m.key.startsWith('npm:') && m.name in RANGES);

function inputsFor(bytes: Uint8Array, name: string): Float32Array[] {
  const sg = readModel(bytes).subgraphs[0];
  return (sg?.inputs ?? []).map((i) => photoInput(photo, sg?.tensors[i]?.shape ?? [], RANGES[name] as [number, number]));
}

describe('the npm-shipped models on a real photo', () => {
  it('finds all seven', () => expect(models.map((m) => m.name).sort()).toEqual(Object.keys(RANGES).sort()));

  for (const m of models) {
    for (const [backend, precision] of [
      ['cpu', 'fp32'],
      ['webgpu', 'fp32'],
      ['webgpu', 'fp16'],
    ] as [Backend, Precision][]) {
      it(`${m.name} passes verify on ${backend} ${precision}`, { timeout: 120_000 }, async () => {
        const bytes = new Uint8Array(readFileSync(m.path));
        const report = await verifyModel(m.key, bytes, {
          backend,
          precision,
          inputs: inputsFor(bytes, m.name),
          timingRuns: 0,
          oracle: nodeOracle,
        });
        expect({ status: report.status, error: report.error?.message, note: report.precisionNote ?? null }).toEqual({
          status: 'pass',
          error: undefined,
          note: report.outputs.every((o) => o.pass) ? null : expect.stringMatching(/within 2× the worst/),
        });
      });
    }
  }

  for (const name of ['selfie_segmentation', 'selfie_segmentation_landscape']) {
    it(`${name}: the fp16 mask matches the real runtime's almost everywhere`, { timeout: 120_000 }, async () => {
      const m = models.find((x) => x.name === name);
      const bytes = new Uint8Array(readFileSync(m?.path as string));
      const inputs = inputsFor(bytes, name);
      const golden = (await nodeOracle(bytes, inputs, 1, false)).outputs[0]?.data as Float32Array;
      const interpreter = await Interpreter.create(bytes, { delegates: await createDelegates('webgpu', 'fp16') });
      await interpreter.allocateTensors();
      interpreter.setTensor(interpreter.getInputDetails()[0]?.index as number, inputs[0] as Float32Array);
      await interpreter.invoke();
      const mask = interpreter.getTensor(interpreter.getOutputDetails()[0]?.index as number) as Float32Array;
      interpreter.dispose();
      let close = 0;
      let both = 0;
      let either = 0;
      let person = 0;
      for (let i = 0; i < golden.length; i++) {
        if (Math.abs((mask[i] as number) - (golden[i] as number)) <= 1e-2) close++;
        const a = (golden[i] as number) > 0.5;
        const b = (mask[i] as number) > 0.5;
        if (a) person++;
        if (a && b) both++;
        if (a || b) either++;
      }
      expect(person / golden.length, 'the photo shows a person').toBeGreaterThan(0.3);
      expect(close / golden.length, 'share of pixels within 1e-2').toBeGreaterThan(0.995);
      expect(both / either, 'IoU of the thresholded masks').toBeGreaterThan(0.999);
    });
  }
});

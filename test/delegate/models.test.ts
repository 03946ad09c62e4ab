// Real models end to end: the interpreter with the WebGPU delegate against the interpreter alone
// (CPU kernels), on the models the npm packages ship (and the shared corpus when present).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebGpuDelegate } from '../../delegate/index.js';
import { makeModelInputs } from '../../harness/oracle/inputs.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { readModel } from '../../src/model/reader.js';
import { detectMode } from '../../src/model/summary.js';
import { corpusModels } from '../support/corpus.js';
import { expectClose, FP16_TOL, FP32_TOL, randomValues, testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate({ debug: false });
});
afterAll(() => delegate?.dispose());

const models = corpusModels();

/**
 * Dynamic-range (hybrid) models quantize float activations at run time: a last-bit difference
 * in a float op ahead of such a node can flip an int8 step and move outputs by a few percent
 * (the CPU kernels themselves move 0.2 on mobilenet_v2 hybrid for 1e-5 input noise; TFLite's
 * two runtimes disagree by up to 0.8 on these models). Their outputs are checked loosely.
 */
const HYBRID_TOL = 0.1;

/**
 * The pose landmark models' segmentation decoder amplifies rounding: every node alone matches
 * TFLite within 2e-5, yet their outputs part from TFLite's by 1e-4 to 8e-4 (verify --culprit,
 * verify's conditioningNote); GPU f32 sums and CPU f64 sums part by as much (2.5e-4 on
 * pose_landmark_full here). Held to 1e-3 instead of 1e-4.
 */
const ILL_CONDITIONED_TOL: Record<string, number> = { pose_landmark_lite: 1e-3, pose_landmark_full: 1e-3, pose_landmark_heavy: 1e-3 };

/** Deterministic input values of the tensor's dtype (floats in [0, 1), small integers). */
function inputValues(dtype: string, n: number, seed: number): TypedArray {
  const u = randomValues(n, seed, 0, 1);
  switch (dtype) {
    case 'float32':
      return u;
    case 'int8':
      return Int8Array.from(u, (v) => Math.floor(v * 256) - 128);
    case 'uint8':
      return Uint8Array.from(u, (v) => Math.floor(v * 256));
    case 'int16':
      return Int16Array.from(u, (v) => Math.floor(v * 2000) - 1000);
    case 'int32':
      return Int32Array.from(u, (v) => Math.floor(v * 10));
    default:
      throw new Error(`no test input for dtype ${dtype}`);
  }
}

async function run(bytes: Uint8Array, delegates: WebGpuDelegate[], seed: number) {
  const interpreter = await Interpreter.create(bytes, { delegates });
  await interpreter.allocateTensors();
  for (const [k, d] of interpreter.getInputDetails().entries()) {
    const n = d.shape.reduce((a, b) => a * b, 1);
    interpreter.setTensor(d.index, inputValues(d.dtype, n, seed + k));
  }
  await interpreter.invoke();
  const outputs = interpreter.getOutputDetails().map((d) => Array.from(interpreter.getTensor(d.index) as ArrayLike<number>));
  const dtypes = interpreter.getOutputDetails().map((d) => d.dtype);
  const placement = interpreter.placement();
  interpreter.dispose();
  return { outputs, dtypes, placement };
}

describe('models: WebGPU delegate vs CPU', () => {
  it('finds the corpus (the npm-shipped models at least)', () => {
    expect(models.length).toBeGreaterThanOrEqual(7);
  });
  for (const m of models) {
    it(m.name, async (t) => {
      if (!delegate) return t.skip();
      const bytes = new Uint8Array(readFileSync(m.path));
      const mode = detectMode(readModel(bytes));
      // Integer models have no float32 activations for the delegate to claim.
      if (mode === 'int8' || mode === 'uint8' || mode === '16x8') return t.skip();
      const hybrid = mode === 'dynamic-range' || mode === 'mixed';
      let cpu: Awaited<ReturnType<typeof run>>;
      try {
        cpu = await run(bytes, [], 90);
      } catch (e) {
        // The CPU interpreter's coverage is tested elsewhere; without its result there is nothing to compare.
        console.warn(`${m.name}: SKIPPED, the CPU interpreter cannot run it: ${(e as Error).message}`);
        return t.skip();
      }
      const gpu = await run(bytes, [delegate], 90);
      console.info(`${m.name}: ${gpu.placement.summary}`);
      const reasons = new Set(gpu.placement.nodes.flatMap((n) => (n.reason ? [n.reason] : [])));
      for (const r of reasons) console.info(`  cpu: ${r}`);
      for (const [i, out] of cpu.outputs.entries()) {
        const got = gpu.outputs[i] as number[];
        if (gpu.placement.partitions.length === 0) expect(got).toEqual(out);
        else if (cpu.dtypes[i] === 'float32')
          expectClose(got, out, hybrid ? HYBRID_TOL : (ILL_CONDITIONED_TOL[m.name] ?? FP32_TOL), `${m.name} output ${i}`);
        // Integer outputs behind delegated float ops may differ by one step where a float lands near a rounding edge.
        else for (let k = 0; k < out.length; k++) expect(Math.abs((got[k] as number) - (out[k] as number))).toBeLessThanOrEqual(1);
      }
    }, 120_000);
  }
});

describe('models: precision loss allowed', () => {
  // (selfie_segmentation is left out: on noise input its largest mask value sits in the sigmoid's
  // tail, where the relative error is the logits' absolute error: 3e-3 to 8e-2 after f16 storage.)
  for (const name of ['face_detection_short_range', 'hand_landmark_lite']) {
    const m = models.find((x) => x.name === name);
    it(`${name} in f16 storage stays within the fp16 tolerance`, async (t) => {
      if (!delegate || !m) return t.skip();
      const bytes = new Uint8Array(readFileSync(m.path));
      const half = await WebGpuDelegate.create({ precisionLossAllowed: true });
      try {
        const cpu = await run(bytes, [], 91);
        const gpu = await run(bytes, [half], 91);
        expect(gpu.placement.partitions[0]?.info.precision).toMatch(/^fp16/);
        for (const [i, out] of cpu.outputs.entries()) expectClose(gpu.outputs[i] as number[], out, FP16_TOL, `${name} output ${i} (fp16)`);
      } finally {
        half.dispose();
      }
    }, 120_000);
  }
});

describe('models: fp16-storage keeps float32 weights in f32', () => {
  // mobilenet_v1's BN-folded weights amplify rounding: with its weights rounded to f16 its output
  // is 6.3e-2 off; with f32 weights and f16 activations 6.1e-3 on verify's inputs (seed 1). Its
  // 1001-way softmax tops out near 0.02, so other inputs give 4e-3 to 1.3e-2: this checks the
  // weights on verify's own inputs.
  const m = models.find((x) => x.name === 'mobilenet_v1_025_224_f32');
  it('mobilenet_v1_025_224_f32 on verify inputs (seed 1) within the fp16 tolerance', async (t) => {
    if (!delegate || !m) return t.skip();
    const bytes = new Uint8Array(readFileSync(m.path));
    const inputs = makeModelInputs(bytes, 1);
    const runWith = async (delegates: WebGpuDelegate[]) => {
      const it = await Interpreter.create(bytes, { delegates });
      await it.allocateTensors();
      for (const [i, d] of it.getInputDetails().entries()) it.setTensor(d.index, inputs[i] as TypedArray);
      await it.invoke();
      const d = it.getOutputDetails()[0] as { index: number };
      const out = Array.from(it.getTensor(d.index) as Float32Array);
      const info = it.placement().partitions[0]?.info;
      it.dispose();
      return { out, info };
    };
    const cpu = await runWith([]);
    const half = await WebGpuDelegate.create({ precisionLossAllowed: true });
    const gpu = await runWith([half]);
    expect(gpu.info?.precision).toMatch(/^fp16/);
    if (gpu.info?.requestedPrecision === 'fp16-storage (f32 math)') expect(gpu.info?.weights).toBe('f32');
    expectClose(gpu.out, cpu.out, FP16_TOL, 'mobilenet_v1 output (fp16)');
  }, 120_000);
});

// The oracle: LiteRT.js and tfjs-tflite run by our own code in plain Node.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cachedOracle,
  compareOutputs,
  litert,
  makeInputs,
  makeModelInputs,
  OracleError,
  type OracleOutput,
  readModelInfo,
  runOracle,
  tfjsTflite,
} from '../harness/oracle/index.js';

const SHARED_MODELS = fileURLToPath(new URL('../../shared/models/', import.meta.url));
const HAVE_SHARED = existsSync(SHARED_MODELS);
if (!HAVE_SHARED) {
  console.warn(`oracle.test: ${SHARED_MODELS} is absent; the tests on the shared model corpus are skipped.`);
}
const FACE_DETECTION = fileURLToPath(
  new URL('../node_modules/@mediapipe/face_detection/face_detection_short_range.tflite', import.meta.url),
);

const shared = (name: string) => new Uint8Array(readFileSync(join(SHARED_MODELS, name)));

const inputsFor = (bytes: Uint8Array, seed: number) => makeModelInputs(bytes, seed);

function expectFinite(outputs: OracleOutput[]): void {
  for (const o of outputs) {
    const bad = Array.from(o.data as ArrayLike<number>).findIndex((v) => !Number.isFinite(v));
    expect(bad, `${o.name}[${bad}] is not finite`).toBe(-1);
  }
}

describe('makeInputs', () => {
  const specs = [
    { dtype: 'float32' as const, shape: [2, 50] },
    { dtype: 'int8' as const, shape: [1000] },
    { dtype: 'uint8' as const, shape: [1000] },
    { dtype: 'int16' as const, shape: [1000] },
    { dtype: 'int32' as const, shape: [100] },
    { dtype: 'bool' as const, shape: [100] },
  ];

  it('is deterministic per seed and differs across seeds', () => {
    const a = makeInputs(specs, 7);
    const b = makeInputs(specs, 7);
    const c = makeInputs(specs, 8);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    expect(a[0]).toBeInstanceOf(Float32Array);
    expect(a[1]).toBeInstanceOf(Int8Array);
    expect(a[5]).toBeInstanceOf(Uint8Array);
  });

  it('keeps every dtype in its range and covers it', () => {
    const [f, i8, u8, i16, i32, b] = makeInputs(specs, 1) as [Float32Array, Int8Array, Uint8Array, Int16Array, Int32Array, Uint8Array];
    expect(Math.min(...f)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...f)).toBeLessThanOrEqual(1);
    expect(Math.min(...f)).toBeLessThan(-0.8);
    expect(Math.min(...i8)).toBe(-128);
    expect(Math.max(...i8)).toBe(127);
    expect(Math.max(...u8)).toBe(255);
    expect(Math.min(...i16)).toBeLessThan(-30000);
    expect(Math.max(...i32)).toBeLessThanOrEqual(10);
    expect(Math.min(...i32)).toBeGreaterThanOrEqual(0);
    expect(new Set(b)).toEqual(new Set([0, 1]));
  });

  it('takes overrides without disturbing the other inputs', () => {
    const shape = Int32Array.from([1, 3, 12, 64]);
    const plain = makeInputs(specs, 3);
    const over = makeInputs(specs, 3, new Map([[4, shape]]));
    expect(over[4]).toBe(shape);
    expect(over[1]).toEqual(plain[1]);
  });
});

describe('face_detection_short_range (npm @mediapipe/face_detection) on LiteRT.js', () => {
  it('runs and returns finite outputs of the declared shapes', async () => {
    const bytes = new Uint8Array(readFileSync(FACE_DETECTION));
    const details = await litert.inputDetails(bytes);
    expect(details).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 128, 128, 3] }]);
    const outputs = await litert.run(bytes, inputsFor(bytes, 1));
    expect(outputs.map((o) => [o.name, o.dtype, o.shape])).toEqual([
      ['regressors', 'float32', [1, 896, 16]],
      ['classificators', 'float32', [1, 896, 1]],
    ]);
    expectFinite(outputs);
  });
});

describe.skipIf(!HAVE_SHARED)('oracle on ../shared/models', () => {
  it('hello_world_f32: both runtimes run, agree within 1e-5, and compute sin', async () => {
    const bytes = shared('hello_world_f32.tflite');
    const a = await litert.run(bytes, [new Float32Array([1.5])]);
    const b = await tfjsTflite.run(bytes, [new Float32Array([1.5])]);
    expect(a[0]?.shape).toEqual([1, 1]);
    expect(b[0]?.shape).toEqual([1, 1]);
    expect(compareOutputs(a, b).maxAbsDiff).toBeLessThan(1e-5);
    expect(Math.abs((a[0]?.data[0] as number) - Math.sin(1.5))).toBeLessThan(0.1);

    const r = await runOracle(bytes, inputsFor(bytes, 1));
    expect(r.oracle).toBe('litert');
    expect(r.other && 'outputs' in r.other ? r.other.oracle : r.other).toBe('tfjs-tflite');
    if (r.other && 'outputs' in r.other) expect(compareOutputs(r.outputs, r.other.outputs).maxAbsDiff).toBeLessThan(1e-5);
    expectFinite(r.outputs);
  });

  it('hello_world_int8: int8 in and out, the runtimes agree exactly', async () => {
    const bytes = shared('hello_world_int8.tflite');
    const inputs = inputsFor(bytes, 1);
    expect(inputs[0]).toBeInstanceOf(Int8Array);
    const r = await runOracle(bytes, inputs);
    expect(r.outputs[0]?.dtype).toBe('int8');
    expect(r.outputs[0]?.data).toBeInstanceOf(Int8Array);
    expect(r.other && 'outputs' in r.other).toBe(true);
    if (r.other && 'outputs' in r.other) expect(compareOutputs(r.outputs, r.other.outputs).maxAbsDiff).toBe(0);
  });

  it('reports input details from both runtimes', async () => {
    const bytes = shared('hello_world_int8.tflite');
    expect(await litert.inputDetails(bytes)).toEqual([{ name: 'dense_input', dtype: 'int8', shape: [-1, 1] }]);
    expect(await tfjsTflite.inputDetails(bytes)).toEqual([{ name: 'serving_default_dense_input:0', dtype: 'int8', shape: [1, 1] }]);
  });

  it('rejects inputs of the wrong dtype with a clear OracleError', async () => {
    const bytes = shared('hello_world_int8.tflite');
    const err = await litert.run(bytes, [new Float32Array([0.5])]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OracleError);
    expect((err as OracleError).kind).toBe('input');
    expect((err as OracleError).message).toMatch(/\[litert\] input: .*int8, got Float32Array/);
  });

  it('mnist_lstm_f32: LiteRT.js refuses variable tensors, tfjs-tflite runs it on fresh state', async () => {
    const bytes = shared('mnist_lstm_f32.tflite');
    const inputs = inputsFor(bytes, 1);
    const err = await litert.run(bytes, inputs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OracleError);
    expect((err as OracleError).oracle).toBe('litert');
    expect((err as OracleError).message).toMatch(/Variable tensors not yet supported/);

    const r = await runOracle(bytes, inputs);
    expect(r.oracle).toBe('tfjs-tflite');
    expect(r.other).toMatchObject({ oracle: 'litert', error: expect.stringMatching(/Variable tensors/) });
    expect(r.outputs[0]?.shape).toEqual([1, 10]);
    expectFinite(r.outputs);
    const sum = Array.from(r.outputs[0]?.data as Float32Array).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(1, 4); // softmax
    const again = await runOracle(bytes, inputs, { other: false });
    expect(again.outputs[0]?.data).toEqual(r.outputs[0]?.data); // no state carried over
  });

  it('seanet_transpose_conv0_16x8: output_shape fed as input; matches the shipped TFLM golden bit for bit', async () => {
    const bytes = shared('seanet_transpose_conv0_16x8.tflite');
    const info = readModelInfo(bytes);
    expect([...info.shapeOperands.keys()]).toEqual([0]);
    expect(info.dynamicOutputs).toHaveLength(1);
    const csv = (f: string) =>
      readFileSync(join(SHARED_MODELS, 'golden', f), 'utf8')
        .trim()
        .split(/[\s,]+/)
        .map(Number);
    const inputs = [
      Int32Array.from(csv('seanet_transpose_conv0_input0_int32.csv')),
      Int16Array.from(csv('seanet_transpose_conv0_input1_int16.csv')),
    ];
    expect(Array.from(inputs[0] as Int32Array)).toEqual(Array.from(info.shapeOperands.get(0) as Int32Array));
    const r = await runOracle(bytes, inputs);
    // LiteRT.js returns garbage for outputs shaped at run time: the policy routes to tfjs-tflite.
    expect(r.oracle).toBe('tfjs-tflite');
    expect(r.other).toMatchObject({ oracle: 'litert', error: expect.stringMatching(/unsupported/) });
    expect(Array.from(r.outputs[0]?.data as Int16Array)).toEqual(csv('seanet_transpose_conv0_golden_int16.csv'));
  });

  it('mnist_conv_fc_partly_hybrid: detected as hybrid, tfjs-tflite is the reference', async () => {
    const bytes = shared('mnist_conv_fc_partly_hybrid.tflite');
    expect(readModelInfo(bytes).isHybrid).toBe(true);
    const r = await runOracle(bytes, inputsFor(bytes, 1));
    expect(r.oracle).toBe('tfjs-tflite');
    expect(r.other && 'outputs' in r.other ? r.other.oracle : undefined).toBe('litert');
    expectFinite(r.outputs);
  });

  it('person_detect_int8: neither runtime accepts it; the error names both reasons', async () => {
    const bytes = shared('person_detect_int8.tflite');
    const err = await runOracle(bytes, inputsFor(bytes, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OracleError);
    expect((err as OracleError).kind).toBe('no-oracle');
    expect((err as OracleError).message).toMatch(/\[litert\].*\[tfjs-tflite\].*quantized_dimension/s);
  });

  describe('golden cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-cache-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stores a golden, reads it back identical, and regenerates on request', async () => {
      const bytes = shared('mnist_conv_fc_int8.tflite');
      const inputs = inputsFor(bytes, 5);
      const first = await cachedOracle(bytes, inputs, 5, { dir });
      expect(first.cached).toBe(false);
      expect(existsSync(join(dir, `${first.key}.json`))).toBe(true);
      expect(existsSync(join(dir, `${first.key}.bin`))).toBe(true);
      const second = await cachedOracle(bytes, inputs, 5, { dir });
      expect(second.cached).toBe(true);
      expect(second.key).toBe(first.key);
      expect(second.oracle).toBe(first.oracle);
      expect(second.outputs).toEqual(first.outputs);
      expect(second.other).toEqual(first.other);
      const other = await cachedOracle(bytes, inputsFor(bytes, 6), 6, { dir });
      expect(other.key).not.toBe(first.key);
      const again = await cachedOracle(bytes, inputs, 5, { dir, regenerate: true });
      expect(again.cached).toBe(false);
      expect(again.outputs).toEqual(first.outputs);
    });
  });
});

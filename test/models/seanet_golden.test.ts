// Bit-exact conformance on the four seanet 16x8 models: their source repository (tflite-micro's
// integration tests) ships int16 inputs and the int16 outputs TFLite's reference kernels produce,
// as CSV files in ../shared/models/golden. Every output value must match exactly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { hasShared, SHARED_MODELS_DIR } from '../support/corpus.js';

const GOLDEN_DIR = join(SHARED_MODELS_DIR, 'golden');

/** Integers of a golden CSV (comma- or newline-separated). */
function readCsv(file: string): number[] {
  return readFileSync(join(GOLDEN_DIR, file), 'utf8')
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map(Number);
}

interface GoldenCase {
  model: string;
  /** CSV per model input, in input order, with the input's dtype. */
  inputs: { file: string; dtype: 'int16' | 'int32' }[];
  golden: string;
}

const CASES: GoldenCase[] = [
  {
    model: 'seanet_add0_16x8',
    inputs: [
      { file: 'seanet_add0_input0_int16.csv', dtype: 'int16' },
      { file: 'seanet_add0_input1_int16.csv', dtype: 'int16' },
    ],
    golden: 'seanet_add0_golden_int16.csv',
  },
  {
    model: 'seanet_conv0_16x8',
    inputs: [{ file: 'seanet_conv0_input0_int16.csv', dtype: 'int16' }],
    golden: 'seanet_conv0_golden_int16.csv',
  },
  {
    model: 'seanet_leaky_relu0_16x8',
    inputs: [{ file: 'seanet_leaky_relu0_input0_int16.csv', dtype: 'int16' }],
    golden: 'seanet_leaky_relu0_golden_int16.csv',
  },
  {
    // Input 0 is TRANSPOSE_CONV's output_shape, fed at run time.
    model: 'seanet_transpose_conv0_16x8',
    inputs: [
      { file: 'seanet_transpose_conv0_input0_int32.csv', dtype: 'int32' },
      { file: 'seanet_transpose_conv0_input1_int16.csv', dtype: 'int16' },
    ],
    golden: 'seanet_transpose_conv0_golden_int16.csv',
  },
];

const available = hasShared && existsSync(GOLDEN_DIR);
if (hasShared && !available) console.warn(`\n[tflite-webgpu tests] ${GOLDEN_DIR} is absent: the seanet golden tests are SKIPPED.\n`);

describe.skipIf(!available)('seanet 16x8 models match the reference goldens bit for bit', () => {
  for (const c of CASES) {
    it(c.model, async () => {
      const interpreter = await Interpreter.create(new Uint8Array(readFileSync(join(SHARED_MODELS_DIR, `${c.model}.tflite`))));
      await interpreter.allocateTensors();
      const details = interpreter.getInputDetails();
      expect(details.map((d) => d.dtype)).toEqual(c.inputs.map((i) => i.dtype));
      c.inputs.forEach((spec, i) => {
        const values = readCsv(spec.file);
        const data: TypedArray = spec.dtype === 'int16' ? Int16Array.from(values) : Int32Array.from(values);
        interpreter.setTensor((details[i] as { index: number }).index, data);
      });
      await interpreter.invoke();
      const out = interpreter.getOutputDetails()[0] as { index: number };
      const actual = Array.from(interpreter.getTensor(out.index) as Int16Array);
      const expected = readCsv(c.golden);
      expect(actual.length).toBe(expected.length);
      const mismatches = actual.flatMap((v, i) => (v === expected[i] ? [] : [i]));
      expect(
        { mismatched: mismatches.length, first: mismatches.slice(0, 5).map((i) => ({ i, got: actual[i], want: expected[i] })) },
        `${c.model}: ${mismatches.length} of ${expected.length} values differ`,
      ).toEqual({ mismatched: 0, first: [] });
    });
  }
});

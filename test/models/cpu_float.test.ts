// Every float32, fp16-weight, weight-only and dynamic-range model of the corpus runs on the CPU
// interpreter and matches the real TFLite runtime (LiteRT.js, or tfjs-tflite's builtin kernels
// for hybrid models) on the same inputs: relative error ≤ 1e-4 of max|golden|, or, where the graph
// amplifies rounding past that, every node alone within 1e-4 of TFLite's (verify's conditioningNote).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeOracle } from '../../harness/node_oracle.js';
import { verifyModel } from '../../harness/verify.js';
import { readModel } from '../../src/model/reader.js';
import { detectMode } from '../../src/model/summary.js';
import { corpusModels } from '../support/corpus.js';

const FLOAT_MODES = new Set(['float32', 'fp16-weights', 'weight-only-int8', 'dynamic-range']);
const models = corpusModels().filter((m) => FLOAT_MODES.has(detectMode(readModel(new Uint8Array(readFileSync(m.path))))));

describe('float models on the CPU match the real runtime', () => {
  it('covers the float corpus', () => {
    expect(models.length).toBeGreaterThanOrEqual(7);
  });
  for (const m of models) {
    it(m.key, { timeout: 120_000 }, async () => {
      const report = await verifyModel(m.key, new Uint8Array(readFileSync(m.path)), { backend: 'cpu', timingRuns: 0, oracle: nodeOracle });
      const problems = report.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.problem}`);
      // Past the bar only where the graph amplifies rounding: every node alone must match (verify's conditioningNote).
      if (problems.length && report.status === 'pass') {
        expect(report.conditioningNote, problems.join('; ')).toMatch(/^ill-conditioned, not a wrong op: each of the \d+ nodes, run alone/);
        console.log(`[cpu] ${m.key}: ${report.conditioningNote}`);
        problems.length = 0;
      }
      expect({ status: report.status, error: report.error?.message, problems }).toEqual({ status: 'pass', error: undefined, problems: [] });
      if (report.mode === 'dynamic-range') expect(report.oracle).toBe('tfjs-tflite');
    });
  }
});

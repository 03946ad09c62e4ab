// Every full-integer (int8, uint8, 16x8) and mixed model of the corpus runs on the CPU interpreter
// with TFLite's reference-kernel semantics and matches the real runtime: ≤ 1 LSB and ≥ 99% exact
// per output. Both runtimes compute 8-bit conv-family nodes on XNNPACK, which rounds differently
// from the reference kernels; where that changes a model's outputs the reference result stands,
// and the test names those models and checks that XNNPACK's rounding reproduces the golden exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeOracle } from '../../harness/node_oracle.js';
import { verifyModel } from '../../harness/verify.js';
import { readModel } from '../../src/model/reader.js';
import { detectMode } from '../../src/model/summary.js';
import { corpusModels, hasShared } from '../support/corpus.js';

const INTEGER_MODES = new Set(['int8', 'uint8', '16x8', 'mixed']);
const models = corpusModels().filter((m) => INTEGER_MODES.has(detectMode(readModel(new Uint8Array(readFileSync(m.path))))));

/** Models whose reference-kernel outputs differ from the XNNPACK-computed goldens beyond the bar. */
const XNNPACK_ROUNDING = new Set(['hello_world_int8', 'pc_dwconv_int8_floatio', 'ssd_mobilenet_v1_uint8_postprocess']);
/** Models no runtime can be the reference for (see README, known model quirks). */
const NO_REFERENCE = new Set(['person_detect_int8', 'mnist_conv_fc_partly_hybrid']);

describe.skipIf(!hasShared)('integer models on the CPU match the real runtime', () => {
  it('covers the integer corpus', () => {
    expect(models.length).toBeGreaterThanOrEqual(15);
  });
  for (const m of models) {
    it(m.key, { timeout: 120_000 }, async () => {
      const report = await verifyModel(m.key, new Uint8Array(readFileSync(m.path)), { backend: 'cpu', timingRuns: 0, oracle: nodeOracle });
      if (NO_REFERENCE.has(m.name)) {
        expect(report.status).toBe('no-reference');
        return;
      }
      expect({ status: report.status, error: report.error?.message }).toEqual({ status: 'pass', error: undefined });
      if (XNNPACK_ROUNDING.has(m.name)) {
        expect(report.roundingNote).toMatch(/with XNNPACK's rounding .* the outputs match: (0 LSB, 100.0% exact|rel 0.00e\+0)/);
      } else {
        expect(report.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.problem}`)).toEqual([]);
        expect(report.roundingNote).toBeUndefined();
      }
    });
  }
});

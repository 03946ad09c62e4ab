// Every float32, fp16-weight, weight-only and dynamic-range model of the corpus runs with the
// WebGPU delegate (Dawn; SwiftShader here) in fp32 and in fp16 (precision loss allowed) and matches
// the real TFLite runtime: relative error ≤ 1e-4 (fp32) / 1e-2 (fp16) of max|golden|, or, in fp16
// where f16 storage itself misses 1e-2 (TFLite's kernels with every activation rounded to f16, each
// way WGSL allows, miss it too), within 2× of that reference's error (verify's precisionNote); in
// fp32 where the graph amplifies rounding past 1e-4, every node alone within 1e-4 (conditioningNote).
// Nodes the delegate leaves on the CPU must each say why.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Precision } from '../../harness/backends.js';
import { nodeOracle } from '../../harness/node_oracle.js';
import { verifyModel } from '../../harness/verify.js';
import { readModel } from '../../src/model/reader.js';
import { detectMode } from '../../src/model/summary.js';
import { corpusModels } from '../support/corpus.js';

const FLOAT_MODES = new Set(['float32', 'fp16-weights', 'weight-only-int8', 'dynamic-range']);
const models = corpusModels().filter((m) => FLOAT_MODES.has(detectMode(readModel(new Uint8Array(readFileSync(m.path))))));

for (const precision of ['fp32', 'fp16'] as Precision[]) {
  describe(`float models on WebGPU (${precision}) match the real runtime`, () => {
    for (const m of models) {
      it(m.key, { timeout: 180_000 }, async () => {
        const bytes = new Uint8Array(readFileSync(m.path));
        const report = await verifyModel(m.key, bytes, { backend: 'webgpu', precision, timingRuns: 0, oracle: nodeOracle });
        const problems = report.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.problem}`);
        expect({ status: report.status, error: report.error?.message }).toEqual({ status: 'pass', error: undefined });
        if (problems.length && precision === 'fp32') {
          // Passed only node by node (the graph amplifies rounding): the note must say so.
          expect(report.conditioningNote, problems.join('; ')).toMatch(
            /^ill-conditioned, not a wrong op: each of the \d+ nodes, run alone/,
          );
          console.log(`[webgpu fp32] ${m.key}: ${report.conditioningNote}`);
        } else if (problems.length) {
          // Passed only against the f16 storage references: the note must say so, with their numbers.
          expect(precision).toBe('fp16');
          expect(report.precisionNote, problems.join('; ')).toMatch(
            /f16 storage itself misses the 0.01 bar .*\(nearest\).*\(stochastic\); ours, rel [\d.e+-]+, is within 2× the worst/,
          );
          console.log(`[webgpu fp16] ${m.key}: ${report.precisionNote}`);
        }
        const placement = report.placement;
        expect(placement?.partitions.length).toBeGreaterThan(0);
        for (const n of placement?.nodes ?? [])
          if (n.backend === 'cpu') expect(n.reason, `node ${n.node} ${n.op} stays on the CPU without a reason`).toMatch(/\w{3,}/);
      });
    }
  });
}

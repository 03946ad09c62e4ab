// The fast deterministic subset of the differential op tests: a few seeded cases of every op
// fuzzer, run by TFLite (tfjs-tflite / LiteRT.js) and by us on the CPU and the WebGPU delegate.
// `npm run fuzz:ops -- --cases 200` runs the long version.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acquireGpu, type GpuContext } from '../../delegate/runtime/device.js';
import { ALL_FUZZERS } from '../../harness/fuzz/ops/index.js';
import { caseSeed } from '../../harness/fuzz/rng.js';
import { describeCase } from '../../harness/fuzz/run.js';
import { runCase, type Target } from '../../harness/fuzz/run_case.js';

const CASES = 3;
const TARGETS: Target[] = ['cpu', 'webgpu-fp32', 'webgpu-fp16'];

/**
 * Cases that fail today, each with what is known of why (open work on issue 11). They run as
 * expected failures, so a fix shows up as a failing test here until the entry is removed.
 */
const KNOWN_FAILURES: Record<string, { cases: number[]; why: string }> = {};

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await acquireGpu();
});
afterAll(() => gpu?.release());

describe.each(ALL_FUZZERS.map((f) => [`${f.op} ${f.dtypes}`, f] as const))('%s', (label, fuzzer) => {
  for (let i = 0; i < CASES; i++) {
    const known = KNOWN_FAILURES[label];
    const run = known?.cases.includes(i) ? test.fails : test;
    run(`case ${i}${known?.cases.includes(i) ? ` (known failure: ${known.why})` : ''}`, async () => {
      const r = await runCase(fuzzer, caseSeed(7, label, i), 9, { targets: TARGETS, device: gpu.device });
      // TFLite refusing a case is a pass only when we refuse it too.
      const agrees = r.status === 'pass' || (r.status === 'invalid' && r.weRefuse);
      expect(agrees ? '' : describeCase(r)).toBe('');
    });
  }
});

// The fault scenarios of `npm run soak` on the npm-shipped face detector (WebGPU takes it whole):
// each must end as its scenario says — a typed error or a completed invoke, never a hang.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runFaults } from '../../harness/soak/faults.js';
import { gpuAvailable } from '../delegate/support.js';

const MODEL = createRequire(import.meta.url).resolve('@mediapipe/face_detection/face_detection_short_range.tflite');

describe('faults', () => {
  it('every scenario ends as expected', { timeout: 300_000 }, async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const outcomes = await runFaults(new Uint8Array(readFileSync(MODEL)));
    console.log(outcomes.map((o) => `${o.pass ? 'PASS' : 'FAIL'} ${o.scenario}: ${o.observed}`).join('\n'));
    expect(outcomes.filter((o) => !o.pass)).toEqual([]);
  });
});

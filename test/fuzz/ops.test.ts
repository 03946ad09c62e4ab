// The fast deterministic subset of the differential op tests: a few seeded cases of every op
// fuzzer, run by TFLite (tfjs-tflite / LiteRT.js) and by us on the CPU and the WebGPU delegate.
// `npm run fuzz:ops -- --cases 200` runs the long version.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acquireGpu, type GpuContext } from '../../delegate/device.js';
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
const KNOWN_FAILURES: Record<string, { cases: number[]; why: string }> = {
  'CHAIN:qdq_binary float32 -> int8 -> float32': {
    cases: [1],
    why: "int8 QUANTIZE requantization: the oracle's XNNPACK path, not yet in this chain's rounding",
  },
  'CHAIN:qdq_pool_resize float32 -> int8 -> float32': {
    cases: [0, 2],
    why: "MEAN / RESIZE_BILINEAR int8 XNNPACK rounding: this chain runs with 'reference' rounding",
  },
  'COS float32': { cases: [2], why: 'WebGPU cos accuracy / non-finite placement, not yet diagnosed' },
  'FILL int64': {
    cases: [0],
    why: 'int64 operands or outputs: tfjs-tflite returns no bytes or misreads them, LiteRT.js returns garbage; no usable reference yet',
  },
  'FILL uint8': { cases: [1, 2], why: 'not yet diagnosed' },
  'HARD_SWISH int8': { cases: [2], why: 'not yet diagnosed' },
  'PAD int64': {
    cases: [1],
    why: 'int64 operands or outputs: tfjs-tflite returns no bytes or misreads them, LiteRT.js returns garbage; no usable reference yet',
  },
  'PADV2 int64': {
    cases: [0],
    why: 'int64 operands or outputs: tfjs-tflite returns no bytes or misreads them, LiteRT.js returns garbage; no usable reference yet',
  },
  'SHAPE int64': {
    cases: [0, 1, 2],
    why: 'int64 operands or outputs: tfjs-tflite returns no bytes or misreads them, LiteRT.js returns garbage; no usable reference yet',
  },
  'SLICE int64': {
    cases: [1],
    why: 'int64 operands or outputs: tfjs-tflite returns no bytes or misreads them, LiteRT.js returns garbage; no usable reference yet',
  },
  'STRIDED_SLICE bool': {
    cases: [0, 2],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
  'STRIDED_SLICE float32': {
    cases: [0, 2],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
  'STRIDED_SLICE int16': {
    cases: [0, 1],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
  'STRIDED_SLICE int32': {
    cases: [0, 1],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
  'STRIDED_SLICE int64': {
    cases: [0, 1],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
  'STRIDED_SLICE int8': {
    cases: [0, 1, 2],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
  'STRIDED_SLICE uint8': {
    cases: [0, 1],
    why: 'the generator still writes int64 begin/end/strides, which the tfjs-tflite build refuses (invalid case)',
  },
};

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
      expect(r.status === 'pass' ? '' : describeCase(r)).toBe('');
    });
  }
});

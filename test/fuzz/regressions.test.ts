// Replays every kept fuzz failure (test/data/fuzz/*.json): a tiny model, its inputs and TFLite's
// golden outputs, judged as the fuzzer judged it, on the CPU and (where it takes the node) WebGPU.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { WebGpuDelegate } from '../../delegate/webgpu_delegate.js';
import { checkOutput } from '../../harness/fuzz/judge.js';
import { decodeTensor, goldenOutputs, loadRegressions } from '../../harness/fuzz/regression.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';

const DIR = fileURLToPath(new URL('../data/fuzz/', import.meta.url));
const cases = loadRegressions(DIR);

describe.each(['cpu', 'webgpu-fp32'] as const)('fuzz regressions on %s', (target) => {
  test('there are kept cases', () => expect(cases.length).toBeGreaterThan(0));
  test.each(cases.map((c) => [c.file, c.case] as const))('%s', async (_file, c) => {
    const delegates = target === 'cpu' ? [] : [new WebGpuDelegate()];
    const interp = await Interpreter.create(new Uint8Array(Buffer.from(c.model, 'base64')), { integerRounding: c.rounding, delegates });
    await interp.allocateTensors();
    if (target !== 'cpu' && !interp.placement().nodes.some((n) => n.backend === 'webgpu')) return;
    c.inputTensors.forEach((ti, k) => {
      interp.setTensor(ti, decodeTensor(c.inputs[k] as never) as TypedArray);
    });
    await interp.invoke();
    const golden = goldenOutputs(c);
    const checks = c.outputTensors.map((ti, k) =>
      checkOutput(k, golden[k]?.dtype ?? '?', interp.tensorShape(ti), interp.getTensor(ti), golden[k] as never, c.floatTolerance, c.lsb),
    );
    interp.dispose();
    expect(
      checks.filter((x) => !x.pass).map((x) => x.problem),
      c.bug,
    ).toEqual([]);
  });
});

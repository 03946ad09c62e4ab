// Every corpus model parses, and what `inspect --json` reports matches flatc's own JSON dump of
// the same file (test/data/flatc_expected.json, made by `npm run gen:expected`).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.js';
import { readModel } from '../../src/model/reader.js';
import { corpusModels, hasShared } from '../support/corpus.js';

interface Expected {
  sha256: string;
  ops: Record<string, number>;
  tensorTypes: Record<string, number>;
  subgraphs: number;
  inputs: { name: string; dtype: string; shape: number[] }[];
  outputs: { name: string; dtype: string; shape: number[] }[];
}
const expected = JSON.parse(readFileSync(new URL('../data/flatc_expected.json', import.meta.url), 'utf8')) as Record<string, Expected>;

async function inspectJson(path: string): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
  try {
    expect(await runCli(['inspect', path, '--json'])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(lines.join('\n'));
}

const models = corpusModels();

describe('corpus models', () => {
  it('includes the npm-shipped models, and the shared ones when present', () => {
    // face_detection 3, selfie_segmentation 2, hands 2, pose 3, objectron 4.
    expect(models.filter((m) => m.source === 'npm').length).toBe(14);
    if (hasShared) expect(models.filter((m) => m.source === 'shared').length).toBeGreaterThanOrEqual(32);
  });

  for (const m of models) {
    it(`${m.key}: inspect --json matches flatc`, async () => {
      const want = expected[m.key];
      expect(want, `no flatc expectation for ${m.key}; run npm run gen:expected`).toBeDefined();
      const bytes = readFileSync(m.path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(want?.sha256);
      const got = await inspectJson(m.path);
      expect(got.ops).toEqual(want?.ops);
      expect(got.tensorTypes).toEqual(want?.tensorTypes);
      expect(got.subgraphs).toBe(want?.subgraphs);
      const io = (list: unknown) =>
        (list as { name: string; dtype: string; shape: number[] }[]).map(({ name, dtype, shape }) => ({ name, dtype, shape }));
      expect(io(got.inputs)).toEqual(want?.inputs);
      expect(io(got.outputs)).toEqual(want?.outputs);
    });
  }
});

describe('model contents', () => {
  const shortRange = models.find((m) => m.name === 'face_detection_short_range');
  it('reads constants as zero-copy views of the file and decodes builtin options', () => {
    const bytes = new Uint8Array(readFileSync(shortRange?.path as string));
    const model = readModel(bytes);
    const sg = model.subgraphs[0];
    const fp16 = sg?.tensors.find((t) => t.dtype === 'float16' && t.data);
    expect(fp16?.data?.buffer).toBe(bytes.buffer);
    expect(fp16?.data?.byteLength).toBe(2 * (fp16?.shape.reduce((a, b) => a * b, 1) ?? 0));
    const conv = sg?.operators.find((o) => o.op === 'CONV_2D');
    expect(conv?.optionsType).toBe('Conv2DOptions');
    expect(Object.keys(conv?.options ?? {})).toEqual(expect.arrayContaining(['padding', 'strideW', 'strideH', 'fusedActivationFunction']));
  });

  it.skipIf(!hasShared)('reads per-axis quantization and shape signatures', () => {
    const m = models.find((x) => x.name === 'seanet_conv0_16x8');
    const model = readModel(new Uint8Array(readFileSync(m?.path as string)));
    const perAxis = model.subgraphs[0]?.tensors.find((t) => (t.quantization?.scale.length ?? 0) > 1);
    expect(perAxis?.dtype).toBe('int8');
    expect(perAxis?.quantization?.scale.length).toBe(perAxis?.shape[perAxis.quantization?.quantizedDimension ?? 0]);
  });
});

// `quantize`: the CLI writes a quantized model that verify passes, calibrates on a folder of raw
// samples (here: a photo and variants of it), and names the file and the sizes when a sample does not fit.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.js';
import { photoInput, readPpm } from '../../harness/photo.js';
import { readModel } from '../../src/index.js';
import { corpusModels } from '../support/corpus.js';

const model = corpusModels().find((m) => m.name === 'face_detection_short_range')?.path as string;
const dir = mkdtempSync(join(tmpdir(), 'tflite-webgpu-quantize-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const errors: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
  try {
    return { code: await runCli(args), out: lines.join('\n'), err: errors.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('quantize (CLI)', () => {
  const photo = photoInput(
    readPpm(new Uint8Array(readFileSync(new URL('../data/astronaut_256.ppm', import.meta.url)))),
    [1, 128, 128, 3],
    [-1, 1],
  );

  it('int8 calibrated on a folder of raw samples; verify passes on the photo', { timeout: 240_000 }, async () => {
    const samples = join(dir, 'calibration');
    mkdirSync(samples, { recursive: true });
    // The photo, mirrored, darker and lower in contrast: four samples.
    const mirrored = photo.map((_, i) => {
      const x = Math.floor(i / 3) % 128;
      return photo[i - 3 * x + 3 * (127 - x)] as number;
    });
    [photo, mirrored, photo.map((v) => v * 0.5 - 0.5), photo.map((v) => v * 0.7)].forEach((s, k) => {
      writeFileSync(join(samples, `sample_${k}.bin`), new Uint8Array(new Float32Array(s).buffer));
    });
    const out = join(dir, 'face_int8.tflite');
    const q = await cli(['quantize', model, '--mode', 'int8', '--calibration', samples, '-o', out, '--json']);
    expect(q.code, q.out).toBe(0);
    const result = JSON.parse(q.out);
    expect(result.report).toMatchObject({ mode: 'int8', calibrationSamples: 4 });
    expect(result.calibration).toMatch(/^4 sample\(s\) from /);
    expect(readModel(new Uint8Array(readFileSync(out))).subgraphs[0]?.tensors.some((t) => t.dtype === 'int8')).toBe(true);
    const input = join(dir, 'photo.bin');
    writeFileSync(input, new Uint8Array(photo.buffer));
    const v = await cli(['verify', out, '--inputs', input, '--json']);
    expect(v.code, v.out).toBe(0);
    expect(JSON.parse(v.out).status).toBe('pass');
  });

  it('float16 prints the sizes; a sample of the wrong size is named with both sizes', { timeout: 120_000 }, async () => {
    const f16 = await cli(['quantize', model, '--mode', 'float16', '-o', join(dir, 'face_f16.tflite')]);
    expect(f16.code).toBe(0);
    expect(f16.out).toMatch(/size .* → .* \(\d+\.\d%\)/);
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'short.bin'), new Uint8Array(100));
    const r = await cli(['quantize', model, '--mode', 'int8', '--calibration', bad, '-o', join(dir, 'x.tflite'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.message).toMatch(
      /calibration sample 'short.bin' holds 100 bytes; one sample of 'input' float32\[1,128,128,3\] is 196608/,
    );
    const noMode = await cli(['quantize', model, '-o', join(dir, 'x.tflite')]);
    expect(noMode.code).toBe(2);
  });
});

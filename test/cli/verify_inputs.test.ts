// `verify --inputs`: the CLI verifies one model on the user's own raw input files, and says
// clearly when the files do not fit.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.js';
import { photoInput, readPpm } from '../../harness/photo.js';
import { corpusModels } from '../support/corpus.js';

const model = corpusModels().find((m) => m.name === 'face_detection_short_range')?.path as string;
const dir = mkdtempSync(join(tmpdir(), 'tflite-webgpu-inputs-'));

/** Runs the CLI, returning its exit code and what it printed on stdout. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return { code: await runCli(args), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('verify --inputs', () => {
  it('verifies a model on a photo given as raw float32 bytes', { timeout: 60_000 }, async () => {
    const photo = readPpm(new Uint8Array(readFileSync(new URL('../data/astronaut_256.ppm', import.meta.url))));
    const input = photoInput(photo, [1, 128, 128, 3], [-1, 1]);
    const file = join(dir, 'photo.bin');
    writeFileSync(file, new Uint8Array(input.buffer));
    const { code, out } = await cli(['verify', model, '--inputs', file, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ status: 'pass', oracle: 'litert' });
  });

  it('names the input and the sizes when a file does not fit', async () => {
    const file = join(dir, 'short.bin');
    writeFileSync(file, new Uint8Array(100));
    const { code, out } = await cli(['verify', model, '--inputs', file, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({
      error: {
        type: 'TensorError',
        message: `--inputs: '${file}' holds 100 bytes but input 0 'input' (float32 [1,128,128,3]) needs 196608`,
      },
    });
  });

  it('takes one model only', async () => {
    const { code } = await cli(['verify', '--all', '--inputs', 'x.bin']);
    expect(code).toBe(2);
  });
});

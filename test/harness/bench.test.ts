// `bench --json` on a tiny model built here: both sides (ours and LiteRT.js) report well-formed
// figures, and the ratios are ours / theirs. No timing thresholds: only shape and consistency.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.js';
import type { BenchRun, SideResult } from '../../harness/bench.js';
import { buildModel, GraphBuilder } from '../../harness/fuzz/graph.js';
import { gpuAvailable } from '../delegate/support.js';

const dir = mkdtempSync(join(tmpdir(), 'tflite-webgpu-bench-'));

/** x [1,8,8,4] -> CONV_2D 3x3 (8 filters, RELU) -> ADD a constant. */
function tinyModel(): string {
  const g = new GraphBuilder();
  const x = g.input('float32', [1, 8, 8, 4], { range: [-1, 1] });
  const w = g.constant(
    'float32',
    [8, 3, 3, 4],
    Array.from({ length: 8 * 9 * 4 }, (_, i) => Math.sin(i) * 0.2),
  );
  const b = g.constant(
    'float32',
    [8],
    Array.from({ length: 8 }, (_, i) => i * 0.01),
  );
  const y = g.activation('float32', [1, 8, 8, 8]);
  g.node('CONV_2D', [x, w, b], [y], { type: 'Conv2DOptions', values: { padding: 0, strideW: 1, strideH: 1, fusedActivationFunction: 1 } });
  const c = g.constant(
    'float32',
    [8],
    Array.from({ length: 8 }, (_, i) => -i * 0.1),
  );
  const z = g.output('float32', [1, 8, 8, 8]);
  g.node('ADD', [y, c], [z], { type: 'AddOptions', values: {} });
  const file = join(dir, 'tiny_conv_add.tflite');
  writeFileSync(file, buildModel(g.graph));
  return file;
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  return { code: await runCli(args), out: lines.join('\n') };
}

afterEach(() => vi.restoreAllMocks());

function expectTimed(side: SideResult): void {
  expect(side.error).toBeUndefined();
  const t = side.timing;
  expect(t).toBeDefined();
  if (!t) return;
  expect(Number.isFinite(t.medianMs) && t.medianMs > 0).toBe(true);
  expect(t.minMs).toBeLessThanOrEqual(t.p10Ms);
  expect(t.p10Ms).toBeLessThanOrEqual(t.medianMs);
  expect(t.medianMs).toBeLessThanOrEqual(t.p90Ms);
  expect(Number.isFinite(side.loadMs) && side.loadMs > 0).toBe(true);
  expect(Number.isFinite(side.firstMs) && side.firstMs > 0).toBe(true);
}

describe('bench', () => {
  it('times ours and LiteRT.js side by side, with ratios, as JSON and as files', { timeout: 180_000 }, async () => {
    const model = tinyModel();
    const backends = (await gpuAvailable()) ? 'all' : 'cpu';
    const prefix = join(dir, 'results');
    const { code, out } = await cli(['bench', model, '--backend', backends, '--runs', '4', '--warmup', '1', '--out', prefix, '--json']);
    expect(code).toBe(0);
    const run = JSON.parse(out) as BenchRun;
    expect(run.environment.litert).toMatch(/@litertjs\/core \d/);
    expect(run.environment.method).toMatch(/alternately/);
    expect(run.results.map((r) => [r.model, r.backend, r.litertAccelerator])).toEqual(
      backends === 'all'
        ? [
            ['tiny_conv_add', 'cpu', 'wasm'],
            ['tiny_conv_add', 'webgpu', 'webgpu'],
          ]
        : [['tiny_conv_add', 'cpu', 'wasm']],
    );
    for (const r of run.results) {
      expectTimed(r.ours);
      expectTimed(r.litert);
      expect(r.runs).toBe(4);
      const ratio = r.ratio;
      expect(ratio).toBeDefined();
      if (!ratio) continue;
      expect(ratio.p10).toBeLessThanOrEqual(ratio.median);
      expect(ratio.median).toBeLessThanOrEqual(ratio.p90);
      expect(ratio.p10).toBeGreaterThan(0);
      const first = (r.ours.loadMs + r.ours.firstMs) / (r.litert.loadMs + r.litert.firstMs);
      expect(r.firstRatio).toBeCloseTo(first, 9);
    }
    if (backends === 'all') expect(run.environment.adapter).toBeTruthy();
    else {
      console.warn('\n[tflite-webgpu tests] no WebGPU adapter: bench webgpu rows are SKIPPED (cpu rows only)\n');
      expect(run.environment.adapter).toBeUndefined();
    }
    const md = readFileSync(`${prefix}.md`, 'utf8');
    expect(md).toMatch(/\| model \| backend \| ours \| LiteRT\.js \| ratio \|/);
    expect(md).toContain('| tiny_conv_add | cpu |');
    expect(JSON.parse(readFileSync(`${prefix}.json`, 'utf8'))).toEqual(run);
  });

  it('says why in the cell when LiteRT.js cannot run, and still times ours', { timeout: 120_000 }, async () => {
    const model = tinyModel();
    const { code, out } = await cli(['bench', model, '--backend', 'cpu', '--runs', '2', '--warmup', '0', '--ours-only', '--json']);
    expect(code).toBe(0);
    const [r] = (JSON.parse(out) as BenchRun).results;
    expectTimed(r?.ours as SideResult);
    expect(r?.litert.error).toMatch(/not run/);
    expect(r?.ratio).toBeUndefined();
  });
});

// The corpus models that pass `verify` in Node on the CPU (against LiteRT.js) pass in headless
// Chromium too: the same verifyModel, run in the page, against LiteRT.js in the page.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BrowserVerifyOptions, verifyInBrowser } from '../../harness/browser/driver.js';
import { nodeOracle } from '../../harness/node_oracle.js';
import { type VerifyReport, verifyModel } from '../../harness/verify.js';
import { corpusModels, hasShared } from '../support/corpus.js';
import { hasChromium } from './support.js';

/** Corpus models that pass `verify` in Node on the CPU against LiteRT.js (goldens cached in .cache). */
async function nodePassing(): Promise<{ key: string; bytes: Uint8Array }[]> {
  const out = [];
  for (const m of corpusModels()) {
    const bytes = new Uint8Array(readFileSync(m.path));
    const node = await verifyModel(m.key, bytes, { backend: 'cpu', timingRuns: 0, oracle: nodeOracle });
    if (node.status === 'pass' && node.oracle === 'litert') out.push({ key: m.key, bytes });
  }
  return out;
}

function problems(r: VerifyReport) {
  return {
    model: r.model,
    status: r.status,
    error: r.error?.message,
    outputs: r.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.problem}`),
  };
}

async function verifyAllPass(models: { key: string; bytes: Uint8Array }[], options: BrowserVerifyOptions): Promise<VerifyReport[]> {
  const skipped: string[] = [];
  const t0 = performance.now();
  const reports = await verifyInBrowser(models, { timingRuns: 1, ...options, onSkip: (k, why) => skipped.push(`${k}: ${why}`) });
  const label = options.backend === 'webgpu' ? `webgpu ${options.precision ?? 'fp32'}` : 'cpu';
  console.log(
    `[browser verify, ${label}] ${reports.length} models in ${((performance.now() - t0) / 1000).toFixed(1)} s:\n${reports
      .map((r) => `  ${r.model} ${r.status} ${r.msPerInvoke?.toFixed(1) ?? ''} ms ${r.placement?.summary ?? ''}`)
      .join('\n')}`,
  );
  expect(skipped).toEqual([]);
  expect(reports.map((r) => r.model)).toEqual(models.map((c) => c.key));
  expect(reports.filter((r) => r.status !== 'pass').map(problems)).toEqual([]);
  for (const r of reports) expect(r.oracle).toBe('litert');
  return reports;
}

it('says how to install Chromium when it is missing', async () => {
  const model = { key: 'm', bytes: new Uint8Array(8) };
  await expect(verifyInBrowser([model], { executablePath: '/nonexistent/chromium' })).rejects.toThrow(
    /Chromium not found at \/nonexistent\/chromium: install Debian chromium: scripts\/setup.sh/,
  );
});

describe.skipIf(!hasChromium)('verify in headless Chromium', () => {
  let models: { key: string; bytes: Uint8Array }[] = [];
  beforeAll(async () => {
    models = await nodePassing();
  }, 240_000);

  it('every corpus model that passes in Node against LiteRT.js passes in the browser (CPU interpreter)', { timeout: 240_000 }, async () => {
    expect(models.length).toBeGreaterThanOrEqual(7);
    await verifyAllPass(models, { backend: 'cpu' });
  });

  it('and on the WebGPU delegate in fp32', { timeout: 240_000 }, async () => {
    const reports = await verifyAllPass(models, { backend: 'webgpu', precision: 'fp32' });
    expect(reports.some((r) => r.placement?.partitions.length)).toBe(true);
  });
});

describe.skipIf(!hasChromium || !hasShared)('models without a reference in the browser', () => {
  it('are skipped with the reason, or compared with LiteRT.js when asked; broken models give error reports', {
    timeout: 120_000,
  }, async () => {
    const byName = new Map(corpusModels().map((m) => [m.name, m]));
    const pick = (name: string) => {
      const m = byName.get(name);
      if (!m) throw new Error(`${name} is not in the corpus`);
      return { key: m.key, path: m.path };
    };
    const models = [pick('pose_classifier_hybrid'), pick('mnist_lstm_f32'), { key: 'garbage', bytes: new Uint8Array(64).fill(7) }];
    const skipped: [string, string][] = [];
    const reports = await verifyInBrowser(models, { timingRuns: 0, onSkip: (k, why) => skipped.push([k, why]) });
    expect(skipped.map(([k]) => k)).toEqual([models[0]?.key, models[1]?.key]);
    for (const [, why] of skipped) expect(why).toMatch(/^reference unavailable in browser: /);
    expect(reports.map((r) => [r.model, r.status])).toEqual([['garbage', 'error']]);

    const hybrid = await verifyInBrowser([pick('pose_classifier_hybrid')], { timingRuns: 0, hybrid: 'litert' });
    expect(hybrid.length).toBe(1);
    expect(hybrid[0]?.oracle).toBe('litert');
    expect(hybrid[0]?.other).toMatchObject({ oracle: 'tfjs-tflite', error: expect.stringMatching(/reference unavailable in browser/) });
  });
});

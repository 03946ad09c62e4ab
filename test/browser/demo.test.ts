// The demo page runs MediaPipe selfie segmentation on the sample portrait in headless Chromium
// without console errors, and the mask is non-trivial. Leaves a screenshot in .cache/screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusServedModels } from '../../harness/browser/assets.js';
import { launchHarness } from '../../harness/browser/driver.js';
import { REPO_ROOT } from '../../harness/corpus.js';
import { DEMO_STATE, type DemoState } from '../../harness/web/protocol.js';
import { hasChromium } from './support.js';

const SCREENSHOTS = join(REPO_ROOT, '.cache/screenshots');

async function runDemo(model: string, screenshot: string, backend = 'cpu fp32'): Promise<DemoState & { hover: string }> {
  const harness = await launchHarness({ models: corpusServedModels(), requireWebGpu: backend.startsWith('webgpu') });
  try {
    await harness.page.setViewport({ width: 1400, height: 1000 });
    await harness.goto(`demo.html?model=${encodeURIComponent(model)}&backend=${encodeURIComponent(backend)}`);
    await harness.page.waitForFunction(
      (key: string) => {
        const s = (globalThis as unknown as Record<string, { status: string } | undefined>)[key];
        return s && s.status !== 'running';
      },
      { timeout: 60_000 },
      DEMO_STATE,
    );
    const state = (await harness.page.evaluate(
      (key: string) => (globalThis as unknown as Record<string, unknown>)[key],
      DEMO_STATE,
    )) as DemoState;
    // Hovering a node of the graph picture describes it.
    await harness.page.hover('#graph rect.node');
    const hover = await harness.page.$eval('#hover', (e) => e.textContent ?? '');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await harness.page.screenshot({ path: join(SCREENSHOTS, screenshot) as `${string}.png`, fullPage: true });
    expect(harness.takeProblems()).toEqual([]);
    return { ...state, hover };
  } finally {
    await harness.close();
  }
}

describe.skipIf(!hasChromium)('demo page in headless Chromium', () => {
  let cpuShare = 0;
  it('segments the sample portrait (selfie segmentation)', { timeout: 120_000 }, async () => {
    const state = await runDemo('npm:selfie_segmentation/selfie_segmentation.tflite', 'demo.png');
    expect(state.status, state.error).toBe('done');
    expect(state.msPerInvoke?.['cpu fp32']).toBeGreaterThan(0);
    // Both person and background pixels.
    cpuShare = state.foregroundShare ?? 0;
    expect(cpuShare).toBeGreaterThan(0.05);
    expect(cpuShare).toBeLessThan(0.95);
    expect(state.hover).toMatch(/^#\d+ \S+ — cpu/);
  });

  it('gives the same mask on the WebGPU delegate (fp32)', { timeout: 120_000 }, async () => {
    const state = await runDemo('npm:selfie_segmentation/selfie_segmentation.tflite', 'demo_webgpu.png', 'webgpu fp32');
    expect(state.status, state.error).toBe('done');
    expect(state.msPerInvoke?.['webgpu fp32']).toBeGreaterThan(0);
    expect(Math.abs((state.foregroundShare ?? 0) - cpuShare)).toBeLessThan(0.01);
    expect(state.hover).toMatch(/^#\d+ \S+ — webgpu, partition \d+/);
  });

  it('finds the face in the sample portrait (face detection short range)', { timeout: 120_000 }, async () => {
    const state = await runDemo('npm:face_detection/face_detection_short_range.tflite', 'demo_faces.png');
    expect(state.status, state.error).toBe('done');
    expect(state.faces).toBeGreaterThanOrEqual(1);
  });
});

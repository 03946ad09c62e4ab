// verifyInBrowser: `tflite-webgpu verify`, run in headless Chromium. Builds the page
// (harness/web, Vite), serves it and the models from 127.0.0.1, drives /usr/bin/chromium through
// puppeteer-core and collects the page's VerifyReports, which come from the same verifyModel as
// the CLI's, with the oracle in the page: harness/oracle/run_oracle.ts itself (LiteRT.js or
// tfjs-tflite, picked as in Node). Console errors, page errors and failed requests during a model
// turn its report into an error. Chromium, the server and the temporary
// build are always cleaned up.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { detectMode, type QuantizationMode, readModel } from '../../src/index.js';
import { REPO_ROOT } from '../corpus.js';
import type { Backend, Precision, VerifyReport } from '../verify.js';
import {
  decodeJson,
  type ModelIndexEntry,
  PAGE_API,
  type PageApi,
  type PageCapabilities,
  type VerifyRequest,
  type VerifyResponse,
} from '../web/protocol.js';
import { buildAssets, DRIVER_MODE, type ServedModel } from './assets.js';
import { BrowserUnavailableError, type LaunchedBrowser, launchChromium, requireChromium, SWIFTSHADER_FLAGS } from './chromium.js';
import { type StaticServer, startServer } from './server.js';

export { BrowserUnavailableError, chromiumAvailable, chromiumPath, DEFAULT_CHROMIUM } from './chromium.js';

/** A model for the browser: its bytes, or a path to read. `key` names it in the reports. */
export interface BrowserModel {
  key: string;
  bytes?: Uint8Array;
  path?: string;
}

export interface BrowserHarnessOptions {
  /** Models to serve (their URLs are in harness.models). */
  models?: readonly BrowserModel[];
  /** Fail unless the page gets a WebGPU adapter (retrying once with SwiftShader flags). */
  requireWebGpu?: boolean;
  /** Chromium binary (default $TFLITE_WEBGPU_CHROMIUM or /usr/bin/chromium). */
  executablePath?: string;
  /** Longest a single page call may take (default 300 s). */
  protocolTimeoutMs?: number;
  /** Progress lines (build, launch, adapter). */
  log?: (line: string) => void;
}

export interface BrowserHarness {
  page: Page;
  /** "http://127.0.0.1:<port>/" */
  baseUrl: string;
  capabilities: PageCapabilities;
  /** The served models, with their URLs relative to baseUrl. */
  models: ModelIndexEntry[];
  /** The Chromium flags used. */
  flags: string[];
  /** Console errors, uncaught page errors and failed requests since the last call. */
  takeProblems(): string[];
  /** Loads a page of the build (e.g. "demo.html?model=..."), waiting for the load event. */
  goto(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Builds the page into `outDir` with Vite (imported on demand: a dev dependency). */
export async function buildPage(outDir: string): Promise<void> {
  const vite = await import('vite');
  await vite.build({
    configFile: join(REPO_ROOT, 'harness/web/vite.config.ts'),
    mode: DRIVER_MODE,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}

function served(models: readonly BrowserModel[]): ServedModel[] {
  return models.map((m) => {
    if (m.bytes) return { key: m.key, bytes: m.bytes };
    if (m.path) return { key: m.key, path: m.path };
    throw new Error(`model ${m.key}: give its bytes or its path`);
  });
}

/**
 * Builds and serves the page, starts Chromium on it (index.html) and waits for the page API.
 * The caller must close() it; on failure here everything started is cleaned up.
 */
export async function launchHarness(options: BrowserHarnessOptions = {}): Promise<BrowserHarness> {
  requireChromium(options.executablePath);
  const log = options.log ?? (() => {});
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const f of cleanups.splice(0).reverse()) {
      try {
        await f();
      } catch {
        // Keep cleaning up.
      }
    }
  };
  try {
    const outDir = mkdtempSync(join(tmpdir(), 'tflite-webgpu-page-'));
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    const t0 = performance.now();
    await buildPage(outDir);
    log(`built the page in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { table, index } = buildAssets(served(options.models ?? []));
    const server: StaticServer = await startServer(outDir, table);
    cleanups.push(() => server.close());

    const problems: string[] = [];
    const open = async (swiftshader: boolean) => {
      const launched: LaunchedBrowser = await launchChromium({
        ...(options.executablePath ? { executablePath: options.executablePath } : {}),
        ...(options.protocolTimeoutMs ? { protocolTimeoutMs: options.protocolTimeoutMs } : {}),
        swiftshader,
      });
      cleanups.push(() => launched.close());
      const page = await launched.browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`uncaught error in the page: ${(e as Error).message ?? String(e)}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
      page.on('error', (e) => problems.push(`the page crashed: ${e.message}`));
      await page.goto(`${server.url}index.html`, { waitUntil: 'load' });
      await page.waitForFunction((api: string) => api in globalThis, {}, PAGE_API);
      const capabilities = await page.evaluate(
        (api: string) => (globalThis as unknown as Record<string, PageApi>)[api]?.capabilities(),
        PAGE_API,
      );
      if (!capabilities) throw new Error('the page API did not answer');
      return { launched, page, capabilities };
    };

    let session = await open(false);
    if (options.requireWebGpu && !session.capabilities.webgpu) {
      log(`no WebGPU adapter (${session.capabilities.webgpuError}); retrying with ${SWIFTSHADER_FLAGS.join(' ')}`);
      await session.launched.close();
      session = await open(true);
      if (!session.capabilities.webgpu) {
        throw new BrowserUnavailableError(
          `headless Chromium shows no WebGPU adapter (${session.capabilities.webgpuError}), even with ${SWIFTSHADER_FLAGS.join(' ')}`,
        );
      }
    }
    const { page, capabilities, launched } = session;
    const gpu = capabilities.webgpu;
    log(
      gpu
        ? `WebGPU adapter: ${gpu.vendor}/${gpu.architecture}${gpu.isFallbackAdapter ? ' (fallback)' : ''}`
        : `no WebGPU adapter: ${capabilities.webgpuError}`,
    );
    const startup = problems.splice(0);
    if (startup.length) throw new Error(`the page reported problems while loading:\n  ${startup.join('\n  ')}`);
    return {
      page,
      baseUrl: server.url,
      capabilities,
      models: index,
      flags: launched.flags,
      takeProblems: () => problems.splice(0),
      goto: async (path) => {
        await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
      },
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

export interface BrowserVerifyOptions {
  backend?: Backend;
  precision?: Precision;
  seed?: number;
  /** Timed invokes after the compared one (default 1, as in the CLI). */
  timingRuns?: number;
  executablePath?: string;
  /** Longest one model may take (default 300 s). */
  modelTimeoutMs?: number;
  /** Called with each report as it arrives. */
  onReport?: (report: VerifyReport) => void;
  /**
   * Never called: every model now gets a report, hybrid and stateful ones included (their
   * reference, tfjs-tflite, runs in the page too). Kept so that older callers still compile.
   * @deprecated
   */
  onSkip?: (key: string, reason: string) => void;
  /** Progress lines (build, launch, adapter). */
  log?: (line: string) => void;
}

function modeOf(m: BrowserModel): QuantizationMode {
  try {
    return detectMode(readModel(m.bytes ?? new Uint8Array(readFileSync(m.path as string))));
  } catch {
    return 'float32';
  }
}

function errorReport(m: BrowserModel, req: VerifyRequest, type: string, message: string): VerifyReport {
  return {
    model: m.key,
    mode: modeOf(m),
    backend: req.backend,
    precision: req.precision,
    seed: req.seed,
    status: 'error',
    outputs: [],
    error: { type, message },
  };
}

/**
 * Verifies models in headless Chromium: for each, the page runs harness/verify.ts's verifyModel
 * against run_oracle.ts in the page (the same policy as Node's: tfjs-tflite for hybrid models,
 * variable tensors and run-time-shaped outputs, LiteRT.js otherwise). Returns one report per
 * model, in order; a model that cannot be verified (no runtime can run it, or a runtime cannot
 * load in the page) gets an error report saying why. Throws BrowserUnavailableError when Chromium is missing
 * or (backend 'webgpu') shows no adapter, and an Error when the WebGPU delegate is not built.
 */
export async function verifyInBrowser(models: readonly BrowserModel[], options: BrowserVerifyOptions = {}): Promise<VerifyReport[]> {
  const backend = options.backend ?? 'cpu';
  const precision = backend === 'cpu' ? 'fp32' : (options.precision ?? 'fp32');
  const harness = await launchHarness({
    models,
    requireWebGpu: backend === 'webgpu',
    ...(options.executablePath ? { executablePath: options.executablePath } : {}),
    ...(options.modelTimeoutMs ? { protocolTimeoutMs: options.modelTimeoutMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    if (backend === 'webgpu' && !harness.capabilities.delegate) {
      throw new Error(
        'the page has no WebGPU delegate yet (delegate/webgpu_delegate.ts does not exist): only --backend cpu runs in the browser',
      );
    }
    const reports: VerifyReport[] = [];
    for (const [i, m] of models.entries()) {
      const entry = harness.models[i] as ModelIndexEntry;
      const req: VerifyRequest = {
        name: m.key,
        url: entry.url,
        backend,
        precision,
        seed: options.seed ?? 1,
        timingRuns: options.timingRuns ?? 1,
      };
      harness.takeProblems();
      let res: VerifyResponse;
      try {
        const text = await harness.page.evaluate(
          (api: string, r: VerifyRequest) => (globalThis as unknown as Record<string, PageApi>)[api]?.verify(r),
          PAGE_API,
          req,
        );
        if (typeof text !== 'string') throw new Error('the page API did not answer');
        res = decodeJson<VerifyResponse>(text);
      } catch (e) {
        res = { report: errorReport(m, req, 'BrowserError', (e as Error).message) };
        // A crashed or wedged page: start it afresh for the next model.
        await harness.goto('index.html').catch(() => {});
      }
      const problems = harness.takeProblems();
      const report = res.report;
      if (problems.length) {
        const before = report.error ? `${report.error.type}: ${report.error.message}; ` : '';
        report.status = 'error';
        report.error = { type: 'BrowserConsoleError', message: `${before}${problems.join('; ')}` };
      }
      reports.push(report);
      options.onReport?.(report);
    }
    return reports;
  } finally {
    await harness.close();
  }
}

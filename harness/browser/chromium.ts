// Headless Chromium through puppeteer-core (imported on demand: the CLI must start without it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The flags from the environment notes: a throwaway profile, no background traffic, WebGPU on. */
export const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  // gc() in the page: the soak's memory samples follow a full collection.
  '--js-flags=--expose-gc',
];
/** Added when the first launch shows no WebGPU adapter: SwiftShader's Vulkan. */
export const SWIFTSHADER_FLAGS = ['--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader'];

export class BrowserUnavailableError extends Error {
  override name = 'BrowserUnavailableError';
}

/** The Chromium to run: the option, then $TFLITE_WEBGPU_CHROMIUM, then /usr/bin/chromium. */
export function chromiumPath(explicit?: string): string {
  return explicit ?? process.env.TFLITE_WEBGPU_CHROMIUM ?? DEFAULT_CHROMIUM;
}

export function chromiumAvailable(explicit?: string): boolean {
  return existsSync(chromiumPath(explicit));
}

/** The Chromium path; BrowserUnavailableError (with the fix) when it is not there. */
export function requireChromium(explicit?: string): string {
  const path = chromiumPath(explicit);
  if (!existsSync(path)) throw new BrowserUnavailableError(`Chromium not found at ${path}: install Debian chromium: scripts/setup.sh`);
  return path;
}

export interface LaunchedBrowser {
  browser: Browser;
  flags: string[];
  close(): Promise<void>;
}

export async function launchChromium(
  options: { executablePath?: string; swiftshader?: boolean; protocolTimeoutMs?: number } = {},
): Promise<LaunchedBrowser> {
  const executablePath = requireChromium(options.executablePath);
  let puppeteer: typeof import('puppeteer-core').default;
  try {
    puppeteer = (await import('puppeteer-core')).default;
  } catch (e) {
    throw new BrowserUnavailableError(`cannot load puppeteer-core (a dev dependency): ${(e as Error).message}`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'tflite-webgpu-chromium-'));
  const flags = [...BASE_FLAGS, `--user-data-dir=${profile}`, ...(options.swiftshader ? SWIFTSHADER_FLAGS : [])];
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      ignoreDefaultArgs: true,
      args: flags,
      pipe: true,
      protocolTimeout: options.protocolTimeoutMs ?? 300_000,
    });
  } catch (e) {
    removeProfile();
    throw new BrowserUnavailableError(`cannot start ${executablePath}: ${(e as Error).message}`);
  }
  let closed = false;
  return {
    browser,
    flags,
    close: async () => {
      if (closed) return;
      closed = true;
      const proc = browser.process();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([browser.close(), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      } catch {
        // Closing a browser that crashed can throw; the process is killed below.
      } finally {
        clearTimeout(timer);
      }
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      removeProfile();
    },
  };
}

// The browser twin of harness/oracle/emscripten.ts. The page's Vite config resolves the
// `./emscripten.js` imports of harness/oracle/*.ts to this file, so the Node oracle (run_oracle.ts
// with its two runners, litert.ts and tfjs_tflite.ts) runs unchanged in the page: one policy for
// picking the reference, not two. Differences: the glue comes from the page's server (preloadGlue
// fetches it first, because evaluateGlue must stay synchronous), the .wasm files are fetched next
// to it, and the runtime log never touches `process`. The type checks at the end keep the twin in
// step.
import { LITERT_WASM_URL, TFLITE_WASM_URL } from './protocol.js';

/** Where each package's wasm directory is served, relative to the page, and its glue scripts. */
const PACKAGES: Record<string, { url: string; glue: string[] }> = {
  // Both builds: litert.ts picks one by wasm feature (relaxed SIMD or not).
  '@litertjs/core': { url: LITERT_WASM_URL, glue: ['litert_wasm_internal.js', 'litert_wasm_compat_internal.js'] },
  // The non-threaded builds (the page is not cross-origin isolated: no SharedArrayBuffer);
  // tfjs_tflite.ts picks one by wasm SIMD.
  '@tensorflow/tfjs-tflite': { url: TFLITE_WASM_URL, glue: ['tflite_web_api_cc_simd.js', 'tflite_web_api_cc.js'] },
};

const glueSources = new Map<string, string>();
/** Why a glue script could not be fetched: evaluateGlue throws it, so that runtime fails to load as in Node. */
const glueErrors = new Map<string, Error>();

function packageBase(pkg: string): string {
  const p = PACKAGES[pkg];
  if (!p) throw new Error(`the page does not serve ${pkg}`);
  return new URL(p.url, document.baseURI).href;
}

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`cannot fetch ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
  return res;
}

/**
 * Fetches the runtimes' glue scripts once. A script that cannot be fetched does not fail this
 * call: its runtime fails to load (evaluateGlue throws why), and run_oracle.ts falls back to the
 * other one, as in Node; it is fetched again on the next call.
 */
export async function preloadGlue(): Promise<void> {
  const urls = Object.keys(PACKAGES).flatMap((pkg) => (PACKAGES[pkg]?.glue ?? []).map((g) => new URL(g, packageBase(pkg)).href));
  await Promise.all(
    urls.map(async (url) => {
      if (glueSources.has(url)) return;
      try {
        glueSources.set(url, await (await fetchOk(url)).text());
        glueErrors.delete(url);
      } catch (e) {
        glueErrors.set(url, e as Error);
      }
    }),
  );
}

/** The URL of a file of a package the page serves (only the runtimes' wasm directories). */
export function packageFile(pkg: string, relative: string): string {
  if (PACKAGES[pkg] && relative.startsWith('wasm/')) return new URL(relative.slice('wasm/'.length), packageBase(pkg)).href;
  throw new Error(`the page does not serve ${pkg}/${relative}`);
}

export function packageVersion(pkg: string): string {
  return PACKAGES[pkg] ? 'served by the page' : 'unknown';
}

/** The bytes of a file beside a package's glue (its .wasm), fetched from the page's server. */
export async function readBinary(file: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetchOk(file)).arrayBuffer());
}

type Factory = (moduleArg: object) => Promise<unknown>;

/** Evaluates a preloaded glue script as a CommonJS module; its factory fetches the wasm beside it. */
export function evaluateGlue(file: string): unknown {
  const source = glueSources.get(file);
  if (source === undefined) throw glueErrors.get(file) ?? new Error(`${file} was not preloaded (call preloadGlue first)`);
  const module = { exports: {} as unknown };
  new Function('exports', 'module', source)(module.exports, module);
  const factory = module.exports as Factory;
  if (typeof factory !== 'function') throw new Error(`${file} does not export an emscripten module factory`);
  return (moduleArg: object) => factory({ locateFile: (path: string) => new URL(path, file).href, ...moduleArg });
}

export const WASM_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);
export const WASM_RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11,
]);

export function wasmSupports(probe: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}

/** Keeps the runtime's log lines (set localStorage.ORACLE_VERBOSE=1 to echo them with console.debug). */
export class RuntimeLog {
  private readonly lines: string[] = [];
  private written = 0;
  private readonly echo = globalThis.localStorage?.getItem('ORACLE_VERBOSE') === '1';
  constructor(
    private readonly prefix: string,
    private readonly capacity = 2000,
  ) {}
  readonly write = (line: string): void => {
    if (this.echo) console.debug(`[${this.prefix}] ${line}`);
    this.written += 1;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  };
  mark(): number {
    return this.written;
  }
  since(mark: number): string[] {
    const first = this.written - this.lines.length;
    return this.lines.slice(Math.max(0, mark - first));
  }
}

export function isWasmTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || (e instanceof RangeError && /memory|bounds/i.test(e.message));
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (typeof e === 'number') return `wasm exception (pointer ${e})`;
  return String(e);
}

// Compile-time checks: the twin exports everything the Node module does, with the same types
// (RuntimeLog by its public members: classes with private fields never match structurally).
type Twin = typeof import('./emscripten_browser.js');
type NodeModule = typeof import('../oracle/emscripten.js');
type Assert<T extends true> = T;
type LogApi = 'write' | 'mark' | 'since';
export type TwinMatchesNodeModule = Assert<
  Omit<Twin, 'RuntimeLog' | 'preloadGlue'> extends Omit<NodeModule, 'RuntimeLog'>
    ? Pick<InstanceType<Twin['RuntimeLog']>, LogApi> extends Pick<InstanceType<NodeModule['RuntimeLog']>, LogApi>
      ? ConstructorParameters<NodeModule['RuntimeLog']> extends ConstructorParameters<Twin['RuntimeLog']>
        ? true
        : false
      : false
    : false
>;

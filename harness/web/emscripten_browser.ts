// The browser twin of harness/oracle/emscripten.ts. The page's Vite config resolves
// harness/oracle/litert.ts's `./emscripten.js` import to this file, so the Node oracle's LiteRT.js
// runner (litert.ts: signature mapping, every element type through the low-level embind API) runs
// unchanged in the page. Differences: the glue comes from the page's server (preloadGlue fetches
// it first, because evaluateGlue must stay synchronous), the wasm is fetched next to it, and the
// runtime log never touches `process`. The type checks at the end keep the twin in step.
import { LITERT_WASM_URL } from './protocol.js';

const GLUE_FILES = ['litert_wasm_internal.js', 'litert_wasm_compat_internal.js'];
const glueSources = new Map<string, string>();
let litertBase = '';

function wasmBase(): string {
  litertBase ||= new URL(LITERT_WASM_URL, document.baseURI).href;
  return litertBase;
}

/** Fetches LiteRT.js's glue scripts (both builds: litert.ts picks one by wasm feature) once. */
export async function preloadGlue(base = wasmBase()): Promise<void> {
  litertBase = base;
  await Promise.all(
    GLUE_FILES.map(async (name) => {
      const url = new URL(name, base).href;
      if (glueSources.has(url)) return;
      const res = await fetch(url);
      if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
      glueSources.set(url, await res.text());
    }),
  );
}

/** The URL of a file of a package the page serves (only LiteRT.js's wasm directory). */
export function packageFile(pkg: string, relative: string): string {
  if (pkg === '@litertjs/core' && relative.startsWith('wasm/')) return new URL(relative.slice('wasm/'.length), wasmBase()).href;
  throw new Error(`the page does not serve ${pkg}/${relative}`);
}

export function packageVersion(pkg: string): string {
  return pkg === '@litertjs/core' ? 'served by the page' : 'unknown';
}

type Factory = (moduleArg: object) => Promise<unknown>;

/** Evaluates a preloaded glue script as a CommonJS module; its factory fetches the wasm beside it. */
export function evaluateGlue(file: string): unknown {
  const source = glueSources.get(file);
  if (source === undefined) throw new Error(`${file} was not preloaded (call preloadGlue first)`);
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

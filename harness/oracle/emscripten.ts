// Loading the runtimes' emscripten glue in plain Node, without browser shims.
//
// Both packages ship their glue as a CommonJS-style script next to its .wasm, inside packages that
// Node treats as ESM ("type": "module" for LiteRT.js) or that only load it through importScripts /
// a <script> tag (tfjs-tflite). We read the script and evaluate it as a CommonJS module through
// vm.compileFunction, which gives us the emscripten module factory, then call the factory with
// the .wasm bytes and our own print / printErr, so nothing touches globalThis.
//
// The verify page runs the same oracle code (run_oracle.ts, litert.ts, tfjs_tflite.ts) with this
// module swapped for its browser twin, harness/web/emscripten_browser.ts (same exports, fetches
// instead of files): keep the two in step.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

const require = createRequire(import.meta.url);

/** Absolute path of a file inside an installed package (resolved from this file). */
export function packageFile(pkg: string, relative: string): string {
  const pkgJson = require.resolve(`${pkg}/package.json`);
  return `${dirname(pkgJson)}/${relative}`;
}

export function packageVersion(pkg: string): string {
  const json = JSON.parse(readFileSync(packageFile(pkg, 'package.json'), 'utf8')) as { version?: string };
  return json.version ?? 'unknown';
}

/** The bytes of a file beside a package's glue (its .wasm), e.g. from packageFile. */
export async function readBinary(file: string): Promise<Uint8Array> {
  return readFileSync(file);
}

/** Evaluates an emscripten glue script as a CommonJS module and returns its module.exports. */
export function evaluateGlue(file: string): unknown {
  const source = readFileSync(file, 'utf8');
  const fn = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const module = { exports: {} as unknown };
  fn.call(module.exports, module.exports, require, module, file, dirname(file));
  return module.exports;
}

/** Whether this Node accepts wasm SIMD / relaxed SIMD (same probes the packages use). */
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

/**
 * Collects a runtime's log lines (they are INFO chatter plus the only place some refusals are
 * explained, e.g. "Variable tensors not yet supported"). Set ORACLE_VERBOSE=1 to echo them.
 */
export class RuntimeLog {
  private readonly lines: string[] = [];
  /** How many lines were ever written (the lines array keeps only the last `capacity`). */
  private written = 0;
  constructor(
    private readonly prefix: string,
    private readonly capacity = 2000,
  ) {}
  readonly write = (line: string): void => {
    if (process.env.ORACLE_VERBOSE) process.stderr.write(`[${this.prefix}] ${line}\n`);
    this.written += 1;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  };
  /** A position to read the log from later. */
  mark(): number {
    return this.written;
  }
  /** Lines written since `mark` (as many as are still kept). */
  since(mark: number): string[] {
    const first = this.written - this.lines.length;
    return this.lines.slice(Math.max(0, mark - first));
  }
}

/** A trap of the wasm itself, as opposed to an error status the runtime returned. */
export function isWasmTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || (e instanceof RangeError && /memory|bounds/i.test(e.message));
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (typeof e === 'number') return `wasm exception (pointer ${e})`;
  return String(e);
}

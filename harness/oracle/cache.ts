// Golden cache on disk: running the real runtimes costs 10-200 ms per model, so goldens are kept
// as <key>.json (header: names, dtypes, shapes, byte ranges, which oracle, the other runtime's
// result) + <key>.bin (the raw output bytes, each tensor 8-byte aligned).
//
// Key: sha256 of the model bytes + the input seed + the oracle preference, plus a short hash of
// the input bytes, the options and the runtime versions (so changed inputs or upgraded runtimes
// never hit a stale golden). Directory: ORACLE_CACHE_DIR, else <repo>/.cache/goldens/.
// Regenerate: option `regenerate: true` or ORACLE_REGENERATE=1.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from './emscripten.js';
import { type OracleResult, type OtherResult, type RunOracleOptions, runOracle } from './run_oracle.js';
import { isOracleDType, type OracleName, type OracleOutput, typedArrayFromBytes, viewBytes } from './types.js';

const FORMAT = 1;

export interface CachedOracleOptions extends RunOracleOptions {
  /** Cache directory (default: ORACLE_CACHE_DIR, else <repo>/.cache/goldens). */
  dir?: string;
  /** Ignore any cached golden and run the runtimes again (also ORACLE_REGENERATE=1). */
  regenerate?: boolean;
}

export interface CachedOracleResult extends OracleResult {
  /** Whether the result came from the cache. */
  cached: boolean;
  /** The cache key (file name without extension). */
  key: string;
}

interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  format: number;
  key: string;
  modelSha256: string;
  seed: number;
  prefer: string;
  hybrid: boolean | null;
  inputsSha256: string;
  runtimes: Record<string, string>;
  created: string;
  oracle: OracleName;
  outputs: TensorEntry[];
  other: { oracle: OracleName; error: string } | { oracle: OracleName; outputs: TensorEntry[] } | null;
}

/** The repository root: the nearest folder above this file holding a package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function defaultCacheDir(): string {
  return process.env.ORACLE_CACHE_DIR ? resolve(process.env.ORACLE_CACHE_DIR) : join(repoRoot(), '.cache', 'goldens');
}

let versions: Record<string, string> | undefined;
function runtimeVersions(): Record<string, string> {
  versions ??= {
    '@litertjs/core': safeVersion('@litertjs/core'),
    '@tensorflow/tfjs-tflite': safeVersion('@tensorflow/tfjs-tflite'),
  };
  return versions;
}
function safeVersion(pkg: string): string {
  try {
    return packageVersion(pkg);
  } catch {
    return 'missing';
  }
}

function sha256(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function pack(outputs: readonly OracleOutput[], chunks: Uint8Array[], at: { offset: number }): TensorEntry[] {
  return outputs.map((o) => {
    const bytes = viewBytes(o.data);
    const entry = { name: o.name, dtype: o.dtype, shape: o.shape, offset: at.offset, byteLength: bytes.byteLength };
    chunks.push(bytes);
    const pad = (8 - (bytes.byteLength % 8)) % 8;
    if (pad) chunks.push(new Uint8Array(pad));
    at.offset += bytes.byteLength + pad;
    return entry;
  });
}

function unpack(entries: readonly TensorEntry[], bin: Uint8Array): OracleOutput[] {
  return entries.map((e) => {
    if (!isOracleDType(e.dtype) || e.offset + e.byteLength > bin.byteLength) throw new Error(`bad cache entry ${e.name}`);
    return {
      name: e.name,
      dtype: e.dtype,
      shape: e.shape,
      data: typedArrayFromBytes(e.dtype, bin.subarray(e.offset, e.offset + e.byteLength)),
    };
  });
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function readCached(dir: string, key: string): OracleResult | undefined {
  const jsonPath = join(dir, `${key}.json`);
  const binPath = join(dir, `${key}.bin`);
  if (!existsSync(jsonPath) || !existsSync(binPath)) return undefined;
  try {
    const header = JSON.parse(readFileSync(jsonPath, 'utf8')) as Header;
    if (header.format !== FORMAT || header.key !== key) return undefined;
    const bin = new Uint8Array(readFileSync(binPath));
    const result: OracleResult = { oracle: header.oracle, outputs: unpack(header.outputs, bin) };
    if (header.other) {
      result.other =
        'error' in header.other
          ? { oracle: header.other.oracle, error: header.other.error }
          : { oracle: header.other.oracle, outputs: unpack(header.other.outputs, bin) };
    }
    return result;
  } catch {
    return undefined; // unreadable or half-written: regenerate
  }
}

/**
 * runOracle, remembered on disk. `seed` is the seed `inputs` were made from (makeInputs); it names
 * the golden, while the input bytes themselves are hashed into the key too.
 */
export async function cachedOracle(
  modelBytes: Uint8Array,
  inputs: readonly ArrayBufferView[],
  seed: number,
  options: CachedOracleOptions = {},
): Promise<CachedOracleResult> {
  const { dir: dirOption, regenerate, ...runOptions } = options;
  const dir = dirOption ?? defaultCacheDir();
  const modelSha256 = sha256(modelBytes);
  const prefer = runOptions.prefer ?? 'auto';
  const inputsSha256 = sha256(...inputs.map((x) => viewBytes(x)), ...inputs.map((x) => `|${x.constructor.name}:${x.byteLength}`));
  const variant = sha256(
    inputsSha256,
    JSON.stringify({ hybrid: runOptions.hybrid ?? null, other: runOptions.other ?? true, v: runtimeVersions(), format: FORMAT }),
  );
  const key = `${modelSha256.slice(0, 16)}-s${seed}-${prefer}-${variant.slice(0, 12)}`;
  const force = regenerate ?? (process.env.ORACLE_REGENERATE === '1' || process.env.ORACLE_REGENERATE === 'true');
  if (!force) {
    const hit = readCached(dir, key);
    if (hit) return { ...hit, cached: true, key };
  }

  const result = await runOracle(modelBytes, inputs, runOptions);
  const chunks: Uint8Array[] = [];
  const at = { offset: 0 };
  const outputs = pack(result.outputs, chunks, at);
  let other: Header['other'] = null;
  const o: OtherResult | undefined = result.other;
  if (o) other = 'error' in o ? { oracle: o.oracle, error: o.error } : { oracle: o.oracle, outputs: pack(o.outputs, chunks, at) };
  const header: Header = {
    format: FORMAT,
    key,
    modelSha256,
    seed,
    prefer,
    hybrid: runOptions.hybrid ?? null,
    inputsSha256,
    runtimes: runtimeVersions(),
    created: new Date().toISOString(),
    oracle: result.oracle,
    outputs,
    other,
  };
  const bin = new Uint8Array(at.offset);
  let pos = 0;
  for (const c of chunks) {
    bin.set(c, pos);
    pos += c.byteLength;
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, `${key}.bin`), bin);
    writeAtomic(join(dir, `${key}.json`), `${JSON.stringify(header, null, 1)}\n`);
  } catch (e) {
    // A read-only checkout still gets its goldens, just not remembered.
    process.emitWarning(`oracle cache not written to ${dir}: ${(e as Error).message}`);
  }
  return { ...result, cached: false, key };
}

// The files the page fetches besides its own bundle: the wasm of its oracles (LiteRT.js and
// tfjs-tflite, as in Node) and the models with their index (models/index.json). Vite's dev and preview servers and the driver's server
// serve them through assetMiddleware; `vite build` copies them into the static build.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { corpusModels, REPO_ROOT } from '../corpus.js';
import { LITERT_WASM_URL, MODEL_INDEX_URL, type ModelIndexEntry, TFLITE_WASM_URL } from '../web/protocol.js';

/** The Vite mode the driver builds the page in: the static build then leaves out the wasm and models. */
export const DRIVER_MODE = 'browser-driver';

export const LITERT_WASM_DIR = join(REPO_ROOT, 'node_modules/@litertjs/core/wasm');
/** The builds the page may load: relaxed SIMD, and the compat build for browsers without it. */
export const LITERT_WASM_FILES = [
  'litert_wasm_internal.js',
  'litert_wasm_internal.wasm',
  'litert_wasm_compat_internal.js',
  'litert_wasm_compat_internal.wasm',
];

export const TFLITE_WASM_DIR = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-tflite/wasm');
/** tfjs-tflite's non-threaded builds (SIMD, and without for browsers lacking it): the page is not
 * cross-origin isolated, so the threaded ones (SharedArrayBuffer) cannot run there. */
export const TFLITE_WASM_FILES = [
  'tflite_web_api_cc_simd.js',
  'tflite_web_api_cc_simd.wasm',
  'tflite_web_api_cc.js',
  'tflite_web_api_cc.wasm',
];

/** A model to serve: from disk or from memory. */
export interface ServedModel {
  key: string;
  path?: string;
  bytes?: Uint8Array;
}

/** A file the page can fetch, by its path relative to the page (no leading slash). */
export interface Asset {
  path?: string;
  bytes?: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.tflite': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

export function contentType(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[dot >= 0 ? file.slice(dot) : ''] ?? 'application/octet-stream';
}

/** Models URL path for a key: "npm:hands/x.tflite" → "models/npm/hands/x.tflite". */
function modelUrl(key: string, index: number): string {
  const m = /^(shared|npm):(.+\.tflite)$/.exec(key);
  if (m && !m[2]?.includes('..')) return `models/${m[1]}/${m[2]}`;
  return `models/given/${index}/${basename(key)
    .replace(/\.tflite$/, '')
    .replace(/[^\w.-]/g, '_')}.tflite`;
}

/** The whole corpus (harness/corpus.ts), as served models. */
export function corpusServedModels(): ServedModel[] {
  return corpusModels().map((m) => ({ key: m.key, path: m.path }));
}

/** The page's extra files (the oracles' wasm, the models, models/index.json) and the model index. */
export function buildAssets(models: readonly ServedModel[]): { table: Map<string, Asset>; index: ModelIndexEntry[] } {
  const table = new Map<string, Asset>();
  // A missing file is left out: the page then reports "cannot fetch ...: HTTP 404" for that runtime.
  for (const [dir, url, files] of [
    [LITERT_WASM_DIR, LITERT_WASM_URL, LITERT_WASM_FILES],
    [TFLITE_WASM_DIR, TFLITE_WASM_URL, TFLITE_WASM_FILES],
  ] as const) {
    for (const f of files) {
      const path = join(dir, f);
      if (existsSync(path)) table.set(`${url}${f}`, { path, type: contentType(f) });
    }
  }
  const index: ModelIndexEntry[] = [];
  models.forEach((m, i) => {
    if (!m.bytes && !m.path) throw new Error(`model ${m.key}: give its bytes or its path`);
    if (m.path && !existsSync(m.path)) throw new Error(`model ${m.key}: ${m.path} does not exist`);
    const url = modelUrl(m.key, i);
    const bytes = m.bytes?.byteLength ?? statSync(m.path as string).size;
    table.set(url, { ...(m.bytes ? { bytes: m.bytes } : { path: m.path as string }), type: contentType(url) });
    index.push({ key: m.key, name: basename(m.key.replace(/^[a-z]+:/, ''), '.tflite'), url, bytes });
  });
  table.set(MODEL_INDEX_URL, { bytes: new TextEncoder().encode(JSON.stringify(index)), type: contentType(MODEL_INDEX_URL) });
  return { table, index };
}

export function assetBytes(a: Asset): Uint8Array {
  return a.bytes ?? new Uint8Array(readFileSync(a.path as string));
}

/** Sends one file (no caching: the driver's models change between runs). */
export function sendAsset(res: ServerResponse, a: Asset, headOnly = false): void {
  const body = assetBytes(a);
  res.writeHead(200, { 'content-type': a.type, 'content-length': body.byteLength, 'cache-control': 'no-store' });
  res.end(headOnly ? undefined : body);
}

/** Connect-style middleware serving the table under `base` ("/" in dev and for the driver). */
export function assetMiddleware(table: () => Map<string, Asset>, base = '/') {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const asset =
      (req.method === 'GET' || req.method === 'HEAD') && path.startsWith(base) ? table().get(path.slice(base.length)) : undefined;
    if (asset) sendAsset(res, asset, req.method === 'HEAD');
    else next();
  };
}

// `tflite-webgpu bench [<model> | --all] [--backend cpu|webgpu|all] [--precision fp32|fp16] [--runs N]
//  [--warmup N] [--ours-only] [--browser] [--out PREFIX] [--json]`: ours and LiteRT.js side by side.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { Backend, Precision } from '../harness/backends.js';
import {
  BENCH_METHOD,
  type BenchEnvironment,
  type BenchResult,
  type BenchRun,
  benchModel,
  liteRtGpu,
  type SideResult,
} from '../harness/bench.js';
import { benchInBrowser } from '../harness/browser/bench_browser.js';
import { corpusModels } from '../harness/corpus.js';
import { renderProfile } from '../harness/gpu_profile.js';
import { packageVersion } from '../harness/oracle/emscripten.js';
import { loadLiteRt } from '../harness/oracle/litert.js';
import type { GpuContext } from '../src/index.js';
import { readBytes } from './files.js';
import { progress, table } from './format.js';

export interface BenchTarget {
  name: string;
  path: string;
}

export interface BenchConfig {
  backend: Backend;
  precision: Precision;
}

/**
 * LiteRT.js's fast wasm build needs relaxed SIMD, which browsers ship and Node 20 keeps behind a
 * flag: turn it on before any wasm is compiled, so the comparison is with the build a browser runs.
 */
function enableRelaxedSimd(): void {
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // An engine without the flag keeps the compat build; the header names the build used.
  }
}

export async function bench(
  targets: BenchTarget[],
  configs: BenchConfig[],
  options: { runs: number; warmup: number; oursOnly?: boolean; profile?: boolean },
): Promise<BenchRun> {
  enableRelaxedSimd();
  const environment: BenchEnvironment = {
    date: new Date().toISOString(),
    machine: `node ${process.version} ${process.platform} ${process.arch}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`,
    method: BENCH_METHOD,
  };
  let gpu: GpuContext | null = null;
  if (!options.oursOnly) {
    try {
      const rt = await loadLiteRt();
      environment.litert = `@litertjs/core ${packageVersion('@litertjs/core')} (${basename(rt.file, '.js')}; XNNPACK, 1 thread)`;
    } catch (e) {
      environment.litert = `LiteRT.js did not load: ${(e as Error).message}`;
    }
  }
  const bar = progress(targets.length * configs.length, 'bench');
  const rows: { at: number; result: BenchResult }[] = [];
  try {
    // Every cpu row before any webgpu row: once LiteRT.js has compiled for WebGPU in a process,
    // its host-memory tensor buffers fail to create (litert_tensor_buffer.h:343) for every later
    // wasm model. The table keeps model order.
    const order = [...configs.keys()].sort((a, b) => Number(configs[a]?.backend === 'webgpu') - Number(configs[b]?.backend === 'webgpu'));
    for (const ci of order) {
      const c = configs[ci] as BenchConfig;
      for (const [ti, t] of targets.entries()) {
        const bytes = readBytes(t.path);
        if (c.backend === 'webgpu' && !gpu && !options.oursOnly) {
          try {
            gpu = await liteRtGpu();
            const a = gpu.adapter;
            environment.adapter = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unnamed adapter';
          } catch (e) {
            environment.adapter = `no WebGPU: ${(e as Error).message}`;
          }
        }
        const result = await benchModel(
          t.name,
          bytes,
          { ...c, runs: options.runs, warmup: options.warmup, oursOnly: Boolean(options.oursOnly), profile: Boolean(options.profile) },
          gpu,
        );
        rows.push({ at: ti * configs.length + ci, result });
        bar.tick(`${t.name} ${c.backend}`);
      }
    }
  } finally {
    bar.done();
    gpu?.release();
  }
  return { environment, results: rows.sort((a, b) => a.at - b.at).map((r) => r.result) };
}

/** The same rows, measured inside headless Chromium (one page for all). */
export async function benchBrowser(
  targets: BenchTarget[],
  configs: BenchConfig[],
  options: { runs: number; warmup: number; oursOnly?: boolean; profile?: boolean },
): Promise<BenchRun> {
  const bar = progress(targets.length * configs.length, 'bench (browser)');
  try {
    return await benchInBrowser(
      targets.map((t) => ({ key: t.name, path: t.path })),
      { configs, ...options, onResult: (r) => bar.tick(`${r.model} ${r.backend}`) },
    );
  } finally {
    bar.done();
  }
}

export function benchTargets(path: string | undefined, all: boolean): BenchTarget[] {
  if (all || !path) return corpusModels().map((m) => ({ name: m.key, path: m.path }));
  return [{ name: basename(path, '.tflite'), path }];
}

const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(x >= 10 ? 1 : 2)) : '');

function timingCell(s: SideResult): string {
  if (s.error) return `— (${s.error.slice(0, 90)})`;
  const t = s.timing;
  return t ? `${ms(t.medianMs)} (${ms(t.p10Ms)}–${ms(t.p90Ms)})` : '';
}

function firstCell(s: SideResult): string {
  return s.error ? '' : `${ms(s.loadMs)} + ${ms(s.firstMs)}`;
}

/** The side-by-side table (Markdown), with the header saying how it was measured. */
export function renderBench(run: BenchRun, opts: { markdown?: boolean } = {}): string {
  const e = run.environment;
  const header = [
    `${e.date} · ${e.machine}`,
    ...(e.adapter ? [`WebGPU adapter: ${e.adapter}`] : []),
    ...(e.litert ? [`LiteRT.js: ${e.litert}`] : []),
    `Method: ${e.method}. Times in ms: median (p10–p90); ratio = ours / LiteRT.js per alternating pair (< 1: ours faster).`,
  ];
  const rows = run.results.map((r) => [
    r.model,
    r.backend === 'webgpu' ? `webgpu ${r.precision}` : 'cpu',
    timingCell(r.ours),
    timingCell(r.litert),
    r.ratio ? `${r.ratio.median.toFixed(2)} (${r.ratio.p10.toFixed(2)}–${r.ratio.p90.toFixed(2)})` : '',
    firstCell(r.ours),
    firstCell(r.litert),
    r.firstRatio !== undefined ? r.firstRatio.toFixed(2) : '',
    [r.ours.note, r.litert.note ? `LiteRT.js: ${r.litert.note}` : ''].filter(Boolean).join('; ').slice(0, 120),
  ]);
  const head = [
    'model',
    'backend',
    'ours',
    `LiteRT.js`,
    'ratio',
    'ours load + first',
    'LiteRT.js load + first',
    'first ratio',
    'placement',
  ];
  if (opts.markdown) {
    const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
    return [
      ...header.map((h) => `${h}  `),
      '',
      line(head),
      line(head.map(() => '---')),
      ...rows.map(line),
      '',
      'LiteRT.js runs on wasm (XNNPACK, 1 thread) in cpu rows and on its WebGPU delegate in webgpu rows.',
      ...profiles(run),
    ].join('\n');
  }
  return [...header, '', table([head, ...rows]), ...profiles(run)].join('\n');
}

/** The --profile sections, one per row that has one. */
function profiles(run: BenchRun): string[] {
  return run.results.flatMap((r) => {
    const title = `# ${r.model} · ${r.backend === 'webgpu' ? `webgpu ${r.precision}` : 'cpu'}`;
    if (r.profile) return ['', title, '', renderProfile(r.profile)];
    if (r.profileError) return ['', title, '', `profile failed: ${r.profileError}`];
    return [];
  });
}

/** Writes PREFIX.md and PREFIX.json. */
export function writeBenchFiles(run: BenchRun, prefix: string): string[] {
  const md = `${prefix}.md`;
  const json = `${prefix}.json`;
  mkdirSync(dirname(md), { recursive: true });
  writeFileSync(md, `# Benchmarks: tflite-webgpu and LiteRT.js\n\n${renderBench(run, { markdown: true })}\n`);
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  return [md, json];
}

// `tflite-webgpu bench [<model> | --all] [--backend cpu|webgpu|all] [--precision fp32|fp16] [--runs N] [--json]`
import { basename } from 'node:path';
import type { Backend, Precision } from '../harness/backends.js';
import { type BenchResult, benchModel } from '../harness/bench.js';
import { corpusModels } from '../harness/corpus.js';
import { readBytes } from './files.js';
import { progress, table } from './format.js';

export interface BenchTarget {
  name: string;
  path: string;
}

export async function bench(
  targets: BenchTarget[],
  configs: { backend: Backend; precision: Precision }[],
  runs: number,
): Promise<BenchResult[]> {
  const bar = progress(targets.length * configs.length, 'bench');
  const results: BenchResult[] = [];
  for (const t of targets) {
    const bytes = readBytes(t.path);
    for (const c of configs) {
      results.push(await benchModel(t.name, bytes, { ...c, runs, warmup: 2 }));
      bar.tick(`${t.name} ${c.backend}`);
    }
  }
  bar.done();
  return results;
}

export function benchTargets(path: string | undefined, all: boolean): BenchTarget[] {
  if (all || !path) return corpusModels().map((m) => ({ name: m.key, path: m.path }));
  return [{ name: basename(path, '.tflite'), path }];
}

export function renderBench(results: BenchResult[]): string {
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '');
  return table([
    ['model', 'backend', 'precision', 'median ms', 'p90 ms', 'min ms', 'prepare ms', 'placement / error'],
    ...results.map((r) => [
      r.model,
      r.backend,
      r.precision,
      fmt(r.medianMs),
      fmt(r.p90Ms),
      fmt(r.minMs),
      fmt(r.prepareMs),
      (r.error ?? r.placement ?? '').slice(0, 100),
    ]),
  ]);
}

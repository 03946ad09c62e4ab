// Runs both oracle runtimes over a set of models and prints what each does with them:
//   node <built>/harness/oracle/probe.js [--seed N] [--json] [model.tflite ...]
// Without model arguments: ../shared/models/*.tflite and node_modules/@mediapipe/*/*.tflite.
// Inputs come from makeInputs(seed), with shape operands set to the model's declared shapes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeModelInputs } from './inputs.js';
import * as litert from './litert.js';
import { readModelInfo } from './model_info.js';
import { compareOutputs, oracleOrder } from './run_oracle.js';
import * as tfjsTflite from './tfjs_tflite.js';
import type { OracleName, OracleOutput } from './types.js';

export interface ProbeRow {
  model: string;
  hybrid: boolean;
  variables: boolean;
  dynamic: boolean;
  litert: { ms: number; error?: string };
  tfjs: { ms: number; error?: string };
  /** Which runtime runOracle would pick (auto policy). */
  oracle: OracleName | 'none';
  maxAbsDiff: number | undefined;
  finite: boolean;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function defaultModels(root = repoRoot()): string[] {
  const out: string[] = [];
  const shared = join(root, '..', 'shared', 'models');
  if (existsSync(shared)) for (const f of readdirSync(shared).sort()) if (f.endsWith('.tflite')) out.push(join(shared, f));
  const mp = join(root, 'node_modules', '@mediapipe');
  if (existsSync(mp)) {
    for (const pkg of readdirSync(mp).sort()) {
      for (const f of readdirSync(join(mp, pkg)).sort()) if (f.endsWith('.tflite')) out.push(join(mp, pkg, f));
    }
  }
  return out;
}

async function timed(f: () => Promise<OracleOutput[]>): Promise<{ ms: number; outputs?: OracleOutput[]; error?: string }> {
  const t0 = performance.now();
  try {
    const outputs = await f();
    return { ms: performance.now() - t0, outputs };
  } catch (e) {
    return { ms: performance.now() - t0, error: (e as Error).message };
  }
}

export async function probeModel(path: string, seed: number): Promise<ProbeRow> {
  const bytes = new Uint8Array(readFileSync(path));
  const info = readModelInfo(bytes);
  const inputs = makeModelInputs(info, seed);
  const a = await timed(() => litert.run(bytes, inputs, { info }));
  const b = await timed(() => tfjsTflite.run(bytes, inputs, { info }));
  const [first] = oracleOrder('auto', info.isHybrid, info.dynamicOutputs.length > 0);
  const ok = { litert: a.outputs, 'tfjs-tflite': b.outputs };
  const oracle: OracleName | 'none' = ok[first]
    ? first
    : ok[first === 'litert' ? 'tfjs-tflite' : 'litert']
      ? first === 'litert'
        ? 'tfjs-tflite'
        : 'litert'
      : 'none';
  const chosen = oracle === 'none' ? undefined : ok[oracle];
  const finite = chosen?.every((o) => Array.from(o.data as ArrayLike<number | bigint>, Number).every(Number.isFinite)) ?? false;
  return {
    model: basename(path),
    hybrid: info.isHybrid,
    variables: info.hasVariableTensors,
    dynamic: info.dynamicOutputs.length > 0,
    litert: { ms: a.ms, ...(a.error ? { error: a.error } : {}) },
    tfjs: { ms: b.ms, ...(b.error ? { error: b.error } : {}) },
    oracle,
    maxAbsDiff: a.outputs && b.outputs ? compareOutputs(a.outputs, b.outputs).maxAbsDiff : undefined,
    finite,
  };
}

function cell(r: { ms: number; error?: string }): string {
  if (!r.error) return `ok ${r.ms.toFixed(1)} ms`;
  const short = r.error.replace(/\s+/g, ' ');
  return `FAIL: ${short.length > 110 ? `${short.slice(0, 110)}…` : short}`;
}

async function main(argv: string[]): Promise<void> {
  let seed = 1;
  let json = false;
  const models: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--json') json = true;
    else models.push(a);
  }
  const t0 = performance.now();
  await Promise.all([litert.loadLiteRt(), tfjsTflite.loadTfliteWasm()]);
  const loadMs = performance.now() - t0;
  const rows: ProbeRow[] = [];
  for (const m of models.length ? models : defaultModels()) rows.push(await probeModel(m, seed));
  if (json) {
    process.stdout.write(`${JSON.stringify({ loadMs, rows }, null, 1)}\n`);
    return;
  }
  process.stdout.write(`runtimes loaded in ${loadMs.toFixed(0)} ms; seed ${seed}\n\n`);
  process.stdout.write('| model | flags | LiteRT.js | tfjs-tflite | oracle | max abs diff |\n|---|---|---|---|---|---|\n');
  for (const r of rows) {
    const flags = [r.hybrid ? 'hybrid' : '', r.variables ? 'variables' : '', r.dynamic ? 'dynamic-out' : ''].filter(Boolean).join(' ');
    const diff = r.maxAbsDiff === undefined ? '–' : r.maxAbsDiff === 0 ? '0' : r.maxAbsDiff.toExponential(2);
    process.stdout.write(
      `| ${r.model} | ${flags} | ${cell(r.litert)} | ${cell(r.tfjs)} | ${r.oracle}${r.finite || r.oracle === 'none' ? '' : ' (non-finite!)'} | ${diff} |\n`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}

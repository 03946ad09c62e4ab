// `tflite-webgpu fuzz [--cases N] [--op NAME] [--seed S] [--targets cpu,webgpu-fp32,webgpu-fp16] [--keep DIR] [--markdown] [--json]`
// Differential op tests: seeded random single-op and small mixed graphs, run by TFLite and by us.
import { mkdirSync } from 'node:fs';
import { acquireGpu } from '../../delegate/runtime/device.js';
import { ALL_FUZZERS } from '../../harness/fuzz/ops/index.js';
import { saveRegression } from '../../harness/fuzz/regression.js';
import { describeCase, type FuzzRow, matchesFilter, runFuzz, type TargetTally } from '../../harness/fuzz/run.js';
import type { Target } from '../../harness/fuzz/run_case.js';
import { errorMessage } from '../../harness/oracle/emscripten.js';
import { progress, table } from './format.js';

export interface FuzzFlags {
  cases: number;
  seed: number;
  targets: Target[];
  op?: string;
  /** Directory for shrunk failures (regression-case format), when given. */
  keep?: string;
}

export const TARGETS: readonly Target[] = ['cpu', 'webgpu-fp32', 'webgpu-fp16'];

export async function fuzzOps(flags: FuzzFlags): Promise<{ rows: FuzzRow[]; kept: string[] }> {
  const fuzzers = ALL_FUZZERS.filter((f) => matchesFilter(f, flags.op));
  if (fuzzers.length === 0) throw new RangeError(`no fuzzer matches --op '${flags.op}'`);
  const gpu = flags.targets.some((t) => t !== 'cpu') ? await acquireGpu() : null;
  const bar = progress(fuzzers.length * flags.cases, 'fuzz');
  try {
    const rows = await runFuzz({
      ...flags,
      fuzzers,
      ...(gpu ? { device: gpu.device } : {}),
      onCase: (f) => bar.tick(`${f.op} ${f.dtypes}`),
    });
    const kept: string[] = [];
    if (flags.keep) {
      mkdirSync(flags.keep, { recursive: true });
      for (const row of rows) {
        const f = fuzzers.find((z) => z.op === row.op && z.dtypes === row.dtypes);
        for (const failure of row.failures) {
          if (!f) continue;
          try {
            kept.push(await saveRegression(f, failure, 'unresolved fuzz failure', flags.keep));
          } catch (e) {
            kept.push(`(not kept: ${row.op} ${row.dtypes} seed ${failure.seed}: ${errorMessage(e)})`);
          }
        }
      }
    }
    return { rows, kept };
  } finally {
    bar.done();
    gpu?.release();
  }
}

const tally = (t: TargetTally | undefined) =>
  !t ? '' : t.pass + t.fail === 0 ? `— (${t.skipped} on CPU)` : `${t.pass}/${t.pass + t.fail}${t.skipped ? ` (+${t.skipped} on CPU)` : ''}`;

const quality = (t: TargetTally | undefined) =>
  !t || t.pass === 0 ? '' : t.exact === t.pass ? 'bit-exact' : `${t.exact}/${t.pass} exact, worst ${t.worstRel.toExponential(1)}`;

export function fuzzPassed(rows: FuzzRow[]): boolean {
  return rows.every(
    (r) => r.failures.length === 0 && Object.values(r.targets).every((t) => t.fail === 0) && r.weRunInvalid === 0 && r.invalid < r.cases,
  );
}

export function renderFuzz(rows: FuzzRow[], targets: readonly Target[]): string {
  const header = ['op', 'dtypes', 'cases', 'both refuse', 'only TFLite refuses', 'oracle', 'rounding', ...targets, 'cpu result'];
  const body = rows.map((r) => [
    r.op,
    r.dtypes,
    String(r.cases),
    String(r.invalid),
    String(r.weRunInvalid),
    r.oracle,
    r.rounding,
    ...targets.map((t) => tally(r.targets[t])),
    quality(r.targets.cpu),
  ]);
  const failures = rows.flatMap((r) => r.failures.map(describeCase));
  const fails = rows.filter((r) => r.weRunInvalid > 0 || Object.values(r.targets).some((t) => t.fail > 0)).length;
  const summary = `${rows.length} (op, dtypes) lines, ${rows.reduce((s, r) => s + r.cases, 0)} cases: ${fails ? `${fails} lines FAIL` : 'all pass'}`;
  return [table([header, ...body]), ...failures, summary].join('\n\n');
}

/** The README's per-op table (Markdown). */
export function renderFuzzMarkdown(rows: FuzzRow[], targets: readonly Target[]): string {
  const head = [
    'op',
    'dtypes',
    'cases',
    'refused by both',
    'oracle',
    'integer rounding',
    ...targets.map((t) => `${t} pass`),
    'CPU vs TFLite',
    'note',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.op,
      r.dtypes,
      String(r.cases),
      String(r.invalid),
      r.oracle,
      r.rounding,
      ...targets.map((t) => tally(r.targets[t])),
      quality(r.targets.cpu),
      r.note ?? '',
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

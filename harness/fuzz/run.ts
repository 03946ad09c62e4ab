// Runs the op fuzzers: N seeded cases per (op, dtypes) on each target, shrinks failures, and sums up
// per op for the README table and the CLI.
import type { IntegerRounding } from '../../src/index.js';
import type { OracleName } from '../oracle/types.js';
import { ALL_FUZZERS } from './ops/index.js';
import { caseSeed } from './rng.js';
import { type CaseResult, type OpFuzzer, runCase, shrinkFailure, type Target } from './run_case.js';

export interface FuzzOptions {
  cases: number;
  seed: number;
  targets: readonly Target[];
  /** Only fuzzers whose op (or "op dtypes" label) matches, e.g. 'CONV_2D' or 'ADD int8'. */
  op?: string;
  /** Shrink failures (default true). */
  shrink?: boolean;
  device?: GPUDevice;
  fuzzers?: readonly OpFuzzer[];
  onCase?: (fuzzer: OpFuzzer, result: CaseResult, done: number, total: number) => void;
}

export interface TargetTally {
  pass: number;
  fail: number;
  /** Cases the delegate did not take. */
  skipped: number;
  /** Passing cases that were bit-exact. */
  exact: number;
  worstRel: number;
}

export interface FuzzRow {
  op: string;
  dtypes: string;
  cases: number;
  /** Cases no TFLite runtime accepts (and we refuse too). */
  invalid: number;
  /** Cases no TFLite runtime accepts but we run: a generator mistake, or a check we lack. */
  weRunInvalid: number;
  oracle: OracleName;
  rounding: IntegerRounding;
  tolerance: string;
  targets: Partial<Record<Target, TargetTally>>;
  /** Shrunk failures (at most 3 per row). */
  failures: CaseResult[];
  note?: string;
}

export function matchesFilter(f: OpFuzzer, filter: string | undefined): boolean {
  if (!filter) return true;
  return filter.split(',').some((want) => want === f.op || want === `${f.op} ${f.dtypes}` || `${f.op} ${f.dtypes}`.startsWith(`${want} `));
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzRow[]> {
  const fuzzers = (o.fuzzers ?? ALL_FUZZERS).filter((f) => matchesFilter(f, o.op));
  const total = fuzzers.length * o.cases;
  let done = 0;
  const rows: FuzzRow[] = [];
  for (const f of fuzzers) {
    const row: FuzzRow = {
      op: f.op,
      dtypes: f.dtypes,
      cases: 0,
      invalid: 0,
      weRunInvalid: 0,
      oracle: f.oracle ?? 'tfjs-tflite',
      rounding: f.rounding ?? 'reference',
      tolerance: `${f.floatTolerance ?? 1e-5} rel / ${f.lsb ?? 0} LSB`,
      targets: {},
      failures: [],
    };
    if (f.note) row.note = f.note;
    for (const t of o.targets) row.targets[t] = { pass: 0, fail: 0, skipped: 0, exact: 0, worstRel: 0 };
    for (let i = 0; i < o.cases; i++) {
      const result = await runCase(f, caseSeed(o.seed, `${f.op} ${f.dtypes}`, i), 9, o);
      row.cases++;
      if (result.status === 'invalid') {
        if (result.weRefuse) row.invalid++;
        else row.weRunInvalid++;
      }
      for (const t of result.targets) {
        const tally = row.targets[t.target] as TargetTally;
        if (t.status === 'skipped') tally.skipped++;
        else if (t.status === 'pass') {
          tally.pass++;
          if (t.outputs.every((x) => x.exact)) tally.exact++;
          for (const x of t.outputs) if (Number.isFinite(x.maxRel)) tally.worstRel = Math.max(tally.worstRel, x.maxRel);
        } else tally.fail++;
      }
      if (result.status === 'fail' && row.failures.length < 3) {
        row.failures.push(o.shrink === false ? result : await shrinkFailure(f, result, o));
      }
      done++;
      o.onCase?.(f, result, done, total);
    }
    rows.push(row);
  }
  return rows;
}

/** Human-readable description of a case's graph: every tensor with dtype, shape and quantization. */
export function describeCase(r: CaseResult): string {
  const lines = [`${r.name} seed ${r.seed} size ${r.size}: ${r.status}${r.message ? ` (${r.message})` : ''}`];
  for (const n of r.graph.nodes)
    lines.push(`  node ${n.op} v${n.version ?? 1} ${JSON.stringify(n.options?.values ?? {})} in [${n.inputs}] out [${n.outputs}]`);
  r.graph.tensors.forEach((t, i) => {
    const q = t.quant
      ? ` q(scale ${t.quant.scale.map((s) => s.toPrecision(4)).join(',')} zp ${t.quant.zeroPoint.join(',')}${t.quant.axis !== undefined ? ` axis ${t.quant.axis}` : ''})`
      : '';
    const d = t.data
      ? ` data[${Array.from(t.data as ArrayLike<number>)
          .slice(0, 8)
          .join(',')}${t.data.length > 8 ? ',…' : ''}]`
      : '';
    const role = r.graph.inputs.includes(i) ? 'input' : r.graph.outputs.includes(i) ? 'output' : t.data ? 'const' : 'tensor';
    lines.push(`  ${role} ${i} ${t.dtype} [${t.shape}]${q}${d}${t.range ? ` range ${t.range}` : ''}`);
  });
  for (const t of r.targets) {
    if (t.status === 'pass') continue;
    lines.push(`  ${t.target}: ${t.status}${t.message ? ` ${t.message}` : ''}`);
    for (const o of t.outputs) if (!o.pass) lines.push(`    output ${o.index}: ${o.problem}`);
  }
  if (r.runtimeGap !== undefined) lines.push(`  LiteRT.js vs tfjs-tflite: max gap ${r.runtimeGap}`);
  return lines.join('\n');
}

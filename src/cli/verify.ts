// `tflite-webgpu verify <model | --all> [--backend cpu] [--seed N] [--json]`
import { basename } from 'node:path';
import { corpusModels } from '../../harness/corpus.js';
import { nodeOracle } from '../../harness/node_oracle.js';
import { type Backend, type Precision, type VerifyReport, verifyModel, worstError } from '../../harness/verify.js';
import { readBytes } from './files.js';
import { progress, table } from './format.js';

export interface VerifyFlags {
  backend: Backend;
  precision: Precision;
  seed: number;
  regenerate: boolean;
}

export async function verifyFile(path: string, flags: VerifyFlags): Promise<VerifyReport> {
  return verifyModel(basename(path, '.tflite'), readBytes(path), { ...flags, oracle: nodeOracle });
}

export async function verifyAll(flags: VerifyFlags): Promise<VerifyReport[]> {
  const models = corpusModels();
  const bar = progress(models.length, 'verify');
  const reports: VerifyReport[] = [];
  for (const m of models) {
    reports.push(await verifyModel(m.key, readBytes(m.path), { ...flags, oracle: nodeOracle }));
    bar.tick(m.name);
  }
  bar.done();
  return reports;
}

export function renderReports(reports: VerifyReport[]): string {
  const rows = reports.map((r) => [
    r.model,
    r.mode,
    r.status === 'unsupported' ? 'NOT YET SUPPORTED' : r.status.toUpperCase(),
    r.oracle ?? '',
    r.status === 'unsupported'
      ? `missing: ${r.missingOps?.join(' ')}`
      : r.error
        ? `${r.error.type}: ${r.error.message}`.slice(0, 160)
        : worstError(r),
    r.other
      ? 'maxAbs' in r.other
        ? `${r.other.oracle} differs by ${r.other.maxAbs.toExponential(2)}`
        : `${r.other.oracle}: ${r.other.error}`.slice(0, 60)
      : '',
    r.msPerInvoke !== undefined ? r.msPerInvoke.toFixed(1) : '',
  ]);
  const count = (s: VerifyReport['status']) => reports.filter((r) => r.status === s).length;
  const first = reports[0];
  const summary = `${reports.length} model(s) on ${first?.backend ?? 'cpu'} (${first?.precision ?? 'fp32'}): ${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('unsupported')} not yet supported`;
  const details = reports.flatMap((r) =>
    r.status === 'fail' ? r.outputs.filter((o) => !o.pass).map((o) => `  ${r.model} output '${o.name}': ${o.problem}`) : [],
  );
  return [table([['model', 'mode', 'status', 'oracle', 'error', 'other oracle', 'ms'], ...rows]), ...details, summary].join('\n');
}

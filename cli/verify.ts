// `tflite-webgpu verify <model | --all> [--backend cpu|webgpu] [--precision fp32|fp16] [--seed N] [--inputs a.bin,...] [--culprit] [--json]`
import { basename } from 'node:path';
import type { Backend, Precision, QuantizedExecution } from '../harness/backends.js';
import { verifyInBrowser } from '../harness/browser/driver.js';
import { corpusModels } from '../harness/corpus.js';
import { type CulpritReport, findCulprit, renderCulprit } from '../harness/culprit.js';
import { nodeOracle } from '../harness/node_oracle.js';
import { floatCorpusModels, type GeneratedResult, verifyGeneratedCorpus } from '../harness/quantized_corpus.js';
import { type VerifyReport, verifyModel, worstError } from '../harness/verify.js';
import type { Tensor } from '../src/index.js';
import { readModel } from '../src/index.js';
import { readBytes, readInputFiles } from './files.js';
import { progress, table } from './format.js';

export interface VerifyFlags {
  backend: Backend;
  precision: Precision;
  seed: number;
  regenerate: boolean;
  /** One model only: its inputs from raw files (readInputFiles) instead of the seed's. */
  inputs?: string;
  /** How the WebGPU delegate runs quantized nodes. */
  quantizedExecution?: QuantizedExecution;
}

async function verifyOne(name: string, path: string, flags: VerifyFlags): Promise<VerifyReport> {
  const bytes = readBytes(path);
  const { inputs: files, ...options } = flags;
  if (!files) return verifyModel(name, bytes, { ...options, oracle: nodeOracle });
  const sg = readModel(bytes).subgraphs[0];
  const details = (sg?.inputs ?? []).map((i) => sg?.tensors[i] as Tensor);
  return verifyModel(name, bytes, { ...options, inputs: readInputFiles(files, details), oracle: nodeOracle });
}

/** verify --culprit: the first node whose output parts from the real runtime's (harness/culprit.ts). */
export async function culpritFile(path: string, flags: VerifyFlags): Promise<CulpritReport> {
  const bytes = readBytes(path);
  const options = { backend: flags.backend, precision: flags.precision, seed: flags.seed };
  if (!flags.inputs) return findCulprit(basename(path, '.tflite'), bytes, options);
  const sg = readModel(bytes).subgraphs[0];
  const details = (sg?.inputs ?? []).map((i) => sg?.tensors[i] as Tensor);
  return findCulprit(basename(path, '.tflite'), bytes, { ...options, inputs: readInputFiles(flags.inputs, details) });
}

export { renderCulprit };

export async function verifyFile(path: string, flags: VerifyFlags): Promise<VerifyReport> {
  return verifyOne(basename(path, '.tflite'), path, flags);
}

export async function verifyAll(flags: VerifyFlags): Promise<VerifyReport[]> {
  const models = corpusModels();
  const bar = progress(models.length, 'verify');
  const reports: VerifyReport[] = [];
  for (const m of models) {
    reports.push(await verifyOne(m.key, m.path, flags));
    bar.tick(m.name);
  }
  bar.done();
  return reports;
}

/** verify in headless Chromium: the same verify code, with the oracle's runtimes in the page. */
export async function verifyBrowser(path: string | undefined, flags: VerifyFlags): Promise<VerifyReport[]> {
  const models = path ? [{ key: basename(path, '.tflite'), path }] : corpusModels().map((m) => ({ key: m.key, path: m.path }));
  return verifyInBrowser(models, {
    backend: flags.backend,
    precision: flags.precision,
    seed: flags.seed,
  });
}

export function renderReports(reports: VerifyReport[]): string {
  const rows = reports.map((r) => [
    r.model,
    r.mode,
    r.status === 'unsupported' ? 'NOT YET SUPPORTED' : r.status === 'no-reference' ? 'NO REFERENCE' : r.status.toUpperCase(),
    r.oracle ?? '',
    r.status === 'unsupported'
      ? `missing: ${r.missingOps?.join(' ')}`
      : r.error
        ? `${r.error.type}: ${r.error.message}`.slice(0, 160)
        : worstError(r),
    r.other
      ? 'maxAbs' in r.other
        ? `${r.other.oracle} differs by ${r.other.maxRel !== undefined ? `rel ${r.other.maxRel.toExponential(2)} (maxAbs ${r.other.maxAbs.toExponential(2)})` : r.other.maxAbs.toExponential(2)}`
        : `${r.other.oracle}: ${r.other.error}`.slice(0, 60)
      : '',
    r.msPerInvoke !== undefined ? r.msPerInvoke.toFixed(1) : '',
  ]);
  const count = (s: VerifyReport['status']) => reports.filter((r) => r.status === s).length;
  const first = reports[0];
  const summary = `${reports.length} model(s) on ${first?.backend ?? 'cpu'} (${first?.precision ?? 'fp32'}): ${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('unsupported')} not yet supported, ${count('no-reference')} without a reference runtime`;
  const details = reports.flatMap((r) => [
    ...(r.placement ? [`  ${r.model}: ${r.placement.summary}`] : []),
    ...(r.roundingNote ? [`  ${r.model}: ${r.roundingNote}`] : []),
    ...(r.vsCpu
      ? [`  ${r.model}: vs the CPU interpreter: ${r.vsCpu.map((v) => `${v.maxDiff} (${v.integerRounding} rounding)`).join(', ')}`]
      : []),
    ...(r.precisionNote ? [`  ${r.model}: ${r.precisionNote}`] : []),
    ...(r.conditioningNote ? [`  ${r.model}: ${r.conditioningNote}`] : []),
    ...(r.status === 'fail' ? r.outputs.filter((o) => !o.pass).map((o) => `  ${r.model} output '${o.name}': ${o.problem}`) : []),
  ]);
  const adapters = [...new Set(reports.flatMap((r) => r.placement?.partitions.map((p) => p.info.adapter) ?? []))].filter(Boolean);
  if (adapters.length) details.unshift(`WebGPU adapter: ${adapters.join(', ')}`);
  return [table([['model', 'mode', 'status', 'oracle', 'error', 'other oracle', 'ms'], ...rows]), ...details, summary].join('\n');
}

/** verify --all --generated: every float model of the corpus quantized in the four modes, each verified on the CPU. */
export async function verifyGenerated(samples: number): Promise<GeneratedResult[]> {
  const models = floatCorpusModels();
  const bar = progress(models.length * 4, 'quantize+verify');
  const results = await verifyGeneratedCorpus(models, { oracle: nodeOracle, samples, onModel: (label) => bar.tick(label) });
  bar.done();
  return results;
}

export function renderGenerated(results: GeneratedResult[]): string {
  const kib = (n?: number) => (n === undefined ? '' : `${(n / 1024).toFixed(0)} KiB`);
  const rows = results.map((r) => [
    r.model,
    r.mode,
    r.status === 'refused' ? 'REFUSED' : r.status === 'unsupported' ? 'NOT YET SUPPORTED' : r.status.toUpperCase(),
    kib(r.bytesBefore),
    kib(r.bytesAfter),
    r.floatFallback?.length ? [...new Set(r.floatFallback)].join(' ') : '',
    r.status === 'refused'
      ? (r.reason ?? '').slice(0, 160)
      : r.report?.status === 'unsupported'
        ? `missing: ${r.report.missingOps?.join(' ')}`
        : r.report?.error
          ? `${r.report.error.type}: ${r.report.error.message}`.slice(0, 160)
          : r.report
            ? worstError(r.report)
            : '',
  ]);
  const count = (s: GeneratedResult['status']) => results.filter((r) => r.status === s).length;
  const failures = results.flatMap((r) =>
    r.status === 'fail' && r.report
      ? r.report.outputs.filter((o) => !o.pass).map((o) => `  ${r.model} [${r.mode}] output '${o.name}': ${o.problem}`)
      : [],
  );
  const summary = `${results.length} generated model(s) on cpu: ${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('unsupported')} not yet supported, ${count('no-reference')} without a reference runtime, ${count('refused')} refused by the quantizer`;
  return [
    table([['model', 'mode', 'status', 'float', 'quantized', 'float fallback', 'worst error / reason'], ...rows]),
    ...failures,
    summary,
  ].join('\n');
}

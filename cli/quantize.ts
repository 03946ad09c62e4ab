// `quantize`: a float .tflite in, a quantized one out (src/quantize), with the calibration set
// read from a folder of raw inputs or made up from a seed.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeModelInputs } from '../harness/oracle/inputs.js';
import {
  byteSize,
  type DType,
  type InferenceType,
  numElements,
  type QuantizeMode,
  type QuantizeReport,
  quantize,
  readModel,
  TensorError,
  type TypedArray,
  typedView,
} from '../src/index.js';
import { FileError, readBytes } from './files.js';
import { formatBytes, progress, table } from './format.js';

export interface QuantizeFileOptions {
  mode: QuantizeMode;
  out: string;
  /** A folder of .bin files, one sample each: every input's raw little-endian bytes, in input order. */
  calibration?: string;
  /** Samples to use (the first N files, or N seeded synthetic ones). */
  samples: number;
  seed: number;
  inputType?: InferenceType;
  outputType?: InferenceType;
  perChannel: boolean;
  allowFloatFallback: boolean;
}

export interface QuantizeFileResult {
  model: string;
  out: string;
  calibration: string;
  report: QuantizeReport;
}

/** One calibration sample per .bin file: each input's bytes back to back, in subgraph-0 input order. */
function* samplesFromFolder(
  dir: string,
  inputs: readonly { name: string; dtype: DType; shape: number[] }[],
  limit: number,
): Generator<TypedArray[]> {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.bin'))
      .sort();
  } catch (e) {
    throw new FileError(`cannot read calibration folder '${dir}': ${(e as Error).message}`);
  }
  if (files.length === 0) throw new FileError(`calibration folder '${dir}' has no .bin files`);
  const sizes = inputs.map((d) => byteSize(d.dtype, numElements(d.shape)) ?? 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  for (const f of files.slice(0, limit)) {
    const raw = readBytes(join(dir, f), 'calibration sample');
    if (raw.byteLength !== total) {
      throw new TensorError(
        `calibration sample '${f}' holds ${raw.byteLength} bytes; one sample of ${inputs.map((d) => `'${d.name}' ${d.dtype}[${d.shape}]`).join(' + ')} is ${total}`,
      );
    }
    let at = 0;
    yield inputs.map((d, i) => {
      const part = raw.slice(at, at + (sizes[i] as number));
      at += sizes[i] as number;
      return typedView(part, d.dtype);
    });
  }
}

export async function quantizeFile(path: string, options: QuantizeFileOptions): Promise<QuantizeFileResult> {
  const bytes = readBytes(path);
  const model = readModel(bytes);
  const sg = model.subgraphs[0];
  const inputs = (sg?.inputs ?? []).map((i) => sg?.tensors[i] as { name: string; dtype: DType; shape: number[] });
  const needsData = options.mode === 'int8' || options.mode === '16x8';
  let calibration = 'none';
  let dataset: Iterable<TypedArray[]> | undefined;
  let count = 0;
  if (needsData) {
    if (options.calibration) {
      if (!statSync(options.calibration, { throwIfNoEntry: false })?.isDirectory())
        throw new FileError(`--calibration '${options.calibration}' is not a folder`);
      count = Math.min(options.samples, readdirSync(options.calibration).filter((f) => f.endsWith('.bin')).length);
      dataset = samplesFromFolder(options.calibration, inputs, options.samples);
      calibration = `${count} sample(s) from ${options.calibration}`;
    } else {
      count = options.samples;
      const seed = options.seed;
      dataset = (function* () {
        for (let i = 0; i < count; i++) yield makeModelInputs(bytes, seed + i) as TypedArray[];
      })();
      calibration = `${count} seeded synthetic sample(s) (seed ${seed}..${seed + count - 1}, verify's input distribution)`;
    }
  }
  const bar = progress(count, `calibrate ${basename(path)}`);
  try {
    const { bytes: out, report } = await quantize(bytes, {
      mode: options.mode,
      ...(dataset ? { representativeDataset: dataset } : {}),
      ...(options.inputType ? { inferenceInputType: options.inputType } : {}),
      ...(options.outputType ? { inferenceOutputType: options.outputType } : {}),
      perChannel: options.perChannel,
      allowFloatFallback: options.allowFloatFallback,
      onCalibrationSample: (n) => bar.tick(`sample ${n}`),
    });
    writeFileSync(options.out, out);
    return { model: path, out: options.out, calibration, report };
  } finally {
    bar.done();
  }
}

export function renderQuantize(r: QuantizeFileResult): string {
  const { report } = r;
  const counts = new Map<string, number>();
  for (const n of report.nodes) counts.set(n.action, (counts.get(n.action) ?? 0) + 1);
  const ratio = report.bytesAfter / report.bytesBefore;
  const lines = [
    `${basename(r.model)} → ${r.out} (${report.mode})`,
    `size ${formatBytes(report.bytesBefore)} → ${formatBytes(report.bytesAfter)} (${(ratio * 100).toFixed(1)}%)`,
    `calibration: ${r.calibration}`,
    `nodes: ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}; added ${report.addedNodes.quantize} QUANTIZE, ${report.addedNodes.dequantize} DEQUANTIZE`,
  ];
  if (report.floatFallback.length) {
    lines.push('', 'left float (allowFloatFallback):');
    lines.push(table([['node', 'op', 'why'], ...report.floatFallback.map((n) => [String(n.node), n.op, n.detail ?? ''])]));
  }
  return lines.join('\n');
}

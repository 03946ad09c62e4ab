// `tflite-webgpu run <model> [--inputs a.bin,b.bin] [--seed N] [--outdir DIR] [--json]`
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Backend, createDelegates, type Precision } from '../harness/backends.js';
import { makeModelInputs } from '../harness/oracle/inputs.js';
import type { TypedArray } from '../src/index.js';
import { Interpreter, type Placement } from '../src/index.js';
import { readBytes, readInputFiles } from './files.js';

export interface RunResult {
  model: string;
  backend: Backend;
  precision: Precision;
  placement?: Placement;
  msPerInvoke: number;
  outputs: { name: string; dtype: string; shape: number[]; min: number; max: number; mean: number; file?: string }[];
}

export interface RunFlags {
  backend: Backend;
  precision: Precision;
  inputs?: string;
  seed: number;
  outdir?: string;
  runs: number;
}

function stats(data: TypedArray): { min: number; max: number; mean: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, max, mean: data.length ? sum / data.length : 0 };
}

export async function runModel(path: string, flags: RunFlags): Promise<RunResult> {
  const bytes = readBytes(path);
  const interpreter = await Interpreter.create(bytes, { delegates: await createDelegates(flags.backend, flags.precision) });
  await interpreter.allocateTensors();
  const details = interpreter.getInputDetails();
  const inputs = flags.inputs ? readInputFiles(flags.inputs, details) : (makeModelInputs(bytes, flags.seed) as TypedArray[]);
  for (const [i, d] of details.entries()) interpreter.setTensor(d.index, inputs[i] as TypedArray);
  const times: number[] = [];
  for (let r = 0; r < Math.max(1, flags.runs); r++) {
    const t0 = performance.now();
    await interpreter.invoke();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  if (flags.outdir) mkdirSync(flags.outdir, { recursive: true });
  const outputs = interpreter.getOutputDetails().map((d, i) => {
    const data = interpreter.getTensor(d.index);
    const out: RunResult['outputs'][number] = { name: d.name, dtype: d.dtype, shape: interpreter.tensorShape(d.index), ...stats(data) };
    if (flags.outdir) {
      out.file = `output${i}.bin`;
      writeFileSync(join(flags.outdir, out.file), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    return out;
  });
  if (flags.outdir) {
    const manifest = outputs.map(({ name, dtype, shape, file }) => ({ name, dtype, shape, file }));
    writeFileSync(join(flags.outdir, 'outputs.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const result: RunResult = {
    model: path,
    backend: flags.backend,
    precision: flags.precision,
    msPerInvoke: times[Math.floor(times.length / 2)] ?? 0,
    outputs,
  };
  if (flags.backend !== 'cpu') result.placement = interpreter.placement();
  interpreter.dispose();
  return result;
}

export function renderRun(r: RunResult): string {
  const lines = [
    `${r.model}: ${r.msPerInvoke.toFixed(2)} ms per inference on ${r.backend}${r.backend === 'cpu' ? '' : ` (${r.precision})`}`,
  ];
  if (r.placement) {
    const adapter = r.placement.partitions[0]?.info.adapter;
    lines.push(`  placement: ${r.placement.summary}${adapter ? ` (adapter: ${adapter})` : ''}`);
  }
  for (const o of r.outputs) {
    lines.push(
      `  ${o.name}: ${o.dtype} [${o.shape.join(', ')}] min ${o.min.toPrecision(4)} max ${o.max.toPrecision(4)} mean ${o.mean.toPrecision(4)}${o.file ? ` -> ${o.file}` : ''}`,
    );
  }
  return lines.join('\n');
}

// `npm run soak`: the whole-pipeline fuzz, long runs, the create/dispose loop and the fault
// scenarios, with one report (and one Markdown rendering) for Node and for the browser page.

import { acquireGpu } from '../../src/index.js';
import { buildModel, GraphBuilder } from '../fuzz/graph.js';
import { table } from '../text.js';
import { type FaultOutcome, runFaults } from './faults.js';
import { type FuzzReport, fuzzPipeline, type SoakBackend, type SoakModel } from './fuzz.js';
import { type CreateDisposeReport, createDisposeLoop, type LongRunReport, longRun } from './long_run.js';

/** Small models of every mode: fp16 from npm always; the others from ../shared when present. */
export const SOAK_FUZZ_MODELS = [
  'face_detection_short_range',
  'hello_world_int8',
  'mnist_conv_fc_int8',
  'magic_wand_f32',
  'mnist_lstm_f32',
  'keyword_scrambled_int16io',
  'seanet_add0_16x8',
  'pose_classifier_hybrid',
  'micro_speech_int8',
  'dilated_conv_f32',
];
/** Three long-run models: the npm face detector, and two small shared ones where present. */
export const SOAK_LONG_RUN_MODELS = ['face_detection_short_range', 'mnist_conv_fc_f32', 'magic_wand_f32'];

export interface SoakOptions {
  /** Models the fuzz mutates. */
  fuzzModels: readonly SoakModel[];
  /** Models of the long runs. */
  longRunModels: readonly SoakModel[];
  /** The model of the fault scenarios (a float model the delegate takes whole). */
  faultModel: SoakModel;
  backends: readonly SoakBackend[];
  mutations: number;
  seed: number;
  inferences: number;
  loops: number;
  gc?: () => void;
  /** Where it runs, for the report's header. */
  environment: string;
  onStage?: (stage: string, done: number, total: number) => void;
}

export interface SoakReport {
  environment: string;
  date: string;
  fuzz: FuzzReport[];
  longRuns: LongRunReport[];
  createDispose: CreateDisposeReport | null;
  faults: FaultOutcome[];
  /** Backends that could not run (no adapter), with why. */
  skipped: string[];
}

/** CONV_2D -> RELU -> FULLY_CONNECTED on [1,8,8,3]: small enough to create a thousand times. */
export function loopModel(): Uint8Array {
  const b = new GraphBuilder();
  const x = b.input('float32', [1, 8, 8, 3]);
  const w = b.constant(
    'float32',
    [4, 3, 3, 3],
    Float32Array.from({ length: 108 }, (_, i) => ((i * 37) % 17) / 17 - 0.5),
  );
  const c = b.activation('float32', [1, 8, 8, 4]);
  const r = b.activation('float32', [1, 8, 8, 4]);
  const fw = b.constant(
    'float32',
    [10, 256],
    Float32Array.from({ length: 2560 }, (_, i) => ((i * 13) % 11) / 11 - 0.5),
  );
  const y = b.output('float32', [1, 10]);
  b.node('CONV_2D', [x, w, -1], [c], { type: 'Conv2DOptions', values: { padding: 0, strideW: 1, strideH: 1 } });
  b.node('RELU', [c], [r]);
  b.node('FULLY_CONNECTED', [r, fw, -1], [y], { type: 'FullyConnectedOptions', values: {} });
  return buildModel(b.graph);
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const report: SoakReport = {
    environment: o.environment,
    date: new Date().toISOString(),
    fuzz: [],
    longRuns: [],
    createDispose: null,
    faults: [],
    skipped: [],
  };
  let gpu: GPUDevice | undefined;
  if (o.backends.includes('webgpu')) {
    try {
      gpu = (await acquireGpu()).device;
    } catch (e) {
      report.skipped.push(`webgpu: ${(e as Error).message}`);
    }
  }
  const backends = o.backends.filter((b) => b === 'cpu' || gpu);
  for (const backend of backends) {
    const stage = `fuzz ${backend}`;
    report.fuzz.push(
      await fuzzPipeline({
        models: o.fuzzModels,
        mutations: o.mutations,
        seed: o.seed,
        backend,
        device: gpu,
        onCase: (done, total) => o.onStage?.(stage, done, total),
      }),
    );
  }
  for (const backend of backends) {
    for (const m of o.longRunModels) {
      // Each webgpu long run gets its own device, so the buffer count is this run's alone.
      const device = backend === 'webgpu' ? (await acquireGpu()).device : undefined;
      const stage = `${o.inferences} inferences ${m.name} ${backend}`;
      try {
        report.longRuns.push(
          await longRun(m.name, m.bytes, {
            backend,
            inferences: o.inferences,
            device,
            gc: o.gc,
            onProgress: (d, t) => o.onStage?.(stage, d, t),
          }),
        );
      } finally {
        device?.destroy();
      }
    }
  }
  if (gpu && o.loops > 0) {
    const device = (await acquireGpu()).device;
    try {
      report.createDispose = await createDisposeLoop('conv_relu_fc (generated)', loopModel(), device, o.loops, o.gc, (d, t) =>
        o.onStage?.('create/dispose', d, t),
      );
    } finally {
      device.destroy();
    }
  }
  if (gpu) report.faults = await runFaults(o.faultModel.bytes, (name) => o.onStage?.(`fault: ${name}`, 0, 1));
  gpu?.destroy();
  return report;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

/** The report as Markdown: the README's Reliability tables. */
export function renderSoak(r: SoakReport): string {
  const out: string[] = [`Soak · ${r.environment} · ${r.date}`, ...r.skipped.map((s) => `skipped: ${s}`), ''];
  if (r.fuzz.length) {
    const keys = [...new Set(r.fuzz.flatMap((f) => Object.keys(f.outcomes)))].sort();
    out.push(
      `**Whole-pipeline fuzz** (${r.fuzz[0]?.cases ?? 0} cases per backend run, seeded; defects = anything but a result or a typed error)`,
      '',
    );
    const rows = keys.map((k) => [k, ...r.fuzz.map((f) => String(f.outcomes[k] ?? 0))]);
    rows.push(['defects (crash / untyped error)', ...r.fuzz.map((f) => String(f.defects.length))]);
    rows.push(['hangs (not settled in 60 s)', ...r.fuzz.map((f) => String(f.hangs.length))]);
    rows.push(['slow (> 20x the unmutated model + 1 s)', ...r.fuzz.map((f) => String(f.slow.length))]);
    rows.push(['slowest case', ...r.fuzz.map((f) => (f.slowest ? `${f.slowest.ms.toFixed(0)} ms` : ''))]);
    const memory = (f: FuzzReport) =>
      Number.isNaN(f.memory.maxBytes) ? 'not measurable in a page' : `${mib(f.memory.maxBytes)} / ${mib(f.memory.bound)}`;
    rows.push(['max ArrayBuffer growth / bound', ...r.fuzz.map(memory)]);
    rows.push(['mutation not applicable (not run)', ...r.fuzz.map((f) => String(f.notApplicable))]);
    out.push(table([['outcome', ...r.fuzz.map((f) => f.backend)], ...rows]), '');
    for (const f of r.fuzz)
      for (const d of f.defects)
        out.push(`- DEFECT ${f.backend} ${d.model} seed ${d.seed}: ${d.mutation} -> ${d.stage} ${d.error}: ${d.message}`);
  }
  if (r.longRuns.length) {
    out.push('**Long runs** (heap and live GPU buffer bytes sampled 20 times; slope by least squares)', '');
    const rows = r.longRuns.map((l) => [
      l.model,
      l.backend,
      String(l.inferences),
      l.medianMs.toFixed(2),
      `${mib(l.heap.startBytes)} → ${mib(l.heap.endBytes)}`,
      `${kib(l.heap.slopeBytesPer1000)}`,
      l.gpu ? `${mib(l.gpu.startBytes)} → ${mib(l.gpu.endBytes)}` : '—',
      l.gpu ? `${kib(l.gpu.slopeBytesPer1000)}` : '—',
    ]);
    out.push(
      table([['model', 'backend', 'inferences', 'median ms', 'JS heap', 'heap slope / 1000', 'GPU buffers', 'GPU slope / 1000'], ...rows]),
      '',
    );
  }
  if (r.createDispose) {
    const c = r.createDispose;
    out.push(
      `**Create / dispose** ${c.iterations}× (${c.model}, one device): ${c.leakedBuffers} GPUBuffers left (${c.leakedBytes} bytes); pipelines in the device cache ${c.pipelinesAfterFirst} after the first, ${c.pipelinesAtEnd} at the end; heap slope ${kib(c.heap.slopeBytesPer1000)} / 1000`,
      '',
    );
  }
  if (r.faults.length) {
    out.push('**Faults**', '');
    out.push(
      table([
        ['scenario', 'expected', 'observed', ''],
        ...r.faults.map((f) => [f.scenario, f.expected, f.observed, f.pass ? 'ok' : 'FAIL']),
      ]),
    );
  }
  return out.join('\n');
}

/** Whether the report shows no defect, hang, leak or failed scenario. */
export function soakPassed(r: SoakReport): boolean {
  const leak = r.createDispose ? r.createDispose.leakedBuffers > 0 : false;
  return (
    r.fuzz.every((f) => f.defects.length === 0 && f.hangs.length === 0 && !(f.memory.maxBytes > f.memory.bound)) &&
    !leak &&
    r.faults.every((f) => f.pass)
  );
}

// The CLI: a thin layer over the library and the harness. Every command takes --json, and then
// prints exactly one JSON object on stdout (errors too).
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend, Precision, QuantizedExecution } from '../harness/backends.js';
import type { Target } from '../harness/fuzz/run_case.js';
import { configureNodeWebGpu } from '../harness/node_gpu.js';
import { perNodeCompare, renderPerNode } from '../harness/per_node.js';
import type { SoakBackend } from '../harness/soak/fuzz.js';
import { worstError } from '../harness/verify.js';
import { KernelError, ModelError, QuantizeError, TensorError, UnsupportedOpError } from '../src/index.js';
import { bench, benchBrowser, benchTargets, renderBench, writeBenchFiles } from './bench.js';
import { evalMnistCli, renderEvalMnist } from './eval_mnist.js';
import { FileError, readBytes } from './files.js';
import { fuzzOps, fuzzPassed, renderFuzz, renderFuzzMarkdown, TARGETS } from './fuzz.js';
import { inspectFile, placementOf, renderPlacement, renderSummary, renderTensors } from './inspect.js';
import { quantizeFile, renderQuantize } from './quantize.js';
import { renderRun, runModel } from './run.js';
import { renderSoak, soak, soakPassed, writeSoakFiles } from './soak.js';
import {
  culpritFile,
  renderCulprit,
  renderGenerated,
  renderReports,
  verifyAll,
  verifyBrowser,
  verifyFile,
  verifyGenerated,
} from './verify.js';

const OPTIONS = {
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  regenerate: { type: 'boolean' },
  placement: { type: 'boolean' },
  browser: { type: 'boolean' },
  tensors: { type: 'boolean' },
  'per-node': { type: 'boolean' },
  generated: { type: 'boolean' },
  train: { type: 'boolean' },
  culprit: { type: 'boolean' },
  backend: { type: 'string' },
  precision: { type: 'string' },
  quantized: { type: 'string' },
  seed: { type: 'string' },
  inputs: { type: 'string' },
  outdir: { type: 'string' },
  runs: { type: 'string' },
  cases: { type: 'string' },
  op: { type: 'string' },
  targets: { type: 'string' },
  keep: { type: 'string' },
  markdown: { type: 'boolean' },
  warmup: { type: 'string' },
  'ours-only': { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  mode: { type: 'string' },
  calibration: { type: 'string' },
  samples: { type: 'string' },
  'input-type': { type: 'string' },
  'output-type': { type: 'string' },
  'per-tensor': { type: 'boolean' },
  'allow-float-fallback': { type: 'boolean' },
  profile: { type: 'boolean' },
  mutations: { type: 'string' },
  inferences: { type: 'string' },
  loops: { type: 'string' },
  models: { type: 'string' },
} as const;

const USAGE = `usage: tflite-webgpu <command> [options]

commands:
  inspect <model.tflite> [--tensors] [--placement] [--precision fp32|fp16] [--json]
      inputs/outputs, op and dtype histograms, quantization mode; --tensors: every tensor with
      its quantization (scale, zero point, per-axis dimension); --placement: which nodes the
      WebGPU delegate takes and why the others stay on the CPU (nothing is run)
  run <model.tflite> [--backend cpu|webgpu] [--precision fp32|fp16] [--inputs a.bin,b.bin]
      [--seed N] [--outdir DIR] [--runs N] [--json]
      run the model; inputs are raw little-endian tensor bytes in subgraph-0 input order
      (default: pseudo-random from --seed)
  verify <model.tflite | --all> [--backend cpu|webgpu] [--precision fp32|fp16] [--seed N]
      [--quantized integer|float] [--inputs a.bin,b.bin] [--regenerate] [--browser] [--per-node]
      [--culprit] [--json]
      compare with the real TFLite runtime (LiteRT.js / tfjs-tflite) on the seed's inputs or on
      your own (--inputs, one model, as for run); quantized models on webgpu are also compared
      with the CPU interpreter (--quantized float: run them as float kernels on dequantized
      values, as TFLite's GPU delegate does, and see what it costs in LSB); --browser: in headless
      Chromium, with the runtimes in the same page; --per-node: compare every node the WebGPU
      delegate runs with the CPU interpreter and name the first that diverges; --culprit: expose
      every intermediate as an output (a rewritten copy), run it on the real runtime, and name
      the first node whose output parts from TFLite's (with its inputs' errors)
  verify --all --generated [--samples N] [--json]
      the generated integer corpus: every float32 / fp16 model of the corpus quantized in the
      four modes (float16, dynamic-range, int8, 16x8; seeded synthetic calibration, N samples,
      default 8) and each output verified on the CPU against the real runtime; a model/mode the
      quantizer refuses is listed with its reason (issue 15 calls this --quantized, but
      --quantized integer|float already says how the WebGPU delegate runs quantized nodes)
  bench [<model.tflite> | --all] [--backend cpu|webgpu|all] [--precision fp32|fp16] [--runs N]
      [--warmup N] [--ours-only] [--profile] [--browser] [--out PREFIX] [--markdown] [--json]
      ours and LiteRT.js side by side in one process, alternating inferences: load, first
      inference, median (p10–p90) and ours/theirs ratios; cpu rows against LiteRT.js wasm
      (XNNPACK, 1 thread), webgpu rows against its WebGPU delegate on the same adapter;
      --profile: where our time goes (GPU ms per dispatch with timestamp-query, CPU ms per node
      and partition edge, GPU memory planned, JS heap); --browser: both in one headless Chromium
      page; --out PREFIX writes PREFIX.md and PREFIX.json
  fuzz [--cases N] [--op NAME[,NAME]] [--seed S] [--targets cpu,webgpu-fp32,webgpu-fp16] [--keep DIR]
      [--markdown] [--json]
      differential op tests: N seeded random cases per (op, dtypes) line, each run by TFLite
      (tfjs-tflite, LiteRT.js) and by us on every target; failures are shrunk (--keep writes them
      as regression cases); --markdown prints the README's per-op table
  quantize <float.tflite> --mode float16|dynamic-range|int8|16x8 -o <out.tflite>
      [--calibration DIR | --samples N] [--seed S] [--input-type float32|int8|uint8|int16]
      [--output-type ...] [--per-tensor] [--allow-float-fallback] [--json]
      post-training quantization as TFLite's converter does it; int8 / 16x8 calibrate on DIR's
      .bin files (one sample each: every input's raw little-endian bytes, in input order), or on
      N seeded synthetic samples (default 100) drawn like verify's inputs; --allow-float-fallback
      keeps ops the mode cannot quantize in float (listed) instead of failing
  soak [--mutations N] [--inferences N] [--loops N] [--seed S] [--backend cpu|webgpu|all]
      [--models a,b,c] [--browser] [--out PREFIX] [--json]
      reliability, measured: N structure-aware mutations of real models through read,
      allocateTensors and invoke (outcome counts; defects = anything but a result or a typed
      error), long runs with JS heap and GPU buffer bytes sampled (slopes), interpreters created
      and disposed in a loop (leaked GPUBuffers), and fault scenarios (device loss mid-invoke,
      out of memory, shader failure, overlapping invokes, use after dispose, bad inputs);
      --browser: all of it in one headless Chromium page
  eval-mnist [--calibration N] [--samples N] [--backend cpu|webgpu|all] [--train] [--json]
      the quantization guides' table: mnist_conv_fc_f32 and mnist_keras_f32_uint8in quantized in
      every mode with the first N MNIST test images (100..1000, default 100) as calibration, float
      and every variant evaluated on the next --samples images (default: all the rest; calibration
      images never evaluated) of ../shared/data/mnist: accuracy, size, median latency per backend;
      --train adds the guides' model (Conv2D 12 3x3 relu, MaxPool, Dense 10) trained here with
      @tensorflow/tfjs on test images 0..7999 (1 epoch, over a minute) and scored on 8000..9999
  help
      this text`;

type Flags = Record<string, string | boolean | undefined>;
type Command = (positionals: string[], flags: Flags) => Promise<number>;

class UsageError extends Error {}

function integerFlag(flags: Flags, name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

function backendFlag(flags: Flags): Backend {
  const b = flags.backend ?? 'cpu';
  if (b !== 'cpu' && b !== 'webgpu') throw new UsageError(`--backend must be cpu or webgpu, got '${b}'`);
  return b;
}

function precisionFlag(flags: Flags): Precision {
  const p = flags.precision ?? 'fp32';
  if (p !== 'fp32' && p !== 'fp16') throw new UsageError(`--precision must be fp32 or fp16, got '${p}'`);
  return p;
}

function quantizedFlag(flags: Flags): QuantizedExecution {
  const q = flags.quantized ?? 'integer';
  if (q !== 'integer' && q !== 'float') throw new UsageError(`--quantized must be integer or float, got '${q}'`);
  return q;
}

function needPath(positionals: string[], command: string): string {
  const path = positionals[0];
  if (!path) throw new UsageError(`${command} needs a model path`);
  return path;
}

const commands: Record<string, Command> = {
  async inspect(positionals, flags) {
    const path = needPath(positionals, 'inspect');
    if (flags.placement) {
      const placement = await placementOf(path, precisionFlag(flags));
      console.log(flags.json ? JSON.stringify(placement) : renderPlacement(placement));
      return 0;
    }
    const summary = inspectFile(path, Boolean(flags.tensors));
    if (flags.json) console.log(JSON.stringify(summary));
    else console.log(renderSummary(path, summary) + (summary.tensors ? `\n\n${renderTensors(summary.tensors)}` : ''));
    return 0;
  },
  async run(positionals, flags) {
    const result = await runModel(needPath(positionals, 'run'), {
      backend: backendFlag(flags),
      precision: precisionFlag(flags),
      seed: integerFlag(flags, 'seed', 1),
      runs: integerFlag(flags, 'runs', 1),
      inputs: flags.inputs as string | undefined,
      outdir: flags.outdir as string | undefined,
    });
    console.log(flags.json ? JSON.stringify(result) : renderRun(result));
    return 0;
  },
  async verify(positionals, flags) {
    if (flags.inputs && (flags.all || flags.browser || flags['per-node'])) {
      throw new UsageError('verify --inputs takes one model, in Node (not with --all, --browser or --per-node)');
    }
    if (flags.culprit) {
      if (flags.all || flags.browser || flags['per-node'])
        throw new UsageError('verify --culprit takes one model, in Node (not with --all, --browser or --per-node)');
      const report = await culpritFile(needPath(positionals, 'verify --culprit'), {
        backend: backendFlag(flags),
        precision: precisionFlag(flags),
        seed: integerFlag(flags, 'seed', 1),
        regenerate: false,
        inputs: flags.inputs as string | undefined,
      });
      console.log(flags.json ? JSON.stringify(report) : renderCulprit(report));
      return report.culprit ? 1 : 0;
    }
    if (flags.generated) {
      if (!flags.all || flags.browser || flags.inputs || flags['per-node'])
        throw new UsageError('verify --generated goes with --all, in Node (not with --browser, --inputs or --per-node)');
      const results = await verifyGenerated(integerFlag(flags, 'samples', 8));
      console.log(
        flags.json
          ? JSON.stringify({ results: results.map(({ report, ...r }) => ({ ...r, worst: report ? worstError(report) : undefined })) })
          : renderGenerated(results),
      );
      return results.some((r) => r.status === 'fail' || r.status === 'error') ? 1 : 0;
    }
    if (flags['per-node']) {
      const path = needPath(positionals, 'verify --per-node');
      const report = await perNodeCompare(readBytes(path), { precision: precisionFlag(flags), seed: integerFlag(flags, 'seed', 1) });
      console.log(flags.json ? JSON.stringify(report) : renderPerNode(report, basename(path, '.tflite')));
      return report.firstDivergent ? 1 : 0;
    }
    const options = {
      backend: backendFlag(flags),
      precision: precisionFlag(flags),
      seed: integerFlag(flags, 'seed', 1),
      regenerate: Boolean(flags.regenerate),
      inputs: flags.inputs as string | undefined,
      quantizedExecution: quantizedFlag(flags),
    };
    const path = flags.all ? undefined : needPath(positionals, 'verify');
    const reports = flags.browser
      ? await verifyBrowser(path, options)
      : path
        ? [await verifyFile(path, options)]
        : await verifyAll(options);
    if (flags.json) console.log(JSON.stringify(flags.all ? { reports } : reports[0]));
    else console.log(renderReports(reports));
    // --all passes when nothing fails; models with ops not yet supported are listed, not failed.
    const bad = reports.filter((r) => r.status === 'fail' || r.status === 'error' || (!flags.all && r.status === 'unsupported'));
    return bad.length ? 1 : 0;
  },
  async bench(positionals, flags) {
    const precision = precisionFlag(flags);
    const backends: Backend[] = flags.backend === 'all' ? ['cpu', 'webgpu'] : [backendFlag(flags)];
    const runner = flags.browser ? benchBrowser : bench;
    const run = await runner(
      benchTargets(positionals[0], Boolean(flags.all)),
      backends.map((backend) => ({ backend, precision })),
      {
        runs: integerFlag(flags, 'runs', 20),
        warmup: integerFlag(flags, 'warmup', 3),
        oursOnly: Boolean(flags['ours-only']),
        profile: Boolean(flags.profile),
      },
    );
    if (typeof flags.out === 'string') for (const f of writeBenchFiles(run, flags.out)) console.error(`wrote ${f}`);
    console.log(flags.json ? JSON.stringify(run) : renderBench(run, { markdown: Boolean(flags.markdown) }));
    // Our side failing is an error; LiteRT.js refusing a model (e.g. JSPI needed) is a finding, in its cell.
    return run.results.some((r) => r.ours.error) ? 1 : 0;
  },
  async soak(_positionals, flags) {
    const backends: SoakBackend[] = flags.backend === 'all' || flags.backend === undefined ? ['cpu', 'webgpu'] : [backendFlag(flags)];
    const report = await soak({
      mutations: integerFlag(flags, 'mutations', 1000),
      inferences: integerFlag(flags, 'inferences', 1000),
      loops: integerFlag(flags, 'loops', 200),
      seed: integerFlag(flags, 'seed', 1),
      backends,
      ...(typeof flags.models === 'string' ? { longRunModels: flags.models.split(',') } : {}),
      browser: Boolean(flags.browser),
    });
    if (typeof flags.out === 'string') writeSoakFiles(flags.out, report);
    console.log(flags.json ? JSON.stringify({ pass: soakPassed(report), ...report }) : renderSoak(report));
    return soakPassed(report) ? 0 : 1;
  },
  async fuzz(_positionals, flags) {
    const targets = String(flags.targets ?? TARGETS.join(',')).split(',') as Target[];
    const bad = targets.find((t) => !TARGETS.includes(t));
    if (bad) throw new UsageError(`--targets takes ${TARGETS.join(', ')}; got '${bad}'`);
    const { rows, kept } = await fuzzOps({
      cases: integerFlag(flags, 'cases', 20),
      seed: integerFlag(flags, 'seed', 1),
      targets,
      ...(flags.op ? { op: String(flags.op) } : {}),
      ...(flags.keep ? { keep: String(flags.keep) } : {}),
    });
    if (flags.json) console.log(JSON.stringify({ pass: fuzzPassed(rows), rows, kept }));
    else console.log(flags.markdown ? renderFuzzMarkdown(rows, targets) : renderFuzz(rows, targets));
    return fuzzPassed(rows) ? 0 : 1;
  },
  async quantize(positionals, flags) {
    const path = needPath(positionals, 'quantize');
    const mode = flags.mode;
    if (mode !== 'float16' && mode !== 'dynamic-range' && mode !== 'int8' && mode !== '16x8')
      throw new UsageError(`quantize needs --mode float16, dynamic-range, int8 or 16x8${mode ? `; got '${mode}'` : ''}`);
    if (typeof flags.out !== 'string') throw new UsageError('quantize needs -o <out.tflite>');
    const ioType = (name: string) => {
      const v = flags[name];
      if (v === undefined) return undefined;
      if (v !== 'float32' && v !== 'int8' && v !== 'uint8' && v !== 'int16')
        throw new UsageError(`--${name} must be float32, int8, uint8 or int16, got '${v}'`);
      return v;
    };
    const inputType = ioType('input-type');
    const outputType = ioType('output-type');
    const result = await quantizeFile(path, {
      mode,
      out: flags.out,
      ...(typeof flags.calibration === 'string' ? { calibration: flags.calibration } : {}),
      samples: integerFlag(flags, 'samples', 100),
      seed: integerFlag(flags, 'seed', 1000),
      ...(inputType ? { inputType } : {}),
      ...(outputType ? { outputType } : {}),
      perChannel: !flags['per-tensor'],
      allowFloatFallback: Boolean(flags['allow-float-fallback']),
    });
    console.log(flags.json ? JSON.stringify(result) : renderQuantize(result));
    return 0;
  },
  async 'eval-mnist'(_positionals, flags) {
    const calibration = integerFlag(flags, 'calibration', 100);
    if (calibration < 100 || calibration > 1000) throw new UsageError(`--calibration takes 100..1000 images, got ${calibration}`);
    const backend = flags.backend ?? 'cpu';
    if (backend !== 'cpu' && backend !== 'webgpu' && backend !== 'all')
      throw new UsageError(`--backend must be cpu, webgpu or all, got '${backend}'`);
    const result = await evalMnistCli(
      {
        calibration,
        samples: integerFlag(flags, 'samples', 10_000),
        backends: backend === 'all' ? ['cpu', 'webgpu'] : [backend],
      },
      Boolean(flags.train),
    );
    console.log(flags.json ? JSON.stringify(result) : renderEvalMnist(result));
    return result.rows.some((r) => r.error) ? 1 : 0;
  },
  async help() {
    console.log(USAGE);
    return 0;
  },
};

/** Errors that carry a complete message for the user (no stack needed). */
const EXPECTED = [ModelError, FileError, TensorError, UnsupportedOpError, KernelError, QuantizeError];
const EXPECTED_NAMES = new Set(['GpuUnavailableError', 'DeviceLostError', 'DelegateError', 'OracleError', 'BrowserUnavailableError']);

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    console.error(`tflite-webgpu: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [name = 'help', ...rest] = parsed.positionals;
  const command = commands[name];
  if (!command) {
    console.error(`tflite-webgpu: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  configureNodeWebGpu();
  try {
    return await command(rest, parsed.values);
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      if (parsed.values.json) console.log(JSON.stringify({ error: { type: 'UsageError', message: err.message } }));
      else console.error(`tflite-webgpu: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (parsed.values.json) console.log(JSON.stringify({ error: { type: err.name, message: err.message } }));
    else console.error(`tflite-webgpu: ${err.name}: ${err.message}`);
    const expected = EXPECTED.some((k) => err instanceof k) || EXPECTED_NAMES.has(err.name);
    if (!expected && !parsed.values.json) console.error(err.stack);
    return 1;
  }
}

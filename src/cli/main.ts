// The CLI: a thin layer over the library. Every command takes --json for machines.
import { parseArgs } from 'node:util';
import { TensorError, UnsupportedOpError } from '../interpreter/errors.js';
import { ModelError } from '../model/errors.js';
import { FileError } from './files.js';
import { inspectFile, renderSummary } from './inspect.js';
import { renderRun, runModel } from './run.js';
import { renderReports, type VerifyFlags, verifyAll, verifyFile } from './verify.js';

const OPTIONS = {
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  regenerate: { type: 'boolean' },
  backend: { type: 'string' },
  precision: { type: 'string' },
  seed: { type: 'string' },
  inputs: { type: 'string' },
  outdir: { type: 'string' },
  runs: { type: 'string' },
} as const;

function integerFlag(flags: Flags, name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

function verifyFlags(flags: Flags): VerifyFlags {
  const backend = (flags.backend ?? 'cpu') as string;
  if (backend !== 'cpu') throw new UsageError(`--backend must be cpu (webgpu is not available yet), got '${backend}'`);
  const precision = (flags.precision ?? 'fp32') as string;
  if (precision !== 'fp32' && precision !== 'fp16') throw new UsageError(`--precision must be fp32 or fp16, got '${precision}'`);
  return { backend, precision, seed: integerFlag(flags, 'seed', 1), regenerate: Boolean(flags.regenerate) };
}

const USAGE = `usage: tflite-webgpu <command> [options]

commands:
  inspect <model.tflite> [--json]       inputs/outputs, op and dtype histograms, quantization mode
  run <model.tflite> [--backend cpu] [--inputs a.bin,b.bin] [--seed N] [--outdir DIR] [--runs N] [--json]
                                        run the model; inputs are raw little-endian tensor bytes in
                                        subgraph-0 input order (default: pseudo-random from --seed)
  verify <model.tflite | --all> [--backend cpu] [--seed N] [--regenerate] [--json]
                                        compare with the real TFLite runtime (LiteRT.js / tfjs-tflite)
  help                                  this text`;

type Flags = Record<string, string | boolean | undefined>;
type Command = (positionals: string[], flags: Flags) => Promise<number>;

const commands: Record<string, Command> = {
  async inspect(positionals, flags) {
    const path = positionals[0];
    if (!path) throw new UsageError('inspect needs a model path');
    const summary = inspectFile(path);
    console.log(flags.json ? JSON.stringify(summary) : renderSummary(path, summary));
    return 0;
  },
  async run(positionals, flags) {
    const path = positionals[0];
    if (!path) throw new UsageError('run needs a model path');
    verifyFlags(flags);
    const result = await runModel(path, {
      seed: integerFlag(flags, 'seed', 1),
      runs: integerFlag(flags, 'runs', 1),
      inputs: flags.inputs as string | undefined,
      outdir: flags.outdir as string | undefined,
    });
    console.log(flags.json ? JSON.stringify(result) : renderRun(result));
    return 0;
  },
  async verify(positionals, flags) {
    const vf = verifyFlags(flags);
    if (!flags.all && !positionals[0]) throw new UsageError('verify needs a model path or --all');
    const reports = flags.all ? await verifyAll(vf) : [await verifyFile(positionals[0] as string, vf)];
    if (flags.json) console.log(JSON.stringify(flags.all ? { reports } : reports[0]));
    else console.log(renderReports(reports));
    // --all passes when nothing fails; models with ops not yet supported are listed, not failed.
    const bad = reports.filter((r) => r.status === 'fail' || r.status === 'error' || (!flags.all && r.status === 'unsupported'));
    return bad.length ? 1 : 0;
  },
  async help() {
    console.log(USAGE);
    return 0;
  },
};

class UsageError extends Error {}

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
  try {
    return await command(rest, parsed.values);
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      console.error(`tflite-webgpu: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const known = err instanceof ModelError || err instanceof FileError || err instanceof TensorError || err instanceof UnsupportedOpError;
    if (parsed.values.json) console.log(JSON.stringify({ error: { type: err.name, message: err.message } }));
    else console.error(`tflite-webgpu: ${err.name}: ${err.message}`);
    if (!known && !parsed.values.json) console.error(err.stack);
    return 1;
  }
}

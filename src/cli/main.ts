// The CLI: a thin layer over the library. Every command takes --json for machines.
import { parseArgs } from 'node:util';
import { ModelError } from '../model/errors.js';
import { FileError } from './files.js';
import { inspectFile, renderSummary } from './inspect.js';

const USAGE = `usage: tflite-webgpu <command> [options]

commands:
  inspect <model.tflite> [--json]   inputs/outputs, op and dtype histograms, quantization mode
  help                              this text`;

type Flags = ReturnType<typeof parseArgs>['values'];
type Command = (positionals: string[], flags: Flags) => Promise<number>;

const commands: Record<string, Command> = {
  async inspect(positionals, flags) {
    const path = positionals[0];
    if (!path) throw new UsageError('inspect needs a model path');
    const summary = inspectFile(path);
    console.log(flags.json ? JSON.stringify(summary) : renderSummary(path, summary));
    return 0;
  },
  async help() {
    console.log(USAGE);
    return 0;
  },
};

class UsageError extends Error {}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
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
    const known = err instanceof ModelError || err instanceof FileError;
    if (parsed.values.json) console.log(JSON.stringify({ error: { type: err.name, message: err.message } }));
    else console.error(`tflite-webgpu: ${err.name}: ${err.message}`);
    if (!known && !parsed.values.json) console.error(err.stack);
    return 1;
  }
}

// `tflite-webgpu soak [--mutations N] [--inferences N] [--loops N] [--seed S] [--backend cpu|webgpu|all]
//  [--models a,b,c] [--browser] [--out PREFIX] [--json]`: reliability measured (harness/soak/soak.ts),
//  in Node or in one headless Chromium page.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { soakInBrowser } from '../harness/browser/soak_browser.js';
import { corpusModels } from '../harness/corpus.js';
import type { SoakBackend, SoakModel } from '../harness/soak/fuzz.js';
import { renderSoak, runSoak, SOAK_FUZZ_MODELS, SOAK_LONG_RUN_MODELS, type SoakReport, soakPassed } from '../harness/soak/soak.js';
import { progress } from './format.js';

function load(names: readonly string[]): SoakModel[] {
  const all = corpusModels();
  return names.flatMap((n) => {
    const m = all.find((x) => x.name === n);
    return m ? [{ name: n, bytes: new Uint8Array(readFileSync(m.path)) }] : [];
  });
}

/** A full GC before each memory sample, so slopes show what is kept, not what is not yet collected. */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

export interface SoakFlags {
  mutations: number;
  inferences: number;
  loops: number;
  seed: number;
  backends: SoakBackend[];
  longRunModels?: string[];
  /** In one headless Chromium page instead of Node. */
  browser?: boolean;
}

export async function soak(flags: SoakFlags): Promise<SoakReport> {
  const fuzzModels = load(SOAK_FUZZ_MODELS);
  const faultModel = fuzzModels[0] as SoakModel;
  const longRunModels = load(flags.longRunModels ?? SOAK_LONG_RUN_MODELS);
  if (flags.browser) {
    const common = {
      mutations: flags.mutations,
      seed: flags.seed,
      inferences: flags.inferences,
      loops: flags.loops,
      backends: flags.backends,
    };
    return soakInBrowser({ ...common, fuzzModels, longRunModels, faultModel, log: (line) => console.error(line) });
  }
  const bar = progress(100, 'soak');
  let lastStage = '';
  let ticks = 0;
  try {
    return await runSoak({
      fuzzModels,
      longRunModels,
      faultModel,
      backends: flags.backends,
      mutations: flags.mutations,
      seed: flags.seed,
      inferences: flags.inferences,
      loops: flags.loops,
      gc: exposeGc(),
      environment: `Node ${process.version}, ${cpus().length} cores`,
      onStage: (stage, done, total) => {
        // One tick per stage change or per 10% of a stage keeps the bar moving without flooding stderr.
        if (stage !== lastStage || (total > 0 && done % Math.max(1, Math.floor(total / 10)) === 0)) {
          lastStage = stage;
          if (ticks++ < 99) bar.tick(`${stage} ${done}/${total}`);
        }
      },
    });
  } finally {
    bar.done();
  }
}

export function writeSoakFiles(prefix: string, report: SoakReport): void {
  mkdirSync(dirname(prefix), { recursive: true });
  writeFileSync(`${prefix}.md`, `${renderSoak(report)}\n`);
  writeFileSync(`${prefix}.json`, `${JSON.stringify(report, null, 2)}\n`);
}

export { renderSoak, soakPassed };

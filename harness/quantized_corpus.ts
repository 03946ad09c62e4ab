// The generated integer corpus (issue 15): every float32 / fp16-weights model of the corpus,
// quantized in each of the four modes with a seeded synthetic representative set (drawn like
// verify's inputs), and each output verified on our CPU interpreter against the real runtime.
// A model/mode the quantizer refuses is listed with its QuantizeError text, not dropped.
import { readFileSync } from 'node:fs';
import { detectMode, QuantizeError, type QuantizeMode, quantize, readModel, type TypedArray } from '../src/index.js';
import { type CorpusModel, corpusModels } from './corpus.js';
import { makeModelInputs } from './oracle/inputs.js';
import { type OracleFn, type VerifyReport, verifyModel } from './verify.js';

export const GENERATED_MODES: readonly QuantizeMode[] = ['float16', 'dynamic-range', 'int8', '16x8'];

export interface GeneratedResult {
  model: string;
  mode: QuantizeMode;
  /** 'refused': the quantizer could not produce this model/mode (reason: its QuantizeError text). */
  status: 'refused' | VerifyReport['status'];
  reason?: string;
  bytesBefore?: number;
  bytesAfter?: number;
  /** Nodes allowFloatFallback left float (op names). */
  floatFallback?: string[];
  report?: VerifyReport;
}

export interface GeneratedOptions {
  oracle: OracleFn;
  modes?: readonly QuantizeMode[];
  /** Calibration samples (int8 / 16x8); small, so the corpus is quick. */
  samples?: number;
  /** Seed of the first calibration sample; verify runs on seed 1, calibration on seed+i. */
  seed?: number;
  onModel?: (label: string) => void;
}

/** The models to quantize: the corpus's float32 and fp16-weights ones. */
export function floatCorpusModels(models: CorpusModel[] = corpusModels()): CorpusModel[] {
  return models.filter((m) => {
    const mode = detectMode(readModel(new Uint8Array(readFileSync(m.path))));
    return mode === 'float32' || mode === 'fp16-weights';
  });
}

export async function quantizeAndVerify(
  name: string,
  floatBytes: Uint8Array,
  mode: QuantizeMode,
  options: GeneratedOptions,
): Promise<GeneratedResult> {
  const samples = options.samples ?? 8;
  const seed = options.seed ?? 100;
  const integer = mode === 'int8' || mode === '16x8';
  let quantized: Awaited<ReturnType<typeof quantize>>;
  try {
    quantized = await quantize(floatBytes, {
      mode,
      allowFloatFallback: true,
      ...(integer
        ? { representativeDataset: Array.from({ length: samples }, (_, i) => makeModelInputs(floatBytes, seed + i) as TypedArray[]) }
        : {}),
    });
  } catch (e) {
    if (!(e instanceof QuantizeError)) throw e;
    return { model: name, mode, status: 'refused', reason: e.message };
  }
  const { bytes, report: q } = quantized;
  const report = await verifyModel(`${name} [${mode}]`, bytes, { oracle: options.oracle, backend: 'cpu', seed: 1 });
  return {
    model: name,
    mode,
    status: report.status,
    bytesBefore: q.bytesBefore,
    bytesAfter: q.bytesAfter,
    floatFallback: q.floatFallback.map((n) => n.op),
    report,
  };
}

export async function verifyGeneratedCorpus(models: CorpusModel[], options: GeneratedOptions): Promise<GeneratedResult[]> {
  const results: GeneratedResult[] = [];
  for (const m of models) {
    const floatBytes = new Uint8Array(readFileSync(m.path));
    for (const mode of options.modes ?? GENERATED_MODES) {
      results.push(await quantizeAndVerify(m.key, floatBytes, mode, options));
      options.onModel?.(`${m.name} ${mode}`);
    }
  }
  return results;
}

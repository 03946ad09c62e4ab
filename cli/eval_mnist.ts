// `eval-mnist`: the quantization guides' accuracy / size / latency table (harness/eval_mnist.ts).
import { type EvalOptions, type EvalRow, evalMnist, MNIST_MODELS, mnistMissing } from '../harness/eval_mnist.js';
import { formatBytes, progress, table } from './format.js';

export interface EvalMnistResult {
  skipped?: string;
  calibration: number;
  samples: number;
  rows: EvalRow[];
}

export async function evalMnistCli(options: Omit<EvalOptions, 'onStep'>): Promise<EvalMnistResult> {
  const missing = mnistMissing();
  if (missing) return { skipped: missing, calibration: options.calibration, samples: 0, rows: [] };
  // 5 variants per model, one row per backend.
  const bar = progress(MNIST_MODELS.length * 5 * options.backends.length, 'eval-mnist');
  const rows = await evalMnist({ ...options, onStep: (label) => bar.tick(label) });
  bar.done();
  return { calibration: options.calibration, samples: Math.min(options.samples, 10_000 - options.calibration), rows };
}

export function renderEvalMnist(r: EvalMnistResult): string {
  if (r.skipped) return `eval-mnist skipped: ${r.skipped}`;
  const floatOf = (row: EvalRow) => r.rows.find((f) => f.model === row.model && f.mode === 'float32' && f.backend === row.backend);
  const body = r.rows.map((row) => {
    const float = floatOf(row);
    return [
      row.model,
      row.mode,
      row.backend,
      row.bytes ? formatBytes(row.bytes) : '',
      row.bytes && float?.bytes ? `${((100 * row.bytes) / float.bytes).toFixed(1)}%` : '',
      row.accuracy !== undefined ? `${(100 * row.accuracy).toFixed(2)}%` : `error: ${row.error ?? ''}`.slice(0, 100),
      row.accuracy !== undefined && float?.accuracy !== undefined && row.mode !== 'float32'
        ? `${(100 * (row.accuracy - float.accuracy)).toFixed(2)}`
        : '',
      row.medianMs !== undefined ? row.medianMs.toFixed(2) : '',
      row.floatFallback?.join(' ') ?? '',
    ];
  });
  return [
    `calibration: MNIST test images 0..${r.calibration - 1}; evaluated on images ${r.calibration}..${r.calibration + r.samples - 1} (${r.samples}, none used for calibration)`,
    table([['model', 'mode', 'backend', 'size', 'of float', 'accuracy', 'Δ points', 'median ms', 'left float'], ...body]),
  ].join('\n');
}

// `eval-mnist`: the quantization guides' accuracy / size / latency table (harness/eval_mnist.ts).
import { type EvalOptions, type EvalRow, evalMnist, loadMnist, MNIST_MODELS, mnistMissing } from '../harness/eval_mnist.js';
import { TRAIN_IMAGES, trainMnist } from '../harness/train_mnist.js';
import { formatBytes, progress, table } from './format.js';

export interface EvalMnistResult {
  skipped?: string;
  calibration: number;
  samples: number;
  rows: EvalRow[];
  /** --train: the guides' model trained here with tfjs on test images 0..7999. */
  trained?: { tfjsAccuracy: number; trainSeconds: number };
}

export async function evalMnistCli(options: Omit<EvalOptions, 'onStep'>, train = false): Promise<EvalMnistResult> {
  const missing = mnistMissing();
  if (missing) return { skipped: missing, calibration: options.calibration, samples: 0, rows: [] };
  let trained: (EvalMnistResult['trained'] & { bytes: Uint8Array }) | undefined;
  if (train) {
    console.error(`training the guides' model with @tensorflow/tfjs on MNIST test images 0..${TRAIN_IMAGES - 1} (1 epoch)...`);
    trained = await trainMnist(loadMnist());
  }
  // 5 variants per model, one row per backend.
  const bar = progress((MNIST_MODELS.length + (trained ? 1 : 0)) * 5 * options.backends.length, 'eval-mnist');
  const rows = await evalMnist(
    { ...options, onStep: (label) => bar.tick(label) },
    trained ? [{ name: 'trained_tfjs', bytes: trained.bytes, evalFrom: TRAIN_IMAGES }] : [],
  );
  bar.done();
  const samples = Math.min(options.samples, 10_000 - options.calibration);
  const result: EvalMnistResult = { calibration: options.calibration, samples, rows };
  if (trained) result.trained = { tfjsAccuracy: trained.tfjsAccuracy, trainSeconds: trained.trainSeconds };
  return result;
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
    ...(r.trained
      ? [
          `trained_tfjs: the guides' model trained here with @tensorflow/tfjs (1 epoch, ${r.trained.trainSeconds.toFixed(0)} s) on test images 0..${TRAIN_IMAGES - 1}; tfjs scores it ${(100 * r.trained.tfjsAccuracy).toFixed(2)}% on images ${TRAIN_IMAGES}..9999. Its rows below are evaluated on images ${TRAIN_IMAGES}..${Math.min(9999, TRAIN_IMAGES + r.samples - 1)} only (never trained on), calibrated on the first ${r.calibration}`,
        ]
      : []),
    table([['model', 'mode', 'backend', 'size', 'of float', 'accuracy', 'Δ points', 'median ms', 'left float'], ...body]),
  ].join('\n');
}

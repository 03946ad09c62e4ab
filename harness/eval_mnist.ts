// The post-training quantization guides' tables, reproduced without Python: the corpus's float
// MNIST models quantized in every mode with the first N MNIST test images as calibration, each
// variant evaluated on the test images after them (calibration images never evaluated), on the
// CPU interpreter and on the WebGPU delegate: accuracy, model size and median latency.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Interpreter, type QuantizeMode, quantize, type TypedArray } from '../src/index.js';
import { type Backend, createDelegates } from './backends.js';
import { REPO_ROOT, SHARED_MODELS_DIR } from './corpus.js';

export const MNIST_DIR = process.env.TFLITE_WEBGPU_MNIST ?? join(REPO_ROOT, '../shared/data/mnist');
export const MNIST_MODELS = ['mnist_conv_fc_f32', 'mnist_keras_f32_uint8in'];
const MODES: readonly QuantizeMode[] = ['float16', 'dynamic-range', 'int8', '16x8'];

export interface Mnist {
  /** 28×28 uint8 pixels per image, back to back. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Why eval-mnist cannot run here, or null. */
export function mnistMissing(): string | null {
  if (!existsSync(join(MNIST_DIR, 't10k-images-idx3-ubyte.gz')))
    return `MNIST test set not found in ${MNIST_DIR} (t10k-*-ubyte.gz; the shared corpus sits beside this checkout as ../shared)`;
  return null;
}

/** The idx files (big-endian header: magic, count[, rows, cols]). */
export function loadMnist(dir = MNIST_DIR): Mnist {
  const images = gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz')));
  const iv = new DataView(images.buffer, images.byteOffset, images.byteLength);
  const lv = new DataView(labels.buffer, labels.byteOffset, labels.byteLength);
  if (iv.getUint32(0) !== 0x803 || lv.getUint32(0) !== 0x801) throw new Error(`${dir}: not MNIST idx files (bad magic)`);
  const count = iv.getUint32(4);
  if (lv.getUint32(4) !== count || iv.getUint32(8) !== 28 || iv.getUint32(12) !== 28)
    throw new Error(`${dir}: image/label counts or sizes disagree`);
  return { images: images.subarray(16), labels: labels.subarray(8), count };
}

/** Image i as the model's input: uint8 pixels for a uint8 input, else float in [0, 1]. */
function inputFor(mnist: Mnist, i: number, dtype: string): TypedArray {
  const px = mnist.images.subarray(i * 784, (i + 1) * 784);
  return dtype === 'uint8' ? new Uint8Array(px) : Float32Array.from(px, (v) => v / 255);
}

export interface EvalRow {
  model: string;
  mode: 'float32' | QuantizeMode;
  backend: Backend;
  bytes: number;
  accuracy?: number;
  medianMs?: number;
  error?: string;
  /** Ops left float (allowFloatFallback: e.g. the uint8 input's CAST, which TFLite keeps float too). */
  floatFallback?: string[];
}

export interface EvalOptions {
  calibration: number;
  /** Images to evaluate, from index `calibration` on. */
  samples: number;
  backends: Backend[];
  onStep?: (label: string) => void;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s[Math.floor(s.length / 2)] as number) : 0;
}

async function evaluate(
  bytes: Uint8Array,
  mnist: Mnist,
  backend: Backend,
  from: number,
  count: number,
): Promise<{ accuracy: number; medianMs: number }> {
  const interpreter = await Interpreter.create(bytes, { delegates: await createDelegates(backend, 'fp32') });
  await interpreter.allocateTensors();
  const input = interpreter.getInputDetails()[0];
  const output = interpreter.getOutputDetails()[0];
  if (!input || !output) throw new Error('model has no input or output');
  let correct = 0;
  const times: number[] = [];
  for (let i = from; i < from + count; i++) {
    interpreter.setTensor(input.index, inputFor(mnist, i, input.dtype));
    const t0 = performance.now();
    await interpreter.invoke();
    times.push(performance.now() - t0);
    const scores = interpreter.getTensor(output.index) as ArrayLike<number>;
    let best = 0;
    for (let k = 1; k < scores.length; k++) if ((scores[k] as number) > (scores[best] as number)) best = k;
    if (best === mnist.labels[i]) correct++;
  }
  interpreter.dispose();
  return { accuracy: correct / count, medianMs: median(times) };
}

/** Float and every quantized variant of each model, on each backend. Extra models (e.g. one trained here) come as bytes. */
export async function evalMnist(
  options: EvalOptions,
  extra: { name: string; bytes: Uint8Array; evalFrom?: number }[] = [],
): Promise<EvalRow[]> {
  const mnist = loadMnist();
  const { calibration, backends } = options;
  if (calibration < 1 || calibration >= mnist.count) throw new Error(`--calibration must be 1..${mnist.count - 1}, got ${calibration}`);
  const samples = Math.min(options.samples, mnist.count - calibration);
  const models = [
    ...MNIST_MODELS.map((name) => ({
      name,
      bytes: new Uint8Array(readFileSync(join(SHARED_MODELS_DIR, `${name}.tflite`))),
      evalFrom: undefined as number | undefined,
    })),
    ...extra,
  ];
  const rows: EvalRow[] = [];
  for (const m of models) {
    const inputDtype = (await Interpreter.create(m.bytes)).getInputDetails()[0]?.dtype ?? 'float32';
    const calibrationSet = Array.from({ length: calibration }, (_, i) => [inputFor(mnist, i, inputDtype)]);
    const variants: { mode: EvalRow['mode']; bytes?: Uint8Array; error?: string; floatFallback?: string[] }[] = [
      { mode: 'float32', bytes: m.bytes },
    ];
    for (const mode of MODES) {
      try {
        const integer = mode === 'int8' || mode === '16x8';
        const { bytes, report } = await quantize(m.bytes, {
          mode,
          allowFloatFallback: true,
          ...(integer ? { representativeDataset: calibrationSet } : {}),
        });
        variants.push({ mode, bytes, floatFallback: report.floatFallback.map((n) => n.op) });
      } catch (e) {
        variants.push({ mode, error: (e as Error).message });
      }
    }
    for (const v of variants) {
      for (const backend of backends) {
        const row: EvalRow = { model: m.name, mode: v.mode, backend, bytes: v.bytes?.byteLength ?? 0 };
        if (v.floatFallback?.length) row.floatFallback = v.floatFallback;
        if (!v.bytes) row.error = v.error;
        else {
          try {
            // A model trained on the first images is scored only on the ones after them (evalFrom).
            const from = Math.max(calibration, m.evalFrom ?? 0);
            Object.assign(row, await evaluate(v.bytes, mnist, backend, from, Math.min(samples, mnist.count - from)));
          } catch (e) {
            row.error = (e as Error).message;
          }
        }
        rows.push(row);
        options.onStep?.(`${m.name} ${v.mode} ${backend}`);
      }
    }
  }
  return rows;
}

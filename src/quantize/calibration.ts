// Calibration (tools/optimize/calibration: calibration_logger.cc): the float model runs on every
// representative sample on our CPU interpreter, and every float32 tensor that is not a constant
// keeps a running absolute min / max over all samples (no moving average; NaNs skipped).
import { Interpreter } from '../interpreter/interpreter.js';
import type { TypedArray } from '../model/dtype.js';
import { QuantizeError } from './errors.js';

export interface TensorRange {
  min: number;
  max: number;
}

export type RepresentativeDataset = AsyncIterable<TypedArray[]> | Iterable<TypedArray[]>;

export interface Calibration {
  /** By subgraph-0 tensor index. */
  ranges: Map<number, TensorRange>;
  samples: number;
}

export async function calibrate(
  floatModelBytes: Uint8Array,
  dataset: RepresentativeDataset,
  onSample?: (done: number) => void,
): Promise<Calibration> {
  // Every activation keeps its own bytes, so each can be read after invoke.
  const interpreter = await Interpreter.create(floatModelBytes, { preserveAllTensors: true });
  await interpreter.allocateTensors();
  const inputs = interpreter.getInputDetails();
  const watched = interpreter.model.subgraphs[0]?.tensors.filter((t) => t.dtype === 'float32' && !t.data).map((t) => t.index) ?? [];
  const ranges = new Map<number, TensorRange>();
  let samples = 0;
  for await (const sample of dataset as AsyncIterable<TypedArray[]>) {
    if (!Array.isArray(sample) || sample.length !== inputs.length) {
      throw new QuantizeError(
        `representative sample ${samples} has ${Array.isArray(sample) ? sample.length : typeof sample} arrays; the model has ${inputs.length} input(s) (${inputs.map((d) => `'${d.name}' ${d.dtype}[${d.shape}]`).join(', ')})`,
      );
    }
    inputs.forEach((d, i) => {
      try {
        interpreter.setTensor(d.index, sample[i] as TypedArray);
      } catch (e) {
        throw new QuantizeError(`representative sample ${samples}, input ${i}: ${(e as Error).message}`);
      }
    });
    await interpreter.invoke();
    for (const t of watched) {
      const data = interpreter.getTensor(t) as Float32Array;
      let { min, max } = ranges.get(t) ?? { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
      for (let i = 0; i < data.length; i++) {
        const v = data[i] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      ranges.set(t, { min, max });
    }
    samples++;
    onSample?.(samples);
  }
  if (samples === 0) throw new QuantizeError('the representative dataset gave no samples');
  interpreter.dispose();
  return { ranges, samples };
}

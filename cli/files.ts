import { readFileSync } from 'node:fs';
import { type DType, numElements, TensorError, type TypedArray, typedView } from '../src/index.js';

/** A file the CLI was asked to read but cannot. */
export class FileError extends Error {
  override name = 'FileError';
}

export function readBytes(path: string, what = 'model'): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new FileError(`cannot read ${what} file '${path}': ${why}`);
  }
}

/**
 * `--inputs a.bin,b.bin`: one file of raw little-endian tensor bytes per subgraph-0 input, in
 * input order; each must hold exactly the input's dtype x shape.
 */
export function readInputFiles(list: string, inputs: readonly { name: string; dtype: DType; shape: readonly number[] }[]): TypedArray[] {
  const files = list.split(',');
  if (files.length !== inputs.length) {
    throw new TensorError(`--inputs: the model has ${inputs.length} input(s) but ${files.length} file(s) were given`);
  }
  return files.map((file, i) => {
    const d = inputs[i] as (typeof inputs)[number];
    const raw = readBytes(file, `input ${i}`);
    const view = typedView(raw, d.dtype);
    if (view.length !== numElements(d.shape) || raw.byteLength !== view.byteLength) {
      throw new TensorError(
        `--inputs: '${file}' holds ${raw.byteLength} bytes but input ${i} '${d.name}' (${d.dtype} [${d.shape}]) needs ${view.BYTES_PER_ELEMENT * numElements(d.shape)}`,
      );
    }
    return view;
  });
}

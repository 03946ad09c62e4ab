// Shared types of the oracle: the real TFLite runtimes (LiteRT.js and @tensorflow/tfjs-tflite) run
// by our own code in plain Node, to produce golden outputs for the interpreter and the delegate.

/** Which real runtime produced a result. */
export type OracleName = 'litert' | 'tfjs-tflite';

/** Element types the oracle can feed or read back, named as TFLite's TensorType in lower case. */
export type OracleDType = 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'bool';

export type OracleTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array;

/** One output tensor of a run: bool is a Uint8Array of 0/1, float16 a Uint16Array of raw half bits. */
export interface OracleOutput {
  name: string;
  dtype: OracleDType;
  shape: number[];
  data: OracleTypedArray;
}

/** A model input or output as a runtime reports it. */
export interface OracleTensorDetails {
  name: string;
  dtype: OracleDType;
  shape: number[];
}

export type OracleErrorKind =
  /** The runtime itself (its wasm) could not be loaded. */
  | 'load-runtime'
  /** The runtime refused the model (unsupported op, variable tensors, bad quantization...). */
  | 'load-model'
  /** The runtime is known to get this model wrong (e.g. LiteRT.js with run-time-shaped outputs). */
  | 'unsupported'
  /** The inputs given do not fit the model (count, dtype, size). */
  | 'input'
  /** Inference failed with an error status. */
  | 'run'
  /** The wasm trapped (e.g. memory access out of bounds); the runtime instance is discarded. */
  | 'crash'
  /** An output could not be read back. */
  | 'output'
  /** No runtime could produce a result. */
  | 'no-oracle';

/** Every failure of the oracle: says which runtime failed, at which step and why. */
export class OracleError extends Error {
  override name = 'OracleError';
  readonly oracle: OracleName | 'oracle';
  readonly kind: OracleErrorKind;
  /** The runtime's own log lines (warnings / errors) printed during the failing call. */
  readonly log: readonly string[];
  constructor(oracle: OracleName | 'oracle', kind: OracleErrorKind, message: string, log: readonly string[] = [], cause?: unknown) {
    const errors = log.filter((l) => /\bERROR\b|^Error\b|\berror:/.test(l));
    const detail = errors.length > 0 ? ` [runtime log: ${errors.slice(-4).join(' | ')}]` : '';
    super(`[${oracle}] ${kind}: ${message}${detail}`, cause === undefined ? undefined : { cause });
    this.oracle = oracle;
    this.kind = kind;
    this.log = log;
  }
}

interface TypedArrayCtor {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): OracleTypedArray;
  new (length: number): OracleTypedArray;
}

const CTORS: Record<OracleDType, TypedArrayCtor> = {
  float32: Float32Array,
  float16: Uint16Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

export function isOracleDType(s: string): s is OracleDType {
  return Object.hasOwn(CTORS, s);
}

export function typedArrayCtor(dtype: OracleDType): TypedArrayCtor {
  return CTORS[dtype];
}

export function bytesPerElement(dtype: OracleDType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

export function numElements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A fresh typed array of `dtype` holding a copy of `bytes` (which need not be aligned). */
export function typedArrayFromBytes(dtype: OracleDType, bytes: Uint8Array): OracleTypedArray {
  const ctor = CTORS[dtype];
  if (bytes.byteLength % ctor.BYTES_PER_ELEMENT !== 0) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new ctor(copy.buffer, 0, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
}

/** The bytes of a view, without copying. */
export function viewBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Whether `view` is the typed array the oracle expects for `dtype` (bool also takes Int8Array). */
export function matchesDType(view: ArrayBufferView, dtype: OracleDType): boolean {
  if (dtype === 'bool') return view instanceof Uint8Array || view instanceof Int8Array;
  return view instanceof CTORS[dtype];
}

export function describeView(view: ArrayBufferView): string {
  const n = 'length' in view ? (view as { length: number }).length : view.byteLength;
  return `${view.constructor.name}(${n})`;
}

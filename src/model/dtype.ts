import { TensorType } from './schema/tflite_generated.js';

/** Tensor element types, named as TFLite's TensorType in lower case. */
export type DType =
  | 'float32'
  | 'float16'
  | 'int32'
  | 'uint8'
  | 'int64'
  | 'string'
  | 'bool'
  | 'int16'
  | 'complex64'
  | 'int8'
  | 'float64'
  | 'complex128'
  | 'uint64'
  | 'resource'
  | 'variant'
  | 'uint32'
  | 'uint16'
  | 'int4'
  | 'bfloat16'
  | 'int2'
  | 'uint4'
  | 'float8_e4m3fn'
  | 'float8_e5m2';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** dtype name for a TensorType code, or undefined for a code this schema does not know. */
export function dtypeFromTensorType(code: number): DType | undefined {
  const name = TensorType[code] as string | undefined;
  return name === undefined ? undefined : (name.toLowerCase() as DType);
}

/**
 * Bits per element; 0 for types without a fixed size (string, resource, variant).
 * Sub-byte types are packed: a buffer of n int4 values holds ceil(n/2) bytes.
 */
export function bitsPerElement(dtype: DType): number {
  switch (dtype) {
    case 'bool':
    case 'int8':
    case 'uint8':
    case 'float8_e4m3fn':
    case 'float8_e5m2':
      return 8;
    case 'int16':
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return 16;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 32;
    case 'int64':
    case 'uint64':
    case 'float64':
    case 'complex64':
      return 64;
    case 'complex128':
      return 128;
    case 'int4':
    case 'uint4':
      return 4;
    case 'int2':
      return 2;
    default:
      return 0;
  }
}

/** Bytes needed for `count` elements of `dtype` (sub-byte types rounded up), or undefined. */
export function byteSize(dtype: DType, count: number): number | undefined {
  const bits = bitsPerElement(dtype);
  return bits === 0 ? undefined : Math.ceil((count * bits) / 8);
}

const TYPED_ARRAYS: Partial<
  Record<DType, { new (buffer: ArrayBufferLike, offset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number }>
> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array, // raw IEEE half bits
  bfloat16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

/** Whether `dtype` has a typed-array view (sub-byte and opaque types do not). */
export function hasTypedView(dtype: DType): boolean {
  return TYPED_ARRAYS[dtype] !== undefined;
}

/**
 * A typed view of little-endian tensor bytes: zero-copy when aligned, else a copy.
 * FLOAT16 comes back as its raw Uint16 bits.
 */
export function typedView(bytes: Uint8Array, dtype: DType): TypedArray {
  const Ctor = TYPED_ARRAYS[dtype];
  if (!Ctor) throw new TypeError(`no typed-array view for dtype ${dtype}`);
  const n = Math.floor(bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, bytes.byteOffset, n);
  const copy = bytes.slice(0, n * Ctor.BYTES_PER_ELEMENT);
  return new Ctor(copy.buffer, 0, n);
}

/** Allocates a zeroed typed array for `count` elements of `dtype`. */
export function allocTyped(dtype: DType, count: number): TypedArray {
  const Ctor = TYPED_ARRAYS[dtype];
  if (!Ctor) throw new TypeError(`no typed-array storage for dtype ${dtype}`);
  return new Ctor(new ArrayBuffer(count * Ctor.BYTES_PER_ELEMENT), 0, count);
}

/** Number of elements of a shape (1 for a scalar). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

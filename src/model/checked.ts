// Bounds-checked reading of flatbuffers: the JS runtime has no verifier, so every byte read is
// range-checked and every failure becomes a ModelError that names the place.
import * as flatbuffers from 'flatbuffers';
import { ModelError, OutOfBoundsError } from './errors.js';

export class CheckedByteBuffer extends flatbuffers.ByteBuffer {
  private check(offset: number, size: number): void {
    if (!(offset >= 0 && offset + size <= this.capacity())) {
      throw new OutOfBoundsError(`read of ${size} bytes at offset ${offset} is outside the ${this.capacity()}-byte file`);
    }
  }
  override readUint8(offset: number): number {
    this.check(offset, 1);
    return super.readUint8(offset);
  }
  override readInt16(offset: number): number {
    this.check(offset, 2);
    return super.readInt16(offset);
  }
  override readUint16(offset: number): number {
    this.check(offset, 2);
    return super.readUint16(offset);
  }
  override readInt32(offset: number): number {
    this.check(offset, 4);
    return super.readInt32(offset);
  }
  override __string(offset: number, encoding?: flatbuffers.Encoding): string | Uint8Array {
    const start = offset + this.readInt32(offset);
    this.check(start + 4, this.readInt32(start));
    return super.__string(offset, encoding);
  }
  override __vector_len(offset: number): number {
    const len = super.__vector_len(offset);
    // Every element takes at least one byte, so a longer vector cannot fit in the file.
    this.check(this.__vector(offset), len);
    return len;
  }
}

/** Runs `read`, turning low-level failures into a ModelError that says where. */
export function at<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ModelError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new ModelError(`malformed flatbuffer (${why})`, where);
  }
}

export function readVector<T>(length: number, get: (i: number) => T | null, what: string): T[] {
  const out: T[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const v = get(i);
    if (v === null) throw new ModelError(`${what}[${i}] is missing`);
    out[i] = v;
  }
  return out;
}

export function checkIndex(index: number, count: number, what: string, where: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ModelError(`${what} ${index} is out of range (the model has ${count})`, where);
  }
}

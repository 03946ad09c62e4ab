// Writes models: unpack a .tflite with flatc's object API, change the plain objects, pack again
// (the quantizer and the harness's model variants). The original bytes are never edited.

import * as flatbuffers from 'flatbuffers';
import * as fb from './schema/tflite_generated.js';

const FILE_IDENTIFIER = 'TFL3';

export function unpackModel(bytes: Uint8Array): fb.ModelT {
  return fb.Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes)).unpack();
}

/** Buffer.data is `force_align: 16` in schema.fbs; the generated object API ignores it. */
const BUFFER_ALIGNMENT = 16;

/**
 * Packs a model. Buffers without data are written as empty tables: the object API would write
 * an empty `data` vector, which TFLite reads as a zero-byte constant ("required_bytes != bytes").
 * Buffers with data start on a 16-byte boundary, as the schema asks.
 */
export function packModel(model: fb.ModelT): Uint8Array {
  const emptyTable = (builder: flatbuffers.Builder) => {
    fb.Buffer.startBuffer(builder);
    return fb.Buffer.endBuffer(builder);
  };
  const aligned = (data: number[]) => (builder: flatbuffers.Builder) => {
    builder.startVector(1, data.length, BUFFER_ALIGNMENT);
    for (let i = data.length - 1; i >= 0; i--) builder.addInt8(data[i] as number);
    return fb.Buffer.createBuffer(builder, builder.endVector(), 0n, 0n);
  };
  const buffers = model.buffers;
  model.buffers = buffers.map((b) => {
    if (b.offset > 1n) return b;
    return { pack: b.data.length ? aligned(b.data) : emptyTable } as unknown as fb.BufferT;
  });
  try {
    const builder = new flatbuffers.Builder(1 << 16);
    builder.finish(model.pack(builder), FILE_IDENTIFIER);
    return builder.asUint8Array();
  } finally {
    model.buffers = buffers; // the same model can be changed and packed again
  }
}

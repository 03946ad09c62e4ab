// Writes models: unpack a .tflite with flatc's object API, change the plain objects, pack again
// (the quantizer and the harness's model variants). The original bytes are never edited.

import * as flatbuffers from 'flatbuffers';
import * as fb from './schema/tflite_generated.js';

const FILE_IDENTIFIER = 'TFL3';

export function unpackModel(bytes: Uint8Array): fb.ModelT {
  return fb.Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes)).unpack();
}

/**
 * Packs a model. Buffers without data are written as empty tables: the object API would write
 * an empty `data` vector, which TFLite reads as a zero-byte constant ("required_bytes != bytes").
 */
export function packModel(model: fb.ModelT): Uint8Array {
  const emptyTable = (builder: flatbuffers.Builder) => {
    fb.Buffer.startBuffer(builder);
    return fb.Buffer.endBuffer(builder);
  };
  const buffers = model.buffers;
  model.buffers = buffers.map((b) => (b.data.length || b.offset > 1n ? b : ({ pack: emptyTable } as unknown as fb.BufferT)));
  try {
    const builder = new flatbuffers.Builder(1 << 16);
    builder.finish(model.pack(builder), FILE_IDENTIFIER);
    return builder.asUint8Array();
  } finally {
    model.buffers = buffers; // the same model can be changed and packed again
  }
}

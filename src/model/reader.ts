// Reads a .tflite flatbuffer into the plain typed Model of types.ts.
// The JS flatbuffers runtime has no verifier, so every byte read goes through CheckedByteBuffer
// (bounds-checked), every vector length is checked against the bytes left before it is walked,
// and every index (buffer, tensor, opcode, subgraph) is range-checked here, so a broken file ends
// in a ModelError that names the place, never in a raw exception, a hang or a huge allocation.
import type * as flatbuffers from 'flatbuffers';
import { at, CheckedByteBuffer, checkIndex, readVector } from './checked.js';
import { byteSize, type DType, dtypeFromTensorType, numElements } from './dtype.js';
import { ModelError, OutOfBoundsError } from './errors.js';
import { readOptions } from './options.js';
import * as fb from './schema/tflite_generated.js';
import type { DimensionMetadata, Metadata, Model, Operator, Quantization, SignatureDef, Sparsity, Subgraph, Tensor } from './types.js';

const FILE_IDENTIFIER = 'TFL3';
const SCHEMA_VERSION = 3;
/** The largest tensor we agree to describe: a JS ArrayBuffer (and a WebGPU buffer) tops out near here. */
const MAX_TENSOR_BYTES = 2 ** 32;

function describeTensor(subgraph: number, index: number, name: string): string {
  return `subgraph ${subgraph} tensor ${index}${name ? ` '${name}'` : ''}`;
}

/** Parses and validates a .tflite model. Throws ModelError for anything malformed. */
export function readModel(bytes: Uint8Array): Model {
  if (!(bytes instanceof Uint8Array)) throw new ModelError('model bytes must be a Uint8Array');
  if (bytes.byteLength < 8) throw new ModelError(`file is ${bytes.byteLength} bytes, too small to be a TFLite model`);
  const ident = String.fromCharCode(...bytes.subarray(4, 8));
  if (ident !== FILE_IDENTIFIER) {
    const shown = /^[\x20-\x7e]{4}$/.test(ident) ? `'${ident}'` : 'not text';
    throw new ModelError(`not a TFLite model: file identifier is ${shown}, expected '${FILE_IDENTIFIER}'`);
  }
  const bb = new CheckedByteBuffer(bytes);
  const root = at('model header', () => fb.Model.getRootAsModel(bb));
  const version = at('model header', () => root.version());
  if (version !== SCHEMA_VERSION) {
    throw new ModelError(`schema version is ${version}; only version ${SCHEMA_VERSION} is supported`, 'model header');
  }

  const bufferCount = at('buffers', () => root.buffersLength());
  const buffers: (Uint8Array | null)[] = [];
  for (let i = 0; i < bufferCount; i++) buffers.push(readBuffer(root, i, bytes));
  const opcodes = at('operator codes', () =>
    readVector(root.operatorCodesLength(), (i) => root.operatorCodes(i), 'operator_codes').map((code, i) =>
      at(`operator code ${i}`, () => readOpcode(code)),
    ),
  );
  const subgraphCount = at('subgraphs', () => root.subgraphsLength());
  if (subgraphCount === 0) throw new ModelError('the model has no subgraphs');
  const subgraphs: Subgraph[] = [];
  for (let s = 0; s < subgraphCount; s++) {
    const sg = at(`subgraph ${s}`, () => root.subgraphs(s));
    if (!sg) throw new ModelError('missing', `subgraph ${s}`);
    subgraphs.push(readSubgraph(sg, s, buffers, opcodes));
  }

  const signatures = at('signature defs', () =>
    readVector(root.signatureDefsLength(), (i) => root.signatureDefs(i), 'signature_defs').map((sig, i) =>
      readSignature(sig, i, subgraphs),
    ),
  );
  const metadata = at('metadata', () =>
    readVector(root.metadataLength(), (i) => root.metadata(i), 'metadata').map((m, i): Metadata => {
      const where = `metadata ${i}`;
      const buffer = at(where, () => m.buffer());
      checkIndex(buffer, buffers.length, 'buffer', where);
      return { name: at(where, () => m.name() ?? ''), buffer, data: buffers[buffer] ?? null };
    }),
  );
  return { version, description: at('model header', () => root.description() ?? ''), subgraphs, signatures, metadata, buffers, bytes };
}

function readBuffer(root: fb.Model, i: number, file: Uint8Array): Uint8Array | null {
  const where = `buffer ${i}`;
  const buf = at(where, () => root.buffers(i));
  if (!buf) return null;
  return at(where, () => {
    // Large models keep their data after the flatbuffer: offset/size from the file start.
    const offset = buf.offset();
    if (offset > 1n) {
      const size = buf.size();
      if (offset + size > BigInt(file.byteLength)) {
        throw new ModelError(`data at offset ${offset} with size ${size} runs past the end of the ${file.byteLength}-byte file`, where);
      }
      return size === 0n ? null : file.subarray(Number(offset), Number(offset + size));
    }
    const len = buf.dataLength();
    if (len === 0) return null;
    const start = bb(buf).__vector(buf.bb_pos + buf.bb!.__offset(buf.bb_pos, 4));
    return file.subarray(start, start + len);
  });
}

function bb(table: { bb: flatbuffers.ByteBuffer | null }): flatbuffers.ByteBuffer {
  if (!table.bb) throw new OutOfBoundsError('table without a buffer');
  return table.bb;
}

interface Opcode {
  builtinCode: number;
  customCode: string | null;
  version: number;
}

function readOpcode(code: fb.OperatorCode): Opcode {
  // TFLite's rule (schema_utils.cc GetBuiltinCode): the larger of the two fields wins.
  const builtinCode = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
  return { builtinCode, customCode: code.customCode(), version: code.version() };
}

function opName(opcode: Opcode): string {
  if (opcode.builtinCode === fb.BuiltinOperator.CUSTOM) return `CUSTOM:${opcode.customCode ?? ''}`;
  return (fb.BuiltinOperator[opcode.builtinCode] as string | undefined) ?? `BUILTIN_${opcode.builtinCode}`;
}

function readSubgraph(sg: fb.SubGraph, s: number, buffers: (Uint8Array | null)[], opcodes: Opcode[]): Subgraph {
  const where = `subgraph ${s}`;
  const tensorCount = at(where, () => sg.tensorsLength());
  const tensors: Tensor[] = [];
  for (let t = 0; t < tensorCount; t++) {
    const tw = describeTensor(s, t, '');
    const raw = at(tw, () => sg.tensors(t));
    if (!raw) throw new ModelError('missing', tw);
    tensors.push(readTensor(raw, s, t, buffers));
  }
  const tensorIndexList = (what: string, length: number, get: (i: number) => number | null, w: string, allowOmitted: boolean) =>
    at(w, () => readVector(length, get, what)).map((ti) => {
      if (allowOmitted && ti === -1) return -1;
      checkIndex(ti, tensorCount, `${what}: tensor`, w);
      return ti;
    });
  const inputs = tensorIndexList(
    'inputs',
    at(where, () => sg.inputsLength()),
    (i) => sg.inputs(i),
    where,
    false,
  );
  const outputs = tensorIndexList(
    'outputs',
    at(where, () => sg.outputsLength()),
    (i) => sg.outputs(i),
    where,
    false,
  );
  const operatorCount = at(where, () => sg.operatorsLength());
  const operators: Operator[] = [];
  for (let n = 0; n < operatorCount; n++) {
    const ow = `${where} operator ${n}`;
    const op = at(ow, () => sg.operators(n));
    if (!op) throw new ModelError('missing', ow);
    const opcodeIndex = at(ow, () => op.opcodeIndex());
    checkIndex(opcodeIndex, opcodes.length, 'opcode_index', ow);
    const opcode = opcodes[opcodeIndex] as Opcode;
    const name = opName(opcode);
    const w = `${where} operator ${n} (${name})`;
    const { optionsType, options } = at(w, () => readOptions(op));
    operators.push({
      index: n,
      op: name,
      builtinCode: opcode.builtinCode,
      customCode: opcode.customCode,
      version: opcode.version,
      inputs: tensorIndexList(
        'inputs',
        at(w, () => op.inputsLength()),
        (i) => op.inputs(i),
        w,
        true,
      ),
      outputs: tensorIndexList(
        'outputs',
        at(w, () => op.outputsLength()),
        (i) => op.outputs(i),
        w,
        true,
      ),
      intermediates: tensorIndexList(
        'intermediates',
        at(w, () => op.intermediatesLength()),
        (i) => op.intermediates(i),
        w,
        true,
      ),
      optionsType,
      options,
      customOptions: at(w, () => readCustomOptions(op)),
    });
  }
  return { index: s, name: at(where, () => sg.name() ?? ''), tensors, operators, inputs, outputs };
}

function readTensor(raw: fb.Tensor, s: number, t: number, buffers: (Uint8Array | null)[]): Tensor {
  let where = describeTensor(s, t, '');
  const name = at(where, () => raw.name() ?? '');
  where = describeTensor(s, t, name);
  const typeCode = at(where, () => raw.type());
  const dtype = dtypeFromTensorType(typeCode);
  if (!dtype) throw new ModelError(`unknown tensor type code ${typeCode}`, where);
  const shape = at(where, () => readVector(raw.shapeLength(), (i) => raw.shape(i), 'shape'));
  const sigLength = at(where, () => raw.shapeSignatureLength());
  const shapeSignature = sigLength > 0 ? at(where, () => readVector(sigLength, (i) => raw.shapeSignature(i), 'shape_signature')) : null;
  for (const d of shape) {
    if (d < 0) throw new ModelError(`shape [${shape}] has a negative dimension`, where);
  }
  if (shapeSignature) {
    if (shapeSignature.length !== shape.length) {
      throw new ModelError(
        `shape_signature [${shapeSignature}] has rank ${shapeSignature.length} but shape [${shape}] has rank ${shape.length}`,
        where,
      );
    }
    for (const d of shapeSignature) if (d < -1) throw new ModelError(`shape_signature [${shapeSignature}] has a dimension below -1`, where);
  }
  const buffer = at(where, () => raw.buffer());
  checkIndex(buffer, buffers.length, 'buffer', where);
  const data = buffers[buffer] ?? null;
  const quantization = at(where, () => readQuantization(raw.quantization()));
  const sparsity = at(where, () => readSparsity(raw.sparsity()));
  const count = numElements(shape);
  const needed = byteSize(dtype, count);
  if (needed !== undefined && needed > MAX_TENSOR_BYTES) {
    throw new ModelError(
      `${dtype.toUpperCase()} [${shape}] would need ${needed} bytes, more than the ${MAX_TENSOR_BYTES}-byte limit of a tensor`,
      where,
    );
  }
  if (data && !sparsity && needed !== undefined && data.byteLength !== needed) {
    throw new ModelError(`buffer ${buffer} holds ${data.byteLength} bytes but ${dtype.toUpperCase()} [${shape}] needs ${needed}`, where);
  }
  return {
    index: t,
    name,
    dtype,
    shape,
    shapeSignature,
    quantization,
    buffer,
    data,
    isVariable: at(where, () => raw.isVariable()),
    sparsity,
  };
}

function readQuantization(q: fb.QuantizationParameters | null): Quantization | null {
  if (!q) return null;
  const scale = readVector(q.scaleLength(), (i) => q.scale(i), 'quantization.scale');
  const zeroPoint = readVector(q.zeroPointLength(), (i) => q.zeroPoint(i), 'quantization.zero_point').map(Number);
  const min = readVector(q.minLength(), (i) => q.min(i), 'quantization.min');
  const max = readVector(q.maxLength(), (i) => q.max(i), 'quantization.max');
  if (scale.length === 0 && min.length === 0) return null;
  if (zeroPoint.length !== 0 && zeroPoint.length !== scale.length) {
    throw new ModelError(`quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  }
  const out: Quantization = {
    scale,
    zeroPoint: zeroPoint.length ? zeroPoint : scale.map(() => 0),
    quantizedDimension: q.quantizedDimension(),
  };
  if (min.length) out.min = min;
  if (max.length) out.max = max;
  return out;
}

function readIndexVector(type: fb.SparseIndexVector, get: (obj: fb.Int32Vector | fb.Uint16Vector | fb.Uint8Vector) => unknown): number[] {
  const vec = fb.unionToSparseIndexVector(type, (obj) => get(obj) as typeof obj);
  if (!vec) return [];
  return readVector(vec.valuesLength(), (i) => vec.values(i), 'sparse index vector');
}

function readSparsity(sp: fb.SparsityParameters | null): Sparsity | null {
  if (!sp) return null;
  const dimMetadata = readVector(sp.dimMetadataLength(), (i) => sp.dimMetadata(i), 'dim_metadata').map(
    (d): DimensionMetadata => ({
      format: d.format() === fb.DimensionType.SPARSE_CSR ? 'sparse_csr' : 'dense',
      denseSize: d.denseSize(),
      arraySegments: readIndexVector(d.arraySegmentsType(), (obj) => d.arraySegments(obj)),
      arrayIndices: readIndexVector(d.arrayIndicesType(), (obj) => d.arrayIndices(obj)),
    }),
  );
  return {
    traversalOrder: readVector(sp.traversalOrderLength(), (i) => sp.traversalOrder(i), 'traversal_order'),
    blockMap: readVector(sp.blockMapLength(), (i) => sp.blockMap(i), 'block_map'),
    dimMetadata,
  };
}

function readCustomOptions(op: fb.Operator): Uint8Array | null {
  const len = op.customOptionsLength();
  if (len === 0) return null;
  const table = bb(op);
  // custom_options is field 5 of Operator: vtable slot 4 + 2 * 5 = 14.
  const start = table.__vector(op.bb_pos + table.__offset(op.bb_pos, 14));
  return table.bytes().subarray(start, start + len);
}

/** Decodes an options table into plain values, naming fields as the generated accessors do. */
function readSignature(sig: fb.SignatureDef, i: number, subgraphs: Subgraph[]): SignatureDef {
  const where = `signature def ${i}`;
  const subgraphIndex = at(where, () => sig.subgraphIndex());
  checkIndex(subgraphIndex, subgraphs.length, 'subgraph', where);
  const tensorCount = (subgraphs[subgraphIndex] as Subgraph).tensors.length;
  const maps = (length: number, get: (k: number) => fb.TensorMap | null, what: string) =>
    at(where, () => readVector(length, get, what)).map((m) => {
      const entry = at(where, () => ({ name: m.name() ?? '', tensorIndex: m.tensorIndex() }));
      checkIndex(entry.tensorIndex, tensorCount, `${what} '${entry.name}': tensor`, where);
      return entry;
    });
  return {
    key: at(where, () => sig.signatureKey() ?? ''),
    subgraphIndex,
    inputs: maps(
      at(where, () => sig.inputsLength()),
      (k) => sig.inputs(k),
      'input',
    ),
    outputs: maps(
      at(where, () => sig.outputsLength()),
      (k) => sig.outputs(k),
      'output',
    ),
  };
}

export type { DType };

// Editing an unpacked model (flatc's object API): constants, consumers, new tensors / buffers /
// operator codes, and the final compaction that drops what no longer has a user.
import * as fb from '../model/schema/tflite_generated.js';

export type ModelT = fb.ModelT;
export type SubGraphT = fb.SubGraphT;
export type OperatorT = fb.OperatorT;
export type TensorT = fb.TensorT;

export function opName(model: ModelT, op: OperatorT): string {
  const code = model.operatorCodes[op.opcodeIndex];
  if (!code) return `opcode ${op.opcodeIndex}`;
  const builtin = Math.max(code.builtinCode, code.deprecatedBuiltinCode);
  return fb.BuiltinOperator[builtin] ?? `builtin ${builtin}`;
}

export function describeNode(model: ModelT, subgraph: number, node: number, op: OperatorT): string {
  return `subgraph ${subgraph} node ${node} (${opName(model, op)})`;
}

export function tensorName(t: TensorT): string {
  return typeof t.name === 'string' ? t.name : t.name ? new TextDecoder().decode(t.name) : '';
}

/** The bytes of a constant tensor, or null for an activation / graph input. */
export function constantBytes(model: ModelT, t: TensorT): Uint8Array | null {
  const b = t.buffer > 0 ? model.buffers[t.buffer] : undefined;
  if (!b || b.data.length === 0) return null;
  return Uint8Array.from(b.data);
}

export function constantFloats(model: ModelT, t: TensorT): Float32Array | null {
  if (t.type !== fb.TensorType.FLOAT32) return null;
  const bytes = constantBytes(model, t);
  return bytes ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : null;
}

export function isConstant(model: ModelT, t: TensorT): boolean {
  const b = t.buffer > 0 ? model.buffers[t.buffer] : undefined;
  return !!b && b.data.length > 0;
}

export function addBuffer(model: ModelT, data: ArrayBufferView | null): number {
  const bytes = data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0);
  model.buffers.push(new fb.BufferT(Array.from(bytes)));
  return model.buffers.length - 1;
}

/** Replaces a tensor's constant contents (a new buffer: the old one may be shared). */
export function setConstant(model: ModelT, t: TensorT, type: fb.TensorType, data: ArrayBufferView): void {
  t.type = type;
  t.buffer = addBuffer(model, data);
}

export function addTensor(
  model: ModelT,
  sg: SubGraphT,
  init: Partial<TensorT> & { name: string; shape: number[]; type: fb.TensorType },
): number {
  const t = new fb.TensorT();
  Object.assign(t, { buffer: 0, quantization: null, shapeSignature: [], ...init });
  if (t.buffer === 0) t.buffer = addBuffer(model, null); // converters give every tensor its own (empty) buffer
  sg.tensors.push(t);
  return sg.tensors.length - 1;
}

/** The operator code index for a builtin at exactly `version`, added when missing (the converter writes one code per op and version). */
export function opcodeFor(model: ModelT, op: fb.BuiltinOperator, version: number): number {
  const found = model.operatorCodes.findIndex(
    (c) => Math.max(c.builtinCode, c.deprecatedBuiltinCode) === op && !c.customCode && c.version === version,
  );
  if (found >= 0) return found;
  model.operatorCodes.push(new fb.OperatorCodeT(Math.min(op, 127), null, version, op));
  return model.operatorCodes.length - 1;
}

/** Moves a node to an operator code of at least `version` (other nodes of the op keep theirs). */
export function raiseVersion(model: ModelT, op: OperatorT, version: number): void {
  const code = model.operatorCodes[op.opcodeIndex];
  if (!code || code.version >= version) return;
  op.opcodeIndex = opcodeFor(model, Math.max(code.builtinCode, code.deprecatedBuiltinCode), version);
}

export function quantParams(scale: number[], zeroPoint: number[], quantizedDimension = 0): fb.QuantizationParametersT {
  return new fb.QuantizationParametersT(
    [],
    [],
    scale.map(Math.fround),
    zeroPoint.map(BigInt),
    fb.QuantizationDetails.NONE,
    null,
    quantizedDimension,
  );
}

/** For each tensor, the (node, input slot) pairs that read it. */
export function consumers(sg: SubGraphT): Map<number, { node: number; slot: number }[]> {
  const map = new Map<number, { node: number; slot: number }[]>();
  sg.operators.forEach((op, node) => {
    op.inputs.forEach((t, slot) => {
      if (t < 0) return;
      const list = map.get(t) ?? [];
      list.push({ node, slot });
      map.set(t, list);
    });
  });
  return map;
}

/** Keeps `ops` (a new operator list) in an order where every tensor is written before it is read. */
export function topologicalOrder(sg: SubGraphT, ops: OperatorT[]): OperatorT[] {
  const producer = new Map<number, OperatorT>();
  for (const op of ops) for (const t of op.outputs) producer.set(t, op);
  const done = new Set<OperatorT>();
  const out: OperatorT[] = [];
  const visit = (op: OperatorT, depth: number) => {
    if (done.has(op)) return;
    if (depth > ops.length) throw new Error('cycle in the rewritten graph');
    done.add(op);
    for (const t of op.inputs) {
      const p = producer.get(t);
      if (p && !done.has(p)) visit(p, depth + 1);
    }
    out.push(op);
  };
  void sg;
  for (const op of ops) visit(op, 0);
  return out;
}

/**
 * Drops tensors no node, graph input or output (or signature) uses, then buffers no tensor or
 * metadata uses (buffer 0 stays the empty sentinel), then unused operator codes; renumbers all.
 */
export function compact(model: ModelT): void {
  for (const [si, sg] of model.subgraphs.entries()) {
    const used = new Set<number>([...sg.inputs, ...sg.outputs]);
    for (const op of sg.operators) for (const t of [...op.inputs, ...op.outputs, ...op.intermediates]) if (t >= 0) used.add(t);
    for (const sig of model.signatureDefs) {
      if (sig.subgraphIndex !== si) continue;
      for (const m of [...sig.inputs, ...sig.outputs]) used.add(m.tensorIndex);
    }
    const remap = new Map<number, number>();
    const kept: TensorT[] = [];
    sg.tensors.forEach((t, i) => {
      if (!used.has(i)) return;
      remap.set(i, kept.length);
      kept.push(t);
    });
    const re = (i: number) => (i < 0 ? i : (remap.get(i) as number));
    sg.tensors = kept;
    sg.inputs = sg.inputs.map(re);
    sg.outputs = sg.outputs.map(re);
    for (const op of sg.operators) {
      op.inputs = op.inputs.map(re);
      op.outputs = op.outputs.map(re);
      op.intermediates = op.intermediates.map(re);
    }
    for (const sig of model.signatureDefs) {
      if (sig.subgraphIndex !== si) continue;
      for (const m of [...sig.inputs, ...sig.outputs]) m.tensorIndex = re(m.tensorIndex);
    }
  }
  const usedBuffers = new Set<number>([0]);
  for (const sg of model.subgraphs) for (const t of sg.tensors) usedBuffers.add(t.buffer);
  for (const m of model.metadata) usedBuffers.add(m.buffer);
  const bufferRemap = new Map<number, number>();
  const buffers: fb.BufferT[] = [];
  model.buffers.forEach((b, i) => {
    if (!usedBuffers.has(i)) return;
    bufferRemap.set(i, buffers.length);
    buffers.push(b);
  });
  model.buffers = buffers;
  for (const sg of model.subgraphs) for (const t of sg.tensors) t.buffer = bufferRemap.get(t.buffer) as number;
  for (const m of model.metadata) m.buffer = bufferRemap.get(m.buffer) as number;
  model.metadataBuffer = model.metadataBuffer.filter((b) => bufferRemap.has(b)).map((b) => bufferRemap.get(b) as number);

  const usedCodes = new Set<number>();
  for (const sg of model.subgraphs) for (const op of sg.operators) usedCodes.add(op.opcodeIndex);
  const codeRemap = new Map<number, number>();
  const codes: fb.OperatorCodeT[] = [];
  model.operatorCodes.forEach((c, i) => {
    if (!usedCodes.has(i)) return;
    codeRemap.set(i, codes.length);
    codes.push(c);
  });
  model.operatorCodes = codes;
  for (const sg of model.subgraphs) for (const op of sg.operators) op.opcodeIndex = codeRemap.get(op.opcodeIndex) as number;
}

/**
 * Points tensors with byte-identical constant contents at one buffer, as the converter's
 * deduplicate_readonly_buffers does (by size and hash, then compared). Variable tensors and
 * metadata buffers are left alone. compact() then drops the copies.
 */
export function dedupeConstantBuffers(model: ModelT): void {
  const excluded = new Set<number>(model.metadata.map((m) => m.buffer));
  for (const sg of model.subgraphs) for (const t of sg.tensors) if (t.isVariable) excluded.add(t.buffer);
  const seen = new Map<string, number[]>();
  const replace = new Map<number, number>();
  model.buffers.forEach((b, i) => {
    if (i === 0 || excluded.has(i) || b.data.length === 0) return;
    let hash = 0x811c9dc5;
    for (const byte of b.data) hash = Math.imul(hash ^ byte, 0x01000193);
    const key = `${b.data.length}:${hash >>> 0}`;
    const same = seen.get(key) ?? [];
    const match = same.find((j) => {
      const other = (model.buffers[j] as fb.BufferT).data;
      for (let k = 0; k < other.length; k++) if (other[k] !== b.data[k]) return false;
      return true;
    });
    if (match !== undefined) replace.set(i, match);
    else seen.set(key, [...same, i]);
  });
  for (const sg of model.subgraphs) for (const t of sg.tensors) t.buffer = replace.get(t.buffer) ?? t.buffer;
}

/** Sets (or replaces) a metadata entry holding `value` as bytes. */
export function setMetadata(model: ModelT, name: string, value: Uint8Array): void {
  const existing = model.metadata.find((m) => m.name === name);
  const buffer = addBuffer(model, value);
  if (existing) existing.buffer = buffer;
  else model.metadata.push(new fb.MetadataT(name, buffer));
}

/** Total bytes of constant data (what quantization shrinks). */
export function constantDataBytes(model: ModelT): number {
  let n = 0;
  for (const b of model.buffers) n += b.data.length;
  return n;
}

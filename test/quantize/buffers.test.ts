// Identical constants end up in one buffer (the converter's deduplicate_readonly_buffers), and
// the file still runs in the real runtime.
import { describe, expect, it } from 'vitest';
import { nodeOracle } from '../../harness/node_oracle.js';
import { verifyModel } from '../../harness/verify.js';
import { schema as fb, packModel, quantize, readModel } from '../../src/index.js';

/** out = (x + c1) * c2 + c3 with c1 and c3 byte-identical constants and c2 different. */
function model(): Uint8Array {
  const c = new Float32Array(16).map((_, i) => i * 0.25 - 2);
  const d = new Float32Array(16).map((_, i) => 1 + i * 0.1);
  const tensor = (name: string, buffer: number) =>
    Object.assign(new fb.TensorT(), { name, shape: [1, 16], type: fb.TensorType.FLOAT32, buffer });
  const bytes = (a: Float32Array) => new fb.BufferT(Array.from(new Uint8Array(a.buffer)));
  const sg = new fb.SubGraphT(
    [tensor('x', 1), tensor('c1', 2), tensor('c2', 3), tensor('c3', 4), tensor('a', 5), tensor('b', 6), tensor('out', 7)],
    [0],
    [6],
    [
      new fb.OperatorT(0, [0, 1], [4], fb.BuiltinOptions.AddOptions, new fb.AddOptionsT()),
      new fb.OperatorT(1, [4, 2], [5], fb.BuiltinOptions.MulOptions, new fb.MulOptionsT()),
      new fb.OperatorT(0, [5, 3], [6], fb.BuiltinOptions.AddOptions, new fb.AddOptionsT()),
    ],
    'main',
  );
  const m = new fb.ModelT(
    3,
    [
      new fb.OperatorCodeT(fb.BuiltinOperator.ADD, null, 1, fb.BuiltinOperator.ADD),
      new fb.OperatorCodeT(fb.BuiltinOperator.MUL, null, 1, fb.BuiltinOperator.MUL),
    ],
    [sg],
  );
  m.buffers = [new fb.BufferT(), new fb.BufferT(), bytes(c), bytes(d), bytes(c), new fb.BufferT(), new fb.BufferT(), new fb.BufferT()];
  return packModel(m);
}

describe('constant buffers', () => {
  it('float16: the two identical constants share one FLOAT16 buffer, the other keeps its own; runs as the real runtime runs it', {
    timeout: 60_000,
  }, async () => {
    const { bytes } = await quantize(model(), { mode: 'float16' });
    const sg = readModel(bytes).subgraphs[0];
    const halves = sg?.tensors.filter((t) => t.dtype === 'float16') ?? [];
    expect(halves.length).toBe(3);
    expect(new Set(halves.map((t) => t.buffer)).size).toBe(2);
    const v = await verifyModel('dedupe_float16', bytes, { oracle: nodeOracle, timingRuns: 0 });
    expect(v.status).toBe('pass');
  });
});

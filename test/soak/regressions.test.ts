// The defects the whole-pipeline fuzz found, one case each: every one used to end in a TypeError,
// a RangeError or a multi-gigabyte allocation; now each is a typed error naming what and where.
import { describe, expect, it } from 'vitest';
import { buildModel, GraphBuilder } from '../../harness/fuzz/graph.js';
import { Interpreter, KernelError, ModelError, TensorError } from '../../src/index.js';

const Q8 = { scale: [0.05], zeroPoint: [0] };

/** x -> ADD(x, x) -> y (int16, zero points 0). */
function addGraph(outScale = 0.05): GraphBuilder {
  const b = new GraphBuilder();
  const x = b.input('int16', [1, 4], { quant: Q8 });
  const y = b.output('int16', [1, 4], { scale: [outScale], zeroPoint: [0] });
  b.node('ADD', [x, x], [y], { type: 'AddOptions', values: {} });
  return b;
}

async function allocated(bytes: Uint8Array, options = {}): Promise<Interpreter> {
  const interpreter = await Interpreter.create(bytes, options);
  await interpreter.allocateTensors();
  return interpreter;
}

describe('broken graphs end in typed errors', () => {
  it('an omitted (-1) operator output is a KernelError naming the node', async () => {
    const b = addGraph();
    (b.graph.nodes[0] as { outputs: number[] }).outputs = [-1];
    await expect(Interpreter.create(buildModel(b.graph))).rejects.toThrow(/node 0 \(ADD\): output 0 is omitted/);
  });

  it('a node that reads its own output (a cycle) is refused before prepare', async () => {
    const b = new GraphBuilder();
    const x = b.input('float32', [2]);
    const t = b.activation('float32', [2]);
    const y = b.output('float32', [2]);
    b.node('ADD', [x, t], [t], { type: 'AddOptions', values: {} });
    b.node('RELU', [t], [y]);
    await expect(Interpreter.create(buildModel(b.graph))).rejects.toThrow(
      /node 0 \(ADD\): reads tensor 1 't1' that it or a later node writes/,
    );
  });

  it('a graph output no node writes is a TensorError', async () => {
    const b = new GraphBuilder();
    const x = b.input('float32', [2]);
    const y = b.output('float32', [2]);
    const z = b.output('float32', [2]);
    b.node('RELU', [x], [y]);
    const err = await Interpreter.create(buildModel(b.graph)).catch((e) => e);
    expect(err).toBeInstanceOf(TensorError);
    expect(err.message).toMatch(new RegExp(`subgraph output tensor ${z} 't${z}' is written by no node`));
  });

  it('a zero scale is a KernelError, not a RangeError from the multiplier math', async () => {
    const err = await allocated(buildModel(addGraph(0).graph)).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.message).toMatch(/^node 0 \(ADD\): .*multiplier/);
  });
});

describe('sizes are bounded before anything is allocated', () => {
  it('a declared 2^40-element input is refused by the reader', async () => {
    const b = new GraphBuilder();
    const x = b.input('float32', [1 << 20, 1 << 20]);
    const y = b.output('float32', [1 << 20, 1 << 20]);
    b.node('RELU', [x], [y]);
    const err = await Interpreter.create(buildModel(b.graph)).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toMatch(/tensor 0 't0': FLOAT32 \[1048576,1048576\] would need 4398046511104 bytes, more than/);
  });

  it('an output shape inferred at prepare above the ceiling names the node (FULLY_CONNECTED rows)', async () => {
    const b = new GraphBuilder();
    const x = b.input('float32', [1 << 22, 1]);
    const w = b.constant('float32', [64, 1], new Float32Array(64).fill(1));
    const y = b.output('float32', [1, 64]);
    b.node('FULLY_CONNECTED', [x, w, -1], [y], { type: 'FullyConnectedOptions', values: {} });
    // 2^22 rows x 64 units x 4 bytes = 1 GiB: above a 256 MiB ceiling, found by prepare's shape inference.
    const err = await allocated(buildModel(b.graph), { maxArenaBytes: 2 ** 28 }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.message).toMatch(/^node 0 \(FULLY_CONNECTED\): output tensor 2 't2' of shape \[4194304,64\]/);
  });

  it('the ceiling is configurable and counts all activations together', async () => {
    const b = new GraphBuilder();
    const x = b.input('float32', [1024, 1024]);
    const t = b.activation('float32', [1024, 1024]);
    const y = b.output('float32', [1024, 1024]);
    b.node('RELU', [x], [t]).node('RELU', [t], [y]);
    const bytes = buildModel(b.graph);
    await expect(Interpreter.create(bytes, { maxArenaBytes: 8 << 20 })).rejects.toThrow(/activations declare 12582912 bytes together/);
    const ok = await allocated(bytes, { maxArenaBytes: 16 << 20 });
    await ok.invoke();
    expect(ok.arenaBytes).toBeLessThanOrEqual(16 << 20);
  });

  it('a variable tensor of a dtype without storage is a TensorError (not a TypeError at create)', async () => {
    const b = new GraphBuilder();
    const x = b.input('float32', [2]);
    const v = b.tensor({ dtype: 'int4', shape: [2], isVariable: true });
    const y = b.output('float32', [2]);
    b.node('RELU', [x], [y]);
    const err = await Interpreter.create(buildModel(b.graph)).catch((e) => e);
    expect(err).toBeInstanceOf(TensorError);
    expect(err.message).toMatch(new RegExp(`tensor ${v} 't${v}' is a variable but has dtype int4`));
  });
});

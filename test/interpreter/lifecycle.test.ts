// One call at a time per interpreter, and nothing after dispose(): overlapping invokes would mix
// two runs' tensors in the shared arena, so the second fails at once with a TensorError.
import { describe, expect, it } from 'vitest';
import { buildModel, GraphBuilder } from '../../harness/fuzz/graph.js';
import { type Delegate, Interpreter, TensorError } from '../../src/index.js';

function reluModel(): Uint8Array {
  const b = new GraphBuilder();
  const x = b.input('float32', [4]);
  const y = b.output('float32', [4]);
  b.node('RELU', [x], [y]);
  return buildModel(b.graph);
}

/** A delegate whose kernel waits until released: an invoke that stays in flight. */
function slowDelegate(): { delegate: Delegate; release: () => void } {
  let release = () => {};
  const delegate: Delegate = {
    name: 'slow',
    prepare: (graph) => ({ partitions: [graph.nodes.map((n) => n.index)], reasons: new Map() }),
    createKernel: () => ({
      invoke: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      dispose: () => {},
    }),
  };
  return { delegate, release: () => release() };
}

describe('interpreter lifecycle', () => {
  it('a second invoke() while one runs fails with a TensorError; the first completes', async () => {
    const { delegate, release } = slowDelegate();
    const interpreter = await Interpreter.create(reluModel(), { delegates: [delegate] });
    await interpreter.allocateTensors();
    const first = interpreter.invoke();
    await expect(interpreter.invoke()).rejects.toThrow(/invoke: called while invoke\(\) is still running/);
    expect(() => interpreter.setTensor(0, new Float32Array(4))).toThrow(TensorError);
    expect(() => interpreter.getTensor(1)).toThrow(/getTensor: called while invoke\(\) is still running/);
    await new Promise((r) => setTimeout(r, 0));
    release();
    await first;
    const second = interpreter.invoke(); // free again once the first is done
    await new Promise((r) => setTimeout(r, 0));
    release();
    await second;
  });

  it('every call after dispose() is a TensorError', async () => {
    const interpreter = await Interpreter.create(reluModel());
    await interpreter.allocateTensors();
    interpreter.dispose();
    interpreter.dispose(); // twice is harmless
    await expect(interpreter.invoke()).rejects.toThrow(/invoke: this interpreter was disposed/);
    await expect(interpreter.allocateTensors()).rejects.toThrow(TensorError);
    expect(() => interpreter.setTensor(0, new Float32Array(4))).toThrow(/disposed/);
    expect(() => interpreter.getTensor(1)).toThrow(/disposed/);
  });

  it('NaN and infinite inputs run through (as in TFLite)', async () => {
    const interpreter = await Interpreter.create(reluModel());
    await interpreter.allocateTensors();
    interpreter.setTensor(0, new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1]));
    await interpreter.invoke();
    expect(Array.from(interpreter.getTensor(1) as Float32Array)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, 0, 0]);
  });
});

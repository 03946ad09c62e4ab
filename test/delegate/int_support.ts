// Integer GPU tests: one op case (the run_op form, with quantization and integerRounding) run by
// the CPU kernel and by the WebGPU delegate, which must take the node and agree to the bit.
import { expect } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type OpCase, runOp } from '../support/run_op.js';
import { GraphBuilder, runDelegated } from './support.js';

/** '' when equal, else where and how the first element differs and how many do. */
export function bitDifference(got: ArrayLike<number | bigint>, want: ArrayLike<number | bigint>): string {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  let first = -1;
  let count = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? '' : `${count} of ${got.length} differ; first at ${first}: GPU ${got[first]}, CPU ${want[first]}`;
}

/** The case as a one-node graph (quantization and rounding kept), with its outputs' shapes from the CPU run. */
export function intCaseGraph(c: OpCase, outputShapes: readonly number[][]) {
  const g = new GraphBuilder();
  const inputs = c.inputs.map((t) => {
    if (!t) return null;
    const data = t.data as ArrayLike<number>;
    return t.constant
      ? g.constant(t.shape, data, t.dtype, t.quantization ?? null)
      : g.input(t.shape, data, t.dtype, t.quantization ?? null);
  });
  const outputs = c.outputs.map((o, i) => g.activation([...(outputShapes[i] as number[])], o.dtype, o.quantization ?? null));
  g.node(c.op, inputs, outputs, c.options ?? {}, {
    version: c.version,
    customOptions: c.customOptions,
    config: { integerRounding: c.integerRounding ?? 'reference' },
  });
  for (const o of outputs) g.markOutput(o);
  return { graph: g.graph(), outputs };
}

/** Runs the case on the CPU kernel and on the GPU; expects the GPU to take the node and match every output exactly. */
export async function expectGpuMatchesCpu(c: OpCase, delegate: WebGpuDelegate, what = c.op): Promise<void> {
  const cpu = runOp(c);
  const { graph, outputs } = intCaseGraph(
    c,
    cpu.map((o) => o.shape),
  );
  const { kernel } = await runDelegated(delegate, graph);
  kernel.dispose();
  outputs.forEach((o: RuntimeTensor, i) => {
    expect(bitDifference(o.data as ArrayLike<number>, cpu[i]?.data as ArrayLike<number>), `${what}: output ${i}`).toBe('');
  });
}

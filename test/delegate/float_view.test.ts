// quantizedExecution 'float' (delegate/plan/float_view.ts): quantized nodes run as float kernels on
// dequantized values with quantize -> dequantize simulators, as TFLite's GPU delegate runs them.
// Judged against the CPU's integer result: within one output step, and the placement says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import { runOp } from '../support/run_op.js';
import { intCaseGraph } from './int_support.js';
import { specFor, testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate({ quantizedExecution: 'float' });
});
afterAll(() => delegate?.dispose());

const tq = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

describe("quantizedExecution 'float'", () => {
  it('runs an int8 FULLY_CONNECTED as dequantize -> float FC -> quantize, within 1 LSB of the integer kernel', async (t) => {
    if (!delegate) return t.skip();
    const k = 12;
    const units = 5;
    const input = Array.from({ length: 2 * k }, (_, i) => ((i * 37) % 255) - 128);
    const weights = Array.from({ length: units * k }, (_, i) => ((i * 53) % 255) - 127);
    const c = {
      op: 'FULLY_CONNECTED',
      options: { fusedActivationFunction: 0 },
      inputs: [
        { dtype: 'int8' as const, shape: [2, k], data: input, quantization: tq(0.05, -3) },
        { dtype: 'int8' as const, shape: [units, k], data: weights, quantization: tq(0.01, 0), constant: true },
        { dtype: 'int32' as const, shape: [units], data: [100, -200, 300, 0, 7], quantization: tq(0.0005, 0), constant: true },
      ],
      outputs: [{ dtype: 'int8' as const, quantization: tq(0.1, 2) }],
    };
    const cpu = runOp(c);
    const { graph, outputs } = intCaseGraph(
      c,
      cpu.map((o) => o.shape),
    );
    const claims = await delegate.prepare(graph);
    expect(claims.partitions).toEqual([[0]]);
    const kernel = await delegate.createKernel(graph, specFor(graph, [0]));
    await kernel.invoke();
    const info = kernel.describe?.() ?? {};
    kernel.dispose();
    expect(info.quantizedExecution).toBe('float');
    expect(info.implementations).toEqual({ dequantize_int: 1, fully_connected: 1, quantize_int: 1 });
    const got = outputs[0]?.data as Int8Array;
    const want = cpu[0]?.data as Int8Array;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
    expect(worst).toBeLessThanOrEqual(1);
    expect(new Set(got).size, 'the outputs are not degenerate').toBeGreaterThan(3);
  });
});

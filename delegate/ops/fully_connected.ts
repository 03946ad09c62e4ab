// FULLY_CONNECTED with constant float32 weights [O, K] (default weights format): the input is
// read as rows of K (it must already be stored that way: its last dimension is K, or both are
// multiples of 4), out[row] = W x[row] + b.
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sameSliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import {
  biasProblem,
  constantWeights,
  fusedActivation,
  fusedActivationProblem,
  inputAt,
  maxVersion,
  opt,
  packBias,
  packConvWeights,
  weightBytesProblem,
} from './common.js';

/** Rows per invocation of fully_connected.wgsl (every entry point). */
export const ROWS_PER_INVOCATION = 8;

/** Output slices per invocation of fully_connected.wgsl: the largest of 4, 2, 1 dividing outSlices. */
export function slicesPerInvocation(outSlices: number): 1 | 2 | 4 {
  return outSlices % 4 === 0 ? 4 : outSlices % 2 === 0 ? 2 : 1;
}

const ENTRY_POINTS = { 1: 'main', 2: 'main_8x2', 4: 'main_8x4' } as const;

/** out[row] = W x[row] + b over `rows` rows of `k` inputs (FULLY_CONNECTED, 1x1 CONV_2D). */
export function rowsProgram(node: DelegateNode, weights: Float32Array, rows: number, k: number, outC: number): NodeProgram {
  const outSlices = Math.ceil(outC / 4);
  const perInvocation = slicesPerInvocation(outSlices);
  return {
    kind: 'dispatch',
    dispatches: [
      {
        shader: {
          template: 'fully_connected',
          entryPoint: ENTRY_POINTS[perInvocation],
          constants: { ACTIVATION: fusedActivation(node) },
        },
        bindings: {
          x: { kind: 'tensor', tensor: node.inputs[0] as RuntimeTensor },
          weights: { kind: 'weights', values: weights },
          bias: { kind: 'weights', values: packBias(inputAt(node, 2), outC) },
          y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
        },
        uniforms: { rows, in_slices: Math.ceil(k / 4), out_slices: outSlices },
        invocations: Math.ceil(rows / ROWS_PER_INVOCATION) * (outSlices / perInvocation),
      },
    ],
  };
}

export const fullyConnected: OpImpl = {
  name: 'fully_connected',
  isSupported(node, ctx) {
    const x = inputAt(node, 0);
    const w = inputAt(node, 1);
    const why = maxVersion(node, 12) ?? (x ? null : 'input is missing') ?? constantWeights(w, 2, 'weights') ?? fusedActivationProblem(node);
    if (why) return why;
    if (opt(node, 'weightsFormat', 0) !== 0) return 'only the DEFAULT weights format is supported';
    const [outC, k] = (w as RuntimeTensor).shape as [number, number];
    const biasWhy = biasProblem(inputAt(node, 2), outC);
    if (biasWhy) return biasWhy;
    const size = (x as RuntimeTensor).shape.reduce((a, d) => a * d, 1);
    if (k <= 0 || size % k !== 0) return `input of ${size} elements is not a whole number of rows of ${k}`;
    if (!sameSliceLayout((x as RuntimeTensor).shape, [size / k, k])) {
      return `input shape [${(x as RuntimeTensor).shape}] is not stored as rows of ${k} (add a RESHAPE before it)`;
    }
    return weightBytesProblem(Math.ceil(outC / 4) * Math.ceil(k / 4) * 64, ctx.limits) ?? true;
  },
  build(node): NodeProgram {
    const x = node.inputs[0] as RuntimeTensor;
    const w = node.inputs[1] as RuntimeTensor;
    const [outC, k] = w.shape as [number, number];
    const rows = x.shape.reduce((a, d) => a * d, 1) / k;
    return rowsProgram(node, packConvWeights(w.data as Float32Array, outC, 1, k), rows, k, outC);
  },
};

// FULLY_CONNECTED with constant float32 weights [O, K] (default weights format): the input is
// read as rows of K (it must already be stored that way: its last dimension is K, or both are
// multiples of 4), out[row] = W x[row] + b. Shapes and activation come from the float kernel's prepare.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { FULLY_CONNECTED_INPUTS, type FullyConnectedParams, fullyConnectedFloat } from '../../src/kernels/fully_connected.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sameSliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { activationConstant, constant, inputAt } from './common.js';
import { constantBias, notFloatReason, packBias, packConvWeights, weightBytesProblem } from './conv_common.js';
import { epilogueConstants, NO_EPILOGUE } from './epilogue.js';

/** Rows per invocation of fully_connected.wgsl (every entry point). */
export const ROWS_PER_INVOCATION = 8;

/** Output slices per invocation of fully_connected.wgsl: the largest of 4, 2, 1 dividing outSlices. */
export function slicesPerInvocation(outSlices: number): 1 | 2 | 4 {
  return outSlices % 4 === 0 ? 4 : outSlices % 2 === 0 ? 2 : 1;
}

const ENTRY_POINTS = { 1: 'main', 2: 'main_8x2', 4: 'main_8x4' } as const;

/** out[row] = W x[row] + b over `rows` rows of `k` inputs (FULLY_CONNECTED, 1x1 CONV_2D). */
export function rowsProgram(
  node: DelegateNode,
  slots: { readonly input: number; readonly bias: number },
  activation: number,
  weights: Float32Array,
  rows: number,
  k: number,
  outC: number,
): NodeProgram {
  const outSlices = Math.ceil(outC / 4);
  const perInvocation = slicesPerInvocation(outSlices);
  return {
    kind: 'dispatch',
    dispatches: [
      {
        shader: {
          template: 'fully_connected',
          entryPoint: ENTRY_POINTS[perInvocation],
          constants: { ACTIVATION: activationConstant(activation), ...epilogueConstants(NO_EPILOGUE) },
        },
        bindings: {
          x: { kind: 'tensor', tensor: node.inputs[slots.input] as RuntimeTensor },
          weights: { kind: 'weights', values: weights },
          bias: { kind: 'weights', values: packBias(inputAt(node, slots.bias), outC) },
          y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
        },
        uniforms: { rows, in_slices: Math.ceil(k / 4), out_c: outC, out_slices: outSlices, residual_slices: outSlices },
        invocations: Math.ceil(rows / ROWS_PER_INVOCATION) * (outSlices / perInvocation),
      },
    ],
  };
}

const prepared = (node: DelegateNode): FullyConnectedParams | null => preparedBy(node, fullyConnectedFloat);

export const fullyConnected: OpImpl = {
  name: 'fully_connected',
  epilogue: true,
  isSupported(node, ctx) {
    // The prepare checked the shapes, the weights format and the activation (only clamping ones).
    const p = prepared(node);
    if (!p) return notFloatReason(node.inputs, FULLY_CONNECTED_INPUTS);
    const why =
      constant(inputAt(node, FULLY_CONNECTED_INPUTS.weights), 'weights') ?? constantBias(inputAt(node, FULLY_CONNECTED_INPUTS.bias));
    if (why) return why;
    const { batch, inputSize, units } = p;
    if (inputSize === 0) return 'the weights have input size 0';
    const x = node.inputs[FULLY_CONNECTED_INPUTS.input] as RuntimeTensor;
    if (!sameSliceLayout(x.shape, [batch, inputSize])) {
      return `input shape [${x.shape}] is not stored as rows of ${inputSize} (add a RESHAPE before it)`;
    }
    return weightBytesProblem(Math.ceil(units / 4) * Math.ceil(inputSize / 4) * 64, ctx.limits) ?? true;
  },
  build(node): NodeProgram {
    const { batch, inputSize, units, activation } = prepared(node) as FullyConnectedParams;
    const w = node.inputs[FULLY_CONNECTED_INPUTS.weights] as RuntimeTensor;
    const weights = packConvWeights(w.data as Float32Array, units, 1, inputSize);
    return rowsProgram(node, FULLY_CONNECTED_INPUTS, activation, weights, batch, inputSize, units);
  },
};

// FULLY_CONNECTED with constant float32 weights [O, K] (default weights format): the input is
// read as rows of K (it must already be stored that way: its last dimension is K, or both are
// multiples of 4), out[row] = W x[row] + b.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sameSliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import {
  biasProblem,
  constant,
  float32,
  fusedActivation,
  fusedActivationProblem,
  inputAt,
  maxVersion,
  opt,
  packBias,
  packConvWeights,
  rankOf,
} from './common.js';
import { ROWS_PER_INVOCATION } from './conv2d.js';

export const fullyConnected: OpImpl = {
  name: 'fully_connected',
  isSupported(node, ctx) {
    const x = inputAt(node, 0);
    const w = inputAt(node, 1);
    const why =
      maxVersion(node, 12) ??
      (x ? null : 'input is missing') ??
      rankOf(w, 2, 'weights') ??
      float32(w, 'weights') ??
      constant(w, 'weights') ??
      fusedActivationProblem(node);
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
    const weightBytes = Math.ceil(outC / 4) * Math.ceil(k / 4) * 64;
    if (weightBytes > ctx.limits.maxStorageBufferBindingSize) {
      return `packed weights (${weightBytes} bytes) exceed maxStorageBufferBindingSize (${ctx.limits.maxStorageBufferBindingSize})`;
    }
    return true;
  },
  build(node): NodeProgram {
    const x = node.inputs[0] as RuntimeTensor;
    const w = node.inputs[1] as RuntimeTensor;
    const [outC, k] = w.shape as [number, number];
    const rows = x.shape.reduce((a, d) => a * d, 1) / k;
    const outSlices = Math.ceil(outC / 4);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: { template: 'fully_connected', constants: { ACTIVATION: fusedActivation(node), ROWS_PER_INVOCATION } },
          bindings: {
            x: { kind: 'tensor', tensor: x },
            weights: { kind: 'weights', values: packConvWeights(w.data as Float32Array, outC, 1, k) },
            bias: { kind: 'weights', values: packBias(inputAt(node, 2), outC) },
            y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor },
          },
          uniforms: { rows, in_slices: Math.ceil(k / 4), out_slices: outSlices },
          invocations: Math.ceil(rows / ROWS_PER_INVOCATION) * outSlices,
        },
      ],
    };
  },
};

// SOFTMAX (beta) and LOG_SOFTMAX over the last axis (shaders/softmax.wgsl).
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { inputCount, maxVersion, opt } from './common.js';

function softmaxOp(log: boolean): OpImpl {
  return {
    name: log ? 'log_softmax' : 'softmax',
    isSupported(node) {
      const x = node.inputs[0];
      const why = maxVersion(node, log ? 2 : 3) ?? inputCount(node, 1);
      if (why) return why;
      if (!x || x.shape.length < 1) return 'input must have rank >= 1';
      return node.outputs[0]?.shape.join() === x.shape.join() ? true : 'output shape differs from the input shape';
    },
    build(node): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(x.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'softmax', constants: { LOG_SOFTMAX: log } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            // A model without SoftmaxOptions has beta 0 in TFLite too.
            uniforms: { channels: layout.channels, slices: layout.slices, beta: log ? 1 : opt(node, 'beta', 0) },
            invocations: layout.rows,
          },
        ],
      };
    },
  };
}

export const softmax = softmaxOp(false);
export const logSoftmax = softmaxOp(true);

// SOFTMAX (beta) and LOG_SOFTMAX over the last axis (shaders/softmax.wgsl); beta comes from the
// CPU kernel's prepare (1 for LOG_SOFTMAX).
import { preparedBy } from '../../src/interpreter/delegate.js';
import type { Kernel, RuntimeTensor } from '../../src/kernels/kernel.js';
import { logSoftmaxKernel, type SoftmaxParams, softmaxKernel } from '../../src/kernels/softmax.js';
import { UNARY_INPUTS } from '../../src/kernels/unary.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { inputCount } from './common.js';

function softmaxOp(log: boolean, kernel: Kernel<SoftmaxParams>): OpImpl {
  return {
    name: log ? 'log_softmax' : 'softmax',
    isSupported(node) {
      const why = inputCount(node, 1);
      if (why) return why;
      return preparedBy(node, kernel) ? true : 'not prepared by the float32 kernel';
    },
    build(node): NodeProgram {
      const { beta } = preparedBy(node, kernel) as SoftmaxParams;
      const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(x.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'softmax', constants: { LOG_SOFTMAX: log } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { channels: layout.channels, slices: layout.slices, beta },
            invocations: layout.rows,
          },
        ],
      };
    },
  };
}

export const softmax = softmaxOp(false, softmaxKernel);
export const logSoftmax = softmaxOp(true, logSoftmaxKernel);

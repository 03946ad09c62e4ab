// RESHAPE, SQUEEZE, EXPAND_DIMS: the output shares the input's buffer when both shapes store
// their elements the same way in slice layout (same last dimension, or both multiples of 4),
// else shaders/reshape.wgsl repacks the rows.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { isKnown } from '../../src/kernels/kernel.js';
import { sameSliceLayout, sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { float32 } from './common.js';

function reshapeOp(op: string): OpImpl {
  return {
    name: op.toLowerCase(),
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const y = node.outputs[0];
      const why = float32(x, 'input');
      if (why) return why;
      if (isKnown(x as RuntimeTensor)) return 'the input is a constant (the interpreter folds this node)';
      const n = (x as RuntimeTensor).shape.reduce((a, d) => a * d, 1);
      if (!y || y.shape.reduce((a, d) => a * d, 1) !== n) return `output shape [${y?.shape}] does not hold the input's ${n} elements`;
      return true;
    },
    build(node): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      if (sameSliceLayout(x.shape, y.shape)) return { kind: 'alias' };
      const inLayout = sliceLayout(x.shape);
      const outLayout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'reshape', constants: {} },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { in_c: inLayout.channels, in_slices: inLayout.slices, out_c: outLayout.channels, out_slices: outLayout.slices },
            invocations: outLayout.sliceCount,
          },
        ],
      };
    },
  };
}

export const reshape = reshapeOp('RESHAPE');
export const squeeze = reshapeOp('SQUEEZE');
export const expandDims = reshapeOp('EXPAND_DIMS');

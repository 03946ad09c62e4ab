// RESHAPE, SQUEEZE, EXPAND_DIMS: the output shares the input's buffer when both shapes store
// their elements the same way in slice layout (same last dimension, or both multiples of 4),
// else shaders/reshape.wgsl (float) or shaders/reshape_int.wgsl (integer) repacks the rows.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { Kernel, RuntimeTensor } from '../../src/kernels/kernel.js';
import { isKnown } from '../../src/kernels/kernel.js';
import { expandDimsKernel, RESHAPE_INPUTS, type ReshapeParams, reshapeKernel, squeezeKernel } from '../../src/kernels/reshape.js';
import { sameSliceLayout, sliceLayout } from '../layout.js';
import { type IntStorage, integerStorage } from '../plan/precision.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { float32 } from './common.js';
import { byteMoveConstants } from './int_slice.js';

function reshapeOp(op: string, kernel: Kernel<ReshapeParams>): OpImpl {
  const prepared = (node: DelegateNode) => preparedBy(node, kernel);
  return {
    name: op.toLowerCase(),
    isSupported(node) {
      // The prepare resolved the new shape (and checked it holds the input's elements).
      if (!prepared(node)) return `not prepared by the ${op} kernel`;
      const x = node.inputs[RESHAPE_INPUTS.input] ?? null;
      const why = float32(x, 'input');
      if (why) return why;
      if (isKnown(x as RuntimeTensor)) return 'the input is a constant (the interpreter folds this node)';
      return true;
    },
    build(node): NodeProgram {
      const x = node.inputs[RESHAPE_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const { shape } = prepared(node) as ReshapeParams;
      if (sameSliceLayout(x.shape, shape)) return { kind: 'alias' };
      const inLayout = sliceLayout(x.shape);
      const outLayout = sliceLayout(shape);
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

export const reshape = reshapeOp('RESHAPE', reshapeKernel);
export const squeeze = reshapeOp('SQUEEZE', squeezeKernel);
export const expandDims = reshapeOp('EXPAND_DIMS', expandDimsKernel);

/** The integer form: an alias when the slice layouts agree, else shaders/reshape_int.wgsl repacks the rows. */
function reshapeIntOp(op: string, kernel: Kernel<ReshapeParams>): OpImpl {
  const prepared = (node: DelegateNode) => preparedBy(node, kernel);
  return {
    name: `${op.toLowerCase()}_int`,
    integer: true,
    isSupported(node) {
      const params = prepared(node);
      if (!params) return `not prepared by the ${op} kernel`;
      const x = node.inputs[RESHAPE_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      if (!integerStorage(x.dtype) || y.dtype !== x.dtype) return `input ${x.dtype} and output ${y.dtype} must be the same integer type`;
      if (isKnown(x)) return 'the input is a constant (the interpreter folds this node)';
      return true;
    },
    build(node): NodeProgram {
      const x = node.inputs[RESHAPE_INPUTS.input] as RuntimeTensor;
      const { shape } = prepared(node) as ReshapeParams;
      if (sameSliceLayout(x.shape, shape)) return { kind: 'alias' };
      const inLayout = sliceLayout(x.shape);
      const outLayout = sliceLayout(shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'reshape_int', constants: byteMoveConstants(integerStorage(x.dtype) as IntStorage) },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: node.outputs[0] as RuntimeTensor } },
            uniforms: { in_c: inLayout.channels, in_slices: inLayout.slices, out_c: outLayout.channels, out_slices: outLayout.slices },
            invocations: outLayout.sliceCount,
          },
        ],
      };
    },
  };
}

export const reshapeInt = reshapeIntOp('RESHAPE', reshapeKernel);
export const squeezeInt = reshapeIntOp('SQUEEZE', squeezeKernel);
export const expandDimsInt = reshapeIntOp('EXPAND_DIMS', expandDimsKernel);

// Integer elementwise activations and unary ops (shaders/unary_int.wgsl): LOGISTIC, TANH,
// LEAKY_RELU, HARD_SWISH, RELU / RELU6 / RELU_N1_TO_1 / RELU_0_TO_1, ELU, GELU, ABS and RSQRT on
// int8 / uint8 / int16. Their CPU kernels tabulate the op over every input value at prepare (the
// LUTPopulate tables, the int16 fixed-point paths, the XNNPACK variants, all rounding modes
// included); the GPU indexes that very table, so it equals the CPU by construction.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import {
  eluIntKernel,
  geluIntKernel,
  hardSwishIntKernel,
  leakyReluIntKernel,
  logisticIntKernel,
  relu0To1IntKernel,
  relu6IntKernel,
  reluIntKernel,
  reluN1To1IntKernel,
  tanhIntKernel,
} from '../../src/kernels/activations_int.js';
import { isKnown, type Kernel, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { absIntKernel, rsqrtIntKernel, UNARY_INPUTS } from '../../src/kernels/unary.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { inputCount } from './common.js';

/** What the table-driven CPU kernels prepare: the output of input value v at table[v + offset]. */
interface ValueTable {
  table: ArrayLike<number>;
  offset: number;
}

const TABLE_TYPES = ['int8', 'uint8', 'int16'];

function unaryIntOp<P extends ValueTable>(op: string, kernel: Kernel<P>): OpImpl {
  const prepared = (node: DelegateNode): P | null => preparedBy(node, kernel);
  return {
    name: `${op.toLowerCase()}_int`,
    integer: true,
    isSupported(node) {
      const why = inputCount(node, 1);
      if (why) return why;
      const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      if (!TABLE_TYPES.includes(x.dtype) || y.dtype !== x.dtype) {
        return `input ${x.dtype} and output ${y.dtype} must be the same type, int8, uint8 or int16`;
      }
      if (isKnown(x)) return 'the input is a constant (the interpreter folds this node)';
      const p = prepared(node);
      if (!p) return `not prepared by the integer ${op} kernel`;
      const expected = x.dtype === 'int16' ? 65536 : 256;
      if (p.table.length !== expected) return `the CPU table has ${p.table.length} entries, expected ${expected}`;
      return true;
    },
    build(node): NodeProgram {
      const { table, offset } = prepared(node) as P;
      const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'unary_int', constants: { ELEMENT_BYTES: x.dtype === 'int16' ? 2 : 1, SIGNED: x.dtype !== 'uint8' } },
            bindings: {
              x: { kind: 'tensor', tensor: x },
              y: { kind: 'tensor', tensor: y },
              table: { kind: 'raw', data: Int32Array.from(table) },
            },
            uniforms: { channels: layout.channels, slices: layout.slices, offset },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const logisticInt = unaryIntOp('LOGISTIC', logisticIntKernel);
export const tanhInt = unaryIntOp('TANH', tanhIntKernel);
export const leakyReluInt = unaryIntOp('LEAKY_RELU', leakyReluIntKernel);
export const hardSwishInt = unaryIntOp('HARD_SWISH', hardSwishIntKernel);
export const reluInt = unaryIntOp('RELU', reluIntKernel);
export const relu6Int = unaryIntOp('RELU6', relu6IntKernel);
export const reluN1To1Int = unaryIntOp('RELU_N1_TO_1', reluN1To1IntKernel);
export const relu0To1Int = unaryIntOp('RELU_0_TO_1', relu0To1IntKernel);
export const eluInt = unaryIntOp('ELU', eluIntKernel);
export const geluInt = unaryIntOp('GELU', geluIntKernel);
export const absInt = unaryIntOp('ABS', absIntKernel);
// RSQRT: the CPU fails the node on inputs below the input zero point ("Rsqrt is only defined for
// positive values"); the GPU cannot fail mid-run and writes the table's 127 for them.
export const rsqrtInt = unaryIntOp('RSQRT', rsqrtIntKernel);

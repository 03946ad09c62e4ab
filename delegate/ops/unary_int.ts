// Integer elementwise activations and unary ops (shaders/unary_int.wgsl), and PRELU
// (shaders/prelu_int.wgsl): LOGISTIC, TANH,
// LEAKY_RELU, HARD_SWISH, RELU / RELU6 / RELU_N1_TO_1 / RELU_0_TO_1, ELU, GELU, ABS and RSQRT on
// int8 / uint8 / int16. Their CPU kernels tabulate the op over every input value at prepare (the
// LUTPopulate tables, the int16 fixed-point paths, the XNNPACK variants, all rounding modes
// included); the GPU indexes that very table, so it equals the CPU by construction.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { PRELU_INPUTS } from '../../src/kernels/activations.js';
import {
  eluIntKernel,
  geluIntKernel,
  hardSwishIntKernel,
  leakyReluIntKernel,
  logisticIntKernel,
  preluIntKernel,
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
import { broadcastSide } from './binary.js';
import { collapseDims, dimRows, inputCount } from './common.js';

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

/** Outer dimensions shaders/prelu_int.wgsl walks (its Params.dims length). */
const PRELU_MAX_OUTER_RANK = 5;

const preluPrepared = (node: DelegateNode) => preparedBy(node, preluIntKernel);

/**
 * PRELU int8 / uint8: the CPU prepare tabulated all 65536 (input, alpha) pairs; the GPU walks the
 * broadcast (from the prepare's plan, as the float binary ops) and looks each pair up.
 */
export const preluInt: OpImpl = {
  name: 'prelu_int',
  integer: true,
  isSupported(node) {
    const why = inputCount(node, 2);
    if (why) return why;
    const x = node.inputs[PRELU_INPUTS.input] as RuntimeTensor;
    const alpha = node.inputs[PRELU_INPUTS.alpha] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    if ((x.dtype !== 'int8' && x.dtype !== 'uint8') || alpha.dtype !== x.dtype || y.dtype !== x.dtype) {
      return `input ${x.dtype}, alpha ${alpha.dtype} and output ${y.dtype} must all be int8 or all uint8`;
    }
    const p = preluPrepared(node);
    if (!p) return 'not prepared by the integer PRELU kernel';
    if (p.plan.outShape.length - 1 > PRELU_MAX_OUTER_RANK) return `rank ${p.plan.outShape.length} is above 6`;
    return true;
  },
  build(node): NodeProgram {
    const { plan, table } = preluPrepared(node) as NonNullable<ReturnType<typeof preluPrepared>>;
    const x = node.inputs[PRELU_INPUTS.input] as RuntimeTensor;
    const alpha = node.inputs[PRELU_INPUTS.alpha] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const out = plan.outShape;
    const sx = broadcastSide(plan.alignedStrides[0] as number[], out);
    const sa = broadcastSide(plan.alignedStrides[1] as number[], out);
    const layout = sliceLayout(out);
    const dims = collapseDims(out.slice(0, Math.max(0, out.length - 1)), [sx.rowStrides, sa.rowStrides]);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'prelu_int',
            constants: {
              SIGNED: x.dtype === 'int8',
              OUTER_RANK: dims.length,
              A_SPLAT: sx.splat,
              B_SPLAT: sa.splat,
              SAME_SHAPE: x.shape.join() === out.join() && alpha.shape.join() === out.join(),
            },
          },
          bindings: {
            a: { kind: 'tensor', tensor: x },
            b: { kind: 'tensor', tensor: alpha },
            y: { kind: 'tensor', tensor: y },
            table: { kind: 'raw', data: Int32Array.from(table) },
          },
          uniforms: { channels: layout.channels, slices: layout.slices, a_slices: sx.slices, b_slices: sa.slices, dims: dimRows(dims) },
          invocations: layout.sliceCount,
        },
      ],
    };
  },
};

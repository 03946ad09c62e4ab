// Integer SOFTMAX over the last axis (shaders/softmax_int.wgsl), one invocation per row, from the
// CPU kernel's prepare (src/kernels/softmax_int.ts): the float32 exp table of int8 / uint8 input,
// or the int16 path's input multiplier and its exp and 1/(1+x) tables, uploaded as prepared.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { softmaxIntKernel } from '../../src/kernels/softmax_int.js';
import { UNARY_INPUTS } from '../../src/kernels/unary.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { inputCount } from './common.js';
import { elementConstant, QUANTIZED_8_16 } from './int_slice.js';

const prepared = (node: DelegateNode) => preparedBy(node, softmaxIntKernel);
type Prepared = NonNullable<ReturnType<typeof prepared>>;

/** The shader's element type codes. */

/**
 * Why the float-table path's exactly rounded arithmetic (positive normal floats only) may not hold
 * for every input, or null: the table must be finite, and sum * output_scale (sum in [1, depth *
 * the largest entry]) and its reciprocal normal.
 */
function tableRangeProblem(p: Prepared & { mode: 'table' }): string | null {
  let largest = 0;
  for (const v of p.table) {
    if (!Number.isFinite(v) || v < 0) return `the exp table holds ${v}`;
    largest = Math.max(largest, v);
  }
  const scale = Math.fround(p.outputScale);
  if (!(scale >= 2 ** -126) || p.depth * largest * scale >= 2 ** 125) {
    return `output scale ${p.outputScale} with row sums up to ${p.depth * largest} leaves the normal float range`;
  }
  return null;
}

export const softmaxInt: OpImpl = {
  name: 'softmax_int',
  integer: true,
  isSupported(node) {
    const why = inputCount(node, 1);
    if (why) return why;
    const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const types = QUANTIZED_8_16 as readonly string[];
    if (!types.includes(x.dtype) || !types.includes(y.dtype)) return `input ${x.dtype} and output ${y.dtype} must be int8, uint8 or int16`;
    if (isKnown(x)) return 'the input is a constant (the interpreter folds this node)';
    const p = prepared(node);
    if (!p) return 'not prepared by the integer SOFTMAX kernel';
    if (p.depth === 0) return 'the rows are empty';
    if (p.mode === 'table') return tableRangeProblem(p) ?? true;
    return true;
  },
  build(node): NodeProgram {
    const p = prepared(node) as Prepared;
    const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const layout = sliceLayout(x.shape);
    const int16 = p.mode === 'int16' ? p.int16 : null;
    let table: Float32Array | Int32Array;
    if (p.mode === 'table') table = p.table;
    else {
      const { expLut, oneOverOnePlusXLut } = p.int16;
      table = new Int32Array(expLut.length + oneOverOnePlusXLut.length);
      table.set(expLut);
      table.set(oneOverOnePlusXLut, expLut.length);
    }
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: {
            template: 'softmax_int',
            constants: { MODE: int16 ? 1 : 0, IN_TYPE: elementConstant(x.dtype) as string, OUT_TYPE: elementConstant(y.dtype) as string },
          },
          bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y }, table: { kind: 'raw', data: table } },
          uniforms: {
            channels: layout.channels,
            slices: layout.slices,
            output_scale: p.mode === 'table' ? p.outputScale : 0,
            output_zero_point: p.mode === 'table' ? p.outputZeroPoint : 0,
            input_multiplier: int16?.inputMultiplier ?? 0,
            input_shift: int16?.inputLeftShift ?? 0,
            reciprocal_table: int16?.expLut.length ?? 0,
          },
          invocations: layout.rows,
        },
      ],
    };
  },
};

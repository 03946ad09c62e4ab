// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD over a constant axes tensor (shaders/reduce.wgsl).
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { Kernel, RuntimeTensor } from '../../src/kernels/kernel.js';
import {
  meanKernel,
  REDUCE_INPUTS,
  type ReduceParams,
  reduceMaxKernel,
  reduceMinKernel,
  reduceProdKernel,
  sumKernel,
} from '../../src/kernels/reduce.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { collapseDims, dimRows, stridesOf } from './common.js';

const MAX_RANK = 6;

/**
 * How a reduction walks the slice layout (shaders/reduce.wgsl, shaders/reduce_int.wgsl): the
 * outer dimensions split into kept and reduced groups, each collapsed, with their row strides.
 */
export function reduceGeometry(x: RuntimeTensor, y: RuntimeTensor, isReduced: readonly boolean[]) {
  const shape = x.shape;
  const last = shape.length - 1;
  const outer = shape.slice(0, last);
  const rowStrides = stridesOf(outer);
  const keptIdx = outer.map((_, i) => i).filter((i) => !isReduced[i]);
  const reducedIdx = outer.map((_, i) => i).filter((i) => isReduced[i]);
  const kept = collapseDims(
    keptIdx.map((i) => outer[i] as number),
    [keptIdx.map((i) => rowStrides[i] as number)],
  );
  const reduced = collapseDims(
    reducedIdx.map((i) => outer[i] as number),
    [reducedIdx.map((i) => rowStrides[i] as number)],
  );
  const reducedRows = reducedIdx.reduce((a, i) => a * (outer[i] as number), 1);
  const reduceLast = isReduced[last] as boolean;
  const inLayout = sliceLayout(shape);
  const outLayout = sliceLayout(y.shape);
  return {
    constants: { REDUCE_LAST: reduceLast, KEPT_RANK: kept.length, REDUCED_RANK: reduced.length },
    uniforms: {
      in_channels: inLayout.channels,
      in_slices: inLayout.slices,
      out_channels: outLayout.channels,
      out_slices: outLayout.slices,
      count: reducedRows * (reduceLast ? inLayout.channels : 1),
      reduced_rows: reducedRows,
      kept: dimRows(kept),
      reduced: dimRows(reduced),
    },
    invocations: outLayout.sliceCount,
  };
}

function reduce(op: string, opConst: string, kernel: Kernel<ReduceParams>): OpImpl {
  const prepared = (node: DelegateNode) => preparedBy(node, kernel);
  return {
    name: `reduce_${op.toLowerCase()}`,
    isSupported(node) {
      // The prepare resolved the constant axes and sized the output.
      if (!prepared(node)) return `not prepared by the ${op} kernel`;
      const rank = (node.inputs[REDUCE_INPUTS.input] as RuntimeTensor).shape.length;
      return rank >= 1 && rank <= MAX_RANK ? true : `rank ${rank} is not in 1..${MAX_RANK}`;
    },
    build(node): NodeProgram {
      const x = node.inputs[REDUCE_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const { reduced } = prepared(node) as ReduceParams;
      const g = reduceGeometry(x, y, reduced);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'reduce', constants: { OP: opConst, ...g.constants } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: g.uniforms,
            invocations: g.invocations,
          },
        ],
      };
    },
  };
}

export const mean = reduce('MEAN', 'OP_MEAN', meanKernel);
export const sum = reduce('SUM', 'OP_SUM', sumKernel);
export const reduceMax = reduce('MAX', 'OP_MAX', reduceMaxKernel);
export const reduceMin = reduce('MIN', 'OP_MIN', reduceMinKernel);
export const reduceProd = reduce('PROD', 'OP_PROD', reduceProdKernel);

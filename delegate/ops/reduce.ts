// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD over a constant axes tensor (shaders/reduce.wgsl).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { collapseDims, dimRows, inputCount, int32Constant, intValues, maxVersion, rankOf, stridesOf } from './common.js';

const MAX_RANK = 6;

/** The normalized, deduplicated axes, or a reason. */
function axesOf(node: DelegateNode): Set<number> | string {
  const x = node.inputs[0] as RuntimeTensor;
  const rank = x.shape.length;
  const axes = new Set<number>();
  for (const a of intValues(node.inputs[1] as RuntimeTensor)) {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) return `axis ${a} is out of range for rank ${rank}`;
    axes.add(n);
  }
  return axes;
}

function reduce(op: string, opConst: string, max: number): OpImpl {
  return {
    name: `reduce_${op.toLowerCase()}`,
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const why =
        maxVersion(node, max) ??
        inputCount(node, 2) ??
        rankOf(x, [1, 2, 3, 4, 5, 6], 'input') ??
        int32Constant(node.inputs[1] ?? null, 'axes');
      if (why) return why;
      const axes = axesOf(node);
      if (typeof axes === 'string') return axes;
      const shape = (x as RuntimeTensor).shape;
      const kept = shape.filter((_, i) => !axes.has(i));
      const out = node.outputs[0]?.shape ?? [];
      const outSize = out.reduce((a, d) => a * d, 1);
      if (outSize !== kept.reduce((a, d) => a * d, 1))
        return `output shape [${out}] does not match reducing [${shape}] over [${[...axes]}]`;
      if (!axes.has(shape.length - 1) && out[out.length - 1] !== shape[shape.length - 1]) {
        return `output shape [${out}] does not end in the kept last dimension ${shape[shape.length - 1]}`;
      }
      return shape.length <= MAX_RANK ? true : `rank ${shape.length} is above ${MAX_RANK}`;
    },
    build(node): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const axes = axesOf(node) as Set<number>;
      const shape = x.shape;
      const last = shape.length - 1;
      const outer = shape.slice(0, last);
      const rowStrides = stridesOf(outer);
      const keptIdx = outer.map((_, i) => i).filter((i) => !axes.has(i));
      const reducedIdx = outer.map((_, i) => i).filter((i) => axes.has(i));
      const kept = collapseDims(
        keptIdx.map((i) => outer[i] as number),
        [keptIdx.map((i) => rowStrides[i] as number)],
      );
      const reduced = collapseDims(
        reducedIdx.map((i) => outer[i] as number),
        [reducedIdx.map((i) => rowStrides[i] as number)],
      );
      const reducedRows = reducedIdx.reduce((a, i) => a * (outer[i] as number), 1);
      const reduceLast = axes.has(last);
      const inLayout = sliceLayout(shape);
      const outLayout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: {
              template: 'reduce',
              constants: { OP: opConst, REDUCE_LAST: reduceLast, KEPT_RANK: kept.length, REDUCED_RANK: reduced.length },
            },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
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
          },
        ],
      };
    },
  };
}

export const mean = reduce('MEAN', 'OP_MEAN', 3);
export const sum = reduce('SUM', 'OP_SUM', 2);
export const reduceMax = reduce('MAX', 'OP_MAX', 3);
export const reduceMin = reduce('MIN', 'OP_MIN', 3);
export const reduceProd = reduce('PROD', 'OP_PROD', 2);

// CONCATENATION: one dispatch per input, each copying the input into its place in the output
// (shaders/concat.wgsl), so the number of inputs is not bounded by the storage-buffer limit.
import { preparedBy } from '../../src/interpreter/delegate.js';
import { type ConcatParams, concatenationKernel } from '../../src/kernels/concat.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { DispatchSpec, NodeProgram, OpImpl } from '../program.js';
import { float32 } from './common.js';

export const concatenation: OpImpl = {
  name: 'concatenation',
  isSupported(node) {
    // The prepare checked the axis and the input shapes, and sized the output.
    const p = preparedBy<ConcatParams>(node, concatenationKernel);
    if (!p) return 'not prepared by the concatenation kernel';
    if (p.clamp) return 'a fused activation on CONCATENATION is not supported';
    const rank = (node.outputs[0] as RuntimeTensor).shape.length;
    for (const [i, t] of node.inputs.entries()) {
      const why = float32(t ?? null, `input ${i}`);
      if (why) return why;
      // Scalars stacked into a vector have no axis to copy along.
      if ((t as RuntimeTensor).shape.length !== rank) return `input ${i} is a scalar`;
    }
    return true;
  },
  build(node): NodeProgram {
    const y = node.outputs[0] as RuntimeTensor;
    const rank = y.shape.length;
    const { axis } = preparedBy<ConcatParams>(node, concatenationKernel) as ConcatParams;
    const out = sliceLayout(y.shape);
    // Slices per position along the axis, for an axis before the last: the dimensions between
    // the axis and the last, times the slices of a row.
    const between = y.shape.slice(axis + 1, rank - 1).reduce((a, d) => a * d, 1) * out.slices;
    const dispatches: DispatchSpec[] = [];
    let offset = 0;
    for (const t of node.inputs as RuntimeTensor[]) {
      const size = t.shape[axis] as number;
      const inLayout = sliceLayout(t.shape);
      const base = {
        in_c: inLayout.channels,
        in_slices: inLayout.slices,
        out_c: out.channels,
        out_slices: out.slices,
        channel_offset: offset,
      };
      const lastAxis = axis === rank - 1;
      if (!lastAxis || offset % 4 === 0) {
        const inBlock = lastAxis ? inLayout.slices : size * between;
        const outBlock = lastAxis ? out.slices : (y.shape[axis] as number) * between;
        dispatches.push({
          shader: { template: 'concat', constants: { LANEWISE: false } },
          bindings: { x: { kind: 'tensor', tensor: t }, y: { kind: 'tensor', tensor: y } },
          uniforms: {
            ...base,
            in_block: inBlock,
            out_block: outBlock,
            slice_offset: lastAxis ? offset / 4 : offset * between,
            first_slice: 0,
            span: 0,
          },
          invocations: inLayout.sliceCount,
        });
      } else {
        const first = Math.floor(offset / 4);
        const span = Math.floor((offset + size - 1) / 4) - first + 1;
        dispatches.push({
          shader: { template: 'concat', constants: { LANEWISE: true } },
          bindings: { x: { kind: 'tensor', tensor: t }, y: { kind: 'tensor', tensor: y } },
          uniforms: { ...base, in_block: 0, out_block: 0, slice_offset: 0, first_slice: first, span },
          invocations: out.rows * span,
        });
      }
      offset += size;
    }
    return { kind: 'dispatch', dispatches };
  },
};

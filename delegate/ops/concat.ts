// CONCATENATION: one dispatch per input, each copying the input into its place in the output
// (shaders/concat.wgsl), so the number of inputs is not bounded by the storage-buffer limit.
import { preparedBy } from '../../src/interpreter/delegate.js';
import { type ConcatParams, concatenationKernel } from '../../src/kernels/concat.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { DispatchSpec, NodeProgram, OpImpl } from '../program.js';
import type { UniformValues } from '../runtime/uniforms.js';
import { float32 } from './common.js';

/** Where one input goes in the output: the copy mode, the shaders' uniforms and invocations. */
export interface ConcatPlacement {
  input: RuntimeTensor;
  /** Lane mode (a last-axis offset that is not a multiple of 4), else block mode. */
  lanewise: boolean;
  uniforms: UniformValues;
  invocations: number;
}

/** The placements of every input of a concatenation along `axis` (slice geometry only, any storage). */
export function concatPlacements(inputs: readonly RuntimeTensor[], y: RuntimeTensor, axis: number): ConcatPlacement[] {
  const rank = y.shape.length;
  const out = sliceLayout(y.shape);
  // Slices per position along the axis, for an axis before the last: the dimensions between
  // the axis and the last, times the slices of a row.
  const between = y.shape.slice(axis + 1, rank - 1).reduce((a, d) => a * d, 1) * out.slices;
  const placements: ConcatPlacement[] = [];
  let offset = 0;
  for (const t of inputs) {
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
      placements.push({
        input: t,
        lanewise: false,
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
      placements.push({
        input: t,
        lanewise: true,
        uniforms: { ...base, in_block: 0, out_block: 0, slice_offset: 0, first_slice: first, span },
        invocations: out.rows * span,
      });
    }
    offset += size;
  }
  return placements;
}

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
    const { axis } = preparedBy<ConcatParams>(node, concatenationKernel) as ConcatParams;
    const dispatches: DispatchSpec[] = concatPlacements(node.inputs as RuntimeTensor[], y, axis).map((p) => ({
      shader: { template: 'concat', constants: { LANEWISE: p.lanewise } },
      bindings: { x: { kind: 'tensor', tensor: p.input }, y: { kind: 'tensor', tensor: y } },
      uniforms: p.uniforms,
      invocations: p.invocations,
    }));
    return { kind: 'dispatch', dispatches };
  },
};

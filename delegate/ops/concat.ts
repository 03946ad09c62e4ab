// CONCATENATION: one dispatch per input, each copying the input into its place in the output
// (shaders/concat.wgsl), so the number of inputs is not bounded by the storage-buffer limit.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { DispatchSpec, NodeProgram, OpImpl } from '../program.js';
import { float32, fusedActivationProblem, maxVersion, opt } from './common.js';

function axisOf(rank: number, axis: number): number {
  return axis < 0 ? axis + rank : axis;
}

export const concatenation: OpImpl = {
  name: 'concatenation',
  isSupported(node) {
    const why = maxVersion(node, 4) ?? fusedActivationProblem(node);
    if (why) return why;
    if (opt(node, 'fusedActivationFunction', 0) !== 0) return 'a fused activation on CONCATENATION is not supported';
    const y = node.outputs[0];
    if (!y || node.inputs.length === 0) return 'needs at least one input and an output';
    const rank = y.shape.length;
    const axis = axisOf(rank, opt(node, 'axis', 0));
    if (axis < 0 || axis >= rank) return `axis ${opt(node, 'axis', 0)} is out of range for rank ${rank}`;
    let total = 0;
    for (const [i, t] of node.inputs.entries()) {
      const w = float32(t ?? null, `input ${i}`);
      if (w) return w;
      const s = (t as RuntimeTensor).shape;
      if (s.length !== rank || s.some((d, k) => k !== axis && d !== y.shape[k]))
        return `input ${i} shape [${s}] does not fit output [${y.shape}]`;
      total += s[axis] as number;
    }
    return total === y.shape[axis] ? true : `inputs add up to ${total} along axis ${axis}, output has ${y.shape[axis]}`;
  },
  build(node): NodeProgram {
    const y = node.outputs[0] as RuntimeTensor;
    const rank = y.shape.length;
    const axis = axisOf(rank, opt(node, 'axis', 0));
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

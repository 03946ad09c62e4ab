// REVERSE_V2 on float32 tensors (shaders/reverse.wgsl), from the CPU prepare's axis plan
// (src/kernels/reverse.ts); only the plan's translation to slice-layout rows happens here.
import { preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { REVERSE_V2_INPUTS, reverseV2Kernel } from '../../src/kernels/reverse.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { float32 } from './common.js';

export const reverseV2: OpImpl = {
  name: 'reverse_v2',
  isSupported(node) {
    if (!preparedBy(node, reverseV2Kernel)) return 'the node was not prepared by the REVERSE_V2 kernel';
    return float32(node.inputs[REVERSE_V2_INPUTS.data] ?? null, 'data') ?? true;
  },
  build(node): NodeProgram {
    const plan = preparedBy(node, reverseV2Kernel);
    if (!plan) throw new Error('REVERSE_V2: build without a prepared plan');
    const x = node.inputs[REVERSE_V2_INPUTS.data] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const layout = sliceLayout(x.shape);
    // The channels (last axis) are in `inner` unless reversed, then they end `middle`.
    const lanewise = plan.axes.includes(x.shape.length - 1);
    const channels = Math.max(1, layout.channels);
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: { template: 'reverse', constants: { LANEWISE: lanewise } },
          bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
          uniforms: {
            channels: layout.channels,
            slices: layout.slices,
            middle_rows: lanewise ? plan.middle / channels : plan.middle,
            inner_rows: lanewise ? 1 : plan.inner / channels,
          },
          invocations: layout.sliceCount,
        },
      ],
    };
  },
};

// Integer CONCATENATION (int8 / uint8 / int16 / int32) with the float builder's placement
// (concatPlacements) and shaders/concat_int.wgsl; uint8 inputs the CPU prepare marked for
// requantization are rescaled with its float32 scale and bias.
import { preparedBy } from '../../src/interpreter/delegate.js';
import { type ConcatParams, concatenationKernel } from '../../src/kernels/concat.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type IntStorage, integerStorage } from '../plan/precision.js';
import type { DispatchSpec, NodeProgram, OpImpl } from '../program.js';
import { concatPlacements } from './concat.js';
import { ALL_INT, byteMoveConstants, sameIntegerType } from './int_slice.js';

export const concatenationInt: OpImpl = {
  name: 'concatenation_int',
  integer: true,
  isSupported(node) {
    // The prepare checked the axis, shapes and quantization, and sized the output.
    const p = preparedBy<ConcatParams>(node, concatenationKernel);
    if (!p) return 'not prepared by the concatenation kernel';
    if (p.clamp) return 'a fused activation on CONCATENATION is not supported';
    const why = sameIntegerType([...node.inputs, ...node.outputs], ALL_INT);
    if (why) return why;
    const rank = (node.outputs[0] as RuntimeTensor).shape.length;
    for (const [i, t] of node.inputs.entries()) {
      if ((t as RuntimeTensor).shape.length !== rank) return `input ${i} is a scalar`;
    }
    return true;
  },
  build(node): NodeProgram {
    const y = node.outputs[0] as RuntimeTensor;
    const p = preparedBy<ConcatParams>(node, concatenationKernel) as ConcatParams;
    const storage = integerStorage(y.dtype) as IntStorage;
    const dispatches: DispatchSpec[] = concatPlacements(node.inputs as RuntimeTensor[], y, p.axis).map((placement, i) => {
      const r = p.rescale[i] ?? null;
      return {
        shader: {
          template: 'concat_int',
          constants: { ...byteMoveConstants(storage), LANEWISE: placement.lanewise, RESCALE: r !== null },
        },
        bindings: { x: { kind: 'tensor', tensor: placement.input }, y: { kind: 'tensor', tensor: y } },
        uniforms: { ...placement.uniforms, scale: r?.scale ?? 0, bias: r?.bias ?? 0, out_zero_point: r?.outZeroPoint ?? 0 },
        invocations: placement.invocations,
      };
    });
    return { kind: 'dispatch', dispatches };
  },
};

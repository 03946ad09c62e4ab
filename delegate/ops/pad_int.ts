// Integer PAD, PADV2 and MIRROR_PAD (int8 / uint8 / int16 / int32, rank up to 6, constant
// paddings) with the float builder's walk (padGeometry) and shaders/pad_int.wgsl. The fill is
// the prepared one: the constant-value input's value, else the output zero point (quantized) or 0.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { MirrorPadMode, type MirrorPadParams, mirrorPadKernel, PAD_INPUTS, type PadParams, padKernel } from '../../src/kernels/pad.js';
import { type IntStorage, integerStorage } from '../plan/precision.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { rankOf } from './common.js';
import { ALL_INT, byteMoveConstants, sameIntegerType } from './int_slice.js';
import { type PadPlan, padGeometry } from './pad.js';

function planOf(node: DelegateNode): PadPlan | string {
  const mirror = preparedBy<MirrorPadParams>(node, mirrorPadKernel);
  if (mirror) return { before: mirror.before, mode: mirror.mode === MirrorPadMode.REFLECT ? 'MODE_REFLECT' : 'MODE_SYMMETRIC', value: 0 };
  const p = preparedBy<PadParams>(node, padKernel);
  if (!p) return 'not prepared by the pad kernel';
  if (node.inputs[PAD_INPUTS.value] && p.value === null) return 'constant value must be a constant (it is computed at run time)';
  return { before: p.before, mode: 'MODE_CONSTANT', value: Number(p.value ?? p.fill) };
}

function padInt(op: string): OpImpl {
  return {
    name: `${op.toLowerCase()}_int`,
    integer: true,
    isSupported(node) {
      // The prepare checked the paddings, the fill's dtype and quantization, and sized the output.
      const plan = planOf(node);
      if (typeof plan === 'string') return plan;
      const why = sameIntegerType([node.inputs[PAD_INPUTS.input], node.outputs[0]], ALL_INT);
      if (why) return why;
      return rankOf(node.inputs[PAD_INPUTS.input] ?? null, [1, 2, 3, 4, 5, 6], 'input') ?? true;
    },
    build(node): NodeProgram {
      const x = node.inputs[PAD_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const { before, mode, value } = planOf(node) as PadPlan;
      const g = padGeometry(x, y, before);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: {
              template: 'pad_int',
              constants: { ...byteMoveConstants(integerStorage(x.dtype) as IntStorage), MODE: mode, ...g.constants },
            },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { ...g.uniforms, value },
            invocations: g.invocations,
          },
        ],
      };
    },
  };
}

export const padConstantInt = padInt('PAD');
export const padV2Int = padInt('PADV2');
export const mirrorPadInt = padInt('MIRROR_PAD');

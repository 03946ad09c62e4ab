// PAD, PADV2 (constant value) and MIRROR_PAD (REFLECT / SYMMETRIC), rank up to 6, with
// constant paddings (shaders/pad.wgsl).
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { MirrorPadMode, type MirrorPadParams, mirrorPadKernel, PAD_INPUTS, type PadParams, padKernel } from '../../src/kernels/pad.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { dimRows, float32, rankOf, stridesOf } from './common.js';

export type PadMode = 'MODE_CONSTANT' | 'MODE_REFLECT' | 'MODE_SYMMETRIC';

/** What the shader needs from either prepare: leading paddings, mode and fill value. */
export interface PadPlan {
  before: number[];
  mode: PadMode;
  value: number;
}

/** The node's padding plan from its CPU prepare, or why it has none. */
export function padPlanOf(node: DelegateNode): PadPlan | string {
  const mirror = preparedBy<MirrorPadParams>(node, mirrorPadKernel);
  if (mirror) return { before: mirror.before, mode: mirror.mode === MirrorPadMode.REFLECT ? 'MODE_REFLECT' : 'MODE_SYMMETRIC', value: 0 };
  const p = preparedBy<PadParams>(node, padKernel);
  if (!p) return 'not prepared by the pad kernel';
  const valueInput = node.inputs[PAD_INPUTS.value] ?? null;
  if (valueInput) {
    const why = float32(valueInput, 'constant value');
    if (why) return why;
    if (p.value === null) return 'constant value must be a constant (it is computed at run time)';
  }
  return { before: p.before, mode: 'MODE_CONSTANT', value: Number(p.value ?? p.fill) };
}

/**
 * How a pad walks the slice layout (shaders/pad.wgsl, shaders/pad_int.wgsl): the outer
 * dimensions that are not 1, innermost first, and whether the last dimension is padded.
 */
export function padGeometry(x: RuntimeTensor, y: RuntimeTensor, before: readonly number[]) {
  const r = x.shape.length;
  const inRows = stridesOf(x.shape.slice(0, r - 1));
  // Outer dimensions innermost first: (out size, in size, before, in row stride); unpadded size-1 ones add nothing.
  const dims: number[][] = [];
  for (let d = r - 2; d >= 0; d--) {
    const out = y.shape[d] as number;
    if (out === 1) continue;
    dims.push([out, x.shape[d] as number, before[d] as number, inRows[d] as number]);
  }
  const cBefore = before[r - 1] as number;
  const lanewise = cBefore > 0 || y.shape[r - 1] !== x.shape[r - 1];
  const inLayout = sliceLayout(x.shape);
  const outLayout = sliceLayout(y.shape);
  return {
    constants: { OUTER_RANK: dims.length, LANEWISE: lanewise },
    uniforms: {
      in_c: inLayout.channels,
      in_slices: inLayout.slices,
      out_c: outLayout.channels,
      out_slices: outLayout.slices,
      c_before: cBefore,
      dims: dimRows(dims),
    },
    invocations: outLayout.sliceCount,
  };
}

function pad(op: string): OpImpl {
  return {
    name: op.toLowerCase(),
    isSupported(node) {
      // The prepare checked the paddings (constant, non-negative, within the mirror limits) and sized the output.
      const plan = padPlanOf(node);
      if (typeof plan === 'string') return plan;
      return rankOf(node.inputs[PAD_INPUTS.input] ?? null, [1, 2, 3, 4, 5, 6], 'input') ?? true;
    },
    build(node): NodeProgram {
      const x = node.inputs[PAD_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const { before, mode, value } = padPlanOf(node) as PadPlan;
      const g = padGeometry(x, y, before);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'pad', constants: { MODE: mode, ...g.constants } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { ...g.uniforms, value },
            invocations: g.invocations,
          },
        ],
      };
    },
  };
}

export const padConstant = pad('PAD');
export const padV2 = pad('PADV2');
export const mirrorPad = pad('MIRROR_PAD');

// PAD, PADV2 (constant value) and MIRROR_PAD (REFLECT / SYMMETRIC), rank up to 6, with
// constant paddings (shaders/pad.wgsl).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { constant, dimRows, float32, inputCount, int32Constant, intValues, maxVersion, opt, rankOf, stridesOf } from './common.js';

type Mode = 'MODE_CONSTANT' | 'MODE_REFLECT' | 'MODE_SYMMETRIC';

function modeOf(node: DelegateNode): Mode {
  if (node.op.op !== 'MIRROR_PAD') return 'MODE_CONSTANT';
  return opt(node, 'mode', 0) === 0 ? 'MODE_REFLECT' : 'MODE_SYMMETRIC';
}

/** [before, after] per dimension. */
function paddingsOf(node: DelegateNode): [number, number][] {
  const v = intValues(node.inputs[1] as RuntimeTensor);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i] as number, v[i + 1] as number]);
  return out;
}

function padValue(node: DelegateNode): number {
  const t = node.inputs[2];
  return node.op.op === 'PADV2' && t ? ((t.data as Float32Array)[0] ?? 0) : 0;
}

function pad(op: string, max: number): OpImpl {
  return {
    name: op.toLowerCase(),
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const why =
        maxVersion(node, max) ??
        inputCount(node, 2, op === 'PADV2' ? 3 : 2) ??
        rankOf(x, [1, 2, 3, 4, 5, 6], 'input') ??
        int32Constant(node.inputs[1] ?? null, 'paddings');
      if (why) return why;
      const value = node.inputs[2] ?? null;
      if (value) {
        const v = float32(value, 'constant value') ?? constant(value, 'constant value');
        if (v) return v;
      }
      const shape = (x as RuntimeTensor).shape;
      const pads = paddingsOf(node);
      if (pads.length !== shape.length) return `paddings must be [${shape.length}, 2], got shape [${node.inputs[1]?.shape}]`;
      const mode = modeOf(node);
      for (let d = 0; d < shape.length; d++) {
        const [b, a] = pads[d] as [number, number];
        const n = shape[d] as number;
        if (b < 0 || a < 0) return `negative padding [${b}, ${a}] in dimension ${d}`;
        const limit = mode === 'MODE_REFLECT' ? n - 1 : mode === 'MODE_SYMMETRIC' ? n : Infinity;
        if (b > limit || a > limit) return `mirror padding [${b}, ${a}] exceeds ${limit} in dimension ${d} of size ${n}`;
      }
      const expected = shape.map((n, d) => n + (pads[d] as [number, number])[0] + (pads[d] as [number, number])[1]);
      const out = node.outputs[0]?.shape ?? [];
      return out.join() === expected.join() ? true : `output shape [${out}] differs from the padded [${expected}]`;
    },
    build(node): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const pads = paddingsOf(node);
      const r = x.shape.length;
      const inRows = stridesOf(x.shape.slice(0, r - 1));
      // Outer dimensions innermost first: (out size, in size, before, in row stride); unpadded size-1 ones add nothing.
      const dims: number[][] = [];
      for (let d = r - 2; d >= 0; d--) {
        const out = y.shape[d] as number;
        if (out === 1) continue;
        dims.push([out, x.shape[d] as number, (pads[d] as [number, number])[0], inRows[d] as number]);
      }
      const [cBefore, cAfter] = pads[r - 1] as [number, number];
      const inLayout = sliceLayout(x.shape);
      const outLayout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: {
              template: 'pad',
              constants: { MODE: modeOf(node), OUTER_RANK: dims.length, LANEWISE: cBefore > 0 || cAfter > 0 },
            },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: {
              in_c: inLayout.channels,
              in_slices: inLayout.slices,
              out_c: outLayout.channels,
              out_slices: outLayout.slices,
              c_before: cBefore,
              value: padValue(node),
              dims: dimRows(dims),
            },
            invocations: outLayout.sliceCount,
          },
        ],
      };
    },
  };
}

export const padConstant = pad('PAD', 4);
export const padV2 = pad('PADV2', 4);
export const mirrorPad = pad('MIRROR_PAD', 3);

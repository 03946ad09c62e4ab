// Elementwise binary ops with NumPy broadcasting (shaders/binary.wgsl): ADD SUB MUL DIV MAXIMUM
// MINIMUM SQUARED_DIFFERENCE PRELU, up to rank 6. The broadcast (output shape, each input's
// strides) and the fused activation come from the CPU prepare; this side only lays them out in
// vec4 rows for the shader.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { PRELU_INPUTS, preluKernel } from '../../src/kernels/activations.js';
import {
  addKernel,
  BINARY_INPUTS,
  type BroadcastPlan,
  divKernel,
  maximumKernel,
  minimumKernel,
  mulKernel,
  squaredDifferenceKernel,
  subKernel,
} from '../../src/kernels/binary.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type SliceLayout, sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { activationConstant, collapseDims, dimRows, float32, inputCount } from './common.js';

/** Outer dimensions the shader walks (its Params.dims length); rank 6 has 5. */
export const MAX_OUTER_RANK = 5;

/** What the shader needs from a binary kernel's prepare. */
interface Prepared {
  plan: BroadcastPlan;
  /** The fused activation, or null for ops without one. */
  activation: number | null;
}

export interface BroadcastSide {
  /** Row strides per output outer dimension (0 where this input broadcasts). */
  rowStrides: number[];
  /** The input's last dimension is 1 against a wider output: splat lane 0. */
  splat: boolean;
  slices: number;
}

/** One input's walk in vec4 rows, from its element strides along the output's dims. */
export function broadcastSide(strides: readonly number[], out: readonly number[]): BroadcastSide {
  const r = out.length;
  const channels = r ? (out[r - 1] as number) : 1;
  const walksChannels = r > 0 && strides[r - 1] !== 0;
  const splat = !walksChannels && channels !== 1;
  // The input's row is its last dimension: the output's channels, or 1 where it broadcasts.
  const rowLength = walksChannels ? channels : 1;
  const rowStrides = strides.slice(0, Math.max(0, r - 1)).map((s) => s / rowLength);
  return { rowStrides, splat, slices: splat ? 1 : sliceLayout(out).slices };
}

/** How a binary shader walks a broadcast: each input's rows, the output's layout, the collapsed outer dims. */
export interface BroadcastWalk {
  sa: BroadcastSide;
  sb: BroadcastSide;
  layout: SliceLayout;
  /** Collapsed outer dimensions, innermost first: [size, a's row stride, b's row stride]. */
  dims: number[][];
  /** Both inputs have the output's shape. */
  sameShape: boolean;
}

/** The walk of a prepared broadcast plan over inputs a and b (shared by the float and integer binary ops). */
export function broadcastWalk(plan: BroadcastPlan, a: RuntimeTensor, b: RuntimeTensor): BroadcastWalk {
  const out = plan.outShape;
  const sa = broadcastSide(plan.alignedStrides[0] as number[], out);
  const sb = broadcastSide(plan.alignedStrides[1] as number[], out);
  const dims = collapseDims(out.slice(0, Math.max(0, out.length - 1)), [sa.rowStrides, sb.rowStrides]);
  const sameShape = a.shape.join() === out.join() && b.shape.join() === out.join();
  return { sa, sb, layout: sliceLayout(out), dims, sameShape };
}

/** The node's input slots the shader binds as a and b. */
type Slots = readonly [number, number];

/** One implementation per op: the shader's OP constant, how to read its CPU kernel's params, and its input slots. */
function binaryOp(opConst: string, prepared: (node: DelegateNode) => Prepared | null, [slotA, slotB]: Slots): OpImpl {
  return {
    name: `binary_${opConst.slice(3).toLowerCase()}`,
    isSupported(node) {
      const why =
        inputCount(node, 2) ??
        float32(node.inputs[slotA] ?? null, `input ${slotA}`) ??
        float32(node.inputs[slotB] ?? null, `input ${slotB}`);
      if (why) return why;
      const p = prepared(node);
      if (!p) return 'not prepared by the float32 kernel';
      return p.plan.outShape.length - 1 > MAX_OUTER_RANK ? `rank ${p.plan.outShape.length} is above 6` : true;
    },
    build(node: DelegateNode): NodeProgram {
      const { plan, activation } = prepared(node) as Prepared;
      const a = node.inputs[slotA] as RuntimeTensor;
      const b = node.inputs[slotB] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const { sa, sb, layout, dims, sameShape } = broadcastWalk(plan, a, b);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: {
              template: 'binary',
              constants: {
                OP: opConst,
                ACTIVATION: activation === null ? 'ACT_NONE' : activationConstant(activation, 'ACT_FINITE'),
                OUTER_RANK: dims.length,
                A_SPLAT: sa.splat,
                B_SPLAT: sb.splat,
                SAME_SHAPE: sameShape,
              },
            },
            bindings: { a: { kind: 'tensor', tensor: a }, b: { kind: 'tensor', tensor: b }, y: { kind: 'tensor', tensor: y } },
            uniforms: {
              channels: layout.channels,
              slices: layout.slices,
              a_slices: sa.slices,
              b_slices: sb.slices,
              dims: dimRows(dims),
            },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

/** An op of src/kernels/binary.ts; `fused` when it has a fusedActivationFunction. */
function arithmetic(opConst: string, kernel: typeof addKernel, fused: boolean): OpImpl {
  const prepared = (node: DelegateNode): Prepared | null => {
    const p = preparedBy(node, kernel);
    return p && p.dtype === 'float32' ? { plan: p.plan, activation: fused ? p.activation : null } : null;
  };
  return binaryOp(opConst, prepared, [BINARY_INPUTS.lhs, BINARY_INPUTS.rhs]);
}

export const add = arithmetic('OP_ADD', addKernel, true);
export const sub = arithmetic('OP_SUB', subKernel, true);
export const mul = arithmetic('OP_MUL', mulKernel, true);
export const div = arithmetic('OP_DIV', divKernel, true);
export const maximum = arithmetic('OP_MAXIMUM', maximumKernel, false);
export const minimum = arithmetic('OP_MINIMUM', minimumKernel, false);
export const squaredDifference = arithmetic('OP_SQUARED_DIFFERENCE', squaredDifferenceKernel, false);
export const prelu = binaryOp(
  'OP_PRELU',
  (node) => {
    const p = preparedBy(node, preluKernel);
    return p ? { plan: p.plan, activation: null } : null;
  },
  [PRELU_INPUTS.input, PRELU_INPUTS.alpha],
);

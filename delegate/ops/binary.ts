// Elementwise binary ops with NumPy broadcasting (shaders/binary.wgsl): ADD SUB MUL DIV MAXIMUM
// MINIMUM SQUARED_DIFFERENCE PRELU, up to rank 6.
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { collapseDims, dimRows, float32, fusedActivation, fusedActivationProblem, inputCount, maxVersion, stridesOf } from './common.js';

/** Outer dimensions the shader walks (its Params.dims length); rank 6 has 5. */
const MAX_OUTER_RANK = 5;

interface Side {
  /** Row strides per output outer dimension (0 where this input broadcasts). */
  rowStrides: number[];
  /** The input's last dimension is 1 against a wider output: splat lane 0. */
  splat: boolean;
  slices: number;
}

function side(shape: readonly number[], out: readonly number[]): Side {
  const r = out.length;
  const aligned = [...new Array<number>(Math.max(0, r - shape.length)).fill(1), ...shape];
  const outer = aligned.slice(0, Math.max(0, r - 1));
  const own = stridesOf(outer);
  const rowStrides = outer.map((d, i) => (d === 1 && out[i] !== 1 ? 0 : (own[i] as number)));
  const last = r ? (aligned[r - 1] as number) : 1;
  const channels = r ? (out[r - 1] as number) : 1;
  const splat = last === 1 && channels !== 1;
  return { rowStrides, splat, slices: splat ? 1 : sliceLayout(out).slices };
}

function broadcastProblem(a: readonly number[], b: readonly number[], out: readonly number[]): string | null {
  const r = Math.max(a.length, b.length);
  if (out.length !== r) return `output rank ${out.length} differs from the broadcast rank ${r}`;
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return `shapes [${a}] and [${b}] do not broadcast`;
    if (out[i] !== Math.max(da, db)) return `output shape [${out}] is not the broadcast of [${a}] and [${b}]`;
  }
  return r - 1 > MAX_OUTER_RANK ? `rank ${r} is above 6` : null;
}

/** One implementation per op: the shader's OP constant, the newest version, and whether it has a fused activation. */
function binaryOp(opConst: string, max: number, fused: boolean): OpImpl {
  return {
    name: `binary_${opConst.slice(3).toLowerCase()}`,
    isSupported(node) {
      const a = node.inputs[0] ?? null;
      const b = node.inputs[1] ?? null;
      const y = node.outputs[0];
      const why =
        maxVersion(node, max) ??
        inputCount(node, 2) ??
        float32(a, 'input 0') ??
        float32(b, 'input 1') ??
        (fused ? fusedActivationProblem(node) : null);
      if (why) return why;
      return broadcastProblem((a as RuntimeTensor).shape, (b as RuntimeTensor).shape, y?.shape ?? []) ?? true;
    },
    build(node: DelegateNode): NodeProgram {
      const a = node.inputs[0] as RuntimeTensor;
      const b = node.inputs[1] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const out = y.shape;
      const sa = side(a.shape, out);
      const sb = side(b.shape, out);
      const layout = sliceLayout(out);
      const dims = collapseDims(out.slice(0, Math.max(0, out.length - 1)), [sa.rowStrides, sb.rowStrides]);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: {
              template: 'binary',
              constants: {
                OP: opConst,
                ACTIVATION: fused ? fusedActivation(node, 'ACT_FINITE') : 'ACT_NONE',
                OUTER_RANK: dims.length,
                A_SPLAT: sa.splat,
                B_SPLAT: sb.splat,
                SAME_SHAPE: a.shape.join() === out.join() && b.shape.join() === out.join(),
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

export const add = binaryOp('OP_ADD', 5, true);
export const sub = binaryOp('OP_SUB', 5, true);
export const mul = binaryOp('OP_MUL', 7, true);
export const div = binaryOp('OP_DIV', 2, true);
export const maximum = binaryOp('OP_MAXIMUM', 4, false);
export const minimum = binaryOp('OP_MINIMUM', 4, false);
export const squaredDifference = binaryOp('OP_SQUARED_DIFFERENCE', 2, false);
export const prelu = binaryOp('OP_PRELU', 1, false);

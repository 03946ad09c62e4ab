// Integer elementwise binary ops with broadcasting (shaders/binary_int.wgsl): quantized ADD, SUB,
// MUL, SQUARED_DIFFERENCE and DIV, integer MAXIMUM and MINIMUM. The broadcast and the element math
// (8-bit pair tables, int16 multipliers, shifts and clamps) are the CPU prepare's
// (src/kernels/binary_int.ts, src/kernels/binary.ts); the walk is the float binary op's.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { BINARY_INPUTS, type BroadcastPlan, maximumKernel, minimumKernel } from '../../src/kernels/binary.js';
import {
  addIntKernel,
  type BinaryIntMath,
  type BinaryIntParams,
  divIntKernel,
  mulIntKernel,
  squaredDifferenceIntKernel,
  subIntKernel,
} from '../../src/kernels/binary_int.js';
import type { Kernel, RuntimeTensor } from '../../src/kernels/kernel.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { broadcastWalk, MAX_OUTER_RANK } from './binary.js';
import { dimRows, inputCount } from './common.js';
import { elementConstant } from './int_slice.js';

/** What the shader reproduces: the plan and the element math. */
interface Prepared {
  plan: BroadcastPlan;
  math: BinaryIntMath | 'maximum' | 'minimum';
}

/** A placeholder for the pair-table binding of the paths without one. */
const NO_TABLE = new Uint32Array(4);

/** Constants and uniforms of the element math. */
function mathSetup(math: Prepared['math']) {
  const none = { left_shift: 0, multiplier1: 0, shift1: 0, multiplier2: 0, shift2: 0, out_multiplier: 0, out_shift: 0, lo: 0, hi: 0 };
  if (math === 'maximum' || math === 'minimum') {
    return { MATH: math === 'maximum' ? 'MATH_MAXIMUM' : 'MATH_MINIMUM', isSub: false, table: NO_TABLE, uniforms: none };
  }
  switch (math.kind) {
    case 'pairTable': {
      const bytes = new Uint8Array(math.table.buffer, math.table.byteOffset, math.table.byteLength);
      const table = new Uint32Array(bytes.slice().buffer); // 65536 bytes, little-endian words
      return { MATH: 'MATH_PAIR_TABLE', isSub: false, table, uniforms: none };
    }
    case 'addSubPot':
      return {
        MATH: 'MATH_ADD_SUB_POT',
        isSub: math.isSub,
        table: NO_TABLE,
        uniforms: { ...none, shift1: math.r1, shift2: math.r2, lo: math.lo, hi: math.hi },
      };
    case 'addSubGeneral': {
      const s = math.scaling;
      return {
        MATH: 'MATH_ADD_SUB_GENERAL',
        isSub: math.isSub,
        table: NO_TABLE,
        uniforms: {
          left_shift: s.leftShift,
          multiplier1: s.input1Multiplier,
          shift1: s.input1Shift,
          multiplier2: s.input2Multiplier,
          shift2: s.input2Shift,
          out_multiplier: s.outputMultiplier,
          out_shift: s.outputShift,
          lo: math.lo,
          hi: math.hi,
        },
      };
    }
    case 'mulInt16':
      return {
        MATH: 'MATH_MUL_INT16',
        isSub: false,
        table: NO_TABLE,
        uniforms: { ...none, out_multiplier: math.multiplier, out_shift: math.shift, lo: math.lo, hi: math.hi },
      };
  }
}

/** Why the math cannot run as the shader has it, or null. */
function mathUnsupported(math: Prepared['math']): string | null {
  if (typeof math === 'string') return null;
  // RDBPOT exponents must lie in [0, 31] for the shader's rdbpot to be TFLite's.
  const exponents = (...e: number[]) => e.every((x) => x >= 0 && x <= 31);
  if (math.kind === 'addSubPot' && !exponents(math.r1, math.r2)) return `power-of-two shifts ${math.r1}, ${math.r2} are out of [0, 31]`;
  if (math.kind === 'addSubGeneral') {
    const s = math.scaling;
    if (!exponents(-s.input1Shift, -s.input2Shift, -s.outputShift)) {
      return `int16 ADD / SUB shifts ${s.input1Shift}, ${s.input2Shift}, ${s.outputShift} are out of [-31, 0]`;
    }
  }
  if (math.kind === 'mulInt16' && (math.shift < -31 || math.shift > 31)) return `int16 MUL shift ${math.shift} is out of [-31, 31]`;
  return null;
}

function binaryIntOp(name: string, prepared: (node: DelegateNode) => Prepared | null): OpImpl {
  return {
    name,
    integer: true,
    isSupported(node) {
      const why = inputCount(node, 2);
      if (why) return why;
      const p = prepared(node);
      if (!p) {
        const dtypes = [...node.inputs, ...node.outputs].map((t) => t?.dtype).join(', ');
        return `no GPU implementation for ${dtypes} (the GPU runs the quantized int8 / uint8 / int16 kernels)`;
      }
      const [a, b] = [node.inputs[BINARY_INPUTS.lhs], node.inputs[BINARY_INPUTS.rhs]] as RuntimeTensor[];
      const y = node.outputs[0] as RuntimeTensor;
      if (!elementConstant(y.dtype) || a?.dtype !== y.dtype || b?.dtype !== y.dtype) {
        return `inputs ${a?.dtype}, ${b?.dtype} and output ${y.dtype} must share one integer type`;
      }
      if (p.plan.outShape.length - 1 > MAX_OUTER_RANK) return `rank ${p.plan.outShape.length} is above 6`;
      return mathUnsupported(p.math) ?? true;
    },
    build(node): NodeProgram {
      const { plan, math } = prepared(node) as Prepared;
      const a = node.inputs[BINARY_INPUTS.lhs] as RuntimeTensor;
      const b = node.inputs[BINARY_INPUTS.rhs] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const { sa, sb, layout, dims, sameShape } = broadcastWalk(plan, a, b);
      const setup = mathSetup(math);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: {
              template: 'binary_int',
              constants: {
                ELEMENT: elementConstant(y.dtype) as string,
                MATH: setup.MATH,
                IS_SUB: setup.isSub,
                OUTER_RANK: dims.length,
                A_SPLAT: sa.splat,
                B_SPLAT: sb.splat,
                SAME_SHAPE: sameShape,
              },
            },
            bindings: {
              a: { kind: 'tensor', tensor: a },
              b: { kind: 'tensor', tensor: b },
              y: { kind: 'tensor', tensor: y },
              pair_table: { kind: 'raw', data: setup.table },
            },
            uniforms: {
              channels: layout.channels,
              slices: layout.slices,
              a_slices: sa.slices,
              b_slices: sb.slices,
              ...setup.uniforms,
              dims: dimRows(dims),
            },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

/** An op of src/kernels/binary_int.ts. */
function quantized(name: string, kernel: Kernel<BinaryIntParams>): OpImpl {
  return binaryIntOp(name, (node) => {
    const p = preparedBy(node, kernel);
    return p ? { plan: p.plan, math: p.math } : null;
  });
}

/** MAXIMUM / MINIMUM of src/kernels/binary.ts on an integer dtype: the raw values compared. */
function comparison(name: string, kernel: typeof maximumKernel, math: 'maximum' | 'minimum'): OpImpl {
  return binaryIntOp(name, (node) => {
    const p = preparedBy(node, kernel);
    return p && p.dtype !== 'float32' && elementConstant(p.dtype) ? { plan: p.plan, math } : null;
  });
}

export const addInt = quantized('binary_add_int', addIntKernel);
export const subInt = quantized('binary_sub_int', subIntKernel);
export const mulInt = quantized('binary_mul_int', mulIntKernel);
export const squaredDifferenceInt = quantized('binary_squared_difference_int', squaredDifferenceIntKernel);
export const divInt = quantized('binary_div_int', divIntKernel);
export const maximumInt = comparison('binary_maximum_int', maximumKernel, 'maximum');
export const minimumInt = comparison('binary_minimum_int', minimumKernel, 'minimum');

// Quantized ADD, SUB and MUL with broadcasting on int8, uint8 and int16 (tensorflow/lite/kernels/
// add.cc, sub.cc, mul.cc; math from reference/add.h, sub.h, reference_ops.h Sub16 and
// reference/integer_ops/add.h, mul.h). The builtin (generic optimized) kernels compute the same
// numbers as these reference functions on non-ARM builds.
//
// ADD / SUB rescale both inputs to twice the larger input scale after a left shift (20 bits for
// 8-bit types, 15 for int16), add, and rescale the sum to the output. int16 with power-of-two
// scales and pot_scale_int16 takes the narrower LSTM path: one input shifted right, a saturating
// int16 add. MUL multiplies the offset inputs and rescales the product once.
import {
  calculateActivationRangeQuantized,
  checkedLog2,
  countLeadingSignBits32,
  FusedActivation,
  f32,
  getReciprocal,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  type QuantizedIntType,
  quantizeMultiplier,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMulInt16,
} from '../quant/index.js';
import {
  BINARY_INPUTS,
  type BroadcastPlan,
  broadcastOutput,
  parseAddOptions,
  parseDivOptions,
  parseMulOptions,
  parseSubOptions,
  type RowLoop,
  runBinary,
} from './binary.js';
import type { IntArray } from './int/int_array.js';
import { fail, input, type Kernel, type NodeContext, output, type RuntimeTensor } from './kernel.js';
import { requireQuantizedType, requireZeroPointZero, type TensorQuant, tensorQuant } from './quantize.js';
import { xnnpackAddSub, xnnpackMul, xnnpackTakesAddSub, xnnpackTakesMul } from './xnnpack_quant.js';

/** One output element from one element of each input. */
export type ElementFn = (a: number, b: number) => number;

/** n outputs from o[io], reading a from ia by sa and b from ib by sb. */
type RowFn = RowLoop<IntArray>;

/**
 * The element math a prepare chose, as data (what the WebGPU delegate reproduces): an 8-bit pair
 * table, or the int16 paths' constants.
 */
export type BinaryIntMath =
  /** Output of input pair (a, b) at ((a & 0xff) << 8) | (b & 0xff). */
  | { kind: 'pairTable'; table: Int8Array | Uint8Array }
  /** int16 power-of-two ADD / SUB: RDBPOT of each input by r1 / r2, add or subtract, clamp. */
  | { kind: 'addSubPot'; isSub: boolean; r1: number; r2: number; lo: number; hi: number }
  /** int16 general ADD / SUB (zero points 0). */
  | { kind: 'addSubGeneral'; isSub: boolean; scaling: AddSubScaling; lo: number; hi: number }
  /** int16 MUL (zero points 0): MultiplyByQuantizedMultiplier(a * b, multiplier, shift), clamp. */
  | { kind: 'mulInt16'; multiplier: number; shift: number; lo: number; hi: number };

export interface BinaryIntParams {
  plan: BroadcastPlan;
  row: RowFn;
  math: BinaryIntMath;
}

/**
 * 8-bit inputs have only 65536 input pairs: the output of every pair is computed once at prepare
 * (with the exact element function) and eval is a lookup by the two raw bytes.
 */
function pairTableParams(plan: BroadcastPlan, type: QuantizedIntType, fn: ElementFn): BinaryIntParams {
  const table = type === 'int8' ? new Int8Array(65536) : new Uint8Array(65536);
  const base = type === 'int8' ? -128 : 0;
  for (let a = base; a < base + 256; a++) {
    for (let b = base; b < base + 256; b++) table[((a & 0xff) << 8) | (b & 0xff)] = fn(a, b);
  }
  const row: RowFn = (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = table[((a[ia] & 0xff) << 8) | (b[ib] & 0xff)];
  };
  return { plan, row, math: { kind: 'pairTable', table } };
}

export interface Operands {
  a: RuntimeTensor;
  b: RuntimeTensor;
  type: QuantizedIntType;
  qa: TensorQuant;
  qb: TensorQuant;
  qo: TensorQuant;
  /** Clamp of the fused activation on the output. */
  lo: number;
  hi: number;
  plan: BroadcastPlan;
}

/**
 * Checks the dtypes and quantization shared by the quantized binary ops and plans the broadcast
 * output; `activation` is the op's fused activation (NONE for ops without one).
 */
function prepareOperands(ctx: NodeContext, activation: number): Operands {
  const a = input(ctx, BINARY_INPUTS.lhs);
  const b = input(ctx, BINARY_INPUTS.rhs);
  const y = output(ctx, 0);
  const type = requireQuantizedType(ctx, a, 'input 0');
  if (b.dtype !== type || y.dtype !== type) fail(ctx, `inputs and output must share one dtype, got ${a.dtype}, ${b.dtype} -> ${y.dtype}`);
  const plan = broadcastOutput(ctx, a, b);
  const qo = tensorQuant(ctx, y, 'the output');
  const [lo, hi] = calculateActivationRangeQuantized(activation, qo.scale, qo.zeroPoint, type);
  return {
    a,
    b,
    type,
    qa: tensorQuant(ctx, a, 'input 0'),
    qb: tensorQuant(ctx, b, 'input 1'),
    qo,
    lo,
    hi,
    plan,
  };
}

/** ArithmeticParams of the general quantized ADD / SUB path. */
export interface AddSubScaling {
  leftShift: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
}

/**
 * add.cc / sub.cc: inputs rescaled to twice the larger input scale (in double, from the float
 * scales). SUB alone accepts an output multiplier above one (a very narrow output range).
 */
function addSubScaling(ops: Operands, isSub: boolean): AddSubScaling {
  const leftShift = ops.type === 'int16' ? 15 : 20;
  const twiceMaxInputScale = 2 * Math.max(ops.qa.scale, ops.qb.scale);
  const in1 = quantizeMultiplierSmallerThanOneExp(ops.qa.scale / twiceMaxInputScale);
  const in2 = quantizeMultiplierSmallerThanOneExp(ops.qb.scale / twiceMaxInputScale);
  const realOutput = twiceMaxInputScale / (2 ** leftShift * ops.qo.scale);
  const out = isSub && realOutput > 1 ? quantizeMultiplierGreaterThanOne(realOutput) : quantizeMultiplierSmallerThanOneExp(realOutput);
  return {
    leftShift,
    input1Multiplier: in1.multiplier,
    input1Shift: in1.shift,
    input2Multiplier: in2.multiplier,
    input2Shift: in2.shift,
    outputMultiplier: out.multiplier,
    outputShift: out.shift,
  };
}

/** One input's contribution to the general ADD / SUB sum: offset, shifted left, rescaled. */
function scaledInput(v: number, offset: number, leftShift: number, multiplier: number, shift: number): number {
  return multiplyByQuantizedMultiplierSmallerThanOneExp((v + offset) * (1 << leftShift), multiplier, shift);
}

/** The general ADD / SUB element function (reference AddElementwise / SubElementwise). */
function generalAddSub(ops: Operands, isSub: boolean): ElementFn {
  const s = addSubScaling(ops, isSub);
  const { lo, hi } = ops;
  const outOffset = ops.qo.zeroPoint;
  const off1 = -ops.qa.zeroPoint;
  const off2 = -ops.qb.zeroPoint;
  const { leftShift, input1Multiplier, input1Shift, input2Multiplier, input2Shift, outputMultiplier, outputShift } = s;
  return (a, b) => {
    const x = scaledInput(a, off1, leftShift, input1Multiplier, input1Shift);
    const y = scaledInput(b, off2, leftShift, input2Multiplier, input2Shift);
    const raw = multiplyByQuantizedMultiplierSmallerThanOneExp(isSub ? x - y : x + y, outputMultiplier, outputShift) + outOffset;
    return Math.min(Math.max(raw, lo), hi);
  };
}

/** The general int16 ADD / SUB over a row (the element function inlined for speed). */
function generalAddSubInt16(ops: Operands, isSub: boolean): BinaryIntParams {
  const s = addSubScaling(ops, isSub);
  const { lo, hi } = ops;
  const { leftShift, input1Multiplier, input1Shift, input2Multiplier, input2Shift, outputMultiplier, outputShift } = s;
  const scale = 1 << leftShift; // zero points are 0 for int16
  const row: RowFn = (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) {
      const x = multiplyByQuantizedMultiplierSmallerThanOneExp(a[ia] * scale, input1Multiplier, input1Shift);
      const y = multiplyByQuantizedMultiplierSmallerThanOneExp(b[ib] * scale, input2Multiplier, input2Shift);
      const raw = multiplyByQuantizedMultiplierSmallerThanOneExp(isSub ? x - y : x + y, outputMultiplier, outputShift);
      o[io + k] = Math.min(Math.max(raw, lo), hi);
    }
  };
  return { plan: ops.plan, row, math: { kind: 'addSubGeneral', isSub, scaling: s, lo, hi } };
}

/**
 * The int16 power-of-two path (reference_ops::Add with pot_scale / Sub16): the input whose scale
 * is finer than the output's is divided by a power of two (rounding), then a saturating int16
 * add or subtract and the activation clamp.
 */
function potAddSub(ctx: NodeContext, ops: Operands, log2: number[], isSub: boolean): BinaryIntParams {
  const shift1 = (log2[0] as number) - (log2[2] as number);
  const shift2 = (log2[1] as number) - (log2[2] as number);
  if (!(shift1 === 0 || shift2 === 0) || shift1 > 0 || shift2 > 0) {
    fail(ctx, `int16 power-of-two scales need one input at the output scale and the other finer (shifts ${shift1}, ${shift2})`);
  }
  const r1 = -shift1;
  const r2 = -shift2;
  const lo = Math.max(ops.lo, -32768);
  const hi = Math.min(ops.hi, 32767);
  const row: RowFn = (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) {
      const x = roundingDivideByPOT(a[ia], r1);
      const y = roundingDivideByPOT(b[ib], r2);
      o[io + k] = Math.min(Math.max(isSub ? x - y : x + y, lo), hi);
    }
  };
  return { plan: ops.plan, row, math: { kind: 'addSubPot', isSub, r1, r2, lo, hi } };
}

function evalRows(ctx: NodeContext, p: BinaryIntParams): void {
  const a = input(ctx, BINARY_INPUTS.lhs).data as IntArray;
  const b = input(ctx, BINARY_INPUTS.rhs).data as IntArray;
  runBinary(p.row, p.plan, a, b, output(ctx, 0).data as IntArray);
}

function addSubKernel(isSub: boolean): Kernel<BinaryIntParams> {
  return {
    prepare(ctx) {
      const options = isSub ? parseSubOptions(ctx) : parseAddOptions(ctx);
      const ops = prepareOperands(ctx, options.activation);
      const xnn = xnnpackTakesAddSub(ctx, ops);
      if (xnn) return pairTableParams(ops.plan, ops.type, xnnpackAddSub(ops, options.activation, xnn, isSub));
      if (ops.type !== 'int16') return pairTableParams(ops.plan, ops.type, generalAddSub(ops, isSub));
      requireZeroPointZero(ctx, ops.qa, 'input 0');
      requireZeroPointZero(ctx, ops.qb, 'input 1');
      requireZeroPointZero(ctx, ops.qo, 'the output');
      if (options.potScaleInt16) {
        const logs = [ops.qa.scale, ops.qb.scale, ops.qo.scale].map(checkedLog2);
        if (logs.every((l) => l.isPowerOfTwo)) {
          const log2 = logs.map((l) => l.log2);
          return potAddSub(ctx, ops, log2, isSub);
        }
      }
      return generalAddSubInt16(ops, isSub);
    },
    eval: evalRows,
  };
}

/**
 * int8 SQUARED_DIFFERENCE (squared_difference.cc): both inputs rescaled to twice the larger input
 * scale after a left shift of 7, the difference squared, rescaled to the output; clamped to int8.
 */
export const squaredDifferenceIntKernel: Kernel<BinaryIntParams> = {
  prepare(ctx) {
    const ops = prepareOperands(ctx, FusedActivation.NONE);
    if (ops.type !== 'int8') fail(ctx, `quantized SQUARED_DIFFERENCE supports int8 only, got ${ops.type}`);
    const leftShift = 7;
    const twiceMax = 2 * Math.max(ops.qa.scale, ops.qb.scale);
    const in1 = quantizeMultiplierSmallerThanOneExp(ops.qa.scale / twiceMax);
    const in2 = quantizeMultiplierSmallerThanOneExp(ops.qb.scale / twiceMax);
    const realOutput = (twiceMax * twiceMax) / (2 ** (leftShift * 2) * ops.qo.scale);
    if (!(realOutput < 1)) fail(ctx, `output multiplier ${realOutput} must be below 1 (the output scale is too small)`);
    const out = quantizeMultiplierSmallerThanOneExp(realOutput);
    const off1 = -ops.qa.zeroPoint;
    const off2 = -ops.qb.zeroPoint;
    const outOffset = ops.qo.zeroPoint;
    const fn: ElementFn = (a, b) => {
      const x = scaledInput(a, off1, leftShift, in1.multiplier, in1.shift);
      const y = scaledInput(b, off2, leftShift, in2.multiplier, in2.shift);
      const d = x - y;
      const raw = multiplyByQuantizedMultiplierSmallerThanOneExp(d * d, out.multiplier, out.shift) + outOffset;
      return Math.min(Math.max(raw, -128), 127);
    };
    return pairTableParams(ops.plan, 'int8', fn);
  },
  eval: evalRows,
};

/**
 * RoundingDivideByPOT as TFLite's build computes it for any exponent: past 31 (a zero dividend has
 * headroom 31, so DIV's total shift overshoots) the mask (1ll << e) - 1 truncates to -1 and the
 * shift wraps modulo 32, so 0 rounds up to 1 — what the runtimes return for 0 / y.
 */
function divideByPOTAsBuilt(x: number, exponent: number): number {
  if (exponent <= 31) return roundingDivideByPOT(x, exponent);
  const mask = exponent < 64 ? -1 : 2 ** (exponent - 64) - 1; // low 32 bits of (1ll << e) - 1 (e < 96)
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

/**
 * uint8 DIV (div.cc, reference_ops DivElementwise): the offset dividend times the fixed-point
 * reciprocal of the offset divisor, rescaled by input1_scale / (input2_scale * output_scale)
 * (float arithmetic) and the fused activation's clamp. A divisor at its zero point is undefined
 * in TFLite (a DCHECK); we give the clamp's top there.
 */
export const divIntKernel: Kernel<BinaryIntParams> = {
  prepare(ctx) {
    const ops = prepareOperands(ctx, parseDivOptions(ctx).activation);
    if (ops.type !== 'uint8') fail(ctx, `quantized DIV supports uint8 only, got ${ops.type}`);
    const { multiplier, shift } = quantizeMultiplier(f32(ops.qa.scale / f32(ops.qb.scale * ops.qo.scale)));
    const off1 = -ops.qa.zeroPoint;
    const off2 = -ops.qb.zeroPoint;
    const outOffset = ops.qo.zeroPoint;
    const { lo, hi } = ops;
    const fn: ElementFn = (a, b) => {
      let x = a + off1;
      let y = b + off2;
      if (y === 0) return hi;
      if (y < 0) {
        x = -x;
        y = -y;
      }
      const { reciprocal, numBitsOverUnit } = getReciprocal(y, 31);
      const headroom = countLeadingSignBits32(x);
      const unscaled = multiplyByQuantizedMultiplierGreaterThanOne(x, reciprocal, headroom);
      const totalShift = shift - numBitsOverUnit - headroom;
      const raw = outOffset + divideByPOTAsBuilt(saturatingRoundingDoublingHighMul(unscaled, multiplier), -totalShift);
      return Math.min(Math.max(raw, lo), hi);
    };
    return pairTableParams(ops.plan, 'uint8', fn);
  },
  eval: evalRows,
};

export const addIntKernel = addSubKernel(false);
export const subIntKernel = addSubKernel(true);

export const mulIntKernel: Kernel<BinaryIntParams> = {
  prepare(ctx) {
    const { activation } = parseMulOptions(ctx);
    const ops = prepareOperands(ctx, activation);
    const xnnScale = xnnpackTakesMul(ctx, ops);
    if (xnnScale !== null) return pairTableParams(ops.plan, ops.type, xnnpackMul(ops, activation, xnnScale));
    if (ops.type === 'int16') {
      // int16 products would overflow int32 with offsets (mul.cc).
      requireZeroPointZero(ctx, ops.qa, 'input 0');
      requireZeroPointZero(ctx, ops.qb, 'input 1');
      requireZeroPointZero(ctx, ops.qo, 'the output');
    }
    // real_multiplier = input1_scale * input2_scale / output_scale, all float32 arithmetic.
    const { multiplier, shift } = quantizeMultiplier(f32(f32(ops.qa.scale * ops.qb.scale) / ops.qo.scale));
    const off1 = -ops.qa.zeroPoint;
    const off2 = -ops.qb.zeroPoint;
    const outOffset = ops.qo.zeroPoint;
    const { lo, hi } = ops;
    if (ops.type !== 'int16') {
      const fn: ElementFn = (a, b) =>
        Math.min(Math.max(multiplyByQuantizedMultiplier((a + off1) * (b + off2), multiplier, shift) + outOffset, lo), hi);
      return pairTableParams(ops.plan, ops.type, fn);
    }
    const row: RowFn = (a, ia, sa, b, ib, sb, o, io, n) => {
      for (let k = 0; k < n; k++, ia += sa, ib += sb) {
        o[io + k] = Math.min(Math.max(multiplyByQuantizedMultiplier(a[ia] * b[ib], multiplier, shift), lo), hi);
      }
    };
    return { plan: ops.plan, row, math: { kind: 'mulInt16', multiplier, shift, lo, hi } };
  },
  eval: evalRows,
};

/**
 * MUL of two int16 Q0.15 inputs into int8 (reference_integer_ops::Mul int16 -> int8, used by
 * quantized LSTM graphs): a fixed-point product, divided by 2^8 with rounding, plus the output
 * zero point, clamped. Shapes must match (TFLite has no broadcasting on this path).
 */
export const mulInt16ToInt8Kernel: Kernel<{ lo: number; hi: number; outOffset: number }> = {
  prepare(ctx) {
    const a = input(ctx, BINARY_INPUTS.lhs);
    const b = input(ctx, BINARY_INPUTS.rhs);
    const y = output(ctx, 0);
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
      fail(ctx, `int16 x int16 -> int8 MUL needs equal shapes, got [${a.shape}] and [${b.shape}]`);
    }
    y.shape = [...a.shape];
    const qo = tensorQuant(ctx, y, 'the output');
    const [lo, hi] = calculateActivationRangeQuantized(parseMulOptions(ctx).activation, qo.scale, qo.zeroPoint, 'int8');
    return { lo, hi, outOffset: qo.zeroPoint };
  },
  eval(ctx, p) {
    const a = input(ctx, BINARY_INPUTS.lhs).data as Int16Array;
    const b = input(ctx, BINARY_INPUTS.rhs).data as Int16Array;
    const o = output(ctx, 0).data as Int8Array;
    const lo = p.lo - p.outOffset;
    const hi = p.hi - p.outOffset;
    for (let i = 0; i < o.length; i++) {
      // The int16 results of the C++ are in range here: |product| <= 2^15 before the shift.
      const v = roundingDivideByPOT(saturatingRoundingDoublingHighMulInt16(a[i], b[i]), 8);
      o[i] = p.outOffset + Math.min(Math.max(v, lo), hi);
    }
  },
};

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
  quantizedTypeRange,
  quantizeMultiplier,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMulInt16,
} from '../quant/index.js';
import { type BroadcastPlan, planBroadcast } from './binary.js';
import type { IntArray } from './int/int_array.js';
import { xnnpackActivationOk } from './int/xnnpack_rounding.js';
import { fail, input, type Kernel, type NodeContext, output, type RuntimeTensor, xnnpackRuns } from './kernel.js';
import { requireQuantizedType, requireZeroPointZero, type TensorQuant, tensorQuant } from './quantize.js';
import { broadcastShapes, fusedActivation, optBool } from './util.js';

/** One output element from one element of each input (int16 paths). */
type ElementFn = (a: number, b: number) => number;

/** n outputs from o[io], reading a from ia by sa and b from ib by sb. */
type RowFn = (a: IntArray, ia: number, sa: number, b: IntArray, ib: number, sb: number, o: IntArray, io: number, n: number) => void;

interface BinaryIntParams {
  plan: BroadcastPlan;
  row: RowFn;
}

/**
 * 8-bit inputs have only 65536 input pairs: the output of every pair is computed once at prepare
 * (with the exact element function) and eval is a lookup by the two raw bytes.
 */
function pairTableRow(type: QuantizedIntType, fn: ElementFn): RowFn {
  const table = type === 'int8' ? new Int8Array(65536) : new Uint8Array(65536);
  const base = type === 'int8' ? -128 : 0;
  for (let a = base; a < base + 256; a++) {
    for (let b = base; b < base + 256; b++) table[((a & 0xff) << 8) | (b & 0xff)] = fn(a, b);
  }
  return (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = table[((a[ia] & 0xff) << 8) | (b[ib] & 0xff)];
  };
}

/** Applies a row function over the broadcast plan (rows of the innermost collapsed dimension). */
function runElementwise(p: BinaryIntParams, a: IntArray, b: IntArray, o: IntArray): void {
  const { dims, strides, counter, total } = p.plan;
  if (total === 0) return;
  const row = p.row;
  const r = dims.length - 1;
  const n = dims[r];
  const aS = strides[0];
  const bS = strides[1];
  const sa = aS[r];
  const sb = bS[r];
  counter.fill(0);
  let ia = 0;
  let ib = 0;
  for (let io = 0; io < total; io += n) {
    row(a, ia, sa, b, ib, sb, o, io, n);
    for (let d = r - 1; d >= 0; d--) {
      ia += aS[d];
      ib += bS[d];
      if (++counter[d] < dims[d]) break;
      counter[d] = 0;
      ia -= aS[d] * dims[d];
      ib -= bS[d] * dims[d];
    }
  }
}

interface Operands {
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

/** Checks the dtypes and quantization shared by ADD / SUB / MUL and sets the broadcast output shape. */
function prepareOperands(ctx: NodeContext): Operands {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  const y = output(ctx, 0);
  const type = requireQuantizedType(ctx, a, 'input 0');
  if (b.dtype !== type || y.dtype !== type) fail(ctx, `inputs and output must share one dtype, got ${a.dtype}, ${b.dtype} -> ${y.dtype}`);
  y.shape = broadcastShapes(ctx, a.shape, b.shape);
  const qo = tensorQuant(ctx, y, 'the output');
  const [lo, hi] = calculateActivationRangeQuantized(fusedActivation(ctx), qo.scale, qo.zeroPoint, type);
  return {
    a,
    b,
    type,
    qa: tensorQuant(ctx, a, 'input 0'),
    qb: tensorQuant(ctx, b, 'input 1'),
    qo,
    lo,
    hi,
    plan: planBroadcast([a.shape, b.shape], y.shape),
  };
}

/** ArithmeticParams of the general quantized ADD / SUB path. */
interface AddSubScaling {
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
function generalAddSubInt16Row(ops: Operands, isSub: boolean): RowFn {
  const s = addSubScaling(ops, isSub);
  const { lo, hi } = ops;
  const { leftShift, input1Multiplier, input1Shift, input2Multiplier, input2Shift, outputMultiplier, outputShift } = s;
  const scale = 1 << leftShift; // zero points are 0 for int16
  return (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) {
      const x = multiplyByQuantizedMultiplierSmallerThanOneExp(a[ia] * scale, input1Multiplier, input1Shift);
      const y = multiplyByQuantizedMultiplierSmallerThanOneExp(b[ib] * scale, input2Multiplier, input2Shift);
      const raw = multiplyByQuantizedMultiplierSmallerThanOneExp(isSub ? x - y : x + y, outputMultiplier, outputShift);
      o[io + k] = Math.min(Math.max(raw, lo), hi);
    }
  };
}

/**
 * The int16 power-of-two path (reference_ops::Add with pot_scale / Sub16): the input whose scale
 * is finer than the output's is divided by a power of two (rounding), then a saturating int16
 * add or subtract and the activation clamp.
 */
function potAddSubRow(ctx: NodeContext, ops: Operands, log2: number[], isSub: boolean): RowFn {
  const shift1 = (log2[0] as number) - (log2[2] as number);
  const shift2 = (log2[1] as number) - (log2[2] as number);
  if (!(shift1 === 0 || shift2 === 0) || shift1 > 0 || shift2 > 0) {
    fail(ctx, `int16 power-of-two scales need one input at the output scale and the other finer (shifts ${shift1}, ${shift2})`);
  }
  const r1 = -shift1;
  const r2 = -shift2;
  const lo = Math.max(ops.lo, -32768);
  const hi = Math.min(ops.hi, 32767);
  return (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) {
      const x = roundingDivideByPOT(a[ia], r1);
      const y = roundingDivideByPOT(b[ib], r2);
      o[io + k] = Math.min(Math.max(isSub ? x - y : x + y, lo), hi);
    }
  };
}

/** The float bounds of a fused activation as TFLite's XNNPACK delegate maps them (ConvertActivationToOutputRange). */
function xnnpackActivationBounds(activation: number): [number, number] {
  switch (activation) {
    case FusedActivation.RELU:
      return [0, Number.POSITIVE_INFINITY];
    case FusedActivation.RELU_N1_TO_1:
      return [-1, 1];
    case FusedActivation.RELU6:
      return [0, 6];
    default:
      return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  }
}

/** 1.5 * 2^52: adding and subtracting it rounds a double to the nearest integer, ties to even. */
const ROUND_EVEN = 6755399441055744;

/** XNNPACK's xnn_qs8_quantize / xnn_qu8_quantize of an activation bound: lrintf(clamp(v / scale + zp)). */
function xnnpackQuantizeBound(value: number, scale: number, zeroPoint: number, type: QuantizedIntType): number {
  const [qmin, qmax] = quantizedTypeRange(type);
  const v = f32(f32(value / f32(scale)) + zeroPoint);
  const clamped = v < qmin ? qmin : Math.min(v, qmax);
  return clamped + ROUND_EVEN - ROUND_EVEN;
}

/**
 * Whether TFLite's XNNPACK delegate takes an 8-bit ADD / SUB (VisitAddNode / VisitSubNode):
 * per-tensor 8-bit operands with valid scales, each input_scale / output_scale (float) in
 * [2^-10, 2^8), rank <= 6. Returns the two float ratios, or null.
 */
function xnnpackTakesAddSub(ctx: NodeContext, ops: Operands): [number, number] | null {
  if (!xnnpackRuns(ctx) || ops.type === 'int16') return null;
  const y = output(ctx, 0);
  if (![ops.a, ops.b, y].every(xnnpackActivationOk)) return null;
  if (y.shape.length > 6) return null;
  const ra = f32(ops.qa.scale / ops.qo.scale);
  const rb = f32(ops.qb.scale / ops.qo.scale);
  const ok = (r: number) => r >= 2 ** -10 && r < 256;
  return ok(ra) && ok(rb) ? [ra, rb] : null;
}

/**
 * XNNPACK's qs8 / qu8 vadd (SUB negates b's scale): each input_scale / output_scale becomes an
 * integer multiplier with 20 bits for the larger one (lrintf of the float times 2^shift, shift =
 * 20 - its exponent); the sum of the offset inputs times their multipliers is shifted right with
 * rounding half up, plus the output zero point, clamped to the quantized activation bounds.
 * (TFLite's reference path rescales in 31-bit fixed point and rounds half away from zero: the two
 * differ by one near ties.)
 */
function xnnpackAddSub(ctx: NodeContext, ops: Operands, ratios: [number, number], isSub: boolean): ElementFn {
  const [ra, rb] = ratios;
  const larger = Math.max(ra, rb);
  // The float's binary exponent (larger is a normal float32 in [2^-10, 2^8)).
  let exponent = Math.floor(Math.log2(larger));
  if (2 ** exponent > larger) exponent--;
  else if (2 ** (exponent + 1) <= larger) exponent++;
  const shift = 20 - exponent;
  const scaleUp = 2 ** shift;
  const am = ra * scaleUp + ROUND_EVEN - ROUND_EVEN;
  const bm = (isSub ? -rb : rb) * scaleUp + ROUND_EVEN - ROUND_EVEN;
  const rounding = 2 ** (shift - 1);
  const [bmin, bmax] = xnnpackActivationBounds(fusedActivation(ctx));
  const zo = ops.qo.zeroPoint;
  const lo = xnnpackQuantizeBound(bmin, ops.qo.scale, zo, ops.type);
  const hi = xnnpackQuantizeBound(bmax, ops.qo.scale, zo, ops.type);
  const za = ops.qa.zeroPoint;
  const zb = ops.qb.zeroPoint;
  return (a, b) => {
    // |acc| < 2^30: exact in doubles; floor of an exact quotient by 2^shift is the arithmetic shift.
    const acc = (a - za) * am + (b - zb) * bm + rounding;
    const v = Math.floor(acc / scaleUp) + zo;
    return v < lo ? lo : Math.min(v, hi);
  };
}

function addSubKernel(isSub: boolean): Kernel<BinaryIntParams> {
  return {
    prepare(ctx) {
      const ops = prepareOperands(ctx);
      const xnn = xnnpackTakesAddSub(ctx, ops);
      if (xnn) return { plan: ops.plan, row: pairTableRow(ops.type, xnnpackAddSub(ctx, ops, xnn, isSub)) };
      if (ops.type !== 'int16') return { plan: ops.plan, row: pairTableRow(ops.type, generalAddSub(ops, isSub)) };
      requireZeroPointZero(ctx, ops.qa, 'input 0');
      requireZeroPointZero(ctx, ops.qb, 'input 1');
      requireZeroPointZero(ctx, ops.qo, 'the output');
      // pot_scale_int16 defaults to true in the schema; a node without options leaves the C++
      // params zero-initialized (false).
      if (optBool(ctx, 'potScaleInt16', false)) {
        const logs = [ops.qa.scale, ops.qb.scale, ops.qo.scale].map(checkedLog2);
        if (logs.every((l) => l.isPowerOfTwo)) {
          const log2 = logs.map((l) => l.log2);
          return { plan: ops.plan, row: potAddSubRow(ctx, ops, log2, isSub) };
        }
      }
      return { plan: ops.plan, row: generalAddSubInt16Row(ops, isSub) };
    },
    eval(ctx, p) {
      runElementwise(p, input(ctx, 0).data as IntArray, input(ctx, 1).data as IntArray, output(ctx, 0).data as IntArray);
    },
  };
}

/**
 * int8 SQUARED_DIFFERENCE (squared_difference.cc): both inputs rescaled to twice the larger input
 * scale after a left shift of 7, the difference squared, rescaled to the output; clamped to int8.
 */
export const squaredDifferenceIntKernel: Kernel<BinaryIntParams> = {
  prepare(ctx) {
    const ops = prepareOperands(ctx);
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
    return { plan: ops.plan, row: pairTableRow('int8', fn) };
  },
  eval(ctx, p) {
    runElementwise(p, input(ctx, 0).data as IntArray, input(ctx, 1).data as IntArray, output(ctx, 0).data as IntArray);
  },
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
    const ops = prepareOperands(ctx);
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
    return { plan: ops.plan, row: pairTableRow('uint8', fn) };
  },
  eval(ctx, p) {
    runElementwise(p, input(ctx, 0).data as IntArray, input(ctx, 1).data as IntArray, output(ctx, 0).data as IntArray);
  },
};

export const addIntKernel = addSubKernel(false);
export const subIntKernel = addSubKernel(true);

/**
 * Whether TFLite's XNNPACK delegate takes an 8-bit MUL (VisitMulNode): per-tensor 8-bit operands
 * with valid scales and input1_scale * input2_scale / output_scale in [2^-16, 2^8), rank <= 6.
 */
function xnnpackTakesMul(ctx: NodeContext, ops: Operands): number | null {
  if (!xnnpackRuns(ctx) || ops.type === 'int16') return null;
  const y = output(ctx, 0);
  if (![ops.a, ops.b, y].every(xnnpackActivationOk)) return null;
  if (y.shape.length > 6) return null;
  const scale = f32(f32(ops.qa.scale * ops.qb.scale) / ops.qo.scale);
  return scale >= 2 ** -16 && scale < 256 ? scale : null;
}

export const mulIntKernel: Kernel<BinaryIntParams> = {
  prepare(ctx) {
    const ops = prepareOperands(ctx);
    const xnnScale = xnnpackTakesMul(ctx, ops);
    if (xnnScale !== null) {
      // XNNPACK's qs8 / qu8 vmul (fp32 requantization): the integer product times the float
      // scale, clamped, rounded to nearest even, plus the output zero point.
      const [bmin, bmax] = xnnpackActivationBounds(fusedActivation(ctx));
      const zo = ops.qo.zeroPoint;
      const lo = xnnpackQuantizeBound(bmin, ops.qo.scale, zo, ops.type) - zo;
      const hi = xnnpackQuantizeBound(bmax, ops.qo.scale, zo, ops.type) - zo;
      const za = ops.qa.zeroPoint;
      const zb = ops.qb.zeroPoint;
      const fn: ElementFn = (a, b) => {
        const acc = f32((a - za) * (b - zb) * xnnScale);
        const c = acc < lo ? lo : Math.min(acc, hi);
        return c + ROUND_EVEN - ROUND_EVEN + zo;
      };
      return { plan: ops.plan, row: pairTableRow(ops.type, fn) };
    }
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
      return { plan: ops.plan, row: pairTableRow(ops.type, fn) };
    }
    const row: RowFn = (a, ia, sa, b, ib, sb, o, io, n) => {
      for (let k = 0; k < n; k++, ia += sa, ib += sb) {
        o[io + k] = Math.min(Math.max(multiplyByQuantizedMultiplier(a[ia] * b[ib], multiplier, shift), lo), hi);
      }
    };
    return { plan: ops.plan, row };
  },
  eval(ctx, p) {
    runElementwise(p, input(ctx, 0).data as IntArray, input(ctx, 1).data as IntArray, output(ctx, 0).data as IntArray);
  },
};

/**
 * MUL of two int16 Q0.15 inputs into int8 (reference_integer_ops::Mul int16 -> int8, used by
 * quantized LSTM graphs): a fixed-point product, divided by 2^8 with rounding, plus the output
 * zero point, clamped. Shapes must match (TFLite has no broadcasting on this path).
 */
export const mulInt16ToInt8Kernel: Kernel<{ lo: number; hi: number; outOffset: number }> = {
  prepare(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    const y = output(ctx, 0);
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
      fail(ctx, `int16 x int16 -> int8 MUL needs equal shapes, got [${a.shape}] and [${b.shape}]`);
    }
    y.shape = [...a.shape];
    const qo = tensorQuant(ctx, y, 'the output');
    const [lo, hi] = calculateActivationRangeQuantized(fusedActivation(ctx), qo.scale, qo.zeroPoint, 'int8');
    return { lo, hi, outOffset: qo.zeroPoint };
  },
  eval(ctx, p) {
    const a = input(ctx, 0).data as Int16Array;
    const b = input(ctx, 1).data as Int16Array;
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

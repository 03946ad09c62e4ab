// Quantized element-wise activations (tensorflow/lite/kernels/activations.cc, builtin generic
// optimized kernels): LOGISTIC and TANH (int8/uint8 through LUTPopulate tables, int16 through the
// sigmoid-table interpolation or, for power-of-two input scales, gemmlowp fixed point), LEAKY_RELU
// (int8/uint8/int16), HARD_SWISH (int8/uint8) and the RELU family (QuantizedReluX: rescale to the
// output, clamp to the activation's quantized range).
//
// Every output depends on one input value only, so prepare maps each possible input value once
// (256 entries for 8-bit types, 65536 for int16) and eval is a table lookup.
import {
  f32,
  hardSwishQuantized,
  type Int16ActivationParams,
  type LeakyReluParams,
  leakyReluQuantized,
  logisticInt16,
  logisticInt16Optimized,
  multiplyByQuantizedMultiplier,
  populateLutInt8,
  populateLutUint8,
  prepareHardSwish,
  prepareLeakyRelu,
  prepareLogisticInt16,
  prepareTanhInt16,
  type QuantizedIntType,
  quantizedReluRange,
  quantizedTypeRange,
  quantizeMultiplier,
  sigmoidFloat32,
  tanhFloat32,
  tanhInt16,
  tanhInt16Optimized,
} from '../quant/index.js';
import { erfc, PRELU_INPUTS, parseGeluOptions, parseLeakyReluOptions } from './activations.js';
import { type BinaryLoop, type BroadcastPlan, broadcastOutput, runBinary } from './binary.js';
import type { IntArray } from './int/int_array.js';
import { roundHalfEven, xnnpackActivationOk } from './int/xnnpack_rounding.js';
import { fail, input, type Kernel, type NodeContext, output, xnnpackRuns } from './kernel.js';
import { requireQuantizedType, requireZeroPointZero, type TensorQuant, tensorQuant } from './quantize.js';
import { UNARY_INPUTS } from './unary.js';

/** Output for every input value v, stored at table[v + offset]. */
interface TableParams {
  table: IntArray;
  offset: number;
}

interface ActivationSetup {
  type: QuantizedIntType;
  qi: TensorQuant;
  qo: TensorQuant;
}

/** Builds the lookup table of a function over the whole input type. */
function tabulate(type: QuantizedIntType, fn: (v: number) => number): TableParams {
  const [lo, hi] = quantizedTypeRange(type);
  const table = type === 'int8' ? new Int8Array(256) : type === 'uint8' ? new Uint8Array(256) : new Int16Array(65536);
  for (let v = lo; v <= hi; v++) table[v - lo] = fn(v);
  return { table, offset: -lo };
}

/**
 * A table-driven activation: `setup` checks the node (types are already int8/uint8/int16 and
 * equal, and in `types`) and returns the per-value function.
 */
function tableKernel(
  types: readonly QuantizedIntType[],
  setup: (ctx: NodeContext, s: ActivationSetup) => (v: number) => number,
): Kernel<TableParams> {
  return {
    prepare(ctx) {
      const x = input(ctx, UNARY_INPUTS.input);
      const y = output(ctx, 0);
      const type = requireQuantizedType(ctx, x, 'the input');
      if (y.dtype !== type) fail(ctx, `output dtype ${y.dtype} differs from input dtype ${type}`);
      if (!types.includes(type)) fail(ctx, `${type} is not supported (TFLite supports ${types.join(', ')})`);
      y.shape = [...x.shape];
      const s = { type, qi: tensorQuant(ctx, x, 'the input'), qo: tensorQuant(ctx, y, 'the output') };
      return tabulate(type, setup(ctx, s));
    },
    eval(ctx, { table, offset }) {
      const x = input(ctx, UNARY_INPUTS.input).data as IntArray;
      const o = output(ctx, 0).data as IntArray;
      const n = o.length;
      for (let i = 0; i < n; i++) o[i] = table[x[i] + offset];
    },
  };
}

/** The LUTPopulate table of an 8-bit LOGISTIC / TANH as a per-value function. */
function lut8(s: ActivationSetup, transform: (x: number) => number): (v: number) => number {
  if (s.type === 'int8') {
    const lut = populateLutInt8(s.qi.scale, s.qi.zeroPoint, s.qo.scale, s.qo.zeroPoint, transform);
    return (v) => lut[v & 0xff] as number;
  }
  const lut = populateLutUint8(s.qi.scale, s.qi.zeroPoint, s.qo.scale, s.qo.zeroPoint, transform);
  return (v) => lut[v] as number;
}

/** int16 LOGISTIC / TANH set-up (zero points 0, output scale 2^-15); RangeErrors become node failures. */
function int16Setup(ctx: NodeContext, s: ActivationSetup, prep: (inScale: number, outScale: number) => Int16ActivationParams) {
  requireZeroPointZero(ctx, s.qi, 'the input');
  requireZeroPointZero(ctx, s.qo, 'the output');
  try {
    return prep(s.qi.scale, s.qo.scale);
  } catch (e) {
    fail(ctx, (e as Error).message);
  }
}

export const logisticIntKernel = tableKernel(['int8', 'uint8', 'int16'], (ctx, s) => {
  if (s.type === 'int16') {
    // SigmoidPrepare<kGenericOptimized>: output scale exactly 1/32768.
    if (s.qo.scale !== 1 / 32768) fail(ctx, `int16 output must have scale 1/32768, got ${s.qo.scale}`);
    const p = int16Setup(ctx, s, prepareLogisticInt16);
    // SigmoidEval: the reference interpolation unless the input scale is exactly 2^-12.
    return p.inputMultiplier > 0 ? (v) => logisticInt16(v, p) : logisticInt16Optimized;
  }
  if (s.qo.scale !== 1 / 256) fail(ctx, `${s.type} output must have scale 1/256, got ${s.qo.scale}`);
  return lut8(s, sigmoidFloat32);
});

export const tanhIntKernel = tableKernel(['int8', 'uint8', 'int16'], (ctx, s) => {
  if (s.type === 'int16') {
    const p = int16Setup(ctx, s, prepareTanhInt16);
    // TanhEval: the reference interpolation unless the input scale is 2^-12 or 2^-11.
    return p.inputMultiplier > 0 ? (v) => tanhInt16(v, p) : (v) => tanhInt16Optimized(v, p.inputLeftShift);
  }
  return lut8(s, tanhFloat32);
});

/**
 * XNNPACK's 8-bit LEAKY_RELU (qs8 / qu8 vlrelu), for nodes TFLite's XNNPACK delegate takes:
 * per-tensor operands, input / output scale in [2^-8, 2^7] and its product with alpha of
 * magnitude in [2^-8, 2^7]. Multipliers lrintf(256 * scale); out = (bias + x * m) >> 8 with the
 * rounding half in the bias, clamped to the type.
 */
function xnnpackLeakyRelu(ctx: NodeContext, s: ActivationSetup, alpha: number): ((v: number) => number) | null {
  if (!xnnpackActivationOk(input(ctx, UNARY_INPUTS.input)) || !xnnpackActivationOk(output(ctx, 0))) return null;
  const positive = f32(s.qi.scale / s.qo.scale);
  const negative = f32(positive * alpha);
  if (positive < 2 ** -8 || positive > 128 || Math.abs(negative) < 2 ** -8 || negative > 128 || negative < -127.99609375) return null;
  const pm = roundHalfEven(f32(256 * positive));
  const nm = roundHalfEven(f32(256 * negative));
  const bias = s.qo.zeroPoint * 256 + 128;
  const [lo, hi] = quantizedTypeRange(s.type);
  return (v) => {
    const x = v - s.qi.zeroPoint;
    const out = Math.floor((bias + x * (x < 0 ? nm : pm)) / 256);
    return Math.min(Math.max(out, lo), hi);
  };
}

/**
 * LEAKY_RELU. int8/uint8 run reference_ops::QuantizeLeakyRelu (a negative alpha applied as
 * -(x * |alpha|)); int16 runs optimized_integer_ops::QuantizeLeakyRelu, which passes a negative
 * alpha multiplier straight to MultiplyByQuantizedMultiplier.
 */
export const leakyReluIntKernel = tableKernel(['int8', 'uint8', 'int16'], (ctx, s) => {
  if (s.type === 'int16') {
    requireZeroPointZero(ctx, s.qi, 'the input');
    requireZeroPointZero(ctx, s.qo, 'the output');
  }
  const { alpha } = parseLeakyReluOptions(ctx);
  const xnn = s.type !== 'int16' && xnnpackRuns(ctx) ? xnnpackLeakyRelu(ctx, s, alpha) : null;
  if (xnn) return xnn;
  const p: LeakyReluParams = prepareLeakyRelu(s.qi.scale, s.qi.zeroPoint, s.qo.scale, s.qo.zeroPoint, alpha);
  const [lo, hi] = quantizedTypeRange(s.type);
  if (s.type !== 'int16') return (v) => leakyReluQuantized(v, p, lo, hi);
  return (v) => {
    const x = v - p.inputOffset;
    const scaled =
      x >= 0
        ? multiplyByQuantizedMultiplier(x, p.identityMultiplier, p.identityShift)
        : multiplyByQuantizedMultiplier(x, p.alphaMultiplier, p.alphaShift);
    const out = p.outputOffset + scaled;
    return Math.min(Math.max(out, lo), hi);
  };
});

export const hardSwishIntKernel = tableKernel(['int8', 'uint8'], (ctx, s) => {
  let p: ReturnType<typeof prepareHardSwish>;
  try {
    p = prepareHardSwish(s.qi.scale, s.qi.zeroPoint, s.qo.scale, s.qo.zeroPoint);
  } catch (e) {
    fail(ctx, (e as Error).message);
  }
  const [lo, hi] = quantizedTypeRange(s.type);
  return (v) => hardSwishQuantized(v, p, lo, hi);
});

/**
 * QuantizedReluX: x rescaled from the input to the output quantization (ReluPrepare's multiplier
 * is the float32 quotient of the scales), clamped to [act_min, act_max] quantized with roundf.
 */
function reluX(types: readonly QuantizedIntType[], actMin: number, actMax: number): Kernel<TableParams> {
  return tableKernel(types, (ctx, s) => {
    if (s.type === 'int16') {
      requireZeroPointZero(ctx, s.qi, 'the input');
      requireZeroPointZero(ctx, s.qo, 'the output');
    }
    const { multiplier, shift } = quantizeMultiplier(f32(s.qi.scale / s.qo.scale));
    const [lo, hi] = quantizedReluRange(actMin, actMax, s.qo.scale, s.qo.zeroPoint, s.type);
    const inZeroPoint = s.qi.zeroPoint;
    const outZeroPoint = s.qo.zeroPoint;
    return (v) => {
      const out = outZeroPoint + multiplyByQuantizedMultiplier(v - inZeroPoint, multiplier, shift);
      return Math.min(hi, Math.max(lo, out));
    };
  });
}

export const reluIntKernel = reluX(['int8', 'uint8', 'int16'], 0, Number.POSITIVE_INFINITY);
export const relu6IntKernel = reluX(['int8', 'uint8', 'int16'], 0, 6);
export const reluN1To1IntKernel = reluX(['int8', 'uint8'], -1, 1);
export const relu0To1IntKernel = reluX(['int8', 'uint8'], 0, 1);

/**
 * Quantized PRELU (activations.cc PreluEval, reference_ops::Prelu / BroadcastPrelu4DSlow) on int8
 * and uint8: x - zi >= 0 is rescaled by input_scale / output_scale, else (x - zi) * (alpha - za)
 * by input_scale * alpha_scale / output_scale (float arithmetic, as in the C++), plus the output
 * zero point, clamped to the type. Outputs depend on one (x, alpha) pair: a 65536-entry table.
 */
export const preluIntKernel: Kernel<{ plan: BroadcastPlan; loop: BinaryLoop; table: Int8Array | Uint8Array }> = {
  prepare(ctx) {
    const x = input(ctx, PRELU_INPUTS.input);
    const alpha = input(ctx, PRELU_INPUTS.alpha);
    const y = output(ctx, 0);
    const type = requireQuantizedType(ctx, x, 'the input');
    if (type === 'int16' || alpha.dtype !== type || y.dtype !== type) {
      fail(ctx, `expects int8 or uint8 input, alpha and output of one dtype, got ${x.dtype}, ${alpha.dtype} -> ${y.dtype}`);
    }
    const plan = broadcastOutput(ctx, x, alpha);
    if (y.shape.length > 4) fail(ctx, `quantized PRELU broadcasts up to 4 dimensions, got ${y.shape.length}`);
    const qi = tensorQuant(ctx, x, 'the input');
    const qa = tensorQuant(ctx, alpha, 'alpha');
    const qo = tensorQuant(ctx, y, 'the output');
    const m1 = quantizeMultiplier(f32(qi.scale / qo.scale));
    const m2 = quantizeMultiplier(f32(f32(qi.scale * qa.scale) / qo.scale));
    const [lo, hi] = quantizedTypeRange(type);
    const table = type === 'int8' ? new Int8Array(65536) : new Uint8Array(65536);
    for (let v = lo; v <= hi; v++) {
      for (let a = lo; a <= hi; a++) {
        const iv = v - qi.zeroPoint;
        const out =
          (iv >= 0
            ? multiplyByQuantizedMultiplier(iv, m1.multiplier, m1.shift)
            : multiplyByQuantizedMultiplier(iv * (a - qa.zeroPoint), m2.multiplier, m2.shift)) + qo.zeroPoint;
        table[((v & 0xff) << 8) | (a & 0xff)] = Math.min(Math.max(out, lo), hi);
      }
    }
    const loop: BinaryLoop = (xa, ix, sx, aa, ia, sa, o, io, n) => {
      for (let k = 0; k < n; k++, ix += sx, ia += sa) o[io + k] = table[((xa[ix] & 0xff) << 8) | (aa[ia] & 0xff)] as number;
    };
    return { plan, loop, table };
  },
  eval(ctx, p) {
    type Num = Parameters<BinaryLoop>[0];
    const x = input(ctx, PRELU_INPUTS.input).data as Num;
    runBinary(p.loop, p.plan, x, input(ctx, PRELU_INPUTS.alpha).data as Num, output(ctx, 0).data as Num);
  },
};

/** ELU int8 (activations.cc EluPrepare): LUTPopulate of x < 0 ? expm1f(x) : x. */
export const eluIntKernel = tableKernel(['int8'], (_ctx, s) => lut8(s, (v) => (v < 0 ? f32(Math.expm1(v)) : v)));

/** sqrt(2 / pi) as a float (gelu.cc kSqrt2dPi = M_2_SQRTPI * M_SQRT1_2). */
const SQRT_2_OVER_PI_F32 = f32(Math.sqrt(2 / Math.PI));

/**
 * GELU int8 / uint8 (gelu.cc): LUTPopulate of 0.5 x (1 + erf(x / sqrt 2)) (in double), or with
 * approximate the float tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
export const geluIntKernel = tableKernel(['int8', 'uint8'], (ctx, s) => {
  if (parseGeluOptions(ctx).approximate) {
    return lut8(s, (x) => {
      const cube = f32(f32(f32(0.044715 * x) * x) * x);
      const t = f32(Math.tanh(f32(SQRT_2_OVER_PI_F32 * f32(x + cube))));
      return f32(f32(0.5 * x) * f32(1 + t));
    });
  }
  return lut8(s, (x) => f32(0.5 * x * (2 - erfc(x * Math.SQRT1_2))));
});

// Elementwise unary math ops: ABS NEG SIGN SQUARE SQRT RSQRT EXP LOG SIN COS FLOOR CEIL ROUND
// (tensorflow/lite/kernels/elementwise.cc, exp.cc, floor.cc, ceil.cc, round.cc, neg.cc, sign.cc).
import {
  f32,
  getInvSqrtQuantizedMultiplierExp,
  multiplyByQuantizedMultiplier,
  type QuantizedIntType,
  quantizedTypeRange,
  quantizeMultiplier,
} from '../quant/index.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { requireZeroPointZero, type TensorQuant, tensorQuant } from './quantize.js';

type Num = Float32Array | Int32Array;

/** Input slot of the one-operand ops (unary math, activations, softmax, casts). */
export const UNARY_INPUTS = { input: 0 } as const;

/** Computes n outputs from n inputs. One function per op and dtype keeps each loop monomorphic. */
export type UnaryLoop = (x: Num, o: Num, n: number) => void;

/** What a float32 / int32 unary kernel's prepare found: the dtype its loop runs on. */
export interface UnaryParams {
  dtype: 'float32' | 'int32';
}

/** A shape-preserving elementwise kernel whose output dtype equals its input dtype. */
export function unaryKernel(loops: Partial<Record<'float32' | 'int32', UnaryLoop>>): Kernel<UnaryParams> {
  return {
    prepare(ctx) {
      const x = input(ctx, UNARY_INPUTS.input);
      const out = output(ctx, 0);
      if (out.dtype !== x.dtype) fail(ctx, `output dtype ${out.dtype} differs from input dtype ${x.dtype}`);
      const dtype = x.dtype as UnaryParams['dtype'];
      if (!loops[dtype]) fail(ctx, `dtype ${x.dtype} is not supported`);
      out.shape = [...x.shape];
      return { dtype };
    },
    eval(ctx, p) {
      const o = output(ctx, 0).data as Num;
      (loops[p.dtype] as UnaryLoop)(input(ctx, UNARY_INPUTS.input).data as Num, o, o.length);
    },
  };
}

/** TFLite's RoundToNearest: halves go to the even neighbour. */
function roundHalfToEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff < 0.5 || (diff === 0.5 && f % 2 === 0)) return f;
  return f + 1;
}

const absF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]);
};
const absI32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]); // |INT32_MIN| wraps back to INT32_MIN on store
};
const negF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = -x[i];
};
const negI32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = -x[i] | 0;
};
const signF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    o[i] = v > 0 ? 1 : v < 0 ? -1 : 0; // NaN -> 0 like (0 < x) - (x < 0)
  }
};
const signI32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    o[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
  }
};
const squareF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = x[i] * x[i];
};
const sqrtF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]);
};
const rsqrtF32: UnaryLoop = (x, o, n) => {
  // 1.f / std::sqrt(x): the root is a float before the division.
  for (let i = 0; i < n; i++) o[i] = 1 / Math.fround(Math.sqrt(x[i]));
};
const expF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]);
};
const logF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.log(x[i]);
};
const sinF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]);
};
const cosF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.cos(x[i]);
};
const floorF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.floor(x[i]);
};
const ceilF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.ceil(x[i]);
};
const roundF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = roundHalfToEven(x[i]);
};

export const absKernel = unaryKernel({ float32: absF32, int32: absI32 });
export const negKernel = unaryKernel({ float32: negF32, int32: negI32 });
export const signKernel = unaryKernel({ float32: signF32, int32: signI32 });
export const squareKernel = unaryKernel({ float32: squareF32 });
export const sqrtKernel = unaryKernel({ float32: sqrtF32 });
export const rsqrtKernel = unaryKernel({ float32: rsqrtF32 });
export const expKernel = unaryKernel({ float32: expF32 });
export const logKernel = unaryKernel({ float32: logF32 });
export const sinKernel = unaryKernel({ float32: sinF32 });
export const cosKernel = unaryKernel({ float32: cosF32 });
export const floorKernel = unaryKernel({ float32: floorF32 });
export const ceilKernel = unaryKernel({ float32: ceilF32 });
export const roundKernel = unaryKernel({ float32: roundF32 });

// ---- Quantized ABS (int8, int16) and RSQRT (int8) of elementwise.cc: each output depends on one
// input value, so prepare maps every input value once and eval looks it up.

import type { IntArray } from './int/int_array.js';

interface QuantUnaryParams {
  table: Int8Array | Int16Array;
  offset: number;
}

function quantUnaryKernel(
  types: readonly QuantizedIntType[],
  setup: (ctx: NodeContext, type: QuantizedIntType, qi: TensorQuant, qo: TensorQuant) => (v: number) => number,
): Kernel<QuantUnaryParams> {
  return {
    prepare(ctx) {
      const x = input(ctx, UNARY_INPUTS.input);
      const y = output(ctx, 0);
      const type = x.dtype as QuantizedIntType;
      if (!types.includes(type)) fail(ctx, `dtype ${x.dtype} is not supported (TFLite has ${types.join(', ')})`);
      if (y.dtype !== type) fail(ctx, `output dtype ${y.dtype} differs from input dtype ${type}`);
      y.shape = [...x.shape];
      const fn = setup(ctx, type, tensorQuant(ctx, x, 'the input'), tensorQuant(ctx, y, 'the output'));
      const [lo, hi] = quantizedTypeRange(type);
      const table = type === 'int8' ? new Int8Array(256) : new Int16Array(65536);
      for (let v = lo; v <= hi; v++) table[v - lo] = fn(v);
      return { table, offset: -lo };
    },
    eval(ctx, { table, offset }) {
      const x = input(ctx, UNARY_INPUTS.input).data as IntArray;
      const o = output(ctx, 0).data as IntArray;
      for (let i = 0; i < o.length; i++) o[i] = table[x[i] + offset] as number;
    },
  };
}

/** ABS: |x - zi| rescaled by input_scale / output_scale (when they differ), plus the output zero point. */
export const absIntKernel = quantUnaryKernel(['int8', 'int16'], (ctx, type, qi, qo) => {
  if (type === 'int16') {
    requireZeroPointZero(ctx, qi, 'the input');
    requireZeroPointZero(ctx, qo, 'the output');
  }
  const [lo, hi] = quantizedTypeRange(type);
  const needsRescale = qi.scale !== qo.scale;
  // AbsPrepare divides the scales as floats: `input_scale / output_scale` in float32, then widens.
  const { multiplier, shift } = quantizeMultiplier(f32(qi.scale / qo.scale));
  return (v) => {
    const value = Math.abs(v - qi.zeroPoint);
    const out = needsRescale ? multiplyByQuantizedMultiplier(value, multiplier, shift) + qo.zeroPoint : value + qo.zeroPoint;
    return Math.min(Math.max(out, lo), hi);
  };
});

/**
 * RSQRT int8: 1/sqrt(x - zi) by GetInvSqrtQuantizedMultiplierExp, shifted 20 bits to stay integer,
 * times 1 / (sqrt(input_scale) * output_scale); x at the zero point gives 127. TFLite fails on
 * inputs below the zero point ("Rsqrt is only defined for positive values"), checked in eval.
 */
export const rsqrtIntKernel: Kernel<QuantUnaryParams & { zeroPoint: number }> = {
  prepare(ctx) {
    const base = quantUnaryKernel(['int8'], (_ctx, _type, qi, qo) => {
      // 1. / (std::sqrt(input_scale) * output_scale): the root and product in float.
      const { multiplier, shift } = quantizeMultiplier(1 / f32(f32(Math.sqrt(qi.scale)) * qo.scale));
      const kShift = 20;
      return (v) => {
        const value = v - qi.zeroPoint;
        if (value <= 0) return 127;
        const inv = getInvSqrtQuantizedMultiplierExp(value, -1);
        const data = multiplyByQuantizedMultiplier(1, inv.multiplier, inv.shift + kShift);
        const out = multiplyByQuantizedMultiplier(data, multiplier, shift - kShift) + qo.zeroPoint;
        return Math.min(Math.max(out, -128), 127);
      };
    });
    const p = base.prepare(ctx);
    return { ...p, zeroPoint: tensorQuant(ctx, input(ctx, UNARY_INPUTS.input), 'the input').zeroPoint };
  },
  eval(ctx, p) {
    const x = input(ctx, UNARY_INPUTS.input).data as Int8Array;
    for (let i = 0; i < x.length; i++) if ((x[i] as number) < p.zeroPoint) fail(ctx, 'Rsqrt is only defined for positive values');
    const o = output(ctx, 0).data as Int8Array;
    for (let i = 0; i < o.length; i++) o[i] = p.table[(x[i] as number) + p.offset] as number;
  },
};

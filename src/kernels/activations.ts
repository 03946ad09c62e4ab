// Float activations: LOGISTIC TANH RELU RELU6 RELU_N1_TO_1 RELU_0_TO_1 LEAKY_RELU PRELU HARD_SWISH ELU GELU
// (tensorflow/lite/kernels/activations.cc, elu in elementwise.cc, gelu.cc; math from
// internal/reference/logistic.h, hard_swish.h, prelu.h, gelu.h).
import { builtinOptions } from '../model/options.js';
import { type BinaryLoop, type BroadcastPlan, broadcastOutput, runBinary, wasmRows } from './binary.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { UNARY_INPUTS, type UnaryLoop, unaryKernel } from './unary.js';
import { wasmBinaryF32, wasmUnaryF32 } from './wasm/elementwise.js';

// The builtin LOGISTIC kernel TFLite registers (kGenericOptimized: optimized_ops::Logistic, Eigen's
// logistic) is accurate across the range; reference_ops::Logistic's exp(x) below -9 is off by up
// to e^-9 = 1.2e-4 relative there, which real models' sigmoid tails (hand presence scores) show.
// exp(x) / (1 + exp(x)) for x < 0 keeps the tail accurate without overflow.
const logisticF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v < 0) {
      const e = Math.exp(v);
      o[i] = e / (1 + e);
    } else o[i] = 1 / (1 + Math.exp(-v));
  }
};
const tanhF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]);
};
// RELU is written as a comparison so NaN passes through, as in TFLite's Relu kernel.
const reluF32: UnaryLoop = (x, o, n) => {
  if (wasmUnaryF32('relu_f32', x as Float32Array, o as Float32Array, n)) return;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    o[i] = Math.max(v, 0);
  }
};
// RELU6 and RELU_N1_TO_1 are std::min(std::max(lower, v), upper) in TFLite's builtin kernels (and
// XNNPACK's clamp in the oracle build): NaN becomes the lower bound there, unlike RELU.
const relu6F32: UnaryLoop = (x, o, n) => {
  if (wasmUnaryF32('relu6_f32', x as Float32Array, o as Float32Array, n)) return;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    // biome-ignore lint/complexity/useMathMinMax: NaN -> 0 as std::max(0.f, NaN)
    o[i] = v > 6 ? 6 : v > 0 ? v : 0;
  }
};
const reluN1To1F32: UnaryLoop = (x, o, n) => {
  if (wasmUnaryF32('relu_n1_to_1_f32', x as Float32Array, o as Float32Array, n)) return;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    // biome-ignore lint/complexity/useMathMinMax: NaN -> -1 as std::max(-1.f, NaN)
    o[i] = v > 1 ? 1 : v > -1 ? v : -1;
  }
};
const relu0To1F32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    o[i] = v > 1 ? 1 : Math.max(v, 0);
  }
};
const hardSwishF32: UnaryLoop = (x, o, n) => {
  if (wasmUnaryF32('hard_swish_f32', x as Float32Array, o as Float32Array, n)) return;
  for (let i = 0; i < n; i++) {
    // in * min(6, max(0, in + 3)) / 6, each step rounded to float as in C++.
    const v = x[i];
    const t = Math.fround(v + 3);
    const r = t > 6 ? 6 : Math.max(t, 0);
    o[i] = Math.fround(v * r) / 6;
  }
};
const eluF32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    o[i] = v < 0 ? Math.expm1(v) : v;
  }
};

export const logisticKernel = unaryKernel({ float32: logisticF32 });
export const tanhKernel = unaryKernel({ float32: tanhF32 });
export const reluKernel = unaryKernel({ float32: reluF32 });
export const relu6Kernel = unaryKernel({ float32: relu6F32 });
export const reluN1To1Kernel = unaryKernel({ float32: reluN1To1F32 });
export const relu0To1Kernel = unaryKernel({ float32: relu0To1F32 });
export const hardSwishKernel = unaryKernel({ float32: hardSwishF32 });
export const eluKernel = unaryKernel({ float32: eluF32 });

function checkFloatUnary(ctx: NodeContext): void {
  const x = input(ctx, UNARY_INPUTS.input);
  const out = output(ctx, 0);
  if (x.dtype !== 'float32' || out.dtype !== 'float32') fail(ctx, `expects float32 input and output, got ${x.dtype} -> ${out.dtype}`);
  out.shape = [...x.shape];
}

/** LEAKY_RELU's options (LeakyReluOptions); also its float kernel's params. */
export interface LeakyReluOptions {
  /** The slope below 0, as a float. */
  alpha: number;
}

export function parseLeakyReluOptions(ctx: NodeContext): LeakyReluOptions {
  return { alpha: Math.fround(builtinOptions(ctx.op, 'LeakyReluOptions').alpha ?? 0) };
}

/** GELU's options (GeluOptions); also its float kernel's params. */
export interface GeluOptions {
  /** The tanh approximation instead of erf. */
  approximate: boolean;
}

export function parseGeluOptions(ctx: NodeContext): GeluOptions {
  return { approximate: builtinOptions(ctx.op, 'GeluOptions').approximate ?? false };
}

/** LEAKY_RELU: x > 0 ? x : alpha * x (LeakyReluOptions.alpha). */
export const leakyReluKernel: Kernel<LeakyReluOptions> = {
  prepare(ctx) {
    checkFloatUnary(ctx);
    return parseLeakyReluOptions(ctx);
  },
  eval(ctx, { alpha }) {
    const x = input(ctx, UNARY_INPUTS.input).data as Float32Array;
    const o = output(ctx, 0).data as Float32Array;
    for (let i = 0, n = o.length; i < n; i++) {
      const v = x[i];
      o[i] = v > 0 ? v : v * alpha;
    }
  },
};

/**
 * erfc(x) with fractional error below 1.2e-7 everywhere (Chebyshev fit, Numerical Recipes' erfcc);
 * JavaScript has no erf.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const f32 = Math.fround;

/** x P(x^2) / Q(x^2) by Horner, every step rounded to float32 (Eigen's fast erf / tanh, no FMA). */
function oddRationalF32(x: number, p: readonly number[], q: readonly number[]): number {
  const x2 = f32(x * x);
  const horner = (c: readonly number[]) => c.reduce((acc, k) => f32(f32(x2 * acc) + k));
  return f32(f32(x * horner(p)) / horner(q));
}

// Eigen's float erf (generic_fast_erf_float): x clamped to [-4, 4], x * P(x^2) / Q(x^2), every
// step a float32 multiply or add (no FMA in the oracle's wasm build).
const ERF_P = [
  -2.72614225801306e-10, 2.77068142495902e-8, -2.10102402082508e-6, -5.69250639462346e-5, -7.34990630326855e-4, -2.95459980854025e-3,
  -1.60960333262415e-2,
].map(f32);
const ERF_Q = [-1.45660718464996e-5, -2.13374055278905e-4, -1.68282697438203e-3, -7.37332916720468e-3, -1.42647390514189e-2].map(f32);

export function eigenErfF32(a: number): number {
  const x = Math.min(Math.max(a, -4), 4);
  return oddRationalF32(x, ERF_P, ERF_Q);
}

// Eigen's float tanh (generic_fast_tanh_float without FMA): x clamped to +-7.90531110763549805,
// an odd 13th-degree over an even 6th-degree polynomial; |x| < 0.0004 returns x.
const TANH_P = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4,
  4.89352455891786e-3,
].map(f32);
const TANH_Q = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3].map(f32);
const TANH_CLAMP = f32(7.905311107635498);

export function eigenTanhF32(a: number): number {
  const x = Math.min(Math.max(a, -TANH_CLAMP), TANH_CLAMP);
  if (Math.abs(a) < f32(0.0004)) return x;
  return oddRationalF32(x, TANH_P, TANH_Q);
}

const SQRT1_2_F32 = f32(Math.SQRT1_2);
const SQRT_2_OVER_PI_F32 = f32(Math.sqrt(2 / Math.PI));
const GELU_CUBE_F32 = f32(0.044715);

/**
 * GELU as TFLite's builtin kernel computes it (reference_ops::Gelu on Eigen arrays of float):
 * 0.5 x (1 + erf(x / sqrt2)), or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) when
 * GeluOptions.approximate, in float32 with Eigen's fast erf / tanh. For large negative x the
 * 1 + erf / 1 + tanh cancels, so tails are coarse (and exactly 0 once tanh reaches -1); tfjs-tflite
 * gives these bits exactly. (LiteRT.js's newer build differs in those tails.)
 */
export const geluKernel: Kernel<GeluOptions> = {
  prepare(ctx) {
    checkFloatUnary(ctx);
    return parseGeluOptions(ctx);
  },
  eval(ctx, { approximate }) {
    const x = input(ctx, UNARY_INPUTS.input).data as Float32Array;
    const o = output(ctx, 0).data as Float32Array;
    const n = o.length;
    if (approximate) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const cube = f32(GELU_CUBE_F32 * f32(f32(v * v) * v));
        const t = eigenTanhF32(f32(SQRT_2_OVER_PI_F32 * f32(v + cube)));
        o[i] = f32(0.5 * v) * f32(1 + t);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = f32(0.5 * v) * f32(1 + eigenErfF32(f32(v * SQRT1_2_F32)));
      }
    }
  },
};

// PRELU: x >= 0 ? x : x * alpha, with alpha broadcast against x (usually one alpha per channel).
const preluF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const v = a[ia];
    o[io + i] = v >= 0 ? v : v * b[ib];
  }
};

/** Input slots of PRELU. */
export const PRELU_INPUTS = { input: 0, alpha: 1 } as const;

export interface PreluParams {
  plan: BroadcastPlan;
}

export const preluKernel: Kernel<PreluParams> = {
  prepare(ctx) {
    const x = input(ctx, PRELU_INPUTS.input);
    const alpha = input(ctx, PRELU_INPUTS.alpha);
    const out = output(ctx, 0);
    if (x.dtype !== 'float32' || alpha.dtype !== 'float32' || out.dtype !== 'float32') {
      fail(ctx, `expects float32 input, alpha and output, got ${x.dtype}, ${alpha.dtype} -> ${out.dtype}`);
    }
    return { plan: broadcastOutput(ctx, x, alpha) };
  },
  eval(ctx, { plan }) {
    const x = input(ctx, PRELU_INPUTS.input).data as Float32Array;
    const alpha = input(ctx, PRELU_INPUTS.alpha).data as Float32Array;
    const o = output(ctx, 0).data as Float32Array;
    const rows = wasmRows(plan);
    if (rows !== null && wasmBinaryF32('prelu_f32', x, alpha, o, rows.rows, rows.C, rows.bRepeats)) return;
    runBinary(preluF32, plan, x, alpha, o);
  },
};

// Float activations: LOGISTIC TANH RELU RELU6 RELU_N1_TO_1 RELU_0_TO_1 LEAKY_RELU PRELU HARD_SWISH ELU GELU
// (tensorflow/lite/kernels/activations.cc, elu in elementwise.cc, gelu.cc; math from
// internal/reference/logistic.h, hard_swish.h, prelu.h, gelu.h).
import { type BinaryLoop, type BroadcastPlan, planBroadcast, runBinary } from './binary.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { type UnaryLoop, unaryKernel } from './unary.js';
import { broadcastShapes, optBool, optNumber } from './util.js';

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
  for (let i = 0; i < n; i++) {
    const v = x[i];
    o[i] = Math.max(v, 0);
  }
};
// RELU6 and RELU_N1_TO_1 are std::min(std::max(lower, v), upper) in TFLite's builtin kernels (and
// XNNPACK's clamp in the oracle build): NaN becomes the lower bound there, unlike RELU.
const relu6F32: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    // biome-ignore lint/complexity/useMathMinMax: NaN -> 0 as std::max(0.f, NaN)
    o[i] = v > 6 ? 6 : v > 0 ? v : 0;
  }
};
const reluN1To1F32: UnaryLoop = (x, o, n) => {
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
  const x = input(ctx, 0);
  const out = output(ctx, 0);
  if (x.dtype !== 'float32' || out.dtype !== 'float32') fail(ctx, `expects float32 input and output, got ${x.dtype} -> ${out.dtype}`);
  out.shape = [...x.shape];
}

/** LEAKY_RELU: x > 0 ? x : alpha * x (LeakyReluOptions.alpha). */
export const leakyReluKernel: Kernel<number> = {
  prepare(ctx) {
    checkFloatUnary(ctx);
    return Math.fround(optNumber(ctx, 'alpha', 0));
  },
  eval(ctx, alpha) {
    const x = input(ctx, 0).data as Float32Array;
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

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU: 0.5 x erfc(-x/sqrt2), or the tanh approximation when GeluOptions.approximate. */
export const geluKernel: Kernel<boolean> = {
  prepare(ctx) {
    checkFloatUnary(ctx);
    return optBool(ctx, 'approximate', false);
  },
  eval(ctx, approximate) {
    const x = input(ctx, 0).data as Float32Array;
    const o = output(ctx, 0).data as Float32Array;
    const n = o.length;
    if (approximate) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * v * (1 + 0.044715 * v * v)));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = 0.5 * v * erfc(-v * Math.SQRT1_2);
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

export const preluKernel: Kernel<BroadcastPlan> = {
  prepare(ctx) {
    const x = input(ctx, 0);
    const alpha = input(ctx, 1);
    const out = output(ctx, 0);
    if (x.dtype !== 'float32' || alpha.dtype !== 'float32' || out.dtype !== 'float32') {
      fail(ctx, `expects float32 input, alpha and output, got ${x.dtype}, ${alpha.dtype} -> ${out.dtype}`);
    }
    out.shape = broadcastShapes(ctx, x.shape, alpha.shape);
    return planBroadcast([x.shape, alpha.shape], out.shape);
  },
  eval(ctx, plan) {
    const x = input(ctx, 0).data as Float32Array;
    const alpha = input(ctx, 1).data as Float32Array;
    runBinary(preluF32, plan, x, alpha, output(ctx, 0).data as Float32Array);
  },
};

// ARG_MAX and ARG_MIN over one axis given by a constant int32/int64 tensor (tensorflow/lite/
// kernels/arg_min_max.cc; optimized_ops::ArgMinMax and reference/arg_min_max.h). Ties give the
// first index. Floats are NaN-aware as in current TFLite: a NaN never wins, and a row of NaNs
// gives index 0. The output is int32 or int64 (ArgMaxOptions / ArgMinOptions output_type).
import type { DType } from '../model/dtype.js';
import { fail, input, isKnown, type Kernel, output } from './kernel.js';
import { intValues } from './tensor_data.js';

/** Input slots of ARG_MAX and ARG_MIN. */
export const ARG_MINMAX_INPUTS = { input: 0, axis: 1 } as const;

type Values = Float32Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array;

interface ArgParams {
  outer: number;
  axisSize: number;
  inner: number;
  isFloat: boolean;
}

const INPUT_DTYPES: readonly DType[] = ['float32', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool'];

function argKernel(isMax: boolean): Kernel<ArgParams> {
  return {
    prepare(ctx) {
      const x = input(ctx, ARG_MINMAX_INPUTS.input);
      const axisT = input(ctx, ARG_MINMAX_INPUTS.axis);
      const y = output(ctx, 0);
      if (!INPUT_DTYPES.includes(x.dtype)) fail(ctx, `input dtype ${x.dtype} is not supported`);
      if (y.dtype !== 'int32' && y.dtype !== 'int64') fail(ctx, `output must be int32 or int64, got ${y.dtype}`);
      if (axisT.dtype !== 'int32' && axisT.dtype !== 'int64') fail(ctx, `axis must be int32 or int64, got ${axisT.dtype}`);
      if (axisT.shape.reduce((a, b) => a * b, 1) !== 1) fail(ctx, `axis must hold one value, got shape [${axisT.shape}]`);
      if (!isKnown(axisT)) fail(ctx, 'axis tensor must be constant (its value decides the output shape)');
      const rank = x.shape.length;
      if (rank < 1) fail(ctx, 'input must have rank >= 1, got a scalar');
      const given = intValues(ctx, axisT, 'axis')[0] as number;
      const axis = given < 0 ? given + rank : given;
      if (axis < 0 || axis >= rank) fail(ctx, `axis ${given} is out of range for rank ${rank}`);
      const axisSize = x.shape[axis] as number;
      y.shape = x.shape.filter((_, d) => d !== axis);
      let outer = 1;
      for (let d = 0; d < axis; d++) outer *= x.shape[d] as number;
      let inner = 1;
      for (let d = axis + 1; d < rank; d++) inner *= x.shape[d] as number;
      if (axisSize === 0 && outer * inner > 0) fail(ctx, `cannot reduce an empty axis ${axis} of shape [${x.shape}]`);
      return { outer, axisSize, inner, isFloat: x.dtype === 'float32' };
    },
    eval(ctx, { outer, axisSize, inner, isFloat }) {
      const x = input(ctx, ARG_MINMAX_INPUTS.input).data as Values;
      const yt = output(ctx, 0);
      const y32 = yt.dtype === 'int32' ? (yt.data as Int32Array) : null;
      const y64 = y32 ? null : (yt.data as BigInt64Array);
      for (let a = 0; a < outer; a++) {
        for (let k = 0; k < inner; k++) {
          const base = a * axisSize * inner + k;
          let best = x[base] as number | bigint;
          let bestIndex = 0;
          for (let i = 1, j = base + inner; i < axisSize; i++, j += inner) {
            const v = x[j] as number | bigint;
            // NaN candidates never win; a NaN accumulator loses to any number.
            const wins = isFloat && Number.isNaN(best) ? !Number.isNaN(v) : isMax ? v > best : v < best;
            if (wins) {
              best = v;
              bestIndex = i;
            }
          }
          if (isFloat && Number.isNaN(best)) bestIndex = 0;
          if (y32) y32[a * inner + k] = bestIndex;
          else (y64 as BigInt64Array)[a * inner + k] = BigInt(bestIndex);
        }
      }
    },
  };
}

export const argMaxKernel = argKernel(true);
export const argMinKernel = argKernel(false);

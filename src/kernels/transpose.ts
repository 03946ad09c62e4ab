// TRANSPOSE with a permutation known at prepare (tensorflow/lite/kernels/transpose.cc):
// output dim i is input dim perm[i]; negative entries count from the end.
import type { Kernel } from './kernel.js';
import { fail, input, output } from './kernel.js';
import {
  elements,
  intValues,
  requireElementDtype,
  requireKnown,
  requireSameDtype,
  type StridedPlan,
  simplifyStrided,
  stridedCopy,
} from './tensor_data.js';
import { stridesOf } from './util.js';

/** Input slots of TRANSPOSE. */
export const TRANSPOSE_INPUTS = { input: 0, perm: 1 } as const;

/** TFLite's kTransposeMaxDimensions. */
const MAX_RANK = 8;

export const transposeKernel: Kernel<StridedPlan> = {
  prepare(ctx) {
    const x = input(ctx, TRANSPOSE_INPUTS.input);
    const permT = input(ctx, TRANSPOSE_INPUTS.perm);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    const rank = x.shape.length;
    if (rank > MAX_RANK) fail(ctx, `rank ${rank} is above the supported ${MAX_RANK}`);
    if (permT.shape.length !== 1 || permT.shape[0] !== rank) {
      fail(ctx, `the permutation must have shape [${rank}], got [${permT.shape}]`);
    }
    requireKnown(ctx, permT, 'the permutation');
    const perm = intValues(ctx, permT, 'the permutation').map((p) => {
      if (p < -rank || p >= rank) fail(ctx, `permutation entry ${p} is out of range for rank ${rank}`);
      return p < 0 ? p + rank : p;
    });
    if (new Set(perm).size !== rank) fail(ctx, `[${perm}] is not a permutation`);
    y.shape = perm.map((p) => x.shape[p] as number);
    const inStrides = stridesOf(x.shape);
    return simplifyStrided(
      0,
      y.shape,
      perm.map((p) => inStrides[p] as number),
    );
  },
  eval(ctx, plan) {
    stridedCopy(elements(input(ctx, TRANSPOSE_INPUTS.input)), plan, elements(output(ctx, 0)));
  },
};

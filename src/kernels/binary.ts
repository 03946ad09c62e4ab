// Elementwise binary ops with NumPy broadcasting: ADD SUB MUL DIV MAXIMUM MINIMUM SQUARED_DIFFERENCE
// FLOOR_DIV FLOOR_MOD on float32 and int32 (tensorflow/lite/kernels/add.cc, sub.cc, mul.cc, div.cc,
// maximum_minimum.cc, squared_difference.cc, floor_div.cc, floor_mod.cc and their reference ops).
import { numElements } from '../model/dtype.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { Activation, broadcastShapes, broadcastStrides, floatActivationRange, fusedActivation } from './util.js';

/** std::numeric_limits<float>::max(), the "lowest" / "max" TFLite starts float max / min reductions from. */
export const FLT_MAX = 3.4028234663852886e38;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/**
 * [min, max] of a fused activation (CalculateActivationRange<T>). For float, NONE and RELU are
 * unbounded above: TFLite's builtin kernels would clamp inf to ±FLT_MAX, but the XNNPACK path that
 * real TFLite runs float graphs through keeps inf, and so do we.
 */
export function activationRange(ctx: NodeContext, activation: number, dtype: string): [number, number] {
  if (dtype !== 'int32') return floatActivationRange(ctx, activation);
  switch (activation) {
    case Activation.NONE:
      return [INT32_MIN, INT32_MAX];
    case Activation.RELU:
      return [0, INT32_MAX];
    case Activation.RELU_N1_TO_1:
      return [-1, 1];
    case Activation.RELU6:
      return [0, 6];
    default:
      fail(ctx, `fused activation ${activation} is not supported`);
  }
}

/**
 * How to walk N inputs broadcast to one output: output dimensions of size 1 are dropped and
 * neighbours that every input walks contiguously are merged, so [1,H,W,C] + [C] becomes an
 * outer loop of H*W rows of C. The last dimension is the inner loop.
 */
export interface BroadcastPlan {
  /** Collapsed output dims, outermost first; never empty. */
  dims: number[];
  /** strides[input][dim]: element step of that input along each collapsed dim (0 = broadcast). */
  strides: number[][];
  /** Output elements. */
  total: number;
  /** Odometer scratch over the outer dims, allocated once. */
  counter: Int32Array;
}

export function planBroadcast(shapes: readonly (readonly number[])[], outShape: readonly number[]): BroadcastPlan {
  const total = numElements(outShape);
  const aligned = shapes.map((s) => broadcastStrides(s, outShape));
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  if (total > 0) {
    for (let d = 0; d < outShape.length; d++) {
      const size = outShape[d];
      if (size === 1) continue;
      const last = dims.length - 1;
      const mergeable = last >= 0 && aligned.every((s, k) => strides[k][last] === s[d] * size);
      if (mergeable) {
        dims[last] = dims[last] * size;
        aligned.forEach((s, k) => {
          strides[k][last] = s[d];
        });
      } else {
        dims.push(size);
        aligned.forEach((s, k) => {
          strides[k].push(s[d]);
        });
      }
    }
  }
  if (dims.length === 0) {
    dims.push(total === 0 ? 0 : 1);
    for (const s of strides) s.push(0);
  }
  return { dims, strides, total, counter: new Int32Array(dims.length) };
}

/** Arrays the binary loops work on (one concrete type per loop keeps each loop monomorphic). */
type Num = Float32Array | Int32Array;

/** The inner loop of one op: n outputs from o[io], reading a from ia by sa and b from ib by sb. */
export type BinaryLoop = (a: Num, ia: number, sa: number, b: Num, ib: number, sb: number, o: Num, io: number, n: number) => void;

/** Runs a binary inner loop over a broadcast plan (rows of the last collapsed dim). */
export function runBinary(loop: BinaryLoop, plan: BroadcastPlan, a: Num, b: Num, o: Num): void {
  const { dims, strides, counter, total } = plan;
  if (total === 0) return;
  const r = dims.length - 1;
  const n = dims[r];
  const aS = strides[0];
  const bS = strides[1];
  const sa = aS[r];
  const sb = bS[r];
  if (r === 0) {
    loop(a, 0, sa, b, 0, sb, o, 0, n);
    return;
  }
  counter.fill(0);
  let ia = 0;
  let ib = 0;
  for (let io = 0; io < total; io += n) {
    loop(a, ia, sa, b, ib, sb, o, io, n);
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

/**
 * Applies a fused activation's [lo, hi] to a finished output (a second pass is faster in V8 than
 * clamping inside every binary loop). Any clamp with a lower bound (RELU, RELU_N1_TO_1, RELU6) turns
 * NaN into that bound, as tfjs-tflite's XNNPACK clamp (max(lower, v) that keeps `lower` unless
 * lower < v) does: 0 / 0 gives 0 under RELU, -1 under RELU_N1_TO_1, whatever the NaN's sign.
 * (LiteRT.js's newer XNNPACK keeps the NaN; the oracle is tfjs-tflite.) NONE passes NaN through.
 */
export function clampFloat(o: Float32Array, lo: number, hi: number): void {
  const n = o.length;
  if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) return;
  if (hi === Number.POSITIVE_INFINITY) {
    for (let i = 0; i < n; i++) if (!(o[i] >= lo)) o[i] = lo;
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = o[i];
    if (!(v >= lo)) o[i] = lo;
    else if (v > hi) o[i] = hi;
  }
}

function clampInt(o: Int32Array, lo: number, hi: number): void {
  for (let i = 0; i < o.length; i++) {
    const v = o[i];
    if (v < lo) o[i] = lo;
    else if (v > hi) o[i] = hi;
  }
}

// ---- inner loops. Float math runs in doubles and rounds once on the Float32Array store, which
// equals float32 arithmetic for + - * /; the activation bounds are floats, so clamping afterwards
// gives the same result as clamping before the rounding. Integer results wrap like int32_t.

const addF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] + b[ib];
  }
};
const subF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] - b[ib];
  }
};
const mulF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] * b[ib];
  }
};
const divF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = a[ia] / b[ib];
  }
};
const maxF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 > el2 ? el1 : el2 (NaN handling differs from Math.max)
    o[io + i] = x > y ? x : y;
  }
};
const minF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 < el2 ? el1 : el2 (NaN handling differs from Math.min)
    o[io + i] = x < y ? x : y;
  }
};
const squaredDifferenceF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    // The difference is a float before it is squared.
    const d = Math.fround(a[ia] - b[ib]);
    o[io + i] = d * d;
  }
};
const floorDivF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = Math.floor(a[ia] / b[ib]);
};
const floorModF32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const y = b[ib];
    const r = a[ia] % y; // fmod: sign of the dividend
    o[io + i] = r !== 0 && y < 0 !== r < 0 ? r + y : r;
  }
};

const addI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = (a[ia] + b[ib]) | 0;
  }
};
const subI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = (a[ia] - b[ib]) | 0;
  }
};
const mulI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = Math.imul(a[ia], b[ib]);
  }
};
const divI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    o[io + i] = (a[ia] / b[ib]) | 0; // C++ division truncates toward zero
  }
};
const squaredDifferenceI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const d = (a[ia] - b[ib]) | 0;
    o[io + i] = Math.imul(d, d);
  }
};
const maxI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 > el2 ? el1 : el2 (NaN handling differs from Math.max)
    o[io + i] = x > y ? x : y;
  }
};
const minI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia];
    const y = b[ib];
    // biome-ignore lint/complexity/useMathMinMax: TFLite's el1 < el2 ? el1 : el2 (NaN handling differs from Math.min)
    o[io + i] = x < y ? x : y;
  }
};
const floorDivI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = Math.floor(a[ia] / b[ib]);
};
const floorModI32: BinaryLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const y = b[ib];
    const r = a[ia] % y;
    o[io + i] = r !== 0 && y < 0 !== r < 0 ? r + y : r;
  }
};

interface BinaryParams {
  loop: BinaryLoop;
  plan: BroadcastPlan;
  /** The fused activation's bounds, or null when it cannot change anything. */
  clamp: [number, number] | null;
  checkZero: boolean;
}

interface BinarySpec {
  loops: Partial<Record<'float32' | 'int32' | 'int8' | 'uint8' | 'int16', BinaryLoop>>;
  /** The op has a fusedActivationFunction option. */
  activation: boolean;
  /** Dtypes whose divisor must be non-zero (TFLite fails with "Division by 0"). */
  nonZeroDivisor?: readonly string[];
}

function binaryKernel(spec: BinarySpec): Kernel<BinaryParams> {
  return {
    prepare(ctx) {
      const a = input(ctx, 0);
      const b = input(ctx, 1);
      const out = output(ctx, 0);
      if (a.dtype !== b.dtype) fail(ctx, `input dtypes ${a.dtype} and ${b.dtype} differ`);
      if (out.dtype !== a.dtype) fail(ctx, `output dtype ${out.dtype} differs from input dtype ${a.dtype}`);
      const loop = spec.loops[a.dtype as keyof BinarySpec['loops']];
      if (!loop) fail(ctx, `dtype ${a.dtype} is not supported`);
      out.shape = broadcastShapes(ctx, a.shape, b.shape);
      const activation = spec.activation ? fusedActivation(ctx) : Activation.NONE;
      return {
        loop,
        plan: planBroadcast([a.shape, b.shape], out.shape),
        clamp: activation === Activation.NONE ? null : activationRange(ctx, activation, a.dtype),
        checkZero: spec.nonZeroDivisor?.includes(a.dtype) ?? false,
      };
    },
    eval(ctx, p) {
      const a = input(ctx, 0).data as Num;
      const b = input(ctx, 1).data as Num;
      if (p.checkZero && p.plan.total > 0) {
        for (let i = 0; i < b.length; i++) if (b[i] === 0) fail(ctx, 'Division by 0');
      }
      const o = output(ctx, 0).data as Num;
      runBinary(p.loop, p.plan, a, b, o);
      if (p.clamp) {
        if (o instanceof Float32Array) clampFloat(o, p.clamp[0], p.clamp[1]);
        else clampInt(o, p.clamp[0], p.clamp[1]);
      }
    },
  };
}

export const addKernel = binaryKernel({ loops: { float32: addF32, int32: addI32 }, activation: true });
export const subKernel = binaryKernel({ loops: { float32: subF32, int32: subI32 }, activation: true });
export const mulKernel = binaryKernel({ loops: { float32: mulF32, int32: mulI32 }, activation: true });
/** Float division by zero gives ±inf (or NaN); int32 fails like TFLite's CheckNonZero. */
export const divKernel = binaryKernel({ loops: { float32: divF32, int32: divI32 }, activation: true, nonZeroDivisor: ['int32'] });
// Quantized MAXIMUM / MINIMUM compare the raw integers (maximum_minimum.cc: no rescaling; the
// output is expected to share the inputs' quantization).
export const maximumKernel = binaryKernel({
  loops: { float32: maxF32, int32: maxI32, int8: maxI32, uint8: maxI32, int16: maxI32 },
  activation: false,
});
export const minimumKernel = binaryKernel({
  loops: { float32: minF32, int32: minI32, int8: minI32, uint8: minI32, int16: minI32 },
  activation: false,
});
export const squaredDifferenceKernel = binaryKernel({
  loops: { float32: squaredDifferenceF32, int32: squaredDifferenceI32 },
  activation: false,
});
/** floor(x / y) computed in double, as TFLite does for both types; TFLite rejects any zero divisor. */
export const floorDivKernel = binaryKernel({
  loops: { float32: floorDivF32, int32: floorDivI32 },
  activation: false,
  nonZeroDivisor: ['float32', 'int32'],
});
export const floorModKernel = binaryKernel({
  loops: { float32: floorModF32, int32: floorModI32 },
  activation: false,
  nonZeroDivisor: ['int32'],
});

// Elementwise binary ops with NumPy broadcasting: ADD SUB MUL DIV MAXIMUM MINIMUM SQUARED_DIFFERENCE
// FLOOR_DIV FLOOR_MOD on float32 and int32 (tensorflow/lite/kernels/add.cc, sub.cc, mul.cc, div.cc,
// maximum_minimum.cc, squared_difference.cc, floor_div.cc, floor_mod.cc and their reference ops).
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import {
  addF32,
  addI32,
  divF32,
  divI32,
  floorDivF32,
  floorDivI32,
  floorModF32,
  floorModI32,
  maxF32,
  maxI32,
  minF32,
  minI32,
  mulF32,
  mulI32,
  squaredDifferenceF32,
  squaredDifferenceI32,
  subF32,
  subI32,
} from './binary_loops.js';
import { fail, input, type Kernel, type NodeContext, output, type RuntimeTensor } from './kernel.js';
import { Activation, broadcastShapes, broadcastStrides, floatActivationRange } from './util.js';
import { type WasmBinaryOp, wasmBinaryF32 } from './wasm/elementwise.js';

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
  /** The output shape. */
  outShape: number[];
  /** Per input, its element strides along every output dim (0 where it broadcasts), before collapsing. */
  alignedStrides: number[][];
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
  return {
    outShape: [...outShape],
    alignedStrides: shapes.map((s) => broadcastStrides(s, outShape)),
    dims,
    strides,
    total,
    counter: new Int32Array(dims.length),
  };
}

/** Sets the output (slot 0) to the broadcast of the two inputs' shapes and plans the walk. */
export function broadcastOutput(ctx: NodeContext, a: RuntimeTensor, b: RuntimeTensor): BroadcastPlan {
  const out = output(ctx, 0);
  out.shape = broadcastShapes(ctx, a.shape, b.shape);
  return planBroadcast([a.shape, b.shape], out.shape);
}

/** Arrays the float32 / int32 binary loops work on (one concrete type per loop keeps each loop monomorphic). */
type Num = Float32Array | Int32Array;

/** The inner loop of one op: n outputs from o[io], reading a from ia by sa and b from ib by sb. */
export type RowLoop<A> = (a: A, ia: number, sa: number, b: A, ib: number, sb: number, o: A, io: number, n: number) => void;
export type BinaryLoop = RowLoop<Num>;

/** Runs a binary inner loop over a broadcast plan (rows of the last collapsed dim); float, int32 and quantized kernels share it. */
export function runBinary<A>(loop: RowLoop<A>, plan: BroadcastPlan, a: A, b: A, o: A): void {
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

/** Input slots of the two-operand ops. */
export const BINARY_INPUTS = { lhs: 0, rhs: 1 } as const;

/** MUL / DIV options (MulOptions, DivOptions). */
export interface FusedActivationOptions {
  activation: number;
}

/** ADD / SUB options (AddOptions, SubOptions). */
export interface AddSubOptions extends FusedActivationOptions {
  /** The int16 power-of-two path. The schema defaults it to true, but a node without options leaves TFLite's params zero (false). */
  potScaleInt16: boolean;
}

export function parseAddOptions(ctx: NodeContext): AddSubOptions {
  const o = builtinOptions(ctx.op, 'AddOptions');
  return { activation: o.fusedActivationFunction ?? Activation.NONE, potScaleInt16: o.potScaleInt16 ?? false };
}

export function parseSubOptions(ctx: NodeContext): AddSubOptions {
  const o = builtinOptions(ctx.op, 'SubOptions');
  return { activation: o.fusedActivationFunction ?? Activation.NONE, potScaleInt16: o.potScaleInt16 ?? false };
}

export function parseMulOptions(ctx: NodeContext): FusedActivationOptions {
  return { activation: builtinOptions(ctx.op, 'MulOptions').fusedActivationFunction ?? Activation.NONE };
}

export function parseDivOptions(ctx: NodeContext): FusedActivationOptions {
  return { activation: builtinOptions(ctx.op, 'DivOptions').fusedActivationFunction ?? Activation.NONE };
}

type BinaryDType = 'float32' | 'int32' | 'int8' | 'uint8' | 'int16';

/** What the binary kernels' prepare computes (and the GPU builds from). */
export interface BinaryParams {
  dtype: BinaryDType;
  plan: BroadcastPlan;
  /** The fused activation (NONE for ops without one). */
  activation: number;
  /** The fused activation's bounds, or null when it cannot change anything. */
  clamp: [number, number] | null;
  checkZero: boolean;
}

interface BinarySpec {
  loops: Partial<Record<BinaryDType, BinaryLoop>>;
  /** The op's options parser, for ops with a fusedActivationFunction. */
  options?: (ctx: NodeContext) => FusedActivationOptions;
  /** Dtypes whose divisor must be non-zero (TFLite fails with "Division by 0"). */
  nonZeroDivisor?: readonly string[];
  /** The wasm float32 op, for plans it takes (see wasmRows). */
  wasm?: WasmBinaryOp;
}

/**
 * The plan as rows of C for the wasm float ops: same shapes (one row), or rows of the first input
 * with one row of the second repeated ([N, H, W, C] op [C]); null for other broadcasts.
 */
export function wasmRows(plan: BroadcastPlan): { rows: number; C: number; bRepeats: boolean } | null {
  const { dims, strides } = plan;
  const [a, b] = strides as [number[], number[]];
  if (dims.length === 1 && a[0] === 1 && b[0] === 1) return { rows: 1, C: dims[0] as number, bRepeats: false };
  if (dims.length === 2 && a[0] === dims[1] && a[1] === 1 && b[0] === 0 && b[1] === 1) {
    return { rows: dims[0] as number, C: dims[1] as number, bRepeats: true };
  }
  return null;
}

function binaryKernel(spec: BinarySpec): Kernel<BinaryParams> {
  return {
    prepare(ctx) {
      const a = input(ctx, BINARY_INPUTS.lhs);
      const b = input(ctx, BINARY_INPUTS.rhs);
      const out = output(ctx, 0);
      if (a.dtype !== b.dtype) fail(ctx, `input dtypes ${a.dtype} and ${b.dtype} differ`);
      if (out.dtype !== a.dtype) fail(ctx, `output dtype ${out.dtype} differs from input dtype ${a.dtype}`);
      const dtype = a.dtype as BinaryDType;
      if (!spec.loops[dtype]) fail(ctx, `dtype ${a.dtype} is not supported`);
      const plan = broadcastOutput(ctx, a, b);
      const activation = spec.options ? spec.options(ctx).activation : Activation.NONE;
      return {
        dtype,
        plan,
        activation,
        clamp: activation === Activation.NONE ? null : activationRange(ctx, activation, a.dtype),
        checkZero: spec.nonZeroDivisor?.includes(a.dtype) ?? false,
      };
    },
    eval(ctx, p) {
      const a = input(ctx, BINARY_INPUTS.lhs).data as Num;
      const b = input(ctx, BINARY_INPUTS.rhs).data as Num;
      if (p.checkZero && p.plan.total > 0) {
        for (let i = 0; i < b.length; i++) if (b[i] === 0) fail(ctx, 'Division by 0');
      }
      const o = output(ctx, 0).data as Num;
      const rows = spec.wasm !== undefined && p.dtype === 'float32' ? wasmRows(p.plan) : null;
      const fast =
        rows !== null &&
        wasmBinaryF32(spec.wasm as WasmBinaryOp, a as Float32Array, b as Float32Array, o as Float32Array, rows.rows, rows.C, rows.bRepeats);
      if (!fast) runBinary(spec.loops[p.dtype] as BinaryLoop, p.plan, a, b, o);
      if (p.clamp) {
        if (o instanceof Float32Array) clampFloat(o, p.clamp[0], p.clamp[1]);
        else clampInt(o, p.clamp[0], p.clamp[1]);
      }
    },
  };
}

export const addKernel = binaryKernel({ loops: { float32: addF32, int32: addI32 }, options: parseAddOptions, wasm: 'add_f32' });
export const subKernel = binaryKernel({ loops: { float32: subF32, int32: subI32 }, options: parseSubOptions, wasm: 'sub_f32' });
export const mulKernel = binaryKernel({ loops: { float32: mulF32, int32: mulI32 }, options: parseMulOptions, wasm: 'mul_f32' });
/** Float division by zero gives ±inf (or NaN); int32 fails like TFLite's CheckNonZero. */
export const divKernel = binaryKernel({ loops: { float32: divF32, int32: divI32 }, options: parseDivOptions, nonZeroDivisor: ['int32'] });
// Quantized MAXIMUM / MINIMUM compare the raw integers (maximum_minimum.cc: no rescaling; the
// output is expected to share the inputs' quantization).
export const maximumKernel = binaryKernel({ loops: { float32: maxF32, int32: maxI32, int8: maxI32, uint8: maxI32, int16: maxI32 } });
export const minimumKernel = binaryKernel({ loops: { float32: minF32, int32: minI32, int8: minI32, uint8: minI32, int16: minI32 } });
export const squaredDifferenceKernel = binaryKernel({ loops: { float32: squaredDifferenceF32, int32: squaredDifferenceI32 } });
/** floor(x / y) computed in double, as TFLite does for both types; TFLite rejects any zero divisor. */
export const floorDivKernel = binaryKernel({ loops: { float32: floorDivF32, int32: floorDivI32 }, nonZeroDivisor: ['float32', 'int32'] });
export const floorModKernel = binaryKernel({ loops: { float32: floorModF32, int32: floorModI32 }, nonZeroDivisor: ['int32'] });

// CONCATENATION, PACK and UNPACK (tensorflow/lite/kernels/concatenation.cc, pack.cc, unpack.cc
// and reference/concatenation.h). All three move contiguous blocks: for each index of the
// dimensions before the axis, each input contributes one run of dims[axis] * inner elements.
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { elements, requireElementDtype, requireSameDtype, requireSameQuantization, tensorScale, tensorZeroPoint } from './tensor_data.js';
import { Activation, floatActivationRange } from './util.js';

/** UNPACK's input slot (CONCATENATION and PACK take every input in order). */
export const UNPACK_INPUTS = { input: 0 } as const;

/** CONCATENATION's options (ConcatenationOptions); the axis is as given (negative counts from the end). */
export interface ConcatenationOptions {
  axis: number;
  activation: number;
}

export function parseConcatenationOptions(ctx: NodeContext): ConcatenationOptions {
  const o = builtinOptions(ctx.op, 'ConcatenationOptions');
  return { axis: o.axis ?? 0, activation: o.fusedActivationFunction ?? Activation.NONE };
}

/** PACK's options (PackOptions); valuesCount is null when the model omits it. */
export interface PackOptions {
  valuesCount: number | null;
  axis: number;
}

export function parsePackOptions(ctx: NodeContext): PackOptions {
  const o = builtinOptions(ctx.op, 'PackOptions');
  return { valuesCount: o.valuesCount ?? null, axis: o.axis ?? 0 };
}

/** UNPACK's options (UnpackOptions); num is null when the model omits it. */
export interface UnpackOptions {
  num: number | null;
  axis: number;
}

export function parseUnpackOptions(ctx: NodeContext): UnpackOptions {
  const o = builtinOptions(ctx.op, 'UnpackOptions');
  return { num: o.num ?? null, axis: o.axis ?? 0 };
}

/** Every input, which must all be present. */
function allInputs(ctx: NodeContext): RuntimeTensor[] {
  return ctx.inputs.map((t, i) => t ?? fail(ctx, `input ${i} is missing`));
}

/** uint8 inputs whose scale or zero point differ from the output's are requantized (ConcatenationWithScaling). */
interface Rescale {
  scale: number;
  bias: number;
  outZeroPoint: number;
}

/** What the CONCATENATION prepare computed. */
export interface ConcatParams {
  /** The concatenation axis, normalized. */
  axis: number;
  outer: number;
  /** Elements each input contributes per outer index. */
  runs: number[];
  rescale: (Rescale | null)[];
  clamp: [number, number] | null;
}

/** std::round: halves go away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

export const concatenationKernel: Kernel<ConcatParams> = {
  prepare(ctx) {
    const xs = allInputs(ctx);
    const y = output(ctx, 0);
    if (xs.length === 0) fail(ctx, 'needs at least one input');
    const t0 = xs[0] as RuntimeTensor;
    requireElementDtype(ctx, t0, 'input 0');
    requireSameDtype(ctx, t0, y, 'input 0 and output');
    const rank = t0.shape.length;
    const { axis: given, activation } = parseConcatenationOptions(ctx);
    const axis = given < 0 ? given + rank : given;
    if (axis < 0 || (axis >= rank && !(rank === 0 && axis === 0))) {
      fail(ctx, `axis ${given} is out of range for rank ${rank}`);
    }
    let clamp: [number, number] | null = null;
    if (activation !== Activation.NONE) {
      if (t0.dtype !== 'float32') fail(ctx, `fused activation ${activation} is only supported on float32`);
      clamp = floatActivationRange(ctx, activation);
    }
    for (let i = 1; i < xs.length; i++) {
      const t = xs[i] as RuntimeTensor;
      requireSameDtype(ctx, t0, t, `inputs 0 and ${i}`);
      if (t.shape.length !== rank) fail(ctx, `input ${i} has rank ${t.shape.length}, input 0 has rank ${rank}`);
      for (let d = 0; d < rank; d++) {
        if (d !== axis && t.shape[d] !== t0.shape[d]) {
          fail(ctx, `input ${i} shape [${t.shape}] does not match input 0 shape [${t0.shape}] outside axis ${axis}`);
        }
      }
    }
    if (rank === 0) {
      // Scalars stack into a vector.
      y.shape = [xs.length];
    } else {
      y.shape = [...t0.shape];
      y.shape[axis] = xs.reduce((sum, t) => sum + (t.shape[axis] as number), 0);
    }
    const rescale: (Rescale | null)[] = xs.map(() => null);
    if (t0.dtype === 'uint8') {
      const outScale = tensorScale(y);
      const outZeroPoint = tensorZeroPoint(y);
      xs.forEach((t, i) => {
        if (tensorScale(t) === outScale && tensorZeroPoint(t) === outZeroPoint) return;
        if (outScale === 0) fail(ctx, 'the output of a requantizing uint8 concatenation has no scale');
        const scale = Math.fround(tensorScale(t) * Math.fround(1 / outScale));
        rescale[i] = { scale, bias: Math.fround(-tensorZeroPoint(t) * scale), outZeroPoint };
      });
    } else if (t0.dtype === 'int8') {
      xs.forEach((t, i) => {
        requireSameQuantization(ctx, t, y, `input ${i} and output`);
      });
    } else if (t0.dtype === 'int16') {
      xs.forEach((t, i) => {
        if (tensorZeroPoint(t) !== 0) fail(ctx, `int16 input ${i} has a nonzero zero point`);
      });
      if (tensorZeroPoint(y) !== 0) fail(ctx, 'the int16 output has a nonzero zero point');
    }
    let outer = 1;
    for (let d = 0; d < axis && d < rank; d++) outer *= t0.shape[d] as number;
    const runs = xs.map((t) => (outer === 0 ? 0 : numElements(t.shape) / outer));
    return { axis, outer, runs, rescale, clamp };
  },
  eval(ctx, p) {
    const y = output(ctx, 0);
    const out = elements(y);
    const xs = ctx.inputs as RuntimeTensor[];
    let o = 0;
    for (let k = 0; k < p.outer; k++) {
      for (let i = 0; i < xs.length; i++) {
        const run = p.runs[i] as number;
        const src = elements(xs[i] as RuntimeTensor);
        const start = k * run;
        const r = p.rescale[i];
        if (r) {
          const dst = y.data as Uint8Array;
          const s = xs[i]?.data as Uint8Array;
          for (let j = 0; j < run; j++) {
            const v = roundHalfAway(Math.fround(Math.fround((s[start + j] as number) * r.scale) + r.bias)) + r.outZeroPoint;
            dst[o + j] = Math.min(Math.max(v, 0), 255);
          }
        } else {
          out.set(src.subarray(start, start + run), o);
        }
        o += run;
      }
    }
    if (p.clamp) {
      const [lo, hi] = p.clamp;
      const d = y.data as Float32Array;
      for (let i = 0; i < d.length; i++) {
        const v = d[i] as number;
        d[i] = Math.min(Math.max(v, lo), hi);
      }
    }
  },
};

interface PackParams {
  outer: number;
  inner: number;
}

export const packKernel: Kernel<PackParams> = {
  prepare(ctx) {
    const xs = allInputs(ctx);
    const y = output(ctx, 0);
    const options = parsePackOptions(ctx);
    const count = options.valuesCount ?? xs.length;
    if (count !== xs.length) fail(ctx, `valuesCount ${count} does not match the ${xs.length} inputs`);
    const t0 = xs[0] ?? fail(ctx, 'needs at least one input');
    requireElementDtype(ctx, t0, 'input 0');
    requireSameDtype(ctx, t0, y, 'input 0 and output');
    const rank = t0.shape.length;
    const given = options.axis;
    const axis = given < 0 ? given + rank + 1 : given;
    if (axis < 0 || axis > rank) fail(ctx, `axis ${given} is out of range for packing rank ${rank}`);
    xs.forEach((t, i) => {
      requireSameDtype(ctx, t0, t, `inputs 0 and ${i}`);
      if (t.shape.length !== rank || t.shape.some((d, j) => d !== t0.shape[j])) {
        fail(ctx, `input ${i} shape [${t.shape}] differs from input 0 shape [${t0.shape}]`);
      }
      requireSameQuantization(ctx, t, y, `input ${i} and output`);
    });
    y.shape = [...t0.shape.slice(0, axis), xs.length, ...t0.shape.slice(axis)];
    let outer = 1;
    for (let d = 0; d < axis; d++) outer *= t0.shape[d] as number;
    let inner = 1;
    for (let d = axis; d < rank; d++) inner *= t0.shape[d] as number;
    return { outer, inner };
  },
  eval(ctx, { outer, inner }) {
    const out = elements(output(ctx, 0));
    const xs = ctx.inputs as RuntimeTensor[];
    const n = xs.length;
    for (let i = 0; i < n; i++) {
      const src = elements(xs[i] as RuntimeTensor);
      for (let k = 0; k < outer; k++) out.set(src.subarray(k * inner, (k + 1) * inner), (k * n + i) * inner);
    }
  },
};

export const unpackKernel: Kernel<PackParams> = {
  prepare(ctx) {
    const x = input(ctx, UNPACK_INPUTS.input);
    requireElementDtype(ctx, x, 'the input');
    const rank = x.shape.length;
    const options = parseUnpackOptions(ctx);
    const given = options.axis;
    const axis = given < 0 ? given + rank : given;
    if (axis < 0 || axis >= rank) fail(ctx, `axis ${given} is out of range for rank ${rank}`);
    const num = options.num ?? (x.shape[axis] as number);
    if (num !== x.shape[axis]) fail(ctx, `num ${num} does not match dimension ${axis} of [${x.shape}]`);
    if (ctx.outputs.length !== num) fail(ctx, `has ${ctx.outputs.length} outputs, expected ${num}`);
    const shape = x.shape.filter((_, d) => d !== axis);
    ctx.outputs.forEach((y, i) => {
      requireSameDtype(ctx, x, y, `input and output ${i}`);
      requireSameQuantization(ctx, x, y, `input and output ${i}`);
      y.shape = [...shape];
    });
    let outer = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d] as number;
    let inner = 1;
    for (let d = axis + 1; d < rank; d++) inner *= x.shape[d] as number;
    return { outer, inner };
  },
  eval(ctx, { outer, inner }) {
    const src = elements(input(ctx, UNPACK_INPUTS.input));
    const n = ctx.outputs.length;
    for (let i = 0; i < n; i++) {
      const out = elements(ctx.outputs[i] as RuntimeTensor);
      for (let k = 0; k < outer; k++) {
        const from = (k * n + i) * inner;
        out.set(src.subarray(from, from + inner), k * inner);
      }
    }
  },
};

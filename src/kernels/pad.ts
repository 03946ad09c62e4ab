// PAD / PADV2 (constant padding, tensorflow/lite/kernels/pad.cc) and MIRROR_PAD (REFLECT or
// SYMMETRIC, mirror_pad.cc). The paddings input is an [rank, 2] integer tensor of
// (before, after) counts and must be known at prepare.
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output } from './kernel.js';
import {
  type ElementArray,
  elements,
  intValues,
  requireDtype,
  requireElementDtype,
  requireKnown,
  requireSameDtype,
  requireSameQuantization,
  tensorZeroPoint,
  zeroOf,
} from './tensor_data.js';
import { stridesOf } from './util.js';

/** Input slots of PAD, PADV2 (value) and MIRROR_PAD. */
export const PAD_INPUTS = { input: 0, paddings: 1, value: 2 } as const;

/** MirrorPadMode of the schema. */
export const MirrorPadMode = { REFLECT: 0, SYMMETRIC: 1 } as const;

/** MIRROR_PAD's options (MirrorPadOptions), checked. */
export interface MirrorPadOptions {
  mode: number;
}

export function parseMirrorPadOptions(ctx: NodeContext): MirrorPadOptions {
  const mode = builtinOptions(ctx.op, 'MirrorPadOptions').mode ?? MirrorPadMode.REFLECT;
  if (mode !== MirrorPadMode.REFLECT && mode !== MirrorPadMode.SYMMETRIC) fail(ctx, `unknown mirror pad mode ${mode}`);
  return { mode };
}

/** Reads and checks the [rank, 2] paddings input; returns [before..., after...] per dim. */
function readPaddings(ctx: NodeContext, x: RuntimeTensor, t: RuntimeTensor): { before: number[]; after: number[] } {
  const rank = x.shape.length;
  if (t.shape.length !== 2 || t.shape[0] !== rank || t.shape[1] !== 2) {
    fail(ctx, `paddings must have shape [${rank}, 2], got [${t.shape}]`);
  }
  requireKnown(ctx, t, 'the paddings input');
  const v = intValues(ctx, t, 'the paddings input');
  const before: number[] = [];
  const after: number[] = [];
  for (let d = 0; d < rank; d++) {
    const b = v[2 * d] as number;
    const a = v[2 * d + 1] as number;
    if (b < 0 || a < 0) fail(ctx, `paddings must be >= 0, got (${b}, ${a}) for dimension ${d}`);
    before.push(b);
    after.push(a);
  }
  return { before, after };
}

/** What the PAD / PADV2 prepare computed. */
export interface PadParams {
  /** Padding before and after each dimension. */
  before: number[];
  after: number[];
  /** The constant-value input's value when known at prepare, else null (absent, or computed at run time). */
  value: number | bigint | null;
  /** Output offset of input element 0. */
  origin: number;
  inShape: number[];
  outStrides: number[];
  /** Value to fill with when there is no constant-value input. */
  fill: number | bigint;
}

export const padKernel: Kernel<PadParams> = {
  prepare(ctx) {
    const x = input(ctx, PAD_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    const paddings = input(ctx, PAD_INPUTS.paddings);
    requireDtype(ctx, paddings, ['int32', 'int64', 'int8', 'int16'], 'the paddings input');
    const { before, after } = readPaddings(ctx, x, paddings);
    const value = ctx.inputs[PAD_INPUTS.value] ?? null;
    if (value) {
      requireSameDtype(ctx, x, value, 'input and constant value');
      if (numElements(value.shape) !== 1) fail(ctx, `the constant value must hold one element, has shape [${value.shape}]`);
    }
    // Quantized tensors pad with the output zero point (the encoding of 0.0) unless given a value.
    let fill: number | bigint = zeroOf(x.dtype);
    const quantized = x.dtype === 'uint8' || ((x.dtype === 'int8' || x.dtype === 'int16') && x.quantization !== null);
    if (quantized) {
      if (value) requireSameQuantization(ctx, value, y, 'constant value and output');
      else fill = tensorZeroPoint(y);
    }
    y.shape = x.shape.map((d, i) => d + (before[i] as number) + (after[i] as number));
    const outStrides = stridesOf(y.shape);
    const origin = before.reduce((sum, b, i) => sum + b * (outStrides[i] as number), 0);
    const known = value && isKnown(value) ? (elements(value)[0] as number | bigint) : null;
    return { before, after, value: known, origin, inShape: [...x.shape], outStrides, fill };
  },
  eval(ctx, p) {
    const out = elements(output(ctx, 0));
    const src = elements(input(ctx, PAD_INPUTS.input));
    const value = ctx.inputs[PAD_INPUTS.value] ?? null;
    out.fill(value ? (elements(value)[0] as number | bigint) : p.fill);
    copyInto(src, p.inShape, out, p.origin, p.outStrides);
  },
};

/** Copies a dense `shape` block into `out` at `origin`, rows placed by `outStrides`. */
function copyInto(src: ElementArray, shape: number[], out: ElementArray, origin: number, outStrides: number[]): void {
  const rank = shape.length;
  const count = numElements(shape);
  if (count === 0) return;
  if (rank === 0) {
    out[origin] = src[0];
    return;
  }
  const inner = shape[rank - 1] as number;
  const idx = new Int32Array(rank);
  let o = origin;
  for (let s = 0; s < count; s += inner) {
    out.set(src.subarray(s, s + inner), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < (shape[d] as number)) {
        o += outStrides[d] as number;
        break;
      }
      o -= (outStrides[d] as number) * ((shape[d] as number) - 1);
      idx[d] = 0;
    }
  }
}

/** What the MIRROR_PAD prepare computed. */
export interface MirrorPadParams {
  mode: number;
  /** Padding before each dimension. */
  before: number[];
  outShape: number[];
  inStrides: number[];
  /** For each dimension, the input index read at each output index. */
  sources: Int32Array[];
}

/** Input index read at padded index `i` (mirror_pad.cc GetInputDimension); offset 1 = REFLECT, 0 = SYMMETRIC. */
function mirrorIndex(i: number, before: number, size: number, offset: number): number {
  if (i < before) {
    const original = before + offset - 1;
    return original - Math.min(i, original - offset);
  }
  const j = i - before;
  if (j >= size) {
    const k = j - size;
    const original = size - (1 + offset);
    return original - Math.min(k, original);
  }
  return j;
}

export const mirrorPadKernel: Kernel<MirrorPadParams> = {
  prepare(ctx) {
    const x = input(ctx, PAD_INPUTS.input);
    const y = output(ctx, 0);
    requireElementDtype(ctx, x, 'the input');
    requireSameDtype(ctx, x, y, 'input and output');
    if (x.dtype === 'uint8' || x.dtype === 'int8' || x.dtype === 'int16') requireSameQuantization(ctx, x, y, 'input and output');
    const { mode } = parseMirrorPadOptions(ctx);
    const offset = mode === MirrorPadMode.REFLECT ? 1 : 0;
    const paddings = input(ctx, PAD_INPUTS.paddings);
    requireDtype(ctx, paddings, ['int32', 'int64'], 'the paddings input');
    const { before, after } = readPaddings(ctx, x, paddings);
    const sources: Int32Array[] = [];
    x.shape.forEach((size, d) => {
      const b = before[d] as number;
      const a = after[d] as number;
      if (b > size - offset || a > size - offset) {
        fail(
          ctx,
          `paddings (${b}, ${a}) exceed ${size - offset}, the most that ${mode === 0 ? 'REFLECT' : 'SYMMETRIC'} allows for dimension ${d} of size ${size}`,
        );
      }
      const map = new Int32Array(size + b + a);
      for (let i = 0; i < map.length; i++) map[i] = mirrorIndex(i, b, size, offset);
      sources.push(map);
    });
    y.shape = x.shape.map((d, i) => d + (before[i] as number) + (after[i] as number));
    return { mode, before, outShape: [...y.shape], inStrides: stridesOf(x.shape), sources };
  },
  eval(ctx, p) {
    const src = elements(input(ctx, PAD_INPUTS.input));
    const out = elements(output(ctx, 0));
    const { outShape, inStrides, sources } = p;
    const rank = outShape.length;
    const count = numElements(outShape);
    if (count === 0) return;
    if (rank === 0) {
      out[0] = src[0];
      return;
    }
    const innerMap = sources[rank - 1] as Int32Array;
    const inner = innerMap.length;
    const innerStride = inStrides[rank - 1] as number;
    const idx = new Int32Array(rank);
    for (let o = 0; o < count; ) {
      let row = 0;
      for (let d = 0; d < rank - 1; d++) row += (sources[d] as Int32Array)[idx[d] as number] * (inStrides[d] as number);
      for (let i = 0; i < inner; i++) out[o++] = src[row + (innerMap[i] as number) * innerStride];
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d] < (outShape[d] as number)) break;
        idx[d] = 0;
      }
    }
  },
};

// Helpers shared by the op implementations: options, support checks that return a reason (or
// null when fine), fused activations, and weight packing into the shaders' layouts.
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import { DEFAULT_KERNEL_CONFIG, isKnown, KernelError, type NodeContext, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';

/** A numeric (or boolean) builtin option, with a default when the model omits it. */
export function opt(node: DelegateNode, key: string, fallback = 0): number {
  const v = node.op.options[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' ? v : fallback;
}

export function optBool(node: DelegateNode, key: string): boolean {
  return opt(node, key, 0) !== 0;
}

/**
 * The node as the CPU kernels' prepare sees it, so the delegate reads options and geometry with
 * the same helpers (src/kernels/conv_geometry.ts): CPU and GPU share one prepare step.
 */
export function kernelContext(node: DelegateNode): NodeContext {
  return { config: DEFAULT_KERNEL_CONFIG, index: node.index, op: node.op, inputs: node.inputs, outputs: node.outputs, intermediates: [] };
}

/** Runs a shared prepare check: the reason it fails (without the node prefix), or null. */
export function kernelProblem(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (e) {
    if (e instanceof KernelError) return e.message.replace(/^node \d+ \([^)]*\): /, '');
    throw e;
  }
}

/** Input i, or null when the model omits it. */
export function inputAt(node: DelegateNode, i: number): RuntimeTensor | null {
  return node.inputs[i] ?? null;
}

/** The first reason among the checks, or true. */
export function verdict(...reasons: (string | null)[]): true | string {
  for (const r of reasons) if (r) return r;
  return true;
}

export function maxVersion(node: DelegateNode, max: number): string | null {
  return node.op.version > max ? `version ${node.op.version} is newer than the supported ${max}` : null;
}

export function inputCount(node: DelegateNode, min: number, max = min): string | null {
  const n = node.inputs.length;
  if (n < min || n > max) return `expected ${min === max ? min : `${min} to ${max}`} inputs, got ${n}`;
  return null;
}

/** The input must be present and have this rank (or one of these ranks). */
export function rankOf(t: RuntimeTensor | null, ranks: number | readonly number[], what: string): string | null {
  if (!t) return `${what} is missing`;
  const ok = typeof ranks === 'number' ? [ranks] : ranks;
  return ok.includes(t.shape.length) ? null : `${what} must have rank ${ok.join(' or ')}, got shape [${t.shape}]`;
}

/** The tensor must be known at prepare time (a constant or folded tensor). */
export function constant(t: RuntimeTensor | null, what: string): string | null {
  if (!t) return `${what} is missing`;
  return isKnown(t) ? null : `${what} must be a constant (it is computed at run time)`;
}

export function float32(t: RuntimeTensor | null, what: string): string | null {
  if (!t) return `${what} is missing`;
  return t.dtype === 'float32' ? null : `${what} has dtype ${t.dtype}; only float32 is supported`;
}

/** Weights must be a float32 constant of this rank (conv, depthwise, fully connected, transpose conv). */
export function constantWeights(w: RuntimeTensor | null, rank: number, what: string): string | null {
  return rankOf(w, rank, what) ?? float32(w, what) ?? constant(w, what);
}

/** The node's output must have the shape the shared prepare geometry computes. */
export function outputShapeProblem(node: DelegateNode, expected: readonly number[]): string | null {
  const out = node.outputs[0]?.shape ?? [];
  return out.join() === expected.join() ? null : `output shape [${out}] differs from the computed [${expected}]`;
}

/** Packed weights must fit one storage buffer binding. */
export function weightBytesProblem(bytes: number, limits: { maxStorageBufferBindingSize: number }): string | null {
  const max = limits.maxStorageBufferBindingSize;
  return bytes > max ? `packed weights (${bytes} bytes) exceed maxStorageBufferBindingSize (${max})` : null;
}

/**
 * Support checks of CONV_2D and DEPTHWISE_CONV_2D: NHWC input, constant float32 filter, the CPU
 * prepare's geometry (which validates the options), bias, output shape and packed weight size.
 */
export function windowedConvProblem<G extends { batches: number; outH: number; outW: number; outC: number }>(
  node: DelegateNode,
  limits: { maxStorageBufferBindingSize: number },
  version: number,
  geometry: (node: DelegateNode) => G,
  weightBytes: (g: G) => number,
): string | null {
  const why =
    maxVersion(node, version) ??
    rankOf(inputAt(node, 0), 4, 'input') ??
    constantWeights(inputAt(node, 1), 4, 'filter') ??
    fusedActivationProblem(node) ??
    kernelProblem(() => geometry(node));
  if (why) return why;
  const g = geometry(node);
  return (
    biasProblem(inputAt(node, 2), g.outC) ??
    outputShapeProblem(node, [g.batches, g.outH, g.outW, g.outC]) ??
    weightBytesProblem(weightBytes(g), limits)
  );
}

// TFLite's ActivationFunctionType.
const FUSED_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** Why the node's fused activation cannot run, or null. */
export function fusedActivationProblem(node: DelegateNode): string | null {
  const a = opt(node, 'fusedActivationFunction', 0);
  if (a >= 0 && a <= 3) return null;
  // TFLite's float kernels ignore TANH / SIGN_BIT here (CalculateActivationRange gives no clamp)
  // while its GPU delegate applies them: neither behaviour is worth copying blindly.
  return `fused activation ${FUSED_NAMES[a] ?? a} is not supported`;
}

/**
 * The shader constant of the node's fused activation. `none` is what NONE means for this op:
 * ACT_NONE, or ACT_FINITE where TFLite clamps float results to +-FLT_MAX anyway (binary ops).
 */
export function fusedActivation(node: DelegateNode, none: 'ACT_NONE' | 'ACT_FINITE' = 'ACT_NONE'): string {
  switch (opt(node, 'fusedActivationFunction', 0)) {
    case 1:
      return 'ACT_RELU';
    case 2:
      return 'ACT_RELU_N1_TO_1';
    case 3:
      return 'ACT_RELU6';
    default:
      return none;
  }
}

/** 1-D, 2-D-folded dispatch helpers need 32-bit indices: every tensor below 2^31 slices. */
export function sliceCount(t: RuntimeTensor): number {
  return sliceLayout(t.shape).sliceCount;
}

/** [out_slice][..taps..][in_slice] blocks of 4 vec4s (see shaders/conv2d.wgsl), from OHWI weights. */
export function packConvWeights(w: Float32Array, outC: number, taps: number, inC: number, groups = 1): Float32Array {
  const os = Math.ceil(outC / 4);
  const is = Math.ceil(inC / 4);
  const filterC = inC / groups;
  const perGroup = outC / groups;
  const out = new Float32Array(os * taps * is * 16);
  for (let oc = 0; oc < outC; oc++) {
    const g = Math.floor(oc / perGroup);
    for (let t = 0; t < taps; t++) {
      for (let f = 0; f < filterC; f++) {
        const ic = g * filterC + f;
        const block = ((Math.floor(oc / 4) * taps + t) * is + Math.floor(ic / 4)) * 16;
        out[block + (ic % 4) * 4 + (oc % 4)] = w[(oc * taps + t) * filterC + f] as number;
      }
    }
  }
  return out;
}

/** One vec4 per output slice, zero-padded; zeros when there is no bias. */
export function packBias(bias: RuntimeTensor | null, outC: number): Float32Array {
  const out = new Float32Array(Math.ceil(outC / 4) * 4);
  if (bias) out.set((bias.data as Float32Array).subarray(0, outC));
  return out;
}

/** Checks an optional float32 constant bias of `count` elements. */
export function biasProblem(bias: RuntimeTensor | null, count: number): string | null {
  if (!bias) return null;
  const why = float32(bias, 'bias') ?? constant(bias, 'bias');
  if (why) return why;
  const n = bias.shape.reduce((a, d) => a * d, 1);
  return n === count ? null : `bias has ${n} elements, expected ${count}`;
}

/**
 * Splits a dispatch's outer dimensions for shaders that walk them (binary, pad, reduce): drops
 * size-1 dimensions and merges neighbours whose strides continue each other in every stride
 * list. Returns [size, ...strides] per dimension, innermost first.
 */
export function collapseDims(sizes: readonly number[], strides: readonly (readonly number[])[]): number[][] {
  const dims: number[][] = [];
  for (let d = 0; d < sizes.length; d++) {
    const size = sizes[d] as number;
    if (size === 1) continue;
    const own = strides.map((s) => s[d] as number);
    const last = dims[dims.length - 1];
    if (last && own.every((s, k) => (last[k + 1] as number) === s * size)) {
      last[0] = (last[0] as number) * size;
      own.forEach((s, k) => {
        last[k + 1] = s;
      });
    } else dims.push([size, ...own]);
  }
  return dims.reverse();
}

/** Row-major strides of a shape (the CPU kernels' helper). */
export { stridesOf } from '../../src/kernels/util.js';

/** vec4 uniform rows from collapsed dims (each padded to 4 numbers), flattened. */
export function dimRows(dims: readonly (readonly number[])[]): number[] {
  return dims.flatMap((d) => [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0]);
}

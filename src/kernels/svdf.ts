// SVDF (tensorflow/lite/kernels/svdf.cc and internal/reference/svdf.h): a fully connected layer
// factored into a feature matmul and a time filter over the last `memory_size` frames. The
// activation state (input 4) is a variable tensor [batch, num_filters * memory_size] that this
// kernel shifts and updates in place on every invoke, so it persists across invokes.
//
// float32: EvalFloatSVDF. int8 (full integer, int16 state, int16 weights_time, int32 bias):
// EvalIntegerSVDF, bit-exact, with the two multipliers TFLite's Prepare derives.

import { builtinOptions } from '../model/options.js';
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/index.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { tensorScale, tensorZeroPoint } from './tensor_data.js';
import { Activation } from './util.js';

/** Input slots (svdf.cc); the bias may be omitted. */
export const SVDF_INPUTS = { input: 0, weightsFeature: 1, weightsTime: 2, bias: 3, state: 4 } as const;

/** SVDF's options (SVDFOptions), checked. */
export interface SvdfOptions {
  /** Filters per unit. */
  rank: number;
  activation: number;
}

export function parseSvdfOptions(ctx: NodeContext): SvdfOptions {
  const o = builtinOptions(ctx.op, 'SVDFOptions');
  const rank = o.rank ?? 0;
  if (rank <= 0) fail(ctx, `rank must be positive, got ${rank}`);
  return { rank, activation: o.fusedActivationFunction ?? Activation.NONE };
}

/** The sizes and the activation both kernels take from Prepare. */
interface SvdfShape {
  activation: number;
  batches: number;
  inputSize: number;
  filters: number;
  units: number;
  rank: number;
  memory: number;
}

/** SVDF Prepare: checks the shapes, sets the output to [batch, num_units]. */
function prepareShape(ctx: NodeContext): SvdfShape {
  if (ctx.inputs.length !== 5) fail(ctx, `expects 5 inputs, got ${ctx.inputs.length}`);
  if (ctx.outputs.length !== 1) fail(ctx, `expects 1 output, got ${ctx.outputs.length}`);
  const x = input(ctx, SVDF_INPUTS.input);
  const wf = input(ctx, SVDF_INPUTS.weightsFeature);
  const wt = input(ctx, SVDF_INPUTS.weightsTime);
  const state = input(ctx, SVDF_INPUTS.state);
  if (x.shape.length !== 2) fail(ctx, `the input must be 2-D [batch, input_size], got [${x.shape}]`);
  if (wf.shape.length !== 2) fail(ctx, `weights_feature must be 2-D, got [${wf.shape}]`);
  if (wt.shape.length !== 2) fail(ctx, `weights_time must be 2-D, got [${wt.shape}]`);
  const { rank, activation } = parseSvdfOptions(ctx);
  const [batches, inputSize] = x.shape as [number, number];
  const filters = wf.shape[0] as number;
  if (filters % rank !== 0) fail(ctx, `num_filters ${filters} is not a multiple of rank ${rank}`);
  const units = filters / rank;
  const memory = wt.shape[1] as number;
  if (wf.shape[1] !== inputSize) fail(ctx, `weights_feature [${wf.shape}] does not match input size ${inputSize}`);
  if (wt.shape[0] !== filters) fail(ctx, `weights_time [${wt.shape}] must have ${filters} rows (num_filters)`);
  const bias = ctx.inputs[SVDF_INPUTS.bias];
  if (bias && bias.shape[0] !== units) fail(ctx, `bias [${bias.shape}] must have ${units} elements (num_units)`);
  if (state.kind !== 'variable') fail(ctx, 'the activation state (input 4) must be a variable tensor');
  if (state.shape.length !== 2 || state.shape[0] !== batches || state.shape[1] !== memory * filters) {
    fail(ctx, `the activation state must have shape [${batches}, ${memory * filters}], got [${state.shape}]`);
  }
  output(ctx, 0).shape = [batches, units];
  return { activation, batches, inputSize, filters, units, rank, memory };
}

function requireType(ctx: NodeContext, t: RuntimeTensor | null, dtype: string, what: string): void {
  if (t && t.dtype !== dtype) fail(ctx, `${what} must be ${dtype}, got ${t.dtype}`);
}

/** Drops the oldest frame: the whole state moves left by one element (std::copy in TFLite). */
function shiftState(state: Int16Array | Float32Array): void {
  if (state.length > 1) state.copyWithin(0, 1);
}

// ---------------------------------------------------------------- float32

/** The float kernel's sizes, activation and scratch. */
export interface SvdfParams extends SvdfShape {
  scratch: Float32Array;
}

function activateFloat(x: number, activation: number): number {
  switch (activation) {
    case Activation.RELU:
      return Math.max(x, 0);
    case Activation.RELU_N1_TO_1:
      return Math.min(Math.max(x, -1), 1);
    case Activation.RELU6:
      return Math.min(Math.max(x, 0), 6);
    case Activation.TANH:
      return Math.tanh(x);
    case Activation.SIGN_BIT:
      return x < 0 || Object.is(x, -0) ? 1 : 0;
    default:
      return x;
  }
}

export const svdfFloat: Kernel<SvdfParams> = {
  prepare(ctx) {
    const shape = prepareShape(ctx);
    for (const i of [SVDF_INPUTS.input, SVDF_INPUTS.weightsFeature, SVDF_INPUTS.weightsTime, SVDF_INPUTS.bias, SVDF_INPUTS.state]) {
      requireType(ctx, ctx.inputs[i] ?? null, 'float32', `input ${i}`);
    }
    requireType(ctx, output(ctx, 0), 'float32', 'the output');
    if (shape.activation < 0 || shape.activation > Activation.SIGN_BIT) fail(ctx, `fused activation ${shape.activation} is not supported`);
    return { ...shape, scratch: new Float32Array(shape.batches * shape.filters) };
  },
  eval(ctx, p) {
    const x = input(ctx, SVDF_INPUTS.input).data as Float32Array;
    const wf = input(ctx, SVDF_INPUTS.weightsFeature).data as Float32Array;
    const wt = input(ctx, SVDF_INPUTS.weightsTime).data as Float32Array;
    const bias = (ctx.inputs[SVDF_INPUTS.bias]?.data as Float32Array | undefined) ?? null;
    const state = input(ctx, SVDF_INPUTS.state).data as Float32Array;
    const out = output(ctx, 0).data as Float32Array;
    const { batches, inputSize, filters, units, rank, memory, scratch } = p;
    shiftState(state);
    // Feature matmul; the newest frame of each filter goes to the last memory slot.
    for (let b = 0; b < batches; b++) {
      const xRow = b * inputSize;
      for (let f = 0; f < filters; f++) {
        let acc = 0;
        const wRow = f * inputSize;
        for (let c = 0; c < inputSize; c++) acc += (wf[wRow + c] as number) * (x[xRow + c] as number);
        state[(b * filters + f) * memory + memory - 1] = acc;
      }
    }
    // Time filter: each filter's memory dotted with its weights_time row.
    for (let b = 0; b < batches; b++) {
      for (let f = 0; f < filters; f++) {
        const s = (b * filters + f) * memory;
        const w = f * memory;
        let acc = 0;
        for (let m = 0; m < memory; m++) acc += (wt[w + m] as number) * (state[s + m] as number);
        scratch[b * filters + f] = acc;
      }
    }
    // Sum the rank filters of each unit, add the bias, activate.
    for (let i = 0; i < batches * units; i++) {
      let acc = 0;
      for (let r = 0; r < rank; r++) acc += scratch[i * rank + r] as number;
      if (bias) acc += bias[i % units] as number;
      out[i] = activateFloat(f32(acc), p.activation);
    }
  },
};

// ---------------------------------------------------------------- int8

interface IntParams extends SvdfShape {
  inputZeroPoint: number;
  outputZeroPoint: number;
  featureMultiplier: number;
  featureShift: number;
  timeMultiplier: number;
  timeShift: number;
  scratch: Int32Array;
}

function requireQuantized(ctx: NodeContext, t: RuntimeTensor, what: string): void {
  if (!t.quantization || t.quantization.scale.length === 0) fail(ctx, `${what} must be quantized`);
}

export const svdfInt8: Kernel<IntParams> = {
  prepare(ctx) {
    const shape = prepareShape(ctx);
    const x = input(ctx, SVDF_INPUTS.input);
    const wf = input(ctx, SVDF_INPUTS.weightsFeature);
    const wt = input(ctx, SVDF_INPUTS.weightsTime);
    const state = input(ctx, SVDF_INPUTS.state);
    const y = output(ctx, 0);
    requireType(ctx, x, 'int8', 'the input');
    requireType(ctx, wf, 'int8', 'weights_feature');
    requireType(ctx, wt, 'int16', 'weights_time');
    requireType(ctx, ctx.inputs[SVDF_INPUTS.bias] ?? null, 'int32', 'the bias');
    requireType(ctx, state, 'int16', 'the activation state');
    requireType(ctx, y, 'int8', 'the output');
    // TFLite's integer SVDF only implements ReLU (which the int8 clamp then stands for).
    if (shape.activation !== Activation.RELU) fail(ctx, `integer SVDF supports only the RELU activation, got ${shape.activation}`);
    requireQuantized(ctx, x, 'the input');
    requireQuantized(ctx, wf, 'weights_feature');
    requireQuantized(ctx, state, 'the activation state');
    requireQuantized(ctx, wt, 'weights_time');
    requireQuantized(ctx, y, 'the output');
    // Prepare computes both real multipliers in float32 (float * float / float), then widens.
    const scale1 = f32(f32(f32(tensorScale(x)) * f32(tensorScale(wf))) / f32(tensorScale(state)));
    const scale2 = f32(f32(f32(tensorScale(state)) * f32(tensorScale(wt))) / f32(tensorScale(y)));
    const q1 = quantizeMultiplier(scale1);
    const q2 = quantizeMultiplier(scale2);
    return {
      ...shape,
      inputZeroPoint: tensorZeroPoint(x),
      outputZeroPoint: tensorZeroPoint(y),
      featureMultiplier: q1.multiplier,
      featureShift: q1.shift,
      timeMultiplier: q2.multiplier,
      timeShift: q2.shift,
      scratch: new Int32Array(shape.batches * shape.filters),
    };
  },
  eval(ctx, p) {
    const x = input(ctx, SVDF_INPUTS.input).data as Int8Array;
    const wf = input(ctx, SVDF_INPUTS.weightsFeature).data as Int8Array;
    const wt = input(ctx, SVDF_INPUTS.weightsTime).data as Int16Array;
    const bias = (ctx.inputs[SVDF_INPUTS.bias]?.data as Int32Array | undefined) ?? null;
    const state = input(ctx, SVDF_INPUTS.state).data as Int16Array;
    const out = output(ctx, 0).data as Int8Array;
    const { batches, inputSize, filters, units, rank, memory, scratch, inputZeroPoint } = p;
    shiftState(state);
    // Feature matmul, rescaled to the state's scale and saturated to int16. The state is
    // symmetric (zero point 0), so the newest slot simply takes the value.
    for (let b = 0; b < batches; b++) {
      const xRow = b * inputSize;
      for (let f = 0; f < filters; f++) {
        let acc = 0;
        const wRow = f * inputSize;
        for (let c = 0; c < inputSize; c++) acc += (wf[wRow + c] as number) * ((x[xRow + c] as number) - inputZeroPoint);
        let v = multiplyByQuantizedMultiplier(acc | 0, p.featureMultiplier, p.featureShift);
        v = Math.min(Math.max(v, -32768), 32767);
        state[(b * filters + f) * memory + memory - 1] = v;
      }
    }
    // Time filter (int16 x int16 accumulated in int32).
    for (let b = 0; b < batches; b++) {
      for (let f = 0; f < filters; f++) {
        const s = (b * filters + f) * memory;
        const w = f * memory;
        let acc = 0;
        for (let m = 0; m < memory; m++) acc += (wt[w + m] as number) * (state[s + m] as number);
        scratch[b * filters + f] = acc;
      }
    }
    // Reduce over rank, add bias (int32 wrap as in C++), rescale to the output.
    const lo = -128;
    const hi = 127;
    for (let i = 0; i < batches * units; i++) {
      let acc = 0;
      for (let r = 0; r < rank; r++) acc = (acc + (scratch[i * rank + r] as number)) | 0;
      if (bias) acc = (acc + (bias[i % units] as number)) | 0;
      const v = multiplyByQuantizedMultiplier(acc, p.timeMultiplier, p.timeShift) + p.outputZeroPoint;
      out[i] = Math.min(Math.max(v, lo), hi);
    }
  },
};

// UNIDIRECTIONAL_SEQUENCE_LSTM, float32 (tensorflow/lite/kernels/unidirectional_sequence_lstm.cc
// and lstm_eval.cc EvalFloat / LstmStepFloat). Inputs follow lstm_shared.h; the output_state and
// cell_state inputs are variable tensors that this kernel updates in place, so the state carries
// over between time steps and between invokes. Supports CIFG (no input gate), peephole, diagonal
// recurrent weights, projection and layer normalization, as TFLite's float path does.
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { LSTM_INPUTS, type LstmGateName, type LstmGateTensors, type LstmSizes, lstmStructure } from './lstm_shared.js';
import { Activation } from './util.js';

/** One gate's constant operands; null where the model omits them. */
interface Gate {
  inputWeights: Float32Array;
  recurrentWeights: Float32Array;
  /** Recurrent weights are a [n_cell] diagonal rather than [n_cell, n_output]. */
  recurrentDiagonal: boolean;
  peephole: Float32Array | null;
  layerNorm: Float32Array | null;
  bias: Float32Array;
}

/** The float kernel's prepared constants and scratch. */
export interface LstmParams extends LstmSizes {
  activation: number;
  cellClip: number;
  projClip: number;
  /** null for CIFG, where the input gate is 1 - forget gate. */
  inputGate: Gate | null;
  forgetGate: Gate;
  cellGate: Gate;
  outputGate: Gate;
  projectionWeights: Float32Array | null;
  projectionBias: Float32Array | null;
  // Scratch, one row of n_cell each.
  gateI: Float32Array;
  gateF: Float32Array;
  gateC: Float32Array;
  gateO: Float32Array;
  hidden: Float32Array;
}

function floatData(ctx: NodeContext, t: RuntimeTensor, what: string): Float32Array {
  if (t.dtype !== 'float32') {
    fail(ctx, `${what} is ${t.dtype}; only float32 LSTM weights are supported here (hybrid and quantized LSTM are not)`);
  }
  return t.data as Float32Array;
}

function floatGate(ctx: NodeContext, g: LstmGateTensors, name: LstmGateName): Gate {
  return {
    inputWeights: floatData(ctx, g.inputWeights, `input_to_${name}_weights`),
    recurrentWeights: floatData(ctx, g.recurrentWeights, `recurrent_to_${name}_weights`),
    recurrentDiagonal: g.recurrentDiagonal,
    peephole: g.peephole ? floatData(ctx, g.peephole, `cell_to_${name}_weights`) : null,
    layerNorm: g.layerNorm ? floatData(ctx, g.layerNorm, `${name} layer norm coefficients`) : null,
    bias: floatData(ctx, g.bias, `${name}_gate_bias`),
  };
}

/**
 * The cell activations tensor_utils::ApplyActivationToVector implements. NONE is refused: there
 * TFLite returns without writing the result, so its cell gate and hidden value are whatever its
 * scratch buffers held (measured: tfjs-tflite's outputs under NONE are not the identity's).
 */
function applyActivation(ctx: NodeContext, activation: number): void {
  switch (activation) {
    case Activation.RELU:
    case Activation.RELU_N1_TO_1:
    case Activation.RELU6:
    case Activation.TANH:
    case Activation.SIGN_BIT:
      return;
    default:
      fail(ctx, `cell activation ${activation} is not supported (TFLite leaves NONE's results in stale scratch)`);
  }
}

function activate(activation: number, x: number): number {
  switch (activation) {
    case Activation.TANH:
      return Math.tanh(x);
    case Activation.RELU:
      return Math.max(x, 0);
    case Activation.RELU6:
      return Math.min(Math.max(x, 0), 6);
    case Activation.SIGN_BIT:
      // std::signbit: 1 for negative values and -0.
      return x < 0 || Object.is(x, -0) ? 1 : 0;
    default:
      return Math.min(Math.max(x, -1), 1);
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const unidirectionalSequenceLstmKernel: Kernel<LstmParams> = {
  prepare(ctx) {
    const x = input(ctx, LSTM_INPUTS.input);
    const y = output(ctx, 0);
    if (x.dtype !== 'float32' || y.dtype !== 'float32')
      fail(ctx, `only float32 input and output are supported, got ${x.dtype} -> ${y.dtype}`);
    const s = lstmStructure(ctx, true);
    const { activation, cellClip, projClip, timeMajor } = s.options;
    applyActivation(ctx, activation);
    if (s.outputState.dtype !== 'float32' || s.cellState.dtype !== 'float32') fail(ctx, 'output_state and cell_state must be float32');
    const { nCell, nOutput } = s;
    y.shape = [x.shape[0] as number, x.shape[1] as number, nOutput];
    return {
      maxTime: s.maxTime,
      batches: s.batches,
      nInput: s.nInput,
      nCell,
      nOutput,
      timeMajor,
      activation,
      cellClip,
      projClip,
      inputGate: s.inputGate ? floatGate(ctx, s.inputGate, 'input') : null,
      forgetGate: floatGate(ctx, s.forgetGate, 'forget'),
      cellGate: floatGate(ctx, s.cellGate, 'cell'),
      outputGate: floatGate(ctx, s.outputGate, 'output'),
      projectionWeights: s.projectionWeights ? floatData(ctx, s.projectionWeights, 'projection_weights') : null,
      projectionBias: s.projectionBias ? floatData(ctx, s.projectionBias, 'projection_bias') : null,
      gateI: new Float32Array(nCell),
      gateF: new Float32Array(nCell),
      gateC: new Float32Array(nCell),
      gateO: new Float32Array(nCell),
      hidden: new Float32Array(nCell),
    };
  },
  eval(ctx, p) {
    const x = input(ctx, LSTM_INPUTS.input).data as Float32Array;
    const y = output(ctx, 0).data as Float32Array;
    const outputState = input(ctx, LSTM_INPUTS.outputState).data as Float32Array;
    const cellState = input(ctx, LSTM_INPUTS.cellState).data as Float32Array;
    const { maxTime, batches, nInput, nCell, nOutput, timeMajor } = p;
    // Each batch row evolves independently, so steps run row by row.
    for (let b = 0; b < batches; b++) {
      const h = outputState.subarray(b * nOutput, (b + 1) * nOutput);
      const c = cellState.subarray(b * nCell, (b + 1) * nCell);
      for (let t = 0; t < maxTime; t++) {
        const row = timeMajor ? t * batches + b : b * maxTime + t;
        lstmStep(p, x, row * nInput, h, c);
        y.set(h, row * nOutput);
      }
    }
  },
};

/** One gate's pre-activation for one batch row: W·x + R·h (+ P∘c), layer-normed, plus bias. */
function gatePreActivation(
  p: LstmParams,
  g: Gate,
  x: Float32Array,
  xOffset: number,
  h: Float32Array,
  c: Float32Array,
  out: Float32Array,
): void {
  const { nInput, nCell, nOutput } = p;
  for (let i = 0; i < nCell; i++) {
    let acc = 0;
    const w = i * nInput;
    for (let k = 0; k < nInput; k++) acc += (g.inputWeights[w + k] as number) * (x[xOffset + k] as number);
    if (g.recurrentDiagonal) {
      acc += (g.recurrentWeights[i] as number) * (h[i] as number);
    } else {
      const r = i * nOutput;
      for (let k = 0; k < nOutput; k++) acc += (g.recurrentWeights[r + k] as number) * (h[k] as number);
    }
    if (g.peephole) acc += (g.peephole[i] as number) * (c[i] as number);
    out[i] = g.layerNorm ? acc : acc + (g.bias[i] as number);
  }
  if (g.layerNorm) {
    // tensor_utils::MeanStddevNormalization, then scale by the coefficients and add the bias.
    let sum = 0;
    for (let i = 0; i < nCell; i++) sum += out[i] as number;
    const mean = sum / nCell;
    let sq = 0;
    for (let i = 0; i < nCell; i++) {
      const d = (out[i] as number) - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / nCell + 1e-8);
    for (let i = 0; i < nCell; i++) {
      out[i] = ((out[i] as number) - mean) * inv * (g.layerNorm[i] as number) + (g.bias[i] as number);
    }
  }
}

/** LstmStepFloat for one batch row: updates h (output state) and c (cell state) in place. */
function lstmStep(p: LstmParams, x: Float32Array, xOffset: number, h: Float32Array, c: Float32Array): void {
  const { nCell, nOutput, gateI, gateF, gateC, gateO, hidden, activation, cellClip, projClip } = p;
  if (p.inputGate) {
    gatePreActivation(p, p.inputGate, x, xOffset, h, c, gateI);
    for (let i = 0; i < nCell; i++) gateI[i] = sigmoid(gateI[i] as number);
  }
  gatePreActivation(p, p.forgetGate, x, xOffset, h, c, gateF);
  for (let i = 0; i < nCell; i++) gateF[i] = sigmoid(gateF[i] as number);
  gatePreActivation(p, p.cellGate, x, xOffset, h, c, gateC);
  for (let i = 0; i < nCell; i++) gateC[i] = activate(activation, gateC[i] as number);
  // New cell state: f∘c + i∘g (CIFG: i = 1 - f), clipped.
  for (let i = 0; i < nCell; i++) {
    const f = gateF[i] as number;
    const inGate = p.inputGate ? (gateI[i] as number) : 1 - f;
    let v = f * (c[i] as number) + inGate * (gateC[i] as number);
    if (cellClip > 0) v = Math.min(Math.max(v, -cellClip), cellClip);
    c[i] = v;
  }
  // The output gate's peephole sees the updated cell state.
  gatePreActivation(p, p.outputGate, x, xOffset, h, c, gateO);
  for (let i = 0; i < nCell; i++) hidden[i] = sigmoid(gateO[i] as number) * activate(activation, c[i] as number);
  const proj = p.projectionWeights;
  if (proj) {
    for (let o = 0; o < nOutput; o++) {
      let acc = p.projectionBias ? (p.projectionBias[o] as number) : 0;
      const r = o * nCell;
      for (let k = 0; k < nCell; k++) acc += (proj[r + k] as number) * (hidden[k] as number);
      if (projClip > 0) acc = Math.min(Math.max(acc, -projClip), projClip);
      h[o] = acc;
    }
  } else {
    h.set(hidden);
  }
}

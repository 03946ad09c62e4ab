// UNIDIRECTIONAL_SEQUENCE_LSTM, float32 (tensorflow/lite/kernels/unidirectional_sequence_lstm.cc
// and lstm_eval.cc EvalFloat / LstmStepFloat). Inputs follow lstm_shared.h; the output_state and
// cell_state inputs are variable tensors that this kernel updates in place, so the state carries
// over between time steps and between invokes. Supports CIFG (no input gate), peephole, diagonal
// recurrent weights, projection and layer normalization, as TFLite's float path does.
import { numElements } from '../model/dtype.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { Activation, optBool, optNumber } from './util.js';

/** Input indices (lstm_shared.h), shared by the float and integer kernels (lstm_int.ts). */
export const LSTM_INPUT = {
  input: 0,
  inputToInput: 1,
  inputToForget: 2,
  inputToCell: 3,
  inputToOutput: 4,
  recurrentToInput: 5,
  recurrentToForget: 6,
  recurrentToCell: 7,
  recurrentToOutput: 8,
  cellToInput: 9,
  cellToForget: 10,
  cellToOutput: 11,
  inputGateBias: 12,
  forgetGateBias: 13,
  cellGateBias: 14,
  outputGateBias: 15,
  projectionWeights: 16,
  projectionBias: 17,
  outputState: 18,
  cellState: 19,
  inputLayerNorm: 20,
  forgetLayerNorm: 21,
  cellLayerNorm: 22,
  outputLayerNorm: 23,
} as const;

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

interface LstmParams {
  maxTime: number;
  batches: number;
  nInput: number;
  nCell: number;
  nOutput: number;
  timeMajor: boolean;
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

/** An input the model may omit (index past the end, or -1 resolved to undefined), as null. */
export function optionalInput(ctx: NodeContext, i: number): RuntimeTensor | null {
  return ctx.inputs[i] ?? null;
}

function floatData(ctx: NodeContext, t: RuntimeTensor, what: string): Float32Array {
  if (t.dtype !== 'float32') {
    fail(ctx, `${what} is ${t.dtype}; only float32 LSTM weights are supported here (hybrid and quantized LSTM are not)`);
  }
  return t.data as Float32Array;
}

export function expectShape(ctx: NodeContext, t: RuntimeTensor, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    fail(ctx, `${what} must have shape [${shape}], got [${t.shape}]`);
  }
}

/** Sequence and layer sizes of an LSTM, shared by the float and integer kernels. */
export interface LstmDims {
  timeMajor: boolean;
  maxTime: number;
  batches: number;
  nInput: number;
  /** Cells: rows of input_to_output_weights. */
  nCell: number;
}

/** The 3-D input's time / batch layout (time_major) and the cell count, with their checks. */
export function lstmDims(ctx: NodeContext, x: RuntimeTensor): LstmDims {
  if (x.shape.length !== 3) fail(ctx, `the input must be 3-D, got [${x.shape}]`);
  const timeMajor = optBool(ctx, 'timeMajor');
  const [d0, d1, nInput] = x.shape as [number, number, number];
  const toOutput = input(ctx, LSTM_INPUT.inputToOutput);
  if (toOutput.shape.length !== 2) fail(ctx, `input_to_output_weights must be 2-D, got [${toOutput.shape}]`);
  return { timeMajor, maxTime: timeMajor ? d0 : d1, batches: timeMajor ? d1 : d0, nInput, nCell: toOutput.shape[0] as number };
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
    if (ctx.inputs.length !== 24 && ctx.inputs.length !== 20) fail(ctx, `expects 20 or 24 inputs, got ${ctx.inputs.length}`);
    const x = input(ctx, LSTM_INPUT.input);
    const y = output(ctx, 0);
    if (x.dtype !== 'float32' || y.dtype !== 'float32')
      fail(ctx, `only float32 input and output are supported, got ${x.dtype} -> ${y.dtype}`);
    const { timeMajor, maxTime, batches, nInput, nCell } = lstmDims(ctx, x);
    const recOutput = input(ctx, LSTM_INPUT.recurrentToOutput);
    const nOutput = recOutput.shape.length === 1 ? nCell : (recOutput.shape[1] as number);

    const activation = optNumber(ctx, 'fusedActivationFunction', Activation.TANH);
    applyActivation(ctx, activation);
    const cellClip = optNumber(ctx, 'cellClip', 0);
    const projClip = optNumber(ctx, 'projClip', 0);
    if (cellClip < 0 || projClip < 0) fail(ctx, `cell_clip ${cellClip} and proj_clip ${projClip} must be >= 0`);

    const useLayerNorm = ctx.inputs.length === 24 && optionalInput(ctx, LSTM_INPUT.forgetLayerNorm) !== null;
    const gate = (
      name: string,
      inputWeights: number,
      recurrentWeights: number,
      peephole: number | null,
      layerNorm: number,
      bias: number,
    ): Gate => {
      const w = input(ctx, inputWeights);
      expectShape(ctx, w, [nCell, nInput], `${name} input weights`);
      const r = input(ctx, recurrentWeights);
      const recurrentDiagonal = r.shape.length === 1;
      expectShape(ctx, r, recurrentDiagonal ? [nCell] : [nCell, nOutput], `${name} recurrent weights`);
      const p = peephole === null ? null : optionalInput(ctx, peephole);
      if (p) expectShape(ctx, p, [nCell], `${name} peephole weights`);
      const ln = useLayerNorm ? optionalInput(ctx, layerNorm) : null;
      if (useLayerNorm && !ln) fail(ctx, `layer normalization needs ${name} layer-norm coefficients`);
      if (ln) expectShape(ctx, ln, [nCell], `${name} layer-norm coefficients`);
      const b = optionalInput(ctx, bias) ?? fail(ctx, `${name} gate bias is missing`);
      expectShape(ctx, b, [nCell], `${name} gate bias`);
      return {
        inputWeights: floatData(ctx, w, `${name} input weights`),
        recurrentWeights: floatData(ctx, r, `${name} recurrent weights`),
        recurrentDiagonal,
        peephole: p ? floatData(ctx, p, `${name} peephole weights`) : null,
        layerNorm: ln ? floatData(ctx, ln, `${name} layer-norm coefficients`) : null,
        bias: floatData(ctx, b, `${name} gate bias`),
      };
    };

    // CIFG: input-to-input and recurrent-to-input weights are both absent.
    const hasInputToInput = optionalInput(ctx, LSTM_INPUT.inputToInput) !== null;
    const hasRecurrentToInput = optionalInput(ctx, LSTM_INPUT.recurrentToInput) !== null;
    if (hasInputToInput !== hasRecurrentToInput) fail(ctx, 'input-gate weights must be all present or all absent (CIFG)');
    const inputGate = hasInputToInput
      ? gate(
          'input',
          LSTM_INPUT.inputToInput,
          LSTM_INPUT.recurrentToInput,
          LSTM_INPUT.cellToInput,
          LSTM_INPUT.inputLayerNorm,
          LSTM_INPUT.inputGateBias,
        )
      : null;
    if (!inputGate && optionalInput(ctx, LSTM_INPUT.inputGateBias)) fail(ctx, 'a CIFG LSTM must not have an input gate bias');
    const forgetGate = gate(
      'forget',
      LSTM_INPUT.inputToForget,
      LSTM_INPUT.recurrentToForget,
      LSTM_INPUT.cellToForget,
      LSTM_INPUT.forgetLayerNorm,
      LSTM_INPUT.forgetGateBias,
    );
    const cellGate = gate(
      'cell',
      LSTM_INPUT.inputToCell,
      LSTM_INPUT.recurrentToCell,
      null,
      LSTM_INPUT.cellLayerNorm,
      LSTM_INPUT.cellGateBias,
    );
    const outputGate = gate(
      'output',
      LSTM_INPUT.inputToOutput,
      LSTM_INPUT.recurrentToOutput,
      LSTM_INPUT.cellToOutput,
      LSTM_INPUT.outputLayerNorm,
      LSTM_INPUT.outputGateBias,
    );
    // Peephole weights come all or none (the input one is not needed under CIFG).
    const hasPeephole = (i: number) => optionalInput(ctx, i) !== null;
    const allPeepholes =
      (hasPeephole(LSTM_INPUT.cellToInput) || !inputGate) && hasPeephole(LSTM_INPUT.cellToForget) && hasPeephole(LSTM_INPUT.cellToOutput);
    const noPeepholes =
      !hasPeephole(LSTM_INPUT.cellToInput) && !hasPeephole(LSTM_INPUT.cellToForget) && !hasPeephole(LSTM_INPUT.cellToOutput);
    if (!allPeepholes && !noPeepholes) fail(ctx, 'peephole weights must be all present or all absent');

    const projW = optionalInput(ctx, LSTM_INPUT.projectionWeights);
    const projB = optionalInput(ctx, LSTM_INPUT.projectionBias);
    if (projW) expectShape(ctx, projW, [nOutput, nCell], 'projection weights');
    else if (nOutput !== nCell) fail(ctx, `without projection n_output (${nOutput}) must equal n_cell (${nCell})`);
    if (projB) {
      if (!projW) fail(ctx, 'a projection bias needs projection weights');
      expectShape(ctx, projB, [nOutput], 'projection bias');
    }

    const outputState = input(ctx, LSTM_INPUT.outputState);
    const cellState = input(ctx, LSTM_INPUT.cellState);
    if (numElements(outputState.shape) !== batches * nOutput) {
      fail(ctx, `output_state must hold ${batches}x${nOutput} values, has shape [${outputState.shape}]`);
    }
    if (numElements(cellState.shape) !== batches * nCell) {
      fail(ctx, `cell_state must hold ${batches}x${nCell} values, has shape [${cellState.shape}]`);
    }
    if (outputState.dtype !== 'float32' || cellState.dtype !== 'float32') fail(ctx, 'output_state and cell_state must be float32');

    y.shape = [x.shape[0] as number, x.shape[1] as number, nOutput];
    return {
      maxTime,
      batches,
      nInput,
      nCell,
      nOutput,
      timeMajor,
      activation,
      cellClip,
      projClip,
      inputGate,
      forgetGate,
      cellGate,
      outputGate,
      projectionWeights: projW ? floatData(ctx, projW, 'projection weights') : null,
      projectionBias: projB ? floatData(ctx, projB, 'projection bias') : null,
      gateI: new Float32Array(nCell),
      gateF: new Float32Array(nCell),
      gateC: new Float32Array(nCell),
      gateO: new Float32Array(nCell),
      hidden: new Float32Array(nCell),
    };
  },
  eval(ctx, p) {
    const x = input(ctx, LSTM_INPUT.input).data as Float32Array;
    const y = output(ctx, 0).data as Float32Array;
    const outputState = input(ctx, LSTM_INPUT.outputState).data as Float32Array;
    const cellState = input(ctx, LSTM_INPUT.cellState).data as Float32Array;
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

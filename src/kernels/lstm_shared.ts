// What the float (lstm.ts) and integer (lstm_int.ts) UNIDIRECTIONAL_SEQUENCE_LSTM kernels share:
// the input slots (tensorflow/lite/kernels/lstm_shared.h), the typed options, and the structure
// checks of unidirectional_sequence_lstm.cc CheckInputTensorDimensions (CIFG, peephole,
// projection and layer-norm tensors all present or all absent, and their shapes). One copy, so
// the two kernels cannot disagree on which models are well formed.
import { numElements } from '../model/dtype.js';
import { builtinOptions } from '../model/options.js';
import type { NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input } from './kernel.js';
import { Activation } from './util.js';

/** Input slots (lstm_shared.h). 20-input models stop before the layer-norm coefficients. */
export const LSTM_INPUTS = {
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

export type LstmGateName = 'input' | 'forget' | 'cell' | 'output';

/** One gate's input slots; the cell gate has no peephole. */
export interface LstmGateSlots {
  inputWeights: number;
  recurrentWeights: number;
  peephole: number | null;
  bias: number;
  layerNorm: number;
}

/** The gates' slots, in TFLite's gate order. */
export const LSTM_GATES: Readonly<Record<LstmGateName, LstmGateSlots>> = {
  input: {
    inputWeights: LSTM_INPUTS.inputToInput,
    recurrentWeights: LSTM_INPUTS.recurrentToInput,
    peephole: LSTM_INPUTS.cellToInput,
    bias: LSTM_INPUTS.inputGateBias,
    layerNorm: LSTM_INPUTS.inputLayerNorm,
  },
  forget: {
    inputWeights: LSTM_INPUTS.inputToForget,
    recurrentWeights: LSTM_INPUTS.recurrentToForget,
    peephole: LSTM_INPUTS.cellToForget,
    bias: LSTM_INPUTS.forgetGateBias,
    layerNorm: LSTM_INPUTS.forgetLayerNorm,
  },
  cell: {
    inputWeights: LSTM_INPUTS.inputToCell,
    recurrentWeights: LSTM_INPUTS.recurrentToCell,
    peephole: null,
    bias: LSTM_INPUTS.cellGateBias,
    layerNorm: LSTM_INPUTS.cellLayerNorm,
  },
  output: {
    inputWeights: LSTM_INPUTS.inputToOutput,
    recurrentWeights: LSTM_INPUTS.recurrentToOutput,
    peephole: LSTM_INPUTS.cellToOutput,
    bias: LSTM_INPUTS.outputGateBias,
    layerNorm: LSTM_INPUTS.outputLayerNorm,
  },
};

/**
 * The integer LSTM's intermediate tensors: each gate's pre-activation quantization (read only
 * with layer normalization), then the hidden value cell * output_gate.
 */
export const LSTM_INTERMEDIATES = { input: 0, forget: 1, cell: 2, output: 3, hidden: 4 } as const;

/** UNIDIRECTIONAL_SEQUENCE_LSTM's options (UnidirectionalSequenceLSTMOptions), checked. */
export interface UnidirectionalSequenceLstmOptions {
  /** The cell activation; TANH when the model omits the options table. */
  activation: number;
  /** 0: no clipping. */
  cellClip: number;
  projClip: number;
  timeMajor: boolean;
}

export function parseUnidirectionalSequenceLstmOptions(ctx: NodeContext): UnidirectionalSequenceLstmOptions {
  const o = builtinOptions(ctx.op, 'UnidirectionalSequenceLSTMOptions');
  const cellClip = o.cellClip ?? 0;
  const projClip = o.projClip ?? 0;
  if (cellClip < 0 || projClip < 0) fail(ctx, `cell_clip ${cellClip} and proj_clip ${projClip} must be >= 0`);
  return { activation: o.fusedActivationFunction ?? Activation.TANH, cellClip, projClip, timeMajor: o.timeMajor ?? false };
}

/** An input the model may omit (index past the end, or -1 resolved to undefined), as null. */
export function optionalInput(ctx: NodeContext, i: number): RuntimeTensor | null {
  return ctx.inputs[i] ?? null;
}

export function expectShape(ctx: NodeContext, t: RuntimeTensor, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    fail(ctx, `${what} must have shape [${shape}], got [${t.shape}]`);
  }
}

/** One gate's tensors, shape-checked. */
export interface LstmGateTensors {
  inputWeights: RuntimeTensor;
  recurrentWeights: RuntimeTensor;
  /** Recurrent weights are a [n_cell] diagonal rather than [n_cell, n_output]. */
  recurrentDiagonal: boolean;
  peephole: RuntimeTensor | null;
  layerNorm: RuntimeTensor | null;
  bias: RuntimeTensor;
}

/** The sizes a sequence LSTM walks: time steps, batches, input, cell and output widths. */
export interface LstmSizes {
  maxTime: number;
  batches: number;
  nInput: number;
  /** Cells: rows of input_to_output_weights. */
  nCell: number;
  nOutput: number;
  timeMajor: boolean;
}

/** The node's sizes and tensors once its structure is checked. */
export interface LstmStructure extends Omit<LstmSizes, 'timeMajor'> {
  options: UnidirectionalSequenceLstmOptions;
  useLayerNorm: boolean;
  /** null for CIFG (coupled input and forget gates: input gate = 1 - forget gate). */
  inputGate: LstmGateTensors | null;
  forgetGate: LstmGateTensors;
  cellGate: LstmGateTensors;
  outputGate: LstmGateTensors;
  projectionWeights: RuntimeTensor | null;
  projectionBias: RuntimeTensor | null;
  outputState: RuntimeTensor;
  cellState: RuntimeTensor;
}

/**
 * Checks which optional tensors the node has and every shape; leaves element types to the
 * kernel. `allowDiagonal`: 1-D (diagonal) recurrent weights are accepted (the float kernel).
 */
export function lstmStructure(ctx: NodeContext, allowDiagonal: boolean): LstmStructure {
  if (ctx.inputs.length !== 24 && ctx.inputs.length !== 20) fail(ctx, `expects 20 or 24 inputs, got ${ctx.inputs.length}`);
  if (ctx.outputs.length !== 1) fail(ctx, `expects 1 output, got ${ctx.outputs.length}`);
  const options = parseUnidirectionalSequenceLstmOptions(ctx);
  const x = input(ctx, LSTM_INPUTS.input);
  if (x.shape.length !== 3) fail(ctx, `the input must be 3-D, got [${x.shape}]`);
  const [d0, d1, nInput] = x.shape as [number, number, number];
  const maxTime = options.timeMajor ? d0 : d1;
  const batches = options.timeMajor ? d1 : d0;
  const toOutput = input(ctx, LSTM_INPUTS.inputToOutput);
  if (toOutput.shape.length !== 2) fail(ctx, `input_to_output_weights must be 2-D, got [${toOutput.shape}]`);
  const nCell = toOutput.shape[0] as number;
  const recurrentToOutput = input(ctx, LSTM_INPUTS.recurrentToOutput);
  if (recurrentToOutput.shape.length === 1 && !allowDiagonal) {
    fail(ctx, 'diagonal (1-D) recurrent weights are not supported by the integer LSTM');
  }
  const nOutput = recurrentToOutput.shape.length === 1 ? nCell : (recurrentToOutput.shape[1] as number);
  const present = (slot: number) => optionalInput(ctx, slot) !== null;

  const useCifg = !present(LSTM_INPUTS.inputToInput);
  if (useCifg === present(LSTM_INPUTS.recurrentToInput)) {
    fail(ctx, 'input_to_input and recurrent_to_input weights must be both present or both omitted (CIFG)');
  }
  if (useCifg && present(LSTM_INPUTS.inputGateBias)) fail(ctx, 'a CIFG LSTM must not have an input gate bias');
  const peepholes = [LSTM_INPUTS.cellToInput, LSTM_INPUTS.cellToForget, LSTM_INPUTS.cellToOutput].map(present);
  const allPeepholes = (peepholes[0] || useCifg) && peepholes[1] && peepholes[2];
  if (!allPeepholes && peepholes.some(Boolean)) fail(ctx, 'peephole weights must be all present or all omitted');
  const useLayerNorm = ctx.inputs.length === 24 && present(LSTM_INPUTS.forgetLayerNorm);
  if (useLayerNorm && useCifg && present(LSTM_INPUTS.inputLayerNorm)) {
    fail(ctx, 'a CIFG LSTM must not have input layer norm coefficients');
  }

  const gate = (name: LstmGateName): LstmGateTensors => {
    const slots = LSTM_GATES[name];
    const inputWeights = input(ctx, slots.inputWeights);
    expectShape(ctx, inputWeights, [nCell, nInput], `input_to_${name}_weights`);
    const recurrentWeights = input(ctx, slots.recurrentWeights);
    const recurrentDiagonal = allowDiagonal && recurrentWeights.shape.length === 1;
    expectShape(ctx, recurrentWeights, recurrentDiagonal ? [nCell] : [nCell, nOutput], `recurrent_to_${name}_weights`);
    const peephole = slots.peephole === null ? null : optionalInput(ctx, slots.peephole);
    if (peephole) expectShape(ctx, peephole, [nCell], `cell_to_${name}_weights`);
    const layerNorm = useLayerNorm ? optionalInput(ctx, slots.layerNorm) : null;
    if (useLayerNorm && !layerNorm) fail(ctx, `layer normalization needs ${name} layer norm coefficients`);
    if (layerNorm) expectShape(ctx, layerNorm, [nCell], `${name} layer norm coefficients`);
    const bias = optionalInput(ctx, slots.bias) ?? fail(ctx, `the ${name} gate bias is missing`);
    expectShape(ctx, bias, [nCell], `${name}_gate_bias`);
    return { inputWeights, recurrentWeights, recurrentDiagonal, peephole, layerNorm, bias };
  };
  const inputGate = useCifg ? null : gate('input');
  const forgetGate = gate('forget');
  const cellGate = gate('cell');
  const outputGate = gate('output');

  const projectionWeights = optionalInput(ctx, LSTM_INPUTS.projectionWeights);
  const projectionBias = optionalInput(ctx, LSTM_INPUTS.projectionBias);
  if (projectionWeights) expectShape(ctx, projectionWeights, [nOutput, nCell], 'projection_weights');
  else if (nOutput !== nCell) fail(ctx, `without projection n_output (${nOutput}) must equal n_cell (${nCell})`);
  if (projectionBias) {
    if (!projectionWeights) fail(ctx, 'a projection bias needs projection weights');
    expectShape(ctx, projectionBias, [nOutput], 'projection_bias');
  }

  const outputState = input(ctx, LSTM_INPUTS.outputState);
  const cellState = input(ctx, LSTM_INPUTS.cellState);
  if (outputState.kind !== 'variable' || cellState.kind !== 'variable') {
    fail(ctx, 'output_state and cell_state must be variable tensors');
  }
  if (numElements(outputState.shape) !== batches * nOutput) {
    fail(ctx, `output_state must hold ${batches}x${nOutput} values, has shape [${outputState.shape}]`);
  }
  if (numElements(cellState.shape) !== batches * nCell) {
    fail(ctx, `cell_state must hold ${batches}x${nCell} values, has shape [${cellState.shape}]`);
  }
  return {
    options,
    maxTime,
    batches,
    nInput,
    nCell,
    nOutput,
    useLayerNorm,
    inputGate,
    forgetGate,
    cellGate,
    outputGate,
    projectionWeights,
    projectionBias,
    outputState,
    cellState,
  };
}

// The arithmetic of one full-integer "8x8->16" LSTM step (tensorflow/lite/kernels/lstm_eval.cc
// LstmStepInteger8x8_16 with the portable tensor_utils): gate matmuls, layer norm, fixed-point
// sigmoid / tanh, the cell update and the hidden value's requantization, on the constants
// lstm_int.ts prepares.
import {
  getInvSqrtQuantizedMultiplierExp,
  logisticFixedPoint,
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  tanhFixedPoint,
} from '../quant/index.js';
import type { LstmSizes } from './lstm_shared.js';

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** One gate's constants: the two matmuls with zero points folded into their biases, peephole, layer norm. */
export interface IntGate {
  inputWeights: Int8Array;
  /** bias (without layer norm) - input_zp * row sums of the input weights. */
  inputBias: Int32Array;
  inputMultiplier: number;
  inputShift: number;
  recurrentWeights: Int8Array;
  /** -output_state_zp * row sums of the recurrent weights. */
  recurrentBias: Int32Array;
  recurrentMultiplier: number;
  recurrentShift: number;
  peephole: Int16Array | null;
  peepholeMultiplier: number;
  peepholeShift: number;
  layerNorm: Int16Array | null;
  /** With layer normalization the gate bias is added after normalizing. */
  layerNormBias: Int32Array | null;
  layerNormMultiplier: number;
  layerNormShift: number;
  varianceGuard: number;
  /** Sigmoid (input, forget, output gates) or tanh (cell gate). */
  sigmoid: boolean;
  /** Scratch: the gate's values for the batches of one step. */
  values: Int16Array;
}

/** The integer kernel's prepared constants and scratch. */
export interface IntLstmParams extends LstmSizes {
  cellScale: number;
  quantizedCellClip: number;
  quantizedProjClip: number;
  hiddenMultiplier: number;
  hiddenShift: number;
  /** What the hidden value adds after rescaling: -hidden_zp (see SUBTRACT_HIDDEN_ZERO_POINT). */
  hiddenOffset: number;
  outputStateZeroPoint: number;
  /** null for CIFG (input gate = 1 - forget gate). */
  inputGate: IntGate | null;
  forgetGate: IntGate;
  cellGate: IntGate;
  outputGate: IntGate;
  projectionWeights: Int8Array | null;
  projectionBias: Int32Array | null;
  projectionMultiplier: number;
  projectionShift: number;
  /** Scratch: tanh(cell) for one step (int16) and the hidden value before projection (int8). */
  cellTanh: Int16Array;
  hidden: Int8Array;
}

function clampInt16(x: number): number {
  return Math.min(Math.max(x, INT16_MIN), INT16_MAX);
}

function clampInt8(x: number): number {
  return Math.min(Math.max(x, -128), 127);
}

/**
 * MatrixBatchVectorMultiplyAccumulate (int8 x int8 -> int16): for each batch and row, the
 * rescaled dot product plus bias, added to what `gate` holds, saturated to int16.
 */
function matmulAccumulate(
  vectors: Int8Array,
  vectorOffset: number,
  cols: number,
  weights: Int8Array,
  bias: Int32Array,
  multiplier: number,
  shift: number,
  batches: number,
  rows: number,
  gate: Int16Array,
): void {
  for (let b = 0; b < batches; b++) {
    const v = vectorOffset + b * cols;
    for (let r = 0; r < rows; r++) {
      let acc = bias[r] as number;
      const w = r * cols;
      for (let c = 0; c < cols; c++) acc += (vectors[v + c] as number) * (weights[w + c] as number);
      const g = b * rows + r;
      gate[g] = clampInt16(multiplyByQuantizedMultiplier(acc | 0, multiplier, shift) + (gate[g] as number));
    }
  }
}

/** PortableApplyLayerNorm: integer mean / variance normalization of each batch row, in place. */
function applyLayerNorm(gate: IntGate, batches: number, nCell: number): void {
  const values = gate.values;
  const weights = gate.layerNorm as Int16Array;
  const bias = gate.layerNormBias as Int32Array;
  const twoToPower20 = 1 << 20;
  for (let b = 0; b < batches; b++) {
    const row = b * nCell;
    let sum = 0;
    let sumSq = 0;
    for (let j = 0; j < nCell; j++) {
      const v = values[row + j] as number;
      sum += v;
      sumSq += v * v;
    }
    // int64 arithmetic; every term stays below 2^53 for int16 inputs.
    const mean = Math.trunc((sum * 1024) / nCell) | 0;
    const temp = Math.trunc(twoToPower20 / nCell);
    const variance = sumSq * temp - mean * mean;
    let variance2 = Math.trunc(variance / twoToPower20) | 0;
    if (variance2 < 1) variance2 = gate.varianceGuard;
    const inv = getInvSqrtQuantizedMultiplierExp(variance2, -1);
    for (let j = 0; j < nCell; j++) {
      const shifted = (1024 * (values[row + j] as number) - mean) | 0;
      const rescaled = multiplyByQuantizedMultiplier(shifted, inv.multiplier, inv.shift);
      // int32 product and sum in C++ (wrapping), then widened.
      const val3 = (Math.imul(rescaled, weights[j] as number) + (bias[j] as number)) | 0;
      const val4 = Math.trunc((val3 > 0 ? val3 + 512 : val3 - 512) / 1024);
      const val5 = multiplyByQuantizedMultiplier(val4, gate.layerNormMultiplier, gate.layerNormShift + 12);
      values[row + j] = clampInt16(val5);
    }
  }
}

/** CalculateLstmGateInteger8x8_16 for `batches` consecutive batch rows. */
function computeGate(
  gate: IntGate,
  p: IntLstmParams,
  x: Int8Array,
  xOffset: number,
  outputState: Int8Array,
  stateOffset: number,
  cellState: Int16Array,
  cellOffset: number,
  batches: number,
): void {
  const { nInput, nOutput, nCell } = p;
  const values = gate.values;
  const n = batches * nCell;
  values.fill(0, 0, n);
  matmulAccumulate(x, xOffset, nInput, gate.inputWeights, gate.inputBias, gate.inputMultiplier, gate.inputShift, batches, nCell, values);
  matmulAccumulate(
    outputState,
    stateOffset,
    nOutput,
    gate.recurrentWeights,
    gate.recurrentBias,
    gate.recurrentMultiplier,
    gate.recurrentShift,
    batches,
    nCell,
    values,
  );
  if (gate.peephole) {
    // TFLite passes n_output as the vector size here (equal to n_cell unless projecting).
    const w = gate.peephole;
    for (let b = 0; b < batches; b++) {
      for (let v = 0; v < nOutput; v++) {
        const i = b * nOutput + v;
        const prod = (w[v] as number) * (cellState[cellOffset + i] as number);
        values[i] = clampInt16(multiplyByQuantizedMultiplier(prod, gate.peepholeMultiplier, gate.peepholeShift) + (values[i] as number));
      }
    }
  }
  if (gate.layerNorm) applyLayerNorm(gate, batches, nCell);
  if (gate.sigmoid) {
    for (let i = 0; i < n; i++) values[i] = logisticFixedPoint(values[i] as number, 3, 16);
  } else {
    for (let i = 0; i < n; i++) values[i] = tanhFixedPoint(values[i] as number, 3, 16);
  }
}

/** One LstmStepInteger8x8_16 over `batches` batch rows starting at `batch`. */
export function lstmStepInteger(
  p: IntLstmParams,
  x: Int8Array,
  xOffset: number,
  outputState: Int8Array,
  cellState: Int16Array,
  batch: number,
  batches: number,
): void {
  const { nCell, nOutput } = p;
  const stateOffset = batch * nOutput;
  const cellOffset = batch * nCell;
  const n = batches * nCell;
  if (p.inputGate) computeGate(p.inputGate, p, x, xOffset, outputState, stateOffset, cellState, cellOffset, batches);
  computeGate(p.forgetGate, p, x, xOffset, outputState, stateOffset, cellState, cellOffset, batches);
  computeGate(p.cellGate, p, x, xOffset, outputState, stateOffset, cellState, cellOffset, batches);

  // UpdateLstmCellInteger: c = f*c >> 15 (+) i*g >> (30 + cell_scale), saturating, then clip.
  const f = p.forgetGate.values;
  const g = p.cellGate.values;
  const ig = p.inputGate ? p.inputGate.values : null;
  const gateShift = 30 + p.cellScale;
  const clip = p.quantizedCellClip;
  for (let i = 0; i < n; i++) {
    const fi = f[i] as number;
    const kept = (roundingDivideByPOT(fi * (cellState[cellOffset + i] as number), 15) << 16) >> 16;
    // CIFG: input gate = 32767 - forget gate (int16).
    const inputGate = ig ? (ig[i] as number) : ((INT16_MAX - fi) << 16) >> 16;
    const added = (roundingDivideByPOT(inputGate * (g[i] as number), gateShift) << 16) >> 16;
    let c = clampInt16(kept + added);
    if (clip > 0) c = Math.min(Math.max(c, -clip), clip);
    cellState[cellOffset + i] = c;
  }

  computeGate(p.outputGate, p, x, xOffset, outputState, stateOffset, cellState, cellOffset, batches);

  // CalculateLstmOutputInteger8x8_16: hidden = o * tanh(c), rescaled to int8.
  const o = p.outputGate.values;
  const t = p.cellTanh;
  const tanhIntegerBits = 15 + p.cellScale;
  for (let i = 0; i < n; i++) t[i] = tanhFixedPoint(cellState[cellOffset + i] as number, tanhIntegerBits, 16);
  // CwiseMul to int8: rescale o * tanh(c), add the offset, saturate.
  const hidden = p.projectionWeights ? p.hidden : outputState;
  const hiddenBase = p.projectionWeights ? 0 : stateOffset;
  for (let i = 0; i < n; i++) {
    const v = multiplyByQuantizedMultiplier((o[i] as number) * (t[i] as number), p.hiddenMultiplier, p.hiddenShift) + p.hiddenOffset;
    hidden[hiddenBase + i] = clampInt8(v);
  }
  if (!p.projectionWeights) return;
  const w = p.projectionWeights;
  const bias = p.projectionBias as Int32Array;
  const projClip = p.quantizedProjClip;
  for (let b = 0; b < batches; b++) {
    for (let r = 0; r < nOutput; r++) {
      let acc = bias[r] as number;
      for (let c = 0; c < nCell; c++) acc += (hidden[b * nCell + c] as number) * (w[r * nCell + c] as number);
      let v = clampInt8(multiplyByQuantizedMultiplier(acc | 0, p.projectionMultiplier, p.projectionShift) + p.outputStateZeroPoint);
      if (projClip > 0) v = Math.min(Math.max(v, -projClip), projClip);
      outputState[stateOffset + b * nOutput + r] = v;
    }
  }
}

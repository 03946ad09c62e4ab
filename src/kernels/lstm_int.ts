// UNIDIRECTIONAL_SEQUENCE_LSTM, full integer "8x8->16" (tensorflow/lite/kernels/
// unidirectional_sequence_lstm.cc PopulateQuantizedLstmParams8x8_16 and
// PopulatePrecomputedZPTimesWeightsWithBias; lstm_eval.cc EvalInteger8x8_16 / LstmStepInteger8x8_16
// with the portable tensor_utils). int8 input, weights and output; int32 biases; int16 cell
// state, gates (Q3.12 before the activations, Q0.15 after) and peephole / layer-norm weights.
//
// The output_state (int8) and cell_state (int16) inputs are variable tensors updated in place,
// so the state carries over between time steps and invokes. The five `intermediates` tensors
// carry the quantization of the gate pre-activations (used only with layer normalization;
// otherwise TFLite fixes them at 2^-12) and of the hidden value cell * output_gate.
import {
  checkedLog2,
  f32,
  getInvSqrtQuantizedMultiplierExp,
  logisticFixedPoint,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  tanhFixedPoint,
} from '../quant/index.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { expectShape, LSTM_INPUT as IN, lstmDims, optionalInput } from './lstm.js';
import { tensorScale, tensorZeroPoint } from './tensor_data.js';
import { optNumber } from './util.js';

/**
 * The hidden value o * tanh(c) is requantized to int8 with its zero point *subtracted* in the
 * TFLite the oracle ships (tfjs-tflite: PortableCwiseMul did `value -= output_zp`). TFLite later
 * (fix for b/246629213) made CwiseMul add the zero point and passes -hidden_zp only on the
 * projection path, so without projection current TFLite adds +hidden_zp. The two differ only when
 * the hidden intermediate's zero point is nonzero (keras_lstm_mnist_int8_uint8io: -1). We follow
 * the oracle; set this to false for current TFLite.
 */
const SUBTRACT_HIDDEN_ZERO_POINT = true;

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** One gate's constants: the two matmuls with zero points folded into their biases, peephole, layer norm. */
interface IntGate {
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

interface IntLstmParams {
  maxTime: number;
  batches: number;
  nInput: number;
  nCell: number;
  nOutput: number;
  timeMajor: boolean;
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

function typed<T>(ctx: NodeContext, t: RuntimeTensor, dtype: string, what: string): T {
  if (t.dtype !== dtype) fail(ctx, `${what} must be ${dtype} in an integer LSTM, got ${t.dtype}`);
  return t.data as unknown as T;
}

function constant<T>(ctx: NodeContext, t: RuntimeTensor, dtype: string, what: string): T {
  if (t.kind !== 'constant' && t.kind !== 'folded') fail(ctx, `${what} must be a constant tensor`);
  return typed<T>(ctx, t, dtype, what);
}

function scaleOf(ctx: NodeContext, t: RuntimeTensor, what: string): number {
  if (!t.quantization || t.quantization.scale.length === 0) fail(ctx, `${what} must be quantized`);
  return f32(tensorScale(t));
}

/** PrecomputeZeroPointTimesWeightWithBias: bias (or 0) + zeroPoint * row sum, in int32. */
function zeroPointTimesWeightsWithBias(
  weights: Int8Array,
  rows: number,
  cols: number,
  zeroPoint: number,
  bias: Int32Array | null,
): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let rowSum = 0;
    for (let c = 0; c < cols; c++) rowSum += weights[r * cols + c] as number;
    out[r] = ((bias ? (bias[r] as number) : 0) + Math.imul(rowSum, zeroPoint)) | 0;
  }
  return out;
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
function step(
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

export const unidirectionalSequenceLstmInt8: Kernel<IntLstmParams> = {
  prepare(ctx) {
    if (ctx.inputs.length !== 24 && ctx.inputs.length !== 20) fail(ctx, `expects 20 or 24 inputs, got ${ctx.inputs.length}`);
    if (ctx.outputs.length !== 1) fail(ctx, `expects 1 output, got ${ctx.outputs.length}`);
    const x = input(ctx, IN.input);
    const y = output(ctx, 0);
    typed(ctx, x, 'int8', 'the input');
    typed(ctx, y, 'int8', 'the output');
    const { timeMajor, maxTime, batches, nInput, nCell } = lstmDims(ctx, x);
    const recurrentToOutput = input(ctx, IN.recurrentToOutput);
    if (recurrentToOutput.shape.length !== 2) {
      fail(ctx, 'diagonal (1-D) recurrent weights are not supported by the integer LSTM');
    }
    const nOutput = recurrentToOutput.shape[1] as number;
    const cellClip = optNumber(ctx, 'cellClip');
    const projClip = optNumber(ctx, 'projClip');
    if (cellClip < 0 || projClip < 0) fail(ctx, `cell_clip and proj_clip must be >= 0, got ${cellClip} and ${projClip}`);

    const useLayerNorm = ctx.inputs.length === 24 && optionalInput(ctx, IN.forgetLayerNorm) !== null;
    const inputToInput = optionalInput(ctx, IN.inputToInput);
    const recurrentToInput = optionalInput(ctx, IN.recurrentToInput);
    const useCifg = inputToInput === null;
    if ((inputToInput === null) !== (recurrentToInput === null)) {
      fail(ctx, 'input_to_input and recurrent_to_input weights must be both present or both omitted (CIFG)');
    }
    const cellToInput = optionalInput(ctx, IN.cellToInput);
    const cellToForget = optionalInput(ctx, IN.cellToForget);
    const cellToOutput = optionalInput(ctx, IN.cellToOutput);
    const usePeephole = cellToOutput !== null;
    const peepholeAllOrNone =
      ((cellToInput !== null || useCifg) && cellToForget !== null && cellToOutput !== null) ||
      (cellToInput === null && cellToForget === null && cellToOutput === null);
    if (!peepholeAllOrNone) fail(ctx, 'peephole weights must be all present or all omitted');
    const inputGateBias = optionalInput(ctx, IN.inputGateBias);
    if (useCifg && inputGateBias) fail(ctx, 'a CIFG LSTM must not have an input gate bias');
    if (!useCifg && !inputGateBias) fail(ctx, 'the input gate bias is missing');
    const projectionWeights = optionalInput(ctx, IN.projectionWeights);
    const projectionBias = optionalInput(ctx, IN.projectionBias);
    if (!projectionWeights && projectionBias) fail(ctx, 'a projection bias needs projection weights');
    if (!projectionWeights && nOutput !== nCell) fail(ctx, `without projection n_output (${nOutput}) must equal n_cell (${nCell})`);

    const outputState = input(ctx, IN.outputState);
    const cellState = input(ctx, IN.cellState);
    if (outputState.kind !== 'variable' || cellState.kind !== 'variable') {
      fail(ctx, 'output_state (input 18) and cell_state (input 19) must be variable tensors');
    }
    typed(ctx, outputState, 'int8', 'output_state');
    typed(ctx, cellState, 'int16', 'cell_state');
    if (outputState.data.length !== batches * nOutput)
      fail(ctx, `output_state must hold ${batches * nOutput} elements, got [${outputState.shape}]`);
    if (cellState.data.length !== batches * nCell) fail(ctx, `cell_state must hold ${batches * nCell} elements, got [${cellState.shape}]`);
    if (ctx.intermediates.length !== 5) fail(ctx, `an integer LSTM needs 5 intermediate tensors, got ${ctx.intermediates.length}`);

    // Scales (PopulateQuantizedLstmParams8x8_16). Every scale is a float32 and the products and
    // quotients are float32 arithmetic, except where std::pow brings in a double.
    const inputScale = scaleOf(ctx, x, 'the input');
    const outputStateScale = scaleOf(ctx, outputState, 'output_state');
    const cellLog2 = checkedLog2(scaleOf(ctx, cellState, 'cell_state'));
    if (!cellLog2.isPowerOfTwo) fail(ctx, `the cell state scale ${tensorScale(cellState)} must be a power of two`);
    const cellScale = cellLog2.log2;
    if (15 + cellScale < 0 || 15 + cellScale > 6) fail(ctx, `cell state scale 2^${cellScale} is out of the supported range`);
    const intermediateScale: number[] = [];
    const intermediateZeroPoint: number[] = [];
    for (let i = 0; i < 4; i++) {
      if (useLayerNorm) {
        const t = ctx.intermediates[i] as RuntimeTensor;
        intermediateScale.push(scaleOf(ctx, t, `intermediate ${i}`));
        intermediateZeroPoint.push(tensorZeroPoint(t));
      } else {
        intermediateScale.push(2 ** -12); // Q3.12 for the activation functions
        intermediateZeroPoint.push(0);
      }
    }
    const hiddenTensor = ctx.intermediates[4] as RuntimeTensor;
    const hiddenScale = scaleOf(ctx, hiddenTensor, 'intermediate 4 (hidden)');
    const hiddenZeroPoint = tensorZeroPoint(hiddenTensor);
    // The projection path always takes -hidden_zp and folds +hidden_zp * row sums into its bias.
    const hiddenOffset = projectionWeights || SUBTRACT_HIDDEN_ZERO_POINT ? -hiddenZeroPoint : hiddenZeroPoint;

    const cellStateMax = f32(f32(cellClip) / f32(tensorScale(cellState)));
    const quantizedCellClip = cellClip > 0 ? Math.trunc(Math.min(Math.max(cellStateMax, -32768), 32767)) : 0;
    const projMax = f32(f32(projClip) / f32(tensorScale(y)));
    const quantizedProjClip = projClip > 0 ? Math.trunc(Math.min(Math.max(projMax, -128), 127)) : 0;

    const inputZeroPoint = tensorZeroPoint(x);
    const outputStateZeroPoint = tensorZeroPoint(outputState);

    const makeGate = (
      which: number,
      inputWeightsIndex: number,
      recurrentWeightsIndex: number,
      peepholeTensor: RuntimeTensor | null,
      biasIndex: number,
      layerNormIndex: number,
      sigmoid: boolean,
      name: string,
    ): IntGate => {
      const iw = input(ctx, inputWeightsIndex);
      const rw = input(ctx, recurrentWeightsIndex);
      expectShape(ctx, iw, [nCell, nInput], `input_to_${name}_weights`);
      expectShape(ctx, rw, [nCell, nOutput], `recurrent_to_${name}_weights`);
      const inputWeights = constant<Int8Array>(ctx, iw, 'int8', `input_to_${name}_weights`);
      const recurrentWeights = constant<Int8Array>(ctx, rw, 'int8', `recurrent_to_${name}_weights`);
      const biasTensor = input(ctx, biasIndex);
      expectShape(ctx, biasTensor, [nCell], `${name}_gate_bias`);
      const bias = constant<Int32Array>(ctx, biasTensor, 'int32', `${name}_gate_bias`);
      const interScale = intermediateScale[which] as number;
      const effInput = quantizeMultiplier(f32(f32(scaleOf(ctx, iw, `input_to_${name}_weights`) * inputScale) / interScale));
      const effRecurrent = quantizeMultiplier(f32(f32(scaleOf(ctx, rw, `recurrent_to_${name}_weights`) * outputStateScale) / interScale));
      let peephole: Int16Array | null = null;
      let effPeephole = { multiplier: 0, shift: 0 };
      if (peepholeTensor) {
        expectShape(ctx, peepholeTensor, [nCell], `cell_to_${name}_weights`);
        peephole = constant<Int16Array>(ctx, peepholeTensor, 'int16', `cell_to_${name}_weights`);
        // std::pow(2, cell_scale) is a double: the expression is evaluated in double.
        effPeephole = quantizeMultiplier(f32((2 ** cellScale * scaleOf(ctx, peepholeTensor, `cell_to_${name}_weights`)) / interScale));
      }
      let layerNorm: Int16Array | null = null;
      let layerNormScale = 1;
      if (useLayerNorm) {
        const ln = input(ctx, layerNormIndex);
        expectShape(ctx, ln, [nCell], `${name} layer norm coefficients`);
        layerNorm = constant<Int16Array>(ctx, ln, 'int16', `${name} layer norm coefficients`);
        layerNormScale = scaleOf(ctx, ln, `${name} layer norm coefficients`);
      }
      const effLayerNorm = quantizeMultiplier(layerNormScale);
      return {
        inputWeights,
        // With layer normalization the gate bias is applied after normalizing, not in the matmul.
        inputBias: zeroPointTimesWeightsWithBias(inputWeights, nCell, nInput, -inputZeroPoint, useLayerNorm ? null : bias),
        inputMultiplier: effInput.multiplier,
        inputShift: effInput.shift,
        recurrentWeights,
        recurrentBias: zeroPointTimesWeightsWithBias(recurrentWeights, nCell, nOutput, -outputStateZeroPoint, null),
        recurrentMultiplier: effRecurrent.multiplier,
        recurrentShift: effRecurrent.shift,
        peephole,
        peepholeMultiplier: effPeephole.multiplier,
        peepholeShift: effPeephole.shift,
        layerNorm,
        layerNormBias: useLayerNorm ? bias : null,
        layerNormMultiplier: effLayerNorm.multiplier,
        layerNormShift: effLayerNorm.shift,
        varianceGuard: Math.max(1, Math.trunc(f32(10000 * layerNormScale))),
        sigmoid,
        values: new Int16Array(batches * nCell),
      };
    };

    const inputGate = useCifg
      ? null
      : makeGate(
          0,
          IN.inputToInput,
          IN.recurrentToInput,
          usePeephole ? cellToInput : null,
          IN.inputGateBias,
          IN.inputLayerNorm,
          true,
          'input',
        );
    if (useLayerNorm && useCifg && optionalInput(ctx, IN.inputLayerNorm))
      fail(ctx, 'a CIFG LSTM must not have input layer norm coefficients');
    const forgetGate = makeGate(
      1,
      IN.inputToForget,
      IN.recurrentToForget,
      cellToForget,
      IN.forgetGateBias,
      IN.forgetLayerNorm,
      true,
      'forget',
    );
    const cellGate = makeGate(2, IN.inputToCell, IN.recurrentToCell, null, IN.cellGateBias, IN.cellLayerNorm, false, 'cell');
    const outputGate = makeGate(
      3,
      IN.inputToOutput,
      IN.recurrentToOutput,
      cellToOutput,
      IN.outputGateBias,
      IN.outputLayerNorm,
      true,
      'output',
    );

    // effective_hidden_scale = 2^-15 / hidden_scale * 2^-15 (double), stored as float.
    const effHidden = quantizeMultiplier(f32((2 ** -15 / hiddenScale) * 2 ** -15));
    let projW: Int8Array | null = null;
    let projB: Int32Array | null = null;
    let effProj = { multiplier: 0, shift: 0 };
    if (projectionWeights) {
      expectShape(ctx, projectionWeights, [nOutput, nCell], 'projection_weights');
      projW = constant<Int8Array>(ctx, projectionWeights, 'int8', 'projection_weights');
      let bias: Int32Array | null = null;
      if (projectionBias) {
        expectShape(ctx, projectionBias, [nOutput], 'projection_bias');
        bias = constant<Int32Array>(ctx, projectionBias, 'int32', 'projection_bias');
      }
      projB = zeroPointTimesWeightsWithBias(projW, nOutput, nCell, hiddenZeroPoint, bias);
      effProj = quantizeMultiplier(f32(f32(scaleOf(ctx, projectionWeights, 'projection_weights') * hiddenScale) / outputStateScale));
    }

    y.shape = [...x.shape.slice(0, -1), nOutput];
    return {
      maxTime,
      batches,
      nInput,
      nCell,
      nOutput,
      timeMajor,
      cellScale,
      quantizedCellClip,
      quantizedProjClip,
      hiddenMultiplier: effHidden.multiplier,
      hiddenShift: effHidden.shift,
      hiddenOffset,
      outputStateZeroPoint,
      inputGate,
      forgetGate,
      cellGate,
      outputGate,
      projectionWeights: projW,
      projectionBias: projB,
      projectionMultiplier: effProj.multiplier,
      projectionShift: effProj.shift,
      cellTanh: new Int16Array(batches * nCell),
      hidden: new Int8Array(batches * nCell),
    };
  },
  eval(ctx, p) {
    const x = input(ctx, IN.input).data as Int8Array;
    const outputState = input(ctx, IN.outputState).data as Int8Array;
    const cellState = input(ctx, IN.cellState).data as Int16Array;
    const y = output(ctx, 0).data as Int8Array;
    const { maxTime, batches, nInput, nOutput } = p;
    if (p.timeMajor) {
      // All batches advance together, one time step at a time.
      for (let t = 0; t < maxTime; t++) {
        step(p, x, t * batches * nInput, outputState, cellState, 0, batches);
        y.set(outputState.subarray(0, batches * nOutput), t * batches * nOutput);
      }
      return;
    }
    for (let b = 0; b < batches; b++) {
      for (let t = 0; t < maxTime; t++) {
        const row = b * maxTime + t;
        step(p, x, row * nInput, outputState, cellState, b, 1);
        y.set(outputState.subarray(b * nOutput, (b + 1) * nOutput), row * nOutput);
      }
    }
  },
};

// UNIDIRECTIONAL_SEQUENCE_LSTM, full integer "8x8->16" (tensorflow/lite/kernels/
// unidirectional_sequence_lstm.cc PopulateQuantizedLstmParams8x8_16 and
// PopulatePrecomputedZPTimesWeightsWithBias; lstm_eval.cc EvalInteger8x8_16 / LstmStepInteger8x8_16
// with the portable tensor_utils). int8 input, weights and output; int32 biases; int16 cell
// state, gates (Q3.12 before the activations, Q0.15 after) and peephole / layer-norm weights.
//
// The output_state (int8) and cell_state (int16) inputs are variable tensors updated in place,
// so the state carries over between time steps and invokes. The five `intermediates` tensors
// carry the quantization of the gate pre-activations (used only with layer normalization;
// otherwise TFLite fixes them at 2^-12) and of the hidden value cell * output_gate. This file
// derives the step's constants; lstm_int_step.ts runs the step.
import { checkedLog2, f32, quantizeMultiplier } from '../quant/index.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { type IntGate, type IntLstmParams, lstmStepInteger } from './lstm_int_step.js';
import {
  LSTM_INPUTS,
  LSTM_INTERMEDIATES,
  type LstmGateName,
  type LstmGateTensors,
  type LstmStructure,
  lstmStructure,
} from './lstm_shared.js';
import { tensorScale, tensorZeroPoint } from './tensor_data.js';

/**
 * The hidden value o * tanh(c) is requantized to int8 with its zero point *subtracted* in the
 * TFLite the oracle ships (tfjs-tflite: PortableCwiseMul did `value -= output_zp`). TFLite later
 * (fix for b/246629213) made CwiseMul add the zero point and passes -hidden_zp only on the
 * projection path, so without projection current TFLite adds +hidden_zp. The two differ only when
 * the hidden intermediate's zero point is nonzero (keras_lstm_mnist_int8_uint8io: -1). We follow
 * the oracle; set this to false for current TFLite.
 */
const SUBTRACT_HIDDEN_ZERO_POINT = true;

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

/** The scales and zero points every gate's constants derive from. */
interface LstmQuantization {
  inputScale: number;
  inputZeroPoint: number;
  outputStateScale: number;
  outputStateZeroPoint: number;
  /** log2 of the (power-of-two) cell state scale. */
  cellScale: number;
  useLayerNorm: boolean;
}

/** One gate's matmul multipliers, zero-point-folded biases, peephole and layer norm (Prepare). */
function intGate(ctx: NodeContext, g: LstmGateTensors, name: LstmGateName, s: LstmStructure, q: LstmQuantization): IntGate {
  const { nInput, nCell, nOutput, batches } = s;
  const inputWeights = constant<Int8Array>(ctx, g.inputWeights, 'int8', `input_to_${name}_weights`);
  const recurrentWeights = constant<Int8Array>(ctx, g.recurrentWeights, 'int8', `recurrent_to_${name}_weights`);
  const bias = constant<Int32Array>(ctx, g.bias, 'int32', `${name}_gate_bias`);
  // Without layer norm TFLite fixes the gate's pre-activation scale at 2^-12 (Q3.12).
  const interScale = q.useLayerNorm
    ? scaleOf(ctx, ctx.intermediates[LSTM_INTERMEDIATES[name]] as RuntimeTensor, `intermediate ${LSTM_INTERMEDIATES[name]}`)
    : 2 ** -12;
  const effInput = quantizeMultiplier(f32(f32(scaleOf(ctx, g.inputWeights, `input_to_${name}_weights`) * q.inputScale) / interScale));
  const effRecurrent = quantizeMultiplier(
    f32(f32(scaleOf(ctx, g.recurrentWeights, `recurrent_to_${name}_weights`) * q.outputStateScale) / interScale),
  );
  let peephole: Int16Array | null = null;
  let effPeephole = { multiplier: 0, shift: 0 };
  if (g.peephole) {
    peephole = constant<Int16Array>(ctx, g.peephole, 'int16', `cell_to_${name}_weights`);
    // std::pow(2, cell_scale) is a double: the expression is evaluated in double.
    effPeephole = quantizeMultiplier(f32((2 ** q.cellScale * scaleOf(ctx, g.peephole, `cell_to_${name}_weights`)) / interScale));
  }
  let layerNorm: Int16Array | null = null;
  let layerNormScale = 1;
  if (g.layerNorm) {
    layerNorm = constant<Int16Array>(ctx, g.layerNorm, 'int16', `${name} layer norm coefficients`);
    layerNormScale = scaleOf(ctx, g.layerNorm, `${name} layer norm coefficients`);
  }
  const effLayerNorm = quantizeMultiplier(layerNormScale);
  return {
    inputWeights,
    // With layer normalization the gate bias is applied after normalizing, not in the matmul.
    inputBias: zeroPointTimesWeightsWithBias(inputWeights, nCell, nInput, -q.inputZeroPoint, q.useLayerNorm ? null : bias),
    inputMultiplier: effInput.multiplier,
    inputShift: effInput.shift,
    recurrentWeights,
    recurrentBias: zeroPointTimesWeightsWithBias(recurrentWeights, nCell, nOutput, -q.outputStateZeroPoint, null),
    recurrentMultiplier: effRecurrent.multiplier,
    recurrentShift: effRecurrent.shift,
    peephole,
    peepholeMultiplier: effPeephole.multiplier,
    peepholeShift: effPeephole.shift,
    layerNorm,
    layerNormBias: q.useLayerNorm ? bias : null,
    layerNormMultiplier: effLayerNorm.multiplier,
    layerNormShift: effLayerNorm.shift,
    varianceGuard: Math.max(1, Math.trunc(f32(10000 * layerNormScale))),
    sigmoid: name !== 'cell',
    values: new Int16Array(batches * nCell),
  };
}

export const unidirectionalSequenceLstmInt8: Kernel<IntLstmParams> = {
  prepare(ctx) {
    const x = input(ctx, LSTM_INPUTS.input);
    const y = output(ctx, 0);
    typed(ctx, x, 'int8', 'the input');
    typed(ctx, y, 'int8', 'the output');
    const s = lstmStructure(ctx, false);
    const { batches, nCell, nOutput, outputState, cellState } = s;
    const { cellClip, projClip } = s.options;
    typed(ctx, outputState, 'int8', 'output_state');
    typed(ctx, cellState, 'int16', 'cell_state');
    if (ctx.intermediates.length !== 5) fail(ctx, `an integer LSTM needs 5 intermediate tensors, got ${ctx.intermediates.length}`);

    // Scales (PopulateQuantizedLstmParams8x8_16). Every scale is a float32 and the products and
    // quotients are float32 arithmetic, except where std::pow brings in a double.
    const cellLog2 = checkedLog2(scaleOf(ctx, cellState, 'cell_state'));
    if (!cellLog2.isPowerOfTwo) fail(ctx, `the cell state scale ${tensorScale(cellState)} must be a power of two`);
    const cellScale = cellLog2.log2;
    if (15 + cellScale < 0 || 15 + cellScale > 6) fail(ctx, `cell state scale 2^${cellScale} is out of the supported range`);
    const q: LstmQuantization = {
      inputScale: scaleOf(ctx, x, 'the input'),
      inputZeroPoint: tensorZeroPoint(x),
      outputStateScale: scaleOf(ctx, outputState, 'output_state'),
      outputStateZeroPoint: tensorZeroPoint(outputState),
      cellScale,
      useLayerNorm: s.useLayerNorm,
    };
    const hiddenTensor = ctx.intermediates[LSTM_INTERMEDIATES.hidden] as RuntimeTensor;
    const hiddenScale = scaleOf(ctx, hiddenTensor, `intermediate ${LSTM_INTERMEDIATES.hidden} (hidden)`);
    const hiddenZeroPoint = tensorZeroPoint(hiddenTensor);
    // The projection path always takes -hidden_zp and folds +hidden_zp * row sums into its bias.
    const hiddenOffset = s.projectionWeights || SUBTRACT_HIDDEN_ZERO_POINT ? -hiddenZeroPoint : hiddenZeroPoint;

    const cellStateMax = f32(f32(cellClip) / f32(tensorScale(cellState)));
    const quantizedCellClip = cellClip > 0 ? Math.trunc(Math.min(Math.max(cellStateMax, -32768), 32767)) : 0;
    const projMax = f32(f32(projClip) / f32(tensorScale(y)));
    const quantizedProjClip = projClip > 0 ? Math.trunc(Math.min(Math.max(projMax, -128), 127)) : 0;

    const inputGate = s.inputGate ? intGate(ctx, s.inputGate, 'input', s, q) : null;
    const forgetGate = intGate(ctx, s.forgetGate, 'forget', s, q);
    const cellGate = intGate(ctx, s.cellGate, 'cell', s, q);
    const outputGate = intGate(ctx, s.outputGate, 'output', s, q);

    // effective_hidden_scale = 2^-15 / hidden_scale * 2^-15 (double), stored as float.
    const effHidden = quantizeMultiplier(f32((2 ** -15 / hiddenScale) * 2 ** -15));
    let projW: Int8Array | null = null;
    let projB: Int32Array | null = null;
    let effProj = { multiplier: 0, shift: 0 };
    if (s.projectionWeights) {
      projW = constant<Int8Array>(ctx, s.projectionWeights, 'int8', 'projection_weights');
      const bias = s.projectionBias ? constant<Int32Array>(ctx, s.projectionBias, 'int32', 'projection_bias') : null;
      projB = zeroPointTimesWeightsWithBias(projW, nOutput, nCell, hiddenZeroPoint, bias);
      effProj = quantizeMultiplier(f32(f32(scaleOf(ctx, s.projectionWeights, 'projection_weights') * hiddenScale) / q.outputStateScale));
    }

    y.shape = [...x.shape.slice(0, -1), nOutput];
    return {
      maxTime: s.maxTime,
      batches,
      nInput: s.nInput,
      nCell,
      nOutput,
      timeMajor: s.options.timeMajor,
      cellScale,
      quantizedCellClip,
      quantizedProjClip,
      hiddenMultiplier: effHidden.multiplier,
      hiddenShift: effHidden.shift,
      hiddenOffset,
      outputStateZeroPoint: q.outputStateZeroPoint,
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
    const x = input(ctx, LSTM_INPUTS.input).data as Int8Array;
    const outputState = input(ctx, LSTM_INPUTS.outputState).data as Int8Array;
    const cellState = input(ctx, LSTM_INPUTS.cellState).data as Int16Array;
    const y = output(ctx, 0).data as Int8Array;
    const { maxTime, batches, nInput, nOutput } = p;
    if (p.timeMajor) {
      // All batches advance together, one time step at a time.
      for (let t = 0; t < maxTime; t++) {
        lstmStepInteger(p, x, t * batches * nInput, outputState, cellState, 0, batches);
        y.set(outputState.subarray(0, batches * nOutput), t * batches * nOutput);
      }
      return;
    }
    for (let b = 0; b < batches; b++) {
      for (let t = 0; t < maxTime; t++) {
        const row = b * maxTime + t;
        lstmStepInteger(p, x, row * nInput, outputState, cellState, b, 1);
        y.set(outputState.subarray(b * nOutput, (b + 1) * nOutput), row * nOutput);
      }
    }
  },
};

// Differential cases for the stateful sequence ops: SVDF (float32, and full integer: int8
// activations, int16 weights_time and state, int32 bias) and UNIDIRECTIONAL_SEQUENCE_LSTM (float32,
// and full integer "8x8->16": int8 activations and weights, int16 cell state / peephole / layer
// norm, int32 biases, 5 quantized intermediates), with the variants TFLite's svdf_test and
// unidirectional_sequence_lstm_test / lstm_test vary: rank, memory size, activation, bias or
// none; time_major, CIFG, peephole, projection (+ bias), layer normalization, cell_clip /
// proj_clip. The state tensors are variables (zero, or the int8 zero point, at the start of
// each run); a graph of several nodes sharing the state and weights stands for several invokes
// of a streaming model, so the state carried between invokes is judged too. Quantization is drawn
// as the TFLite converter writes it (operator_property.cc / the quantization spec): symmetric
// weights, power-of-two int16 cell state, biases in input_scale * weight_scale units (after layer
// norm: layer_norm_scale / 1024 units), output = output_state parameters.
// See ../run_case.ts for the contract.
//
// No TFLite LSTM (the non-sequence op) line is registered on our CPU, so it has no fuzzer here.
import { LSTM_GATES, LSTM_INPUTS, type LstmGateName, type LstmGateSlots, type OptionsOf, SVDF_INPUTS, schema } from '../../../src/index.js';
import type { GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import {
  batchSize,
  type StreamingNodes,
  scaleAround,
  statefulFuzzer,
  streamingNodes,
  symmetricInts,
  tensorQuant,
  typedOptions,
  VARIABLE_NOTE,
} from './stateful.js';

const { NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT } = schema.ActivationFunctionType;

/** SVDF's weights, bias and state at their slots; the input slot is filled per node. */
function svdfInputs(wf: number, wt: number, bias: number, state: number): number[] {
  const inputs = new Array<number>(5).fill(-1);
  inputs[SVDF_INPUTS.weightsFeature] = wf;
  inputs[SVDF_INPUTS.weightsTime] = wt;
  inputs[SVDF_INPUTS.bias] = bias;
  inputs[SVDF_INPUTS.state] = state;
  return inputs;
}

// ---------------------------------------------------------------------------------------------
// SVDF

interface SvdfDims {
  batch: number;
  inputSize: number;
  rank: number;
  units: number;
  filters: number;
  memory: number;
}

function svdfDims(r: Rng): SvdfDims {
  const batch = batchSize(r);
  const inputSize = r.dim(9);
  const rank = r.pick([1, 1, 2, 3].filter((d) => d <= Math.max(1, r.size)));
  const units = r.dim(6);
  const memory = r.dim(10);
  return { batch, inputSize, rank, units, filters: units * rank, memory };
}

function svdfFloat(): OpFuzzer {
  return statefulFuzzer('SVDF', 'float32,float32 -> float32', (g, r) => {
    const d = svdfDims(r);
    const wf = g.constant('float32', [d.filters, d.inputSize], r.floats(d.filters * d.inputSize, -1, 1));
    const wt = g.constant('float32', [d.filters, d.memory], r.floats(d.filters * d.memory, -1, 1));
    const bias = r.bool(0.75) ? g.constant('float32', [d.units], r.floats(d.units, -2, 2)) : -1;
    const state = g.tensor({ dtype: 'float32', shape: [d.batch, d.memory * d.filters], isVariable: true });
    const activation = r.pick([NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT]);
    const range = r.pick([
      [-1, 1],
      [-3, 3],
      [0, 2],
    ] as [number, number][]);
    streamingNodes(g, r, {
      op: 'SVDF',
      inputs: svdfInputs(wf, wt, bias, state),
      inputSlot: SVDF_INPUTS.input,
      input: () => g.input('float32', [d.batch, d.inputSize], { range }),
      output: () => g.output('float32', [d.batch, d.units]),
      options: typedOptions('SVDFOptions', { rank: d.rank, fusedActivationFunction: activation }),
    });
  });
}

/**
 * Full-integer SVDF as the converter writes it (svdf_test's IntegerSVDFOpModel): int8 input and
 * output (asymmetric), int8 weights_feature and int16 weights_time (symmetric), int16 state
 * (symmetric: the kernel writes new frames without a zero point), int32 bias in units of
 * state_scale * weights_time_scale, RELU (the only activation TFLite's integer SVDF takes; it is
 * the int8 clamp).
 */
function svdfInt8(): OpFuzzer {
  return statefulFuzzer('SVDF', 'int8,int8 -> int8', (g, r) => {
    const d = svdfDims(r);
    const inQ = r.quant('int8', -2.5, 0);
    const inScale = inQ.scale[0] as number;
    const wfScale = r.scale(-3, -1);
    const wtScale = r.scale(-4.5, -2.5);
    // State scale: about 2 sigma of the feature products onto 8192, over two decades.
    const featureTypical = 74 * 73 * Math.sqrt(d.inputSize);
    const stateScale = scaleAround(r, (inScale * wfScale * featureTypical) / 8192, -1, 1);
    const timeTypical = 16000 * 18900 * Math.sqrt(d.memory * d.rank);
    const outScale = scaleAround(r, (stateScale * wtScale * timeTypical) / 64, -1, 1.5);
    const wf = g.constant('int8', [d.filters, d.inputSize], symmetricInts(r, d.filters * d.inputSize, 127), tensorQuant(wfScale));
    const wt = g.constant('int16', [d.filters, d.memory], symmetricInts(r, d.filters * d.memory, 32767), tensorQuant(wtScale));
    let bias = -1;
    if (r.bool(0.75)) {
      const span = r.pick([1000, timeTypical / 4, timeTypical, timeTypical, 2 ** 30]);
      bias = g.constant('int32', [d.units], r.ints(d.units, -Math.round(span), Math.round(span)), tensorQuant(stateScale * wtScale));
    }
    const state = g.tensor({ dtype: 'int16', shape: [d.batch, d.memory * d.filters], isVariable: true, quant: tensorQuant(stateScale) });
    const outQ = tensorQuant(outScale, r.zeroPoint('int8'));
    streamingNodes(g, r, {
      op: 'SVDF',
      inputs: svdfInputs(wf, wt, bias, state),
      inputSlot: SVDF_INPUTS.input,
      input: () => g.input('int8', [d.batch, d.inputSize], { quant: inQ }),
      output: () => g.output('int8', [d.batch, d.units], outQ),
      options: typedOptions('SVDFOptions', { rank: d.rank, fusedActivationFunction: RELU }),
      version: 3,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// UNIDIRECTIONAL_SEQUENCE_LSTM

/** The kernel's gate slots, in TFLite's gate order (input, forget, cell, output). */
const GATES = Object.entries(LSTM_GATES) as [LstmGateName, LstmGateSlots][];

interface LstmShape {
  timeMajor: boolean;
  batch: number;
  time: number;
  nInput: number;
  nCell: number;
  nOutput: number;
  cifg: boolean;
  peephole: boolean;
  projection: boolean;
  projectionBias: boolean;
  layerNorm: boolean;
  /** 20 (the deprecated layout without layer-norm inputs) or 24. */
  inputCount: number;
  cellClip: number;
  projClip: number;
}

function lstmShape(r: Rng): LstmShape {
  const projection = r.bool(0.35);
  const nCell = r.dim(8);
  const layerNorm = r.bool(0.35);
  return {
    timeMajor: r.bool(),
    batch: batchSize(r),
    time: r.pick([1, 2, 3, 5, r.int(1, 8)].filter((t) => t <= Math.max(1, r.size))),
    nInput: r.dim(8),
    nCell,
    nOutput: projection ? r.dim(8) : nCell,
    cifg: r.bool(0.3),
    peephole: r.bool(0.4),
    projection,
    projectionBias: projection && r.bool(0.6),
    layerNorm,
    inputCount: layerNorm || r.bool(0.7) ? 24 : 20,
    cellClip: r.pick([0, 0, 0, 0.5, 1, 3, 10]),
    projClip: r.pick([0, 0, 0.1, 0.5, 2]),
  };
}

/** The node's inputs, all omitted (-1) until the caller fills them in. */
function lstmInputs(s: LstmShape): number[] {
  return new Array<number>(s.inputCount).fill(-1);
}

const lstmInputShape = (s: LstmShape) => (s.timeMajor ? [s.time, s.batch, s.nInput] : [s.batch, s.time, s.nInput]);

/** Nodes sharing the weights and state in `inputs`, each with its own input and output. */
function lstmNodes(
  g: GraphBuilder,
  r: Rng,
  inputs: number[],
  io: Pick<StreamingNodes, 'input' | 'output' | 'intermediates'>,
  values: OptionsOf<'UnidirectionalSequenceLSTMOptions'>,
): void {
  streamingNodes(g, r, {
    op: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    inputs,
    inputSlot: LSTM_INPUTS.input,
    ...io,
    options: typedOptions('UnidirectionalSequenceLSTMOptions', values),
    version: 1,
  });
}

function lstmFloat(): OpFuzzer {
  const note =
    `${VARIABLE_NOTE}; activation NONE not drawn (TFLite leaves the cell gate and hidden value in stale scratch; we refuse it); ` +
    'diagonal (1-D) recurrent weights not drawn (tfjs-tflite predates them: it refuses 1-D recurrent weights and version 4)';
  const build = (g: GraphBuilder, r: Rng) => {
    const s = lstmShape(r);
    // Layer norm over two cells normalizes to +-1, except where the two pre-activations nearly
    // tie: there the float summation order decides (ours and TFLite's differ by up to 4e-5
    // relative), so float cases with layer norm have 1 or at least 3 cells.
    if (s.layerNorm && s.nCell === 2) {
      s.nCell = 3;
      if (!s.projection) s.nOutput = 3;
    }
    const xShape = lstmInputShape(s);
    const inputs = lstmInputs(s);
    // Weights of about unit gain: W·x and R·h stay in the sigmoid / tanh's working range.
    const gain = r.pick([0.5, 1, 2]);
    const weights = (rows: number, cols: number) =>
      g.constant('float32', [rows, cols], r.floats(rows * cols, -gain / Math.sqrt(cols), gain / Math.sqrt(cols)));
    for (const [name, slots] of GATES) {
      if (name === 'input' && s.cifg) continue;
      inputs[slots.inputWeights] = weights(s.nCell, s.nInput);
      inputs[slots.recurrentWeights] = weights(s.nCell, s.nOutput);
      inputs[slots.bias] = g.constant('float32', [s.nCell], r.floats(s.nCell, -1, 1));
      if (s.peephole && slots.peephole !== null) inputs[slots.peephole] = g.constant('float32', [s.nCell], r.floats(s.nCell, -1, 1));
      if (s.layerNorm) inputs[slots.layerNorm] = g.constant('float32', [s.nCell], r.floats(s.nCell, 0.2, 1.5));
    }
    if (s.projection) {
      inputs[LSTM_INPUTS.projectionWeights] = weights(s.nOutput, s.nCell);
      if (s.projectionBias) inputs[LSTM_INPUTS.projectionBias] = g.constant('float32', [s.nOutput], r.floats(s.nOutput, -0.5, 0.5));
    }
    inputs[LSTM_INPUTS.outputState] = g.tensor({ dtype: 'float32', shape: [s.batch, s.nOutput], isVariable: true });
    inputs[LSTM_INPUTS.cellState] = g.tensor({ dtype: 'float32', shape: [s.batch, s.nCell], isVariable: true });
    // Diagonal recurrent weights (diagonal_recurrent_tensors, version 4) are not drawn: the
    // oracle's TFLite requires 2-D recurrent weights and registers versions up to 3.
    const values = {
      // NONE is not drawn: TFLite's ApplyActivationToVector returns without writing its result
      // there, so the cell gate and hidden value are stale scratch (we refuse NONE).
      fusedActivationFunction: r.pick([TANH, TANH, TANH, RELU, RELU_N1_TO_1, RELU6, SIGN_BIT]),
      cellClip: s.cellClip,
      projClip: s.projClip,
      timeMajor: s.timeMajor,
    };
    const range = r.pick([
      [-1, 1],
      [-3, 3],
      [0, 1],
    ] as [number, number][]);
    lstmNodes(
      g,
      r,
      inputs,
      { input: () => g.input('float32', xShape, { range }), output: () => g.output('float32', [...xShape.slice(0, 2), s.nOutput]) },
      values,
    );
  };
  return statefulFuzzer('UNIDIRECTIONAL_SEQUENCE_LSTM', 'float32,*,float32', build, { floatTolerance: 2e-5, note });
}

/**
 * Full-integer LSTM (unidirectional_sequence_lstm_test's 8x8_16 models, the converter's
 * operator_property for LSTM): int8 asymmetric input, output_state and output (the output has the
 * output_state's parameters); int8 symmetric weights; int16 symmetric peephole and layer-norm
 * coefficients; int16 cell state with a power-of-two scale in 2^-15..2^-9; int32 biases;
 * intermediates 0-3 int16 symmetric (the gate pre-activations: read only with layer norm, else
 * TFLite fixes them at 2^-12) and 4 int8 asymmetric (the hidden value o * tanh(c)).
 */
/** The scales an integer LSTM's gate weights are drawn around. */
interface Int8GateScales {
  inScale: number;
  stateScale: number;
  /** Typical size of the real gate pre-activations. */
  target: number;
}

/** One gate's int8 weights, int16 peephole and layer-norm coefficients and int32 bias, into `inputs`. */
function int8Gate(g: GraphBuilder, r: Rng, s: LstmShape, slots: LstmGateSlots, q: Int8GateScales, inputs: number[]): void {
  const iwScale = scaleAround(r, q.target / (q.inScale * 74 * 73 * Math.sqrt(s.nInput)), -1, 0.7);
  const rwScale = scaleAround(r, q.target / (q.stateScale * 74 * 73 * Math.sqrt(s.nOutput)), -1, 0.7);
  inputs[slots.inputWeights] = g.constant('int8', [s.nCell, s.nInput], symmetricInts(r, s.nCell * s.nInput, 127), tensorQuant(iwScale));
  inputs[slots.recurrentWeights] = g.constant(
    'int8',
    [s.nCell, s.nOutput],
    symmetricInts(r, s.nCell * s.nOutput, 127),
    tensorQuant(rwScale),
  );
  if (s.peephole && slots.peephole !== null) {
    // Peephole coefficients of up to about one (real), stored in a part of the int16 range.
    const pMax = r.pick([32767, 4000, 500]);
    inputs[slots.peephole] = g.constant(
      'int16',
      [s.nCell],
      symmetricInts(r, s.nCell, pMax),
      tensorQuant(scaleAround(r, 1 / pMax, -1, 0.5)),
    );
  }
  let biasValues: number[];
  let biasScale: number;
  if (s.layerNorm) {
    const lnScale = r.scale(-4.5, -3);
    const lnMax = Math.min(32767, Math.round(1.5 / lnScale));
    const lnLo = Math.min(lnMax, Math.round(0.2 / lnScale));
    inputs[slots.layerNorm] = g.constant('int16', [s.nCell], r.ints(s.nCell, lnLo, lnMax), tensorQuant(lnScale));
    // After layer norm the bias is in layer_norm_scale / 1024 units (the normalized value is Q10).
    biasScale = lnScale / 1024;
    const span = Math.min(2 ** 30, Math.round(r.pick([0.1, 1, 3]) / biasScale));
    biasValues = r.ints(s.nCell, -span, span);
  } else {
    biasScale = q.inScale * iwScale;
    const span = r.pick([0, 1000, Math.round(74 * 73 * Math.sqrt(s.nInput)), 2 ** 20]);
    biasValues = r.ints(s.nCell, -span, span);
  }
  inputs[slots.bias] = g.constant('int32', [s.nCell], biasValues, tensorQuant(biasScale));
}

/**
 * Full-integer LSTM (unidirectional_sequence_lstm_test's 8x8_16 models, the converter's
 * operator_property for LSTM): int8 asymmetric input, output_state and output (the output has the
 * output_state's parameters); int8 symmetric weights; int16 symmetric peephole and layer-norm
 * coefficients; int16 cell state with a power-of-two scale in 2^-15..2^-9; int32 biases;
 * intermediates 0-3 int16 symmetric (the gate pre-activations: read only with layer norm, else
 * TFLite fixes them at 2^-12) and 4 int8 asymmetric (the hidden value o * tanh(c)).
 */
function lstmInt8(): OpFuzzer {
  return statefulFuzzer('UNIDIRECTIONAL_SEQUENCE_LSTM', 'int8,*,int8 -> int8', (g, r) => {
    const s = lstmShape(r);
    // TFLite's integer peephole walks the cell state with n_output as the vector length: past
    // n_cell it reads and writes outside its buffers, so such cases are not generated.
    if (s.peephole && s.nOutput > s.nCell) s.nOutput = s.nCell;
    const xShape = lstmInputShape(s);
    const inputs = lstmInputs(s);
    const inQ = r.quant('int8', -2.5, -0.5);
    // Output state: values in about [-1, 1] (or wider with a projection).
    const stateQ = tensorQuant(scaleAround(r, 1 / 128, -0.3, s.projection ? 1 : 0.3), r.zeroPoint('int8'));
    const stateScale = stateQ.scale[0] as number;
    const cellScale = 2 ** r.pick([-15, -12, -11, -11, -10, -9]);
    // Gate pre-activations (Q3.12 without layer norm): real values of a few units.
    const scales: Int8GateScales = { inScale: inQ.scale[0] as number, stateScale, target: r.pick([0.5, 2, 6]) };
    const intermediates: number[] = [];
    for (const [name, slots] of GATES) {
      // Now and then a coarse one (pre-activations of a few LSB): the layer norm's variance
      // then drops below 1 and its variance guard takes over.
      const interScale = s.layerNorm ? (r.bool(0.15) ? r.scale(-0.7, 0.3) : r.scale(-4.5, -2.5)) : 2 ** -12;
      // The converter writes the gate intermediates even without layer norm.
      intermediates.push(g.tensor({ dtype: 'int16', shape: [], quant: tensorQuant(interScale) }));
      if (!(name === 'input' && s.cifg)) int8Gate(g, r, s, slots, scales, inputs);
    }
    // Hidden o * tanh(c) in [-1, 1]: int8 of about 1/128 with a zero point.
    const hiddenQ = tensorQuant(scaleAround(r, 1 / 128, -0.3, 0.3), r.pick([0, 0, r.int(-20, 20), r.int(-128, 127)]));
    intermediates.push(g.tensor({ dtype: 'int8', shape: [], quant: hiddenQ }));
    if (s.projection) {
      const hiddenScale = hiddenQ.scale[0] as number;
      const pwScale = scaleAround(r, (stateScale * 64) / (hiddenScale * 74 * 73 * Math.sqrt(s.nCell)), -1, 0.5);
      inputs[LSTM_INPUTS.projectionWeights] = g.constant(
        'int8',
        [s.nOutput, s.nCell],
        symmetricInts(r, s.nOutput * s.nCell, 127),
        tensorQuant(pwScale),
      );
      if (s.projectionBias) {
        const span = r.pick([100, 5000, 2 ** 20]);
        const bias = r.ints(s.nOutput, -span, span);
        inputs[LSTM_INPUTS.projectionBias] = g.constant('int32', [s.nOutput], bias, tensorQuant(hiddenScale * pwScale));
      }
    }
    inputs[LSTM_INPUTS.outputState] = g.tensor({ dtype: 'int8', shape: [s.batch, s.nOutput], isVariable: true, quant: stateQ });
    inputs[LSTM_INPUTS.cellState] = g.tensor({
      dtype: 'int16',
      shape: [s.batch, s.nCell],
      isVariable: true,
      quant: tensorQuant(cellScale),
    });
    const values = { fusedActivationFunction: TANH, cellClip: s.cellClip, projClip: s.projection ? s.projClip : 0, timeMajor: s.timeMajor };
    const input = () => g.input('int8', xShape, { quant: inQ });
    const output = () => g.output('int8', [...xShape.slice(0, 2), s.nOutput], stateQ);
    lstmNodes(g, r, inputs, { input, output, intermediates }, values);
  });
}

export const sequenceFuzzers: OpFuzzer[] = [svdfFloat(), svdfInt8(), lstmFloat(), lstmInt8()];

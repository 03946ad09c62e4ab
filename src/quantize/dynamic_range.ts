// Dynamic-range mode (prepare_quantize_dynamic_range.cc, quantize.cc, tfl_ops.td): the weights of
// ops with hybrid kernels become symmetric int8 constants read directly by the op (activations,
// bias and outputs stay float32); the weights of a few other ops become int8 constants feeding
// DEQUANTIZE. Constants under 1024 elements stay float32.
import * as fb from '../model/schema/tflite_generated.js';
import {
  addTensor,
  constantFloats,
  consumers,
  type ModelT,
  type OperatorT,
  opcodeFor,
  opName,
  quantParams,
  raiseVersion,
  setConstant,
  tensorName,
  topologicalOrder,
} from './graph.js';
import type { NodeReport } from './report.js';
import { quantizeSymmetricInt8 } from './weights.js';

/** minimum_elements_for_weights (quantization_config.h). */
export const MIN_ELEMENTS_FOR_WEIGHTS = 1024;

interface DynamicRangeRule {
  /** Input slots holding the weights to quantize. */
  slots: number[];
  /** The op reads the int8 weight itself (a hybrid kernel); otherwise int8 → DEQUANTIZE. */
  hybrid: boolean;
  /** The per-channel axis of the weight, or null when the converter quantizes per tensor. */
  axis: number | null;
  /** Per channel even when perChannel is false: TFLite's hybrid DEPTHWISE_CONV_2D has no per-tensor path. */
  alwaysPerChannel?: boolean;
  /** Sets asymmetric_quantize_inputs (the hybrid kernel quantizes its input with a zero point). */
  asymmetricInputs: boolean;
  /** Op versions: per-tensor hybrid, and per-channel hybrid. */
  version?: { perTensor: number; perChannel: number };
}

const LSTM_WEIGHT_SLOTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16];

/**
 * The ops and slots the converter quantizes. FULLY_CONNECTED is per tensor here: the per-channel
 * hybrid FC (version 12) is what the newest converters write, but no real runtime the project
 * checks against computes it as TFLite's builtin kernels do (see harness/verify.ts referenceGap).
 */
export const DYNAMIC_RANGE_RULES: Record<string, DynamicRangeRule> = {
  CONV_2D: { slots: [1], hybrid: true, axis: 0, asymmetricInputs: false, version: { perTensor: 2, perChannel: 5 } },
  DEPTHWISE_CONV_2D: {
    slots: [1],
    hybrid: true,
    axis: 3,
    alwaysPerChannel: true,
    asymmetricInputs: false,
    version: { perTensor: 4, perChannel: 6 },
  },
  FULLY_CONNECTED: { slots: [1], hybrid: true, axis: null, asymmetricInputs: true, version: { perTensor: 9, perChannel: 12 } },
  BATCH_MATMUL: { slots: [1], hybrid: true, axis: null, asymmetricInputs: true, version: { perTensor: 4, perChannel: 4 } },
  SVDF: { slots: [1, 2], hybrid: true, axis: null, asymmetricInputs: true, version: { perTensor: 4, perChannel: 4 } },
  UNIDIRECTIONAL_SEQUENCE_RNN: {
    slots: [1, 2],
    hybrid: true,
    axis: null,
    asymmetricInputs: true,
    version: { perTensor: 3, perChannel: 3 },
  },
  LSTM: { slots: LSTM_WEIGHT_SLOTS, hybrid: true, axis: null, asymmetricInputs: true, version: { perTensor: 4, perChannel: 4 } },
  UNIDIRECTIONAL_SEQUENCE_LSTM: {
    slots: LSTM_WEIGHT_SLOTS,
    hybrid: true,
    axis: null,
    asymmetricInputs: true,
    version: { perTensor: 3, perChannel: 3 },
  },
  TRANSPOSE_CONV: { slots: [1], hybrid: false, axis: 0, asymmetricInputs: false },
  GATHER: { slots: [0], hybrid: false, axis: null, asymmetricInputs: false },
  EMBEDDING_LOOKUP: { slots: [1], hybrid: false, axis: null, asymmetricInputs: false },
};

/** DEQUANTIZE of int8: version 2, per-channel 5 (op_version.cc). */
const DEQUANTIZE_INT8_VERSION = { perTensor: 2, perChannel: 5 };

export interface DynamicRangeOptions {
  perChannel: boolean;
}

export function quantizeDynamicRange(model: ModelT, nodes: NodeReport[], options: DynamicRangeOptions): { dequantize: number } {
  let added = 0;
  for (const [si, sg] of model.subgraphs.entries()) {
    const readers = consumers(sg);
    const extra: OperatorT[] = [];
    const dequantized = new Map<number, number>(); // float tensor → its DEQUANTIZE output (shared)
    sg.operators.forEach((op, i) => {
      const name = opName(model, op);
      const rule = DYNAMIC_RANGE_RULES[name];
      const report: NodeReport = { subgraph: si, node: i, op: name, action: 'float' };
      nodes.push(report);
      if (!rule) return;
      // One small weight keeps a whole LSTM float (the converter does not mix float and int8 gates).
      const weights = rule.slots.map((s) => op.inputs[s] ?? -1).filter((t) => t >= 0);
      const floats = weights.map((t) => constantFloats(model, sg.tensors[t] as fb.TensorT));
      const big = floats.map((f) => !!f && f.length >= MIN_ELEMENTS_FOR_WEIGHTS);
      const lstm = name.includes('LSTM');
      if (lstm ? !big.every(Boolean) || !big.length : !big.some(Boolean)) {
        report.detail = floats.some((f) => f)
          ? `weights under ${MIN_ELEMENTS_FOR_WEIGHTS} elements stay float32`
          : 'weights are not constant';
        return;
      }
      const axis = options.perChannel || rule.alwaysPerChannel ? rule.axis : null;
      let perChannel = false;
      weights.forEach((t, k) => {
        const values = floats[k];
        if (!values || !big[k]) return;
        const tensor = sg.tensors[t] as fb.TensorT;
        const q = quantizeSymmetricInt8(values, tensor.shape, axis);
        if (q.scales.length > 1) perChannel = true;
        const quantization = quantParams(
          q.scales,
          q.scales.map(() => 0),
          q.axis,
        );
        if (rule.hybrid) {
          const shared = (readers.get(t) ?? []).length > 1;
          // A weight shared with another reader gets its own int8 copy; the float one stays for the other.
          const target = shared
            ? (sg.tensors[
                addTensor(model, sg, { name: tensorName(tensor), shape: [...tensor.shape], type: fb.TensorType.INT8 })
              ] as fb.TensorT)
            : tensor;
          if (shared) op.inputs[rule.slots[k] as number] = sg.tensors.indexOf(target);
          setConstant(model, target, fb.TensorType.INT8, q.values);
          target.quantization = quantization;
          return;
        }
        const reuse = dequantized.get(t);
        if (reuse !== undefined) {
          op.inputs[rule.slots[k] as number] = reuse;
          return;
        }
        const int8 = addTensor(model, sg, { name: tensorName(tensor), shape: [...tensor.shape], type: fb.TensorType.INT8, quantization });
        setConstant(model, sg.tensors[int8] as fb.TensorT, fb.TensorType.INT8, q.values);
        const out = addTensor(model, sg, {
          name: `${tensorName(tensor)}_dequantize`,
          shape: [...tensor.shape],
          type: fb.TensorType.FLOAT32,
        });
        const version = q.scales.length > 1 ? DEQUANTIZE_INT8_VERSION.perChannel : DEQUANTIZE_INT8_VERSION.perTensor;
        extra.push(new fb.OperatorT(opcodeFor(model, fb.BuiltinOperator.DEQUANTIZE, version), [int8], [out]));
        added++;
        dequantized.set(t, out);
        op.inputs[rule.slots[k] as number] = out;
      });
      if (rule.hybrid) {
        report.action = 'hybrid';
        report.detail = `int8 weights${perChannel ? ` per channel (axis ${axis})` : ''}${rule.asymmetricInputs ? ', asymmetric_quantize_inputs' : ''}`;
        if (rule.asymmetricInputs) setAsymmetricInputs(op);
        if (rule.version) raiseVersion(model, op, perChannel ? rule.version.perChannel : rule.version.perTensor);
      } else {
        report.action = 'weights-dequantized';
        report.detail = 'int8 constants → DEQUANTIZE';
      }
    });
    sg.operators = topologicalOrder(sg, [...sg.operators, ...extra]);
  }
  return { dequantize: added };
}

function setAsymmetricInputs(op: OperatorT): void {
  const options = op.builtinOptions as { asymmetricQuantizeInputs?: boolean } | null;
  if (options && 'asymmetricQuantizeInputs' in options) options.asymmetricQuantizeInputs = true;
}

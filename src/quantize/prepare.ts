// Brings a float model to plain float32 constants before any mode runs: FLOAT16 constants that
// feed DEQUANTIZE (an fp16 model) are folded into float32 constants, so fp16 models quantize too.
import { halfToFloat } from '../kernels/dequantize.js';
import * as fb from '../model/schema/tflite_generated.js';
import { QuantizeError } from './errors.js';
import { constantBytes, describeNode, type ModelT, opName, setConstant } from './graph.js';

export function foldFloat16Constants(model: ModelT): number {
  let folded = 0;
  for (const sg of model.subgraphs) {
    sg.operators = sg.operators.filter((op) => {
      if (opName(model, op) !== 'DEQUANTIZE') return true;
      const input = sg.tensors[op.inputs[0] ?? -1];
      const output = sg.tensors[op.outputs[0] ?? -1];
      const bytes = input && input.type === fb.TensorType.FLOAT16 ? constantBytes(model, input) : null;
      if (!bytes || !output) return true;
      const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      const floats = Float32Array.from(halves, halfToFloat);
      setConstant(model, output, fb.TensorType.FLOAT32, floats);
      folded++;
      return false;
    });
  }
  return folded;
}

/** Throws unless every subgraph-0 input and output is float32 (what the quantizer starts from). */
export function checkFloatModel(model: ModelT): void {
  const sg = model.subgraphs[0];
  if (!sg) throw new QuantizeError('the model has no subgraph');
  sg.operators.forEach((op, i) => {
    for (const t of op.inputs) {
      const tensor = sg.tensors[t];
      if (tensor?.quantization?.scale.length && tensor.type !== fb.TensorType.FLOAT32) {
        throw new QuantizeError(
          `is already quantized (tensor '${String(tensor.name)}' is ${fb.TensorType[tensor.type]}); quantize a float model`,
          describeNode(model, 0, i, op),
        );
      }
    }
  });
}

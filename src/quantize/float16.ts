// float16 mode (prepare_quantize_dynamic_range.cc, quantizeOpAsFloat16): every FLOAT32 constant
// an op reads becomes a FLOAT16 constant feeding one DEQUANTIZE (shared by its consumers); the
// ops stay float. No size threshold. DEQUANTIZE from FLOAT16 is version 3.
import * as fb from '../model/schema/tflite_generated.js';
import {
  addTensor,
  constantFloats,
  consumers,
  type ModelT,
  type OperatorT,
  opcodeFor,
  opName,
  setMetadata,
  tensorName,
  topologicalOrder,
} from './graph.js';
import type { NodeReport } from './report.js';
import { toFloat16 } from './weights.js';

export const DEQUANTIZE_FLOAT16_VERSION = 3;

export function quantizeFloat16(model: ModelT, nodes: NodeReport[]): { dequantize: number } {
  let added = 0;
  for (const [si, sg] of model.subgraphs.entries()) {
    const readers = consumers(sg);
    const touched = new Set<number>();
    const extra: OperatorT[] = [];
    for (const [t, uses] of readers) {
      const tensor = sg.tensors[t];
      if (!tensor) continue;
      const floats = constantFloats(model, tensor);
      if (!floats) continue;
      const name = tensorName(tensor);
      const half = addTensor(model, sg, { name, shape: [...tensor.shape], type: fb.TensorType.FLOAT16 });
      const halfTensor = sg.tensors[half] as fb.TensorT;
      halfTensor.buffer = model.buffers.length;
      model.buffers.push(new fb.BufferT(Array.from(new Uint8Array(toFloat16(floats).buffer))));
      // The float tensor becomes DEQUANTIZE's output: same index, so every consumer keeps reading it.
      tensor.buffer = 0;
      tensor.name = `${name}_dequantize`;
      const dq = new fb.OperatorT(opcodeFor(model, fb.BuiltinOperator.DEQUANTIZE, DEQUANTIZE_FLOAT16_VERSION), [half], [t]);
      extra.push(dq);
      added++;
      for (const u of uses) touched.add(u.node);
    }
    sg.operators.forEach((op, i) => {
      nodes.push({
        subgraph: si,
        node: i,
        op: opName(model, op),
        action: touched.has(i) ? 'weights-dequantized' : 'float',
        detail: touched.has(i) ? 'float16 constants' : undefined,
      });
    });
    // Each DEQUANTIZE lands just before its first consumer.
    sg.operators = topologicalOrder(sg, [...sg.operators, ...extra]);
  }
  // Tells delegates the model accepts fp16 accumulation (reduced_precision_metadata.h).
  setMetadata(model, 'reduced_precision_support', new TextEncoder().encode('fp16accfp32'));
  return { dequantize: added };
}

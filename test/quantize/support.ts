// Shared by the quantizer tests: the float models to quantize, running a model on our CPU
// interpreter, and how far a quantized model's outputs are from the float model's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/corpus.js';
import { Interpreter, type Model, type TypedArray } from '../../src/index.js';
import { hasShared, SHARED_MODELS_DIR } from '../support/corpus.js';

/** The float models the quantizer tests cover (shared corpus ones skip, visibly, when it is absent). */
export const FLOAT_MODELS = [
  'hand_recrop_f32',
  'mobilenet_v1_025_224_f32',
  'mnist_conv_fc_f32',
  'hello_world_f32',
  'magic_wand_f32',
  'blazeface_front_f32',
  'dilated_conv_f32',
].map((name) => ({ name, path: join(SHARED_MODELS_DIR, `${name}.tflite`), available: hasShared }));

/** fp16 weights, shipped by an npm devDependency: always present. */
export const NPM_FP16_MODEL = {
  name: 'face_detection_short_range',
  path: join(REPO_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite'),
  available: existsSync(join(REPO_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite')),
};

export const ALL_MODELS = [...FLOAT_MODELS, NPM_FP16_MODEL];

export function load(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Runs a model on our CPU interpreter; integer outputs come back dequantized. */
export async function runCpu(bytes: Uint8Array, inputs: readonly ArrayBufferView[]): Promise<Float32Array[]> {
  const interpreter = await Interpreter.create(bytes);
  await interpreter.allocateTensors();
  interpreter.getInputDetails().forEach((d, i) => {
    interpreter.setTensor(d.index, inputs[i] as TypedArray);
  });
  await interpreter.invoke();
  return interpreter.getOutputDetails().map((d) => {
    const data = interpreter.getTensor(d.index);
    if (data instanceof Float32Array) return data;
    const q = d.quantization;
    const scale = q?.scale[0] ?? 1;
    const zero = q?.zeroPoint[0] ?? 0;
    return Float32Array.from(data as ArrayLike<number>, (v) => (v - zero) * scale);
  });
}

/** The worst over outputs of max|a − b| / max|a| (a is the float model's). */
export function relativeGap(float: readonly Float32Array[], quantized: readonly Float32Array[]): number {
  let worst = 0;
  float.forEach((a, k) => {
    const b = quantized[k] as Float32Array;
    let diff = 0;
    let peak = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
      peak = Math.max(peak, Math.abs(a[i] as number));
    }
    worst = Math.max(worst, diff / (peak || 1));
  });
  return worst;
}

/** Each node's op and version, and the tensors it reads. */
export function nodesOf(model: Model, op: string) {
  const sg = model.subgraphs[0];
  if (!sg) return [];
  return sg.operators.filter((o) => o.op === op).map((o) => ({ ...o, tensors: o.inputs.map((i) => (i < 0 ? null : sg.tensors[i])) }));
}

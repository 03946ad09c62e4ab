// The guides' small MNIST model trained from scratch in Node with @tensorflow/tfjs (its pure-JS
// CPU backend), on the first 8,000 MNIST *test* images (only the test set ships in
// ../shared/data/mnist) and scored on the remaining 2,000, then written as a float .tflite with
// the project's own builder. The guides' model: Reshape 28x28x1 → Conv2D(12, 3x3, relu) →
// MaxPool 2x2 → Flatten → Dense(10), one epoch.

import type { Mnist } from './eval_mnist.js';
import { buildModel, GraphBuilder } from './fuzz/graph.js';

export const TRAIN_IMAGES = 8000;

export interface TrainedModel {
  bytes: Uint8Array;
  /** tfjs's own accuracy on images 8,000..9,999 (none trained on). */
  tfjsAccuracy: number;
  trainSeconds: number;
}

const SAME_PADDING_VALID = 1; // schema Padding: SAME = 0, VALID = 1
const RELU = 1;

export async function trainMnist(mnist: Mnist, options: { epochs?: number; seed?: number } = {}): Promise<TrainedModel> {
  // A devDependency, loaded only when asked for (eval-mnist --train); untyped, because its
  // WebGPU backend's GPU type declarations clash with the project's @webgpu/types.
  const tfjs = '@tensorflow/tfjs';
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const tf: any = await import(tfjs);
  await tf.setBackend('cpu');
  const seed = options.seed ?? 1;
  const pixels = (from: number, n: number) =>
    tf.tensor3d(
      Float32Array.from(mnist.images.subarray(from * 784, (from + n) * 784), (v) => v / 255),
      [n, 28, 28],
    );
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28, 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ filters: 12, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(),
    loss: (y: unknown, logits: unknown) => tf.losses.softmaxCrossEntropy(y, logits),
    metrics: ['accuracy'],
  });
  const x = pixels(0, TRAIN_IMAGES);
  const y = tf.oneHot(tf.tensor1d(Array.from(mnist.labels.subarray(0, TRAIN_IMAGES)), 'int32'), 10);
  const t0 = performance.now();
  await model.fit(x, y, { epochs: options.epochs ?? 1, batchSize: 32, shuffle: false, verbose: 0 });
  const trainSeconds = (performance.now() - t0) / 1000;
  const testX = pixels(TRAIN_IMAGES, mnist.count - TRAIN_IMAGES);
  const predicted: Int32Array = model.predict(testX).argMax(-1).dataSync();
  let correct = 0;
  predicted.forEach((p, i) => {
    if (p === mnist.labels[TRAIN_IMAGES + i]) correct++;
  });
  const [convKernel, convBias, denseKernel, denseBias] = model.getWeights().map((w: { dataSync(): Float32Array }) => w.dataSync());
  const bytes = writeTflite(convKernel as Float32Array, convBias as Float32Array, denseKernel as Float32Array, denseBias as Float32Array);
  tf.dispose([x, y, testX]);
  model.dispose();
  return { bytes, tfjsAccuracy: correct / (mnist.count - TRAIN_IMAGES), trainSeconds };
}

/** tfjs keeps conv kernels HWIO and dense kernels [in, out]; TFLite wants OHWI and [out, in]. */
function writeTflite(convKernel: Float32Array, convBias: Float32Array, denseKernel: Float32Array, denseBias: Float32Array): Uint8Array {
  const ohwi = new Float32Array(12 * 9);
  for (let o = 0; o < 12; o++) for (let k = 0; k < 9; k++) ohwi[o * 9 + k] = convKernel[k * 12 + o] as number;
  const flat = 13 * 13 * 12;
  const fc = new Float32Array(10 * flat);
  for (let o = 0; o < 10; o++) for (let i = 0; i < flat; i++) fc[o * flat + i] = denseKernel[i * 10 + o] as number;
  const g = new GraphBuilder();
  const image = g.input('float32', [1, 28, 28], { name: 'image' });
  const nhwc = g.activation('float32', [1, 28, 28, 1]);
  g.node('RESHAPE', [image, g.constant('int32', [4], [1, 28, 28, 1])], [nhwc], {
    type: 'ReshapeOptions',
    values: { newShape: [1, 28, 28, 1] },
  });
  const conv = g.activation('float32', [1, 26, 26, 12]);
  g.node('CONV_2D', [nhwc, g.constant('float32', [12, 3, 3, 1], ohwi), g.constant('float32', [12], convBias)], [conv], {
    type: 'Conv2DOptions',
    values: { padding: SAME_PADDING_VALID, strideW: 1, strideH: 1, dilationWFactor: 1, dilationHFactor: 1, fusedActivationFunction: RELU },
  });
  const pooled = g.activation('float32', [1, 13, 13, 12]);
  g.node('MAX_POOL_2D', [conv], [pooled], {
    type: 'Pool2DOptions',
    values: { padding: SAME_PADDING_VALID, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2, fusedActivationFunction: 0 },
  });
  const flatT = g.activation('float32', [1, flat]);
  g.node('RESHAPE', [pooled, g.constant('int32', [2], [1, flat])], [flatT], { type: 'ReshapeOptions', values: { newShape: [1, flat] } });
  const logits = g.tensor({ dtype: 'float32', shape: [1, 10], name: 'logits' });
  g.graph.outputs.push(logits);
  g.node('FULLY_CONNECTED', [flatT, g.constant('float32', [10, flat], fc), g.constant('float32', [10], denseBias)], [logits], {
    type: 'FullyConnectedOptions',
    values: { fusedActivationFunction: 0 },
  });
  return buildModel(g.graph);
}

// eval-mnist on a small sample: real MNIST test images (calibration ones excluded) through the
// corpus's float MNIST models and every quantized variant on the CPU interpreter. The float
// models' accuracy shows the images and labels are read right; each variant must stay near it
// and have the size its mode implies.
import { describe, expect, it } from 'vitest';
import { evalMnist, loadMnist, mnistMissing } from '../../harness/eval_mnist.js';

describe.skipIf(mnistMissing() !== null)('eval-mnist', () => {
  it('reads the idx files: 10,000 images with labels 0..9', () => {
    const mnist = loadMnist();
    expect(mnist.count).toBe(10_000);
    expect(mnist.images.length).toBe(10_000 * 784);
    expect(new Set(mnist.labels).size).toBe(10);
  });

  it('every mode near float accuracy, at the size the mode implies', { timeout: 300_000 }, async () => {
    const rows = await evalMnist({ calibration: 100, samples: 100, backends: ['cpu'] });
    expect(rows).toHaveLength(2 * 5);
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      const float = rows.find((f) => f.model === row.model && f.mode === 'float32');
      if (!float?.accuracy || row.accuracy === undefined) throw new Error(`${row.model} ${row.mode}: no accuracy`);
      expect(float.accuracy).toBeGreaterThan(0.9);
      // 100 images: 3 of them is the most a variant may lose.
      expect(row.accuracy).toBeGreaterThanOrEqual(float.accuracy - 0.03);
      const ratio = row.bytes / float.bytes;
      if (row.mode === 'float16') expect(ratio).toBeGreaterThan(0.45);
      if (row.mode === 'float16') expect(ratio).toBeLessThan(0.56);
      if (row.mode !== 'float32' && row.mode !== 'float16') expect(ratio).toBeLessThan(0.3);
    }
    // The uint8 image input's CAST stays float in the integer modes, as TFLite's converter keeps it.
    const keras = rows.filter((r) => r.model === 'mnist_keras_f32_uint8in' && (r.mode === 'int8' || r.mode === '16x8'));
    for (const r of keras) expect(r.floatFallback).toEqual(['CAST']);
  });
});

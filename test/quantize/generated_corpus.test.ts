// The generated integer corpus (verify --all --generated), a fast subset: one npm-shipped model
// per @mediapipe package not covered by the other quantizer tests, in modes that finish fast,
// each quantized with the seeded synthetic set and verified on our CPU interpreter against the
// real runtime; and a model the quantizer refuses, listed with its reason instead of dropped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/corpus.js';
import { nodeOracle } from '../../harness/node_oracle.js';
import { floatCorpusModels, quantizeAndVerify } from '../../harness/quantized_corpus.js';
import type { QuantizeMode } from '../../src/index.js';

const npm = (file: string) => join(REPO_ROOT, 'node_modules/@mediapipe', file);
const SUBSET: [string, QuantizeMode[]][] = [
  ['selfie_segmentation/selfie_segmentation.tflite', ['float16']],
  ['hands/hand_landmark_lite.tflite', ['float16', 'int8']],
  ['pose/pose_landmark_lite.tflite', ['dynamic-range', '16x8']],
  ['objectron/object_detection_3d_cup.tflite', ['int8']],
  ['face_detection/face_detection_full_range.tflite', ['16x8']],
];

describe('generated integer corpus (fast subset)', () => {
  it('takes the float32 and fp16 models of the corpus, not the quantized ones', () => {
    const names = floatCorpusModels().map((m) => m.name);
    expect(names).toContain('face_detection_short_range');
    expect(names).toContain('pose_landmark_lite');
    expect(names).not.toContain('mnist_conv_fc_int8');
    expect(names).not.toContain('mobilenet_v2_035_96_embedder_hybrid');
  });

  for (const [file, modes] of SUBSET) {
    for (const mode of modes) {
      it.skipIf(!existsSync(npm(file)))(`${file} ${mode}: the real runtime agrees`, { timeout: 300_000 }, async () => {
        const r = await quantizeAndVerify(file, new Uint8Array(readFileSync(npm(file))), mode, { oracle: nodeOracle, samples: 4 });
        expect(r.reason).toBeUndefined();
        // verify's verdict (integer bars, float tails as verify judges them), with its reasons on failure.
        expect(r.status, r.report?.outputs.map((o) => o.problem ?? 'ok').join('; ')).toBe('pass');
        // fp16 sources stay about the same size in float16; the int8-weight modes shrink them.
        expect(r.bytesAfter).toBeLessThan((r.bytesBefore as number) * (mode === 'float16' ? 1.1 : 0.8));
      });
    }
  }

  const sparse = npm('face_detection/face_detection_full_range_sparse.tflite');
  it.skipIf(!existsSync(sparse))('a model the quantizer cannot take is listed with its reason', { timeout: 120_000 }, async () => {
    const r = await quantizeAndVerify('sparse', new Uint8Array(readFileSync(sparse)), 'int8', { oracle: nodeOracle, samples: 2 });
    expect(r.status).toBe('refused');
    expect(r.reason).toMatch(/CONV_2D.*not a float32 constant/);
  });
});

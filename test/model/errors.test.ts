// Broken files end in a ModelError with one sentence that says what and where — never a raw
// exception, an out-of-bounds read, a hang or a huge allocation. Thousands of corruptions of
// real models: truncations, byte flips and absurd dimensions.
import { readFileSync } from 'node:fs';
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/model/errors.js';
import { readModel } from '../../src/model/reader.js';
import * as fb from '../../src/model/schema/tflite_generated.js';
import { summarize } from '../../src/model/summary.js';
import { corpusModels } from '../support/corpus.js';

const models = corpusModels();
const pick = (name: string) => new Uint8Array(readFileSync(models.find((m) => m.name === name)?.path as string));
const SMALL = pick('face_detection_short_range');
const SELFIE = pick('selfie_segmentation');

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses; returns 'ok' or 'model-error'; any other exception fails the test. */
function outcome(bytes: Uint8Array): 'ok' | 'model-error' {
  try {
    const model = readModel(bytes);
    summarize(model);
    return 'ok';
  } catch (e) {
    if (e instanceof ModelError) {
      expect(e.message.length).toBeGreaterThan(10);
      return 'model-error';
    }
    throw e;
  }
}

describe('clear errors for non-models', () => {
  it('rejects an empty file, a text file and a wrong identifier', () => {
    expect(() => readModel(new Uint8Array(0))).toThrow(/0 bytes, too small/);
    expect(() => readModel(new TextEncoder().encode('{"name": "not a model"}'))).toThrow(/not a TFLite model: file identifier is/);
    const wrongVersion = SMALL.slice();
    wrongVersion.set(new TextEncoder().encode('TFL2'), 4);
    expect(() => readModel(wrongVersion)).toThrow(ModelError);
  });

  it('names the tensor and the sizes when a buffer is too small for its shape', () => {
    // Make a copy whose first float16 weight tensor claims a larger first dimension.
    const bytes = SMALL.slice();
    const bb = new flatbuffers.ByteBuffer(bytes);
    const sg = fb.Model.getRootAsModel(bb).subgraphs(0) as fb.SubGraph;
    let target = -1;
    for (let t = 0; t < sg.tensorsLength(); t++) if (sg.tensors(t)?.type() === fb.TensorType.FLOAT16) target = t;
    const tensor = sg.tensors(target) as fb.Tensor;
    const shapeStart = bb.__vector(tensor.bb_pos + bb.__offset(tensor.bb_pos, 4));
    new DataView(bytes.buffer).setInt32(shapeStart, tensor.shape(0)! + 1, true);
    expect(() => readModel(bytes)).toThrow(
      new RegExp(`subgraph 0 tensor ${target} '.*': buffer \\d+ holds \\d+ bytes but FLOAT16 \\[.*\\] needs \\d+`),
    );
  });

  it('rejects absurd dimensions without allocating', () => {
    const bytes = SMALL.slice();
    const bb = new flatbuffers.ByteBuffer(bytes);
    const sg = fb.Model.getRootAsModel(bb).subgraphs(0) as fb.SubGraph;
    const input = sg.tensors(sg.inputs(0)!) as fb.Tensor;
    const shapeStart = bb.__vector(input.bb_pos + bb.__offset(input.bb_pos, 4));
    const view = new DataView(bytes.buffer);
    view.setInt32(shapeStart + 4, 0x7fffffff, true);
    view.setInt32(shapeStart + 8, 0x7fffffff, true);
    expect(() => readModel(bytes)).toThrow(/would need \d+ bytes, more than the \d+-byte limit/);
    view.setInt32(shapeStart + 4, -5, true);
    expect(() => readModel(bytes)).toThrow(/negative dimension/);
  });
});

describe('fuzzed corpus files', () => {
  it('truncation at 1000 points ends in a ModelError', () => {
    const rand = rng(1);
    for (let i = 0; i < 1000; i++) {
      const cut = i < 64 ? i : Math.floor(rand() * SMALL.byteLength);
      // Data of the last buffers may sit near the end; everything before the root tables must fail.
      const r = outcome(SMALL.subarray(0, cut));
      expect(r === 'model-error' || cut > SMALL.byteLength - 64).toBe(true);
    }
  });

  it('3000 random byte flips each end in a ModelError or a valid model, quickly', () => {
    const rand = rng(2);
    const counts = { ok: 0, 'model-error': 0 };
    const start = performance.now();
    for (const [source, n] of [
      [SMALL, 2000],
      [SELFIE, 1000],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const bytes = source.slice();
        const flips = 1 + Math.floor(rand() * 4);
        // Bias flips toward the flatbuffer tables (the first and last few KiB), where they matter.
        for (let f = 0; f < flips; f++) {
          const region = rand();
          const at =
            region < 0.4
              ? Math.floor(rand() * 4096)
              : region < 0.8
                ? bytes.byteLength - 1 - Math.floor(rand() * 8192)
                : Math.floor(rand() * bytes.byteLength);
          bytes[at] = Math.floor(rand() * 256);
        }
        counts[outcome(bytes)]++;
      }
    }
    const perFile = (performance.now() - start) / 3000;
    expect(counts['model-error']).toBeGreaterThan(100);
    expect(counts.ok).toBeGreaterThan(100);
    expect(perFile).toBeLessThan(50); // a hang would blow far past this
  });

  it('int32 fields overwritten with huge values end in a ModelError or a valid model', () => {
    const rand = rng(3);
    const huge = [0x7fffffff, -1, 0x40000000, -0x80000000, 0xffff];
    for (let i = 0; i < 1000; i++) {
      const bytes = SMALL.slice();
      const at = (rand() < 0.5 ? Math.floor(rand() * 4096) : bytes.byteLength - 8192 + Math.floor(rand() * 8188)) & ~3;
      new DataView(bytes.buffer).setInt32(at, huge[i % huge.length] as number, true);
      outcome(bytes);
    }
  });
});

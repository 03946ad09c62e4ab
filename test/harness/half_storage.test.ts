// The f16 activation storage reference: every rounding WGSL allows lands on a neighbouring half
// (checked against the half grid built from IEEE bits, not against the code under test), and the
// interpreter option rounds exactly the activations nodes write, never the subgraph's outputs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type HalfRounding, halfStorageObserver, roundToHalf } from '../../harness/half_storage.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { halfToFloat } from '../../src/kernels/dequantize.js';
import { corpusModels } from '../support/corpus.js';

const round = (v: number, mode: HalfRounding, salt = 0) => {
  const a = new Float32Array([v]);
  roundToHalf(a, mode, salt);
  return a[0] as number;
};

/** Every finite half value, ascending (from the IEEE bit patterns). */
const HALVES = (() => {
  const out: number[] = [];
  for (let h = 0; h < 0x7c00; h++) out.push(halfToFloat(h), -halfToFloat(h));
  return [...new Set(out)].sort((a, b) => a - b);
})();

/** The halves just below and above v (equal when v is a half). */
function neighbours(v: number): [number, number] {
  let lo = 0;
  let hi = HALVES.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((HALVES[mid] as number) <= v) lo = mid;
    else hi = mid;
  }
  const below = HALVES[lo] as number;
  return below === v ? [v, v] : [below, HALVES[hi] as number];
}

describe('roundToHalf', () => {
  it('rounds 1 + 2^-12 (a quarter of the way to the next half) each way', () => {
    const v = 1 + 2 ** -12;
    expect(round(v, 'nearest')).toBe(1);
    expect(round(v, 'toward-zero')).toBe(1);
    expect(round(v, 'away-from-zero')).toBe(1 + 2 ** -10);
    expect(round(-v, 'toward-zero')).toBe(-1);
    expect(round(-v, 'away-from-zero')).toBe(-(1 + 2 ** -10));
    expect(round(1 + 3 * 2 ** -12, 'toward-zero')).toBe(1); // nearest is the upper half here
  });

  it('keeps halves, zeros and NaN as they are', () => {
    for (const mode of ['nearest', 'toward-zero', 'away-from-zero', 'stochastic'] as const) {
      for (const v of [0, -0, 1, -2.5, 65504, 2 ** -24, -(2 ** -14)]) expect(Object.is(round(v, mode), v)).toBe(true);
      expect(round(Number.NaN, mode)).toBeNaN();
    }
  });

  it('handles subnormals and saturates beyond 65504 (nearest overflows to infinity as IEEE does)', () => {
    const v = 1.5 * 2 ** -24;
    expect(round(v, 'toward-zero')).toBe(2 ** -24);
    expect(round(v, 'away-from-zero')).toBe(2 ** -23);
    expect(round(2 ** -26, 'away-from-zero')).toBe(2 ** -24);
    expect(round(2 ** -26, 'toward-zero')).toBe(0);
    expect(round(70000, 'toward-zero')).toBe(65504);
    expect(round(-70000, 'away-from-zero')).toBe(-65504);
    expect(round(70000, 'nearest')).toBe(Number.POSITIVE_INFINITY);
  });

  it('always lands on one of the two neighbouring halves, the right one per mode', () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    for (let k = 0; k < 3000; k++) {
      const v = Math.fround((rand() * 2 - 1) * 2 ** (rand() * 40 - 26));
      const [lo, hi] = neighbours(v);
      const zeroSide = Math.abs(lo) < Math.abs(hi) ? lo : hi;
      const farSide = zeroSide === lo ? hi : lo;
      expect(round(v, 'toward-zero') + 0).toBe(zeroSide + 0); // + 0: a tiny negative value rounds to -0
      expect(round(v, 'away-from-zero')).toBe(farSide);
      expect([lo, hi]).toContain(round(v, 'nearest'));
      expect(Math.abs(round(v, 'nearest') - v)).toBeLessThanOrEqual(Math.min(v - lo, hi - v));
      expect([lo, hi]).toContain(round(v, 'stochastic', k));
    }
  });

  it('stochastic rounding is unbiased and reproducible', () => {
    const v = 1 + 2 ** -12;
    const a = new Float32Array(20000).fill(v);
    roundToHalf(a, 'stochastic', 3);
    const up = a.filter((x) => x > 1).length / a.length;
    expect(up).toBeGreaterThan(0.23);
    expect(up).toBeLessThan(0.27);
    const b = new Float32Array(20000).fill(v);
    roundToHalf(b, 'stochastic', 3);
    expect(b).toEqual(a);
  });
});

describe('halfStorageObserver', () => {
  // Selfie segmentation ends in LOGISTIC, so its output is computed, not a copy of a rounded tensor.
  const selfie = corpusModels().find((m) => m.name === 'selfie_segmentation');
  it('rounds every activation a node writes to a half, but not the output, and stays close to float32', { timeout: 60_000 }, async () => {
    const bytes = new Uint8Array(readFileSync(selfie?.path as string));
    const input = new Float32Array(256 * 256 * 3).map((_, i) => 0.5 + Math.sin(i * 0.37) * 0.4);
    const run = async (activationStorage: 'float32' | 'float16') => {
      const observer = activationStorage === 'float16' ? halfStorageObserver(bytes) : undefined;
      const it = await Interpreter.create(bytes, { observer, preserveAllTensors: true });
      await it.allocateTensors();
      it.setTensor(it.getInputDetails()[0]?.index as number, input);
      await it.invoke();
      return it;
    };
    const f32 = await run('float32');
    const f16 = await run('float16');
    const [output] = f16.getOutputDetails().map((d) => d.index);
    const sg = f16.model.subgraphs[0];
    const isHalf = (x: number) => neighbours(x)[0] === x;
    let rounded = 0;
    for (const step of f16.placement().nodes.filter((n) => n.backend === 'cpu')) {
      for (const t of sg?.operators[step.node]?.outputs ?? []) {
        if (t === output) continue;
        expect((f16.getTensor(t) as Float32Array).every(isHalf), `tensor ${t} written by node ${step.node} ${step.op}`).toBe(true);
        rounded++;
      }
    }
    expect(rounded).toBeGreaterThan(100);
    const a = f16.getTensor(output as number) as Float32Array;
    const b = f32.getTensor(output as number) as Float32Array;
    expect(a.every(isHalf)).toBe(false);
    // Probabilities: f16 storage moves them, by little.
    const err = Math.max(...Array.from(a, (x, i) => Math.abs(x - (b[i] as number))));
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(0.1);
  });
});

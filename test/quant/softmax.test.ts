import { describe, expect, it } from 'vitest';
import {
  populateSoftmaxFloatTable,
  prepareSoftmaxInt16,
  prepareSoftmaxQuantized,
  softmaxFloatTableRow,
  softmaxInt16Row,
  softmaxQuantizedRow,
} from '../../src/quant/index.js';

describe('fixed-point SOFTMAX (reference_ops::Softmax)', () => {
  it('equal inputs share the probability exactly', () => {
    const p = prepareSoftmaxQuantized(1, 0.1);
    const out = new Int8Array(4);
    softmaxQuantizedRow([7, 7, 7, 7], 0, 4, out, 0, p, 'int8');
    expect(Array.from(out)).toEqual([-64, -64, -64, -64]); // 0.25 * 256 - 128
    const out16 = new Int16Array(2);
    softmaxQuantizedRow([-3, -3], 0, 2, out16, 0, p, 'int16');
    expect(Array.from(out16)).toEqual([0, 0]); // 0.5 * 65536 - 32768
    const outU8 = new Uint8Array(1);
    softmaxQuantizedRow([200], 0, 1, outU8, 0, p, 'uint8');
    expect(outU8[0]).toBe(255); // 1.0 * 256 saturates
  });

  it('inputs below diffMin give the type minimum; offsets and in-place rows work', () => {
    const p = prepareSoftmaxQuantized(1, 1); // diffMin is small: exp(-31) is nothing
    expect(p.diffMin).toBeGreaterThan(-32);
    const row = new Int8Array([0, 0, 100, -128, 100, 0]);
    softmaxQuantizedRow(row, 2, 3, row, 2, p, 'int8'); // in place, middle of the buffer
    expect(Array.from(row)).toEqual([0, 0, 0, -128, 0, 0]); // 0.5 / 0.5 / ~0
  });

  it('tracks the real softmax', () => {
    const p = prepareSoftmaxQuantized(1.5, 0.05);
    const input = [-128, -20, 0, 13, 50, 51, 127];
    const out = new Int8Array(input.length);
    softmaxQuantizedRow(input, 0, input.length, out, 0, p, 'int8');
    const e = input.map((q) => Math.exp(1.5 * Math.fround(0.05) * (q - 127)));
    const sum = e.reduce((a, b) => a + b, 0);
    input.forEach((_, i) => {
      expect(Math.abs((out[i] as number) + 128 - (e[i] as number) / sum / (1 / 256))).toBeLessThanOrEqual(1);
    });
  });
});

describe('float-table SOFTMAX (optimized_ops::Softmax)', () => {
  it('hand-computed rows', () => {
    const table = populateSoftmaxFloatTable(0.1, 1);
    expect(table[255]).toBe(1);
    expect(table[254]).toBe(Math.fround(Math.exp(Math.fround(-0.1 * 1))));
    const out = new Int8Array(4);
    softmaxFloatTableRow([5, 5, 5, 5], 0, 4, out, 0, table, 1 / 256, -128, 'int8');
    expect(Array.from(out)).toEqual([-64, -64, -64, -64]);
    const outU8 = new Uint8Array(2);
    softmaxFloatTableRow([9, 9], 0, 2, outU8, 0, table, 1 / 256, 0, 'uint8');
    expect(Array.from(outU8)).toEqual([128, 128]);
    const out16 = new Int16Array(1);
    softmaxFloatTableRow([-128], 0, 1, out16, 0, table, 1 / 32768, 0, 'int16');
    expect(out16[0]).toBe(32767); // 1.0 * 32768 clamps
  });
});

describe('int16 SOFTMAX (reference_ops::SoftmaxInt16)', () => {
  it('equal inputs, a dominant input and in-place use', () => {
    const p = prepareSoftmaxInt16(1, 1 / 4096);
    const out = new Int16Array(4);
    softmaxInt16Row([100, 100, 100, 100], 0, 4, out, 0, p);
    for (const v of out) expect(Math.abs(v - 8192)).toBeLessThanOrEqual(2); // 0.25 in Q0.15, via two tables
    const row = new Int16Array([32767, -32768]);
    softmaxInt16Row(row, 0, 2, row, 0, p);
    expect(row[0]).toBeGreaterThanOrEqual(32760);
    // The exp table stops at exp(-10) = 1.5 / 32768, so the tiny entry is not quite 0.
    expect(row[1]).toBeLessThanOrEqual(2);
  });

  it('prepare rescales [-65535, 0] to [-10, 0] with a float32 input_scale * beta', () => {
    // (2^-8 * 1) / (10 / 65535) = 25.599609375 -> frexp: 0.7999877929 * 2^5.
    const p = prepareSoftmaxInt16(1, 2 ** -8);
    expect(p.inputLeftShift).toBe(5);
    expect(p.inputMultiplier).toBe(Math.round(((2 ** -8 / (10 / 65535)) * 2 ** 31) / 2 ** 5));
    expect(p.expLut.length).toBe(513);
  });

  it('tracks the real softmax', () => {
    const p = prepareSoftmaxInt16(1, 1 / 2048);
    const input = [-5000, -2000, 0, 1000, 1500, 1600];
    const out = new Int16Array(input.length);
    softmaxInt16Row(input, 0, input.length, out, 0, p);
    const e = input.map((q) => Math.exp((q - 1600) / 2048));
    const sum = e.reduce((a, b) => a + b, 0);
    input.forEach((_, i) => {
      expect(Math.abs((out[i] as number) / 32768 - (e[i] as number) / sum)).toBeLessThan(2e-3);
    });
  });
});

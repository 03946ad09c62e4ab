import { describe, expect, it } from 'vitest';
import {
  lutLookupInt8,
  lutLookupInt16,
  populateLutInt8,
  populateLutInt16,
  populateLutUint8,
  sigmoidFloat32,
  softmaxInt16Luts,
  tanhFloat32,
} from '../../src/quant/index.js';

/** round(v / 2) with ties away from zero, written out. */
const halfAway = (v: number) => (v >= 0 ? Math.floor((v + 1) / 2) : -Math.floor((1 - v) / 2));

describe('int8 / uint8 tables (LUTPopulate)', () => {
  it('rounds exact ties away from zero and indexes int8 by its bit pattern', () => {
    // Identity on scale 0.5 -> 1: entry v is round(v / 2), every odd v a tie.
    const lut = populateLutInt8(0.5, 0, 1, 0, (x) => x);
    for (let v = -128; v <= 127; v++) expect(lutLookupInt8(v, lut), `v=${v}`).toBe(halfAway(v));
    expect(lut[0]).toBe(0); // q = 0
    expect(lut[255]).toBe(-1); // q = -1: -0.5 -> -1
    expect(lut[128]).toBe(-64); // q = -128
    expect(lut[127]).toBe(64); // q = 127: 63.5 -> 64
    const ulut = populateLutUint8(0.5, 128, 1, 128, (x) => x);
    for (let v = 0; v <= 255; v++) expect(ulut[v], `v=${v}`).toBe(128 + halfAway(v - 128));
  });

  it('clamps to the output type', () => {
    const lut = populateLutInt8(1, 0, 1, 100, (x) => x);
    expect(lutLookupInt8(27, lut)).toBe(127);
    expect(lutLookupInt8(28, lut)).toBe(127);
    expect(lutLookupInt8(-128, lut)).toBe(-28);
    const ulut = populateLutUint8(1, 0, 1, -10, (x) => x);
    expect(ulut[5]).toBe(0);
    expect(ulut[255]).toBe(245);
  });

  it('LOGISTIC spot values (scale 0.1, output 1/256 with zero point -128)', () => {
    const lut = populateLutInt8(0.1, 0, 1 / 256, -128, sigmoidFloat32);
    expect(lutLookupInt8(0, lut)).toBe(0); // 0.5 * 256 - 128
    expect(lutLookupInt8(10, lut)).toBe(59); // sigmoid(1) * 256 = 187.15
    expect(lutLookupInt8(-10, lut)).toBe(-59); // 68.85 -> 69 - 128
    expect(lutLookupInt8(127, lut)).toBe(127); // 256 clamps
    expect(lutLookupInt8(-128, lut)).toBe(-128);
  });

  it('TANH spot values (scale 0.05, output 1/128 with zero point 0)', () => {
    const lut = populateLutInt8(0.05, 0, 1 / 128, 0, tanhFloat32);
    expect(lutLookupInt8(0, lut)).toBe(0);
    expect(lutLookupInt8(20, lut)).toBe(97); // tanh(1) * 128 = 97.48
    expect(lutLookupInt8(-20, lut)).toBe(-97);
    expect(lutLookupInt8(127, lut)).toBe(127);
    expect(lutLookupInt8(-128, lut)).toBe(-128);
  });

  it('rounds the transform result to float32 before scaling', () => {
    // float32(0.5 - 2^-30) is 0.5, a tie that rounds to 1; in double it would round to 0.
    const lut = populateLutInt8(1, 0, 1, 0, (x) => (x === 1 ? 0.5 - 2 ** -30 : 0));
    expect(lutLookupInt8(1, lut)).toBe(1);
    const lut2 = populateLutInt8(1, 0, 1, 0, (x) => (x === 1 ? 0.5 - 2 ** -20 : 0));
    expect(lutLookupInt8(1, lut2)).toBe(0);
  });
});

describe('int16 tables (513 entries) and LUTLookup', () => {
  it('interpolates with the low 7 bits, rounding half up', () => {
    const lut = new Int16Array(513);
    for (let i = 0; i <= 512; i++) lut[i] = (i - 256) * 100;
    expect(lutLookupInt16(-32768, lut)).toBe(-25600);
    expect(lutLookupInt16(0, lut)).toBe(0);
    expect(lutLookupInt16(64, lut)).toBe(50); // half a segment
    expect(lutLookupInt16(1, lut)).toBe(1); // 100/128 = 0.78 -> 1
    expect(lutLookupInt16(-1, lut)).toBe(-1); // segment 255, offset 127: -100 + 99.2 -> -0.78 -> -1
    expect(lutLookupInt16(32767, lut)).toBe(25500 + 99); // 100 * 127/128 = 99.2
    // Ties: slope 1, offset 64 -> (64 + 64) >> 7 = 1 (half up); slope -1 -> (-64 + 64) >> 7 = 0.
    const flat = new Int16Array(513).fill(0);
    flat[257] = 1;
    expect(lutLookupInt16(64, flat)).toBe(1);
    flat[257] = -1;
    expect(lutLookupInt16(64, flat)).toBe(0);
  });

  it('wraps the slope and the result like the int16 C++ casts', () => {
    const lut = new Int16Array(513);
    lut[256] = -32768;
    lut[257] = 32767; // slope 65535 wraps to -1
    // delta = (-127 + 64) >> 7 = -1; -32768 - 1 wraps to 32767.
    expect(lutLookupInt16(127, lut)).toBe(32767);
  });

  it('SOFTMAX tables: end points computed by hand', () => {
    const { expLut, oneOverOnePlusXLut } = softmaxInt16Luts();
    expect(expLut.length).toBe(513);
    expect(expLut[512]).toBe(32767); // exp(0) * 32768 clamps
    expect(oneOverOnePlusXLut[0]).toBe(32767); // 1/(1+0) * 32768 clamps, zero bias
    expect(oneOverOnePlusXLut[512]).toBe(16384); // 1/2 * 32768
    expect(expLut[0]).toBeLessThan(3); // exp(-10) * 32768 = 1.49
    expect(softmaxInt16Luts().expLut).toBe(expLut); // built once
  });

  it('float32 and double computations differ where float32 rounding matters', () => {
    const f = populateLutInt16(1 / 4096, 0, 1 / 32768, 0, Math.tanh, 'float32');
    const d = populateLutInt16(1 / 4096, 0, 1 / 32768, 0, Math.tanh, 'float64');
    expect(f.length).toBe(513);
    // Entry 256 samples x = -8 + 256 * (65535 / 4096) / 512 = -1/8192: tanh(x) * 32768 = -4.
    expect(f[256]).toBe(-4);
    expect(f[512]).toBe(32767);
    expect(f[0]).toBe(-32768);
    // Both are tanh tables; they agree within one unit everywhere.
    for (let i = 0; i <= 512; i++) expect(Math.abs((f[i] as number) - (d[i] as number))).toBeLessThanOrEqual(1);
  });
});

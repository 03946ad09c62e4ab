import { describe, expect, it } from 'vitest';
import { asymmetricQuantizeFloats, batchQuantizeFloats, roundHalfAway, symmetricQuantizeFloats } from '../../src/kernels/hybrid.js';

describe('hybrid input quantization (portable_tensor_utils.cc)', () => {
  it('rounds half away from zero, like std::round', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.4999999, -1.5000001, 0.49999997].map(roundHalfAway)).toEqual([3, -3, 1, -1, 1, -2, 0]);
  });

  it('symmetric: scale max|x| / 127 in float, values rounded from x * (127 / max|x|)', () => {
    const out = new Float32Array(4);
    const scale = symmetricQuantizeFloats(new Float32Array([0.5, -1, 0.25, 1 / 254]), 0, 4, out, 0);
    expect(scale).toBe(Math.fround(1 / 127));
    // 0.5 * 127 = 63.5 -> 64 (half away); 0.25 * 127 = 31.75 -> 32; 127 / 254 = 0.5 in float -> 1.
    expect(Array.from(out)).toEqual([64, -127, 32, 1]);
  });

  it('symmetric: an all-zero run gives scale 1 and zeros; offsets select the run', () => {
    const out = new Float32Array(6).fill(9);
    expect(symmetricQuantizeFloats(new Float32Array([5, 0, 0, 0, 5, 5]), 1, 3, out, 2)).toBe(1);
    expect(Array.from(out)).toEqual([9, 9, 0, 0, 0, 9]);
  });

  it('asymmetric: zero point from the closer end, nudged and rounded half away; outputs are q - zero point', () => {
    const out = new Float32Array(3);
    const scales = new Float32Array(1);
    const zps = new Int32Array(1);
    asymmetricQuantizeFloats(new Float32Array([-1, 0, 1]), 0, 3, out, 0, scales, zps, 0);
    // scale 2/255; both candidate zero points are -0.5, errors 255.5 vs 254.5 -> from max -> -0.5 -> -1.
    expect(scales[0]).toBe(Math.fround(2 / 255));
    expect(zps[0]).toBe(-1);
    // 1 / f(2/255) rounds to 127.49999 in float: q(1) = round(-1 + 127.49999) = 126, q(-1) = -128.
    expect(Array.from(out)).toEqual([-128 + 1, 0, 126 + 1]);
  });

  it('asymmetric: the range always holds zero; positive-only input uses zero point -128', () => {
    const out = new Float32Array(2);
    const scales = new Float32Array(1);
    const zps = new Int32Array(1);
    asymmetricQuantizeFloats(new Float32Array([1.26, 2.55]), 0, 2, out, 0, scales, zps, 0);
    expect(zps[0]).toBe(-128);
    expect(scales[0]).toBe(Math.fround(0.01));
    expect(Array.from(out)).toEqual([126, 255]);
  });

  it('asymmetric: constant input gives scale 1, zero point 0', () => {
    const out = new Float32Array(2).fill(7);
    const scales = new Float32Array(1);
    const zps = new Int32Array(1).fill(5);
    asymmetricQuantizeFloats(new Float32Array([0, 0]), 0, 2, out, 0, scales, zps, 0);
    expect([scales[0], zps[0], ...out]).toEqual([1, 0, 0, 0]);
  });

  it('batchQuantizeFloats quantizes each batch on its own range', () => {
    const x = new Float32Array([1, -0.5, 10, 5]);
    const out = new Float32Array(4);
    const scales = new Float32Array(2);
    const zps = new Int32Array(2);
    batchQuantizeFloats(x, 2, 2, out, scales, zps, false);
    expect(Array.from(scales)).toEqual([Math.fround(1 / 127), Math.fround(10 / 127)]);
    expect(Array.from(out)).toEqual([127, -64, 127, 64]);
    expect(Array.from(zps)).toEqual([0, 0]);
  });
});

// Quantized RESIZE_BILINEAR: int8/int16 use integer positions in 1/1024 and round half away from
// zero; uint8 uses float32 weights plus 0.5 (truncated), or for exact 8x half-pixel upsampling the
// 1/16-weight fixed-point path. Expected values by hand.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/model/dtype.js';
import { runOp } from '../support/run_op.js';

const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

function resize(dtype: DType, shape: number[], data: number[], size: [number, number], options = {}) {
  return runOp({
    op: 'RESIZE_BILINEAR',
    options,
    inputs: [
      { dtype, shape, data, quantization: q(0.1, 0) },
      { dtype: 'int32', shape: [2], data: size, constant: true },
    ],
    outputs: [{ dtype, quantization: q(0.1, 0) }],
  })[0]!;
}

describe('RESIZE_BILINEAR int8 / int16', () => {
  it('int8 2x2 -> 4x4 (positions 0, 0.5, 1, 1.5 clamped)', () => {
    const r = resize('int8', [1, 2, 2, 1], [0, 10, 20, 30], [4, 4]);
    expect(r.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0, 5, 10, 10, 10, 15, 20, 20, 20, 25, 30, 30, 20, 25, 30, 30]);
  });

  it('int8 halves round away from zero', () => {
    // 1x2 -> 1x4: x positions 0, 0.5, 1, 1.5: (-1 + 0) / 2 = -0.5 -> -1; (3 + 4)... single row
    const r = resize('int8', [1, 1, 2, 1], [-1, 0], [1, 4]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([-1, -1, 0, 0]);
    const s = resize('int8', [1, 1, 2, 1], [3, 4], [1, 4]);
    expect(Array.from(s.data as ArrayLike<number>)).toEqual([3, 4, 4, 4]); // 3.5 -> 4
  });

  it('int16 half-pixel centers: the first output samples -0.25, weights relative to index 0', () => {
    // 1x2 -> 1x4, scale 0.5: positions -0.25, 0.25, 0.75, 1.25 -> v0, 0.75 v0 + 0.25 v1, ..., v1
    const r = resize('int16', [1, 1, 2, 1], [1000, 2000], [1, 4], { halfPixelCenters: true });
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([1000, 1250, 1750, 2000]);
  });

  it('align_corners maps the corners onto each other', () => {
    const r = resize('int16', [1, 1, 2, 1], [0, 3000], [1, 4], { alignCorners: true });
    // scale (2-1)/(4-1) = 1/3 -> 341/1024 steps: 0, 341, 682, 1023 (clamped hi) of 3000
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0, 999, 1998, 2997]);
  });

  it('rejects half_pixel_centers with align_corners', () => {
    expect(() => resize('int8', [1, 1, 1, 1], [0], [2, 2], { alignCorners: true, halfPixelCenters: true })).toThrow(/cannot both/);
  });
});

describe('RESIZE_BILINEAR uint8', () => {
  it('float32 weights, + 0.5 truncated', () => {
    // 1x2 -> 1x4 without flags: positions 0, 0.5, 1, 1.5 -> 0, 0.5*0+0.5*255 = 127.5 (+0.5 -> 128), 255, 255
    const r = resize('uint8', [1, 1, 2, 1], [0, 255], [1, 4]);
    expect(Array.from(r.data as ArrayLike<number>)).toEqual([0, 128, 255, 255]);
  });

  it('exact 8x half-pixel upsampling uses 1/16 weights, rounding half up', () => {
    // 1x1x2x8 -> 8x16x8: along x, outputs 0..3 copy v0, 4..11 are v0 + (2p+1)/16 (v1 - v0), 12..15 copy v1.
    const v0 = [0, 1, 2, 3, 100, 200, 255, 17];
    const v1 = [16, 2, 0, 3, 101, 0, 0, 255];
    const r = resize('uint8', [1, 1, 2, 8], [...v0, ...v1], [8, 16], { halfPixelCenters: true });
    expect(r.shape).toEqual([1, 8, 16, 8]);
    const out = r.data as Uint8Array;
    const row = Array.from(out.subarray(0, 16 * 8));
    for (let x = 0; x < 16; x++) {
      for (let c = 0; c < 8; c++) {
        const w = x < 4 ? 0 : x >= 12 ? 16 : 2 * (x - 4) + 1;
        // value in 1/256: (v0 (16 - w) + v1 w) * 16, + 128, >> 8
        const want = ((v0[c]! * (16 - w) + v1[c]! * w) * 16 + 128) >> 8;
        expect(row[x * 8 + c]).toBe(want);
      }
    }
    // Every output row is the same (one input row).
    expect(Array.from(out.subarray(7 * 16 * 8, 8 * 16 * 8))).toEqual(row);
  });
});

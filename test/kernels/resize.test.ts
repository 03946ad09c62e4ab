import { describe, expect, test } from 'vitest';
import { runOp } from '../support/run_op.js';

const size = (h: number, w: number) => ({ dtype: 'int32' as const, shape: [2], data: [h, w], constant: true });

function bilinear(x: { shape: number[]; data: number[] }, h: number, w: number, alignCorners: boolean, halfPixelCenters: boolean) {
  const [y] = runOp({
    op: 'RESIZE_BILINEAR',
    options: { alignCorners, halfPixelCenters },
    inputs: [{ dtype: 'float32', ...x }, size(h, w)],
    outputs: [{ dtype: 'float32' }],
  });
  return { shape: y?.shape, data: Array.from(y?.data as Float32Array) };
}

/** 2x2 image whose value is 1 + x + 2y, so out = 1 + wx + 2 wy for the interpolation weights. */
const ramp = { shape: [1, 2, 2, 1], data: [1, 2, 3, 4] };
const plane = (wy: number[], wx: number[]) => wy.flatMap((a) => wx.map((b) => 1 + b + 2 * a));

/** Naive per-pixel bilinear resize as the TFLite documentation describes it (one channel-major loop). */
function naiveBilinear(shape: number[], data: number[], outH: number, outW: number, halfPixel: boolean): number[] {
  const [n, inH, inW, c] = shape as [number, number, number, number];
  const out: number[] = [];
  const source = (o: number, inSize: number, outSize: number) => {
    const scale = inSize / outSize;
    const pos = halfPixel ? (o + 0.5) * scale - 0.5 : o * scale;
    const lo = Math.max(0, Math.floor(pos));
    const hi = Math.min(inSize - 1, Math.ceil(pos));
    return { lo, hi, t: pos - lo };
  };
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < outH; y++) {
      const sy = source(y, inH, outH);
      for (let x = 0; x < outW; x++) {
        const sx = source(x, inW, outW);
        for (let ch = 0; ch < c; ch++) {
          const at = (yy: number, xx: number) => data[((b * inH + yy) * inW + xx) * c + ch] as number;
          const top = at(sy.lo, sx.lo) * (1 - sx.t) + at(sy.lo, sx.hi) * sx.t;
          const bottom = at(sy.hi, sx.lo) * (1 - sx.t) + at(sy.hi, sx.hi) * sx.t;
          out.push(top * (1 - sy.t) + bottom * sy.t);
        }
      }
    }
  }
  return out;
}

describe('RESIZE_BILINEAR', () => {
  test('2x upscale, legacy coordinates', () => {
    const y = bilinear(ramp, 4, 4, false, false);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    const w = [0, 0.5, 1, 1];
    expect(y.data).toEqual(plane(w, w));
  });

  test('2x upscale, half-pixel centers (clamped below 0)', () => {
    const w = [0, 0.25, 0.75, 1];
    expect(bilinear(ramp, 4, 4, false, true).data).toEqual(plane(w, w));
  });

  test('align_corners', () => {
    const w = [0, 0.5, 1];
    expect(bilinear(ramp, 3, 3, true, false).data).toEqual(plane(w, w));
  });

  test('half-pixel downscale and non-square multi-channel resize match a naive reference', () => {
    const shape = [2, 4, 5, 3];
    const data = Array.from({ length: 120 }, (_, i) => Math.sin(i * 0.7) * 10);
    for (const [h, w] of [
      [2, 3],
      [7, 9],
      [4, 5],
    ] as const) {
      for (const halfPixel of [false, true]) {
        const got = bilinear({ shape, data }, h, w, false, halfPixel);
        expect(got.shape).toEqual([2, h, w, 3]);
        const want = naiveBilinear(shape, data, h, w, halfPixel);
        got.data.forEach((v, i) => {
          expect(v).toBeCloseTo(want[i] as number, 4);
        });
      }
    }
  });

  test('align_corners with half_pixel_centers is refused', () => {
    expect(() => bilinear(ramp, 4, 4, true, true)).toThrow(/cannot both be true/);
  });

  test('a runtime size is refused as dynamic', () => {
    expect(() =>
      runOp({
        op: 'RESIZE_BILINEAR',
        inputs: [
          { dtype: 'float32', ...ramp },
          { dtype: 'int32', shape: [2], data: [4, 4] },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/depends on runtime data/);
  });

  test('non-4-D input fails', () => {
    expect(() => bilinear({ shape: [2, 2], data: [1, 2, 3, 4] }, 4, 4, false, false)).toThrow(/must be 4-D/);
  });
});

describe('RESIZE_NEAREST_NEIGHBOR', () => {
  const row3 = { shape: [1, 1, 3, 2], data: [10, 11, 20, 21, 30, 31] };
  const run = (alignCorners: boolean, halfPixelCenters: boolean, dtype: 'float32' | 'uint8' | 'int8' | 'int32' = 'float32') => {
    const [y] = runOp({
      op: 'RESIZE_NEAREST_NEIGHBOR',
      options: { alignCorners, halfPixelCenters },
      inputs: [{ dtype, ...row3 }, size(1, 5)],
      outputs: [{ dtype }],
    });
    return { shape: y?.shape, data: Array.from(y?.data as Float32Array) };
  };
  const pick = (cols: number[]) => cols.flatMap((c) => [(c + 1) * 10, (c + 1) * 10 + 1]);

  test('legacy: floor(x * 3/5)', () => {
    const y = run(false, false);
    expect(y.shape).toEqual([1, 1, 5, 2]);
    expect(y.data).toEqual(pick([0, 0, 1, 1, 2]));
  });

  test('half-pixel centers: floor((x + 0.5) * 3/5)', () => {
    expect(run(false, true).data).toEqual(pick([0, 0, 1, 2, 2]));
  });

  test('align_corners rounds halves away from zero: round(x * 2/4)', () => {
    expect(run(true, false).data).toEqual(pick([0, 1, 1, 2, 2]));
  });

  test('works on uint8, int8 and int32 too', () => {
    expect(run(false, true, 'uint8').data).toEqual(pick([0, 0, 1, 2, 2]));
    expect(run(false, true, 'int8').data).toEqual(pick([0, 0, 1, 2, 2]));
    expect(run(false, true, 'int32').data).toEqual(pick([0, 0, 1, 2, 2]));
  });

  test('2-D downscale picks rows and columns', () => {
    const [y] = runOp({
      op: 'RESIZE_NEAREST_NEIGHBOR',
      inputs: [{ dtype: 'float32', shape: [1, 4, 4, 1], data: Array.from({ length: 16 }, (_, i) => i) }, size(2, 2)],
      outputs: [{ dtype: 'float32' }],
    });
    expect(Array.from(y?.data as Float32Array)).toEqual([0, 2, 8, 10]);
  });
});

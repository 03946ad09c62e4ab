// Integer CONV_2D / DEPTHWISE_CONV_2D: expected values come from a naive convolution in the test
// and TFLite's requantization written independently here with BigInt (gemmlowp double rounding,
// the int64 16x8 path) or float32 (XNNPACK), never from the kernels.
import { describe, expect, it } from 'vitest';
import { ruyMultiplyByQuantizedMultiplier } from '../../src/kernels/int/requant.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { Quantization } from '../../src/model/types.js';
import { clamp, f32, lcg, mbqm32, mbqm64, q, xnnpackRound } from '../support/quant_ref.js';
import { type OpTensor, runOp } from '../support/run_op.js';

/** XNNPACK with the conv scale float32(float32(input scale * filter scale) / output scale). */
function xnnpackConvRound(acc: number, inScale: number, wScale: number, outScale: number): number {
  return xnnpackRound(acc, f32(f32(f32(inScale) * f32(wScale)) / f32(outScale)));
}

/** Naive NHWC convolution sums: sum (x - zx) * (w - zw) + bias, per output element. */
function naiveConv(
  x: ArrayLike<number>,
  [n, h, w, c]: number[],
  filt: ArrayLike<number>,
  [oc, kh, kw, kc]: number[],
  bias: ArrayLike<number | bigint> | null,
  o: { stride: [number, number]; dilation: [number, number]; pad: [number, number]; out: [number, number]; zx: number; zw: number },
): number[] {
  const groups = c / kc;
  const res: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < o.out[0]; oy++)
      for (let ox = 0; ox < o.out[1]; ox++)
        for (let k = 0; k < oc; k++) {
          const g = Math.floor(k / (oc / groups));
          let s = bias ? Number(bias[k]) : 0;
          for (let fy = 0; fy < kh; fy++)
            for (let fx = 0; fx < kw; fx++) {
              const iy = oy * o.stride[0] - o.pad[0] + fy * o.dilation[0];
              const ix = ox * o.stride[1] - o.pad[1] + fx * o.dilation[1];
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < kc; ci++) {
                const xv = (x[((b * h + iy) * w + ix) * c + g * kc + ci] as number) - o.zx;
                s += xv * ((filt[((k * kh + fy) * kw + fx) * kc + ci] as number) - o.zw);
              }
            }
          res.push(s);
        }
  return res;
}

function conv(
  dtype: 'int8' | 'uint8' | 'int16',
  x: OpTensor,
  filter: OpTensor,
  bias: OpTensor | null,
  out: Quantization,
  options: Record<string, number> = {},
  op = 'CONV_2D',
  integerRounding: IntegerRounding = 'reference',
) {
  return runOp({
    op,
    integerRounding,
    options: { padding: 1, strideW: 1, strideH: 1, dilationWFactor: 1, dilationHFactor: 1, fusedActivationFunction: 0, ...options },
    inputs: [x, filter, bias],
    outputs: [{ dtype, quantization: out }],
  })[0] as { shape: number[]; data: Int8Array | Uint8Array | Int16Array };
}

// --- CONV_2D --------------------------------------------------------------------------------------

describe('CONV_2D int8', () => {
  // input scale 0.5 * filter scale 0.5 / output scale 1 = 0.25 exactly: q = 2^30, shift -1.
  const tie = (semantics: IntegerRounding, withBias = true) => {
    return Array.from(
      conv(
        'int8',
        { dtype: 'int8', shape: [1, 1, 5, 1], data: [5, 6, 10, -5, -6], quantization: q(0.5, 0) },
        { dtype: 'int8', shape: [1, 1, 1, 1], data: [1], quantization: q(0.5), constant: true },
        withBias ? { dtype: 'int32', shape: [1], data: [0], quantization: q(0.25), constant: true } : null,
        q(1, 0),
        {},
        'CONV_2D',
        semantics,
      ).data,
    );
  };

  it('reference kernels round twice, ties away from zero then toward +infinity', () => {
    // 1.25: SRDHM(5, 2^30) = 3, RDBPOT(3, 1) = 2; 1.5 -> 2; 2.5: SRDHM = 5, RDBPOT -> 3;
    // -1.25: SRDHM = -2, RDBPOT(-2, 1) = -1; -1.5: SRDHM(-6) = -3 (trunc of -3.4999..), RDBPOT -> -2.
    expect(tie('reference')).toEqual([2, 2, 3, -1, -2]);
  });

  it('XNNPACK rounds float(acc) * scale once, ties to even', () => {
    expect(tie('xnnpack')).toEqual([1, 2, 2, -1, -2]);
  });

  it("a node XNNPACK would refuse (no bias) gets TFLite's builtin ruy arithmetic: one rounding, ties up", () => {
    // (x * 2^30 + 2^31) >> 32: 1.25 -> 1, 1.5 -> 2, 2.5 -> 3, -1.25 -> -1, -1.5 -> -1.
    expect(tie('xnnpack', false)).toEqual([1, 2, 3, -1, -1]);
  });

  it('ruy single rounding matches the int64 formula and wraps out-of-range results to int32', () => {
    const rnd = lcg(11);
    const ref = (x: number, m: number, shift: number) => {
      const t = BigInt(31 - shift);
      return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m) + (1n << (t - 1n))) >> t));
    };
    for (let i = 0; i < 2000; i++) {
      const x = rnd(-2147483648, 2147483647);
      const m = rnd(1073741824, 2147483647);
      const shift = rnd(-31, 20);
      expect(ruyMultiplyByQuantizedMultiplier(x, m, shift)).toBe(ref(x, m, shift));
    }
    // A saturating accumulator times a multiplier above 1 comes back wrapped, as in TFLite.
    expect(ruyMultiplyByQuantizedMultiplier(2147478448, 1674163200, 2)).toBe(ref(2147478448, 1674163200, 2));
  });

  for (const semantics of ['reference', 'xnnpack'] as const) {
    it(`per-channel multipliers with mixed shifts, SAME padding, stride 2, dilation (${semantics})`, () => {
      const rnd = lcg(7);
      const [n, h, w, c] = [2, 7, 6, 3];
      const [oc, kh, kw] = [4, 3, 2];
      const x = Array.from({ length: n * h * w * c }, () => rnd(-128, 127));
      const filt = Array.from({ length: oc * kh * kw * c }, () => rnd(-127, 127));
      const bias = Array.from({ length: oc }, () => rnd(-20000, 20000));
      // Real multipliers 0.0007, 0.3, 1.7, 5.1: shifts from -10 to +3.
      const inS = 0.05;
      const outS = 0.02;
      const ws = [0.00028, 0.12, 0.68, 2.04];
      const zx = -3;
      const zo = 5;
      const got = conv(
        'int8',
        { dtype: 'int8', shape: [n, h, w, c], data: x, quantization: q(inS, zx) },
        { dtype: 'int8', shape: [oc, kh, kw, c], data: filt, quantization: q(ws, 0, 0), constant: true },
        { dtype: 'int32', shape: [oc], data: bias, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
        q(outS, zo),
        { padding: 0, strideH: 2, strideW: 1, dilationHFactor: 1, dilationWFactor: 2 },
        'CONV_2D',
        semantics,
      );
      // SAME: outH = ceil(7/2) = 4, total pad = max(0, (4-1)*2 + 3 - 7) = 2 -> top 1; outW = 6,
      // effective kernel width 3, total pad 2 -> left 1.
      expect(got.shape).toEqual([2, 4, 6, 4]);
      const sums = naiveConv(x, [n, h, w, c], filt, [oc, kh, kw, c], bias, {
        stride: [2, 1],
        dilation: [1, 2],
        pad: [1, 1],
        out: [4, 6],
        zx,
        zw: 0,
      });
      const want = sums.map((s, i) => {
        const ch = i % oc;
        const m = (f32(inS) * f32(ws[ch] as number)) / f32(outS);
        const v = semantics === 'reference' ? mbqm32(s, m) : xnnpackConvRound(s, inS, ws[ch] as number, outS);
        return clamp(v + zo, -128, 127);
      });
      expect(Array.from(got.data)).toEqual(want);
    });
  }

  it('grouped convolution reads each group its own input channels', () => {
    // 4 input channels, filter [2, 1, 1, 2]: two groups of two channels.
    const x = [1, 2, 3, 4, -1, -2, -3, -4];
    const filt = [1, 1, 2, -1];
    const got = conv(
      'int8',
      { dtype: 'int8', shape: [1, 1, 2, 4], data: x, quantization: q(1, 0) },
      { dtype: 'int8', shape: [2, 1, 1, 2], data: filt, quantization: q(1), constant: true },
      { dtype: 'int32', shape: [2], data: [10, 0], quantization: q(1), constant: true },
      q(1, 0),
    );
    // pixel 0: group 0 = 1 + 2 + 10 = 13; group 1 = 2*3 - 4 = 2. pixel 1: -3 + 10 = 7; -6 + 4 = -2.
    expect(Array.from(got.data)).toEqual([13, 2, 7, -2]);
  });

  it('fused RELU6 clamps at the quantized bounds (reference and XNNPACK)', () => {
    for (const semantics of ['reference', 'xnnpack'] as const) {
      const got = conv(
        'int8',
        { dtype: 'int8', shape: [1, 1, 3, 1], data: [-100, 40, 120], quantization: q(0.1, 0) },
        { dtype: 'int8', shape: [1, 1, 1, 1], data: [100], quantization: q(0.01), constant: true },
        { dtype: 'int32', shape: [1], data: [0], quantization: q(0.001), constant: true },
        q(0.05, -10),
        { fusedActivationFunction: 3 },
        'CONV_2D',
        semantics,
      );
      // real = 0.001 * acc / 0.05 = acc / 50 -> -200, 80, 240; RELU6 range [zp, zp + 6/0.05] = [-10, 110].
      expect(Array.from(got.data)).toEqual([-10, 70, 110]);
    }
  });

  it('rejects nonzero int8 filter zero points and misplaced per-channel scales', () => {
    const x: OpTensor = { dtype: 'int8', shape: [1, 1, 1, 1], data: [1], quantization: q(1) };
    const b: OpTensor = { dtype: 'int32', shape: [2], data: [0, 0], quantization: q(1) };
    expect(() =>
      conv('int8', x, { dtype: 'int8', shape: [2, 1, 1, 1], data: [1, 1], quantization: q(1, 3), constant: true }, b, q(1)),
    ).toThrow(/filter zero points must be 0/);
    expect(() =>
      conv('int8', x, { dtype: 'int8', shape: [2, 1, 1, 1], data: [1, 1], quantization: q([1, 2], 0, 3), constant: true }, b, q(1)),
    ).toThrow(/quantized along dimension 3/);
    expect(() =>
      conv('int8', x, { dtype: 'int8', shape: [2, 1, 1, 1], data: [1, 1], quantization: q([1, 2, 3], 0, 0), constant: true }, b, q(1)),
    ).toThrow(/3 scales, expected 1 or 2/);
  });

  it('zero-size batches give an empty output', () => {
    const got = conv(
      'int8',
      { dtype: 'int8', shape: [0, 3, 3, 1], data: [], quantization: q(1) },
      { dtype: 'int8', shape: [1, 2, 2, 1], data: [1, 1, 1, 1], quantization: q(1), constant: true },
      { dtype: 'int32', shape: [1], data: [0], quantization: q(1), constant: true },
      q(1),
      { padding: 1 },
    );
    expect(got.shape).toEqual([0, 2, 2, 1]);
    expect(got.data.length).toBe(0);
  });
});

describe('CONV_2D uint8 (legacy)', () => {
  for (const semantics of ['reference', 'xnnpack'] as const) {
    it(`filter and input zero points at the type limits, float32 scale product (${semantics})`, () => {
      const rnd = lcg(3);
      for (const zx of [0, 255]) {
        const x = Array.from({ length: 1 * 5 * 5 * 2 }, () => rnd(0, 255));
        const filt = Array.from({ length: 3 * 3 * 3 * 2 }, () => rnd(0, 255));
        const bias = [1234, -5678, 0];
        const inS = 0.0078125;
        const wS = 0.0123457;
        const outS = 0.0235285;
        const zw = 128;
        const zo = 7;
        const got = conv(
          'uint8',
          { dtype: 'uint8', shape: [1, 5, 5, 2], data: x, quantization: q(inS, zx) },
          { dtype: 'uint8', shape: [3, 3, 3, 2], data: filt, quantization: q(wS, zw), constant: true },
          { dtype: 'int32', shape: [3], data: bias, quantization: q(f32(inS * wS)), constant: true },
          q(outS, zo),
          { padding: 0 },
          'CONV_2D',
          semantics,
        );
        const sums = naiveConv(x, [1, 5, 5, 2], filt, [3, 3, 3, 2], bias, {
          stride: [1, 1],
          dilation: [1, 1],
          pad: [1, 1],
          out: [5, 5],
          zx,
          zw,
        });
        // Legacy multiplier: float32(input_scale * filter_scale) / output_scale in double.
        const m = f32(f32(inS) * f32(wS)) / f32(outS);
        const want = sums.map((s) => clamp((semantics === 'reference' ? mbqm32(s, m) : xnnpackConvRound(s, inS, wS, outS)) + zo, 0, 255));
        expect(Array.from(got.data)).toEqual(want);
      }
    });
  }

  it('fails when the bias scale is not input scale * filter scale', () => {
    expect(() =>
      conv(
        'uint8',
        { dtype: 'uint8', shape: [1, 1, 1, 1], data: [1], quantization: q(0.5, 128) },
        { dtype: 'uint8', shape: [1, 1, 1, 1], data: [1], quantization: q(0.5, 128), constant: true },
        { dtype: 'int32', shape: [1], data: [0], quantization: q(0.5), constant: true },
        q(1, 0),
      ),
    ).toThrow(/bias scale 0.5 differs from input scale \* filter scale/);
  });

  it('rejects per-channel filters', () => {
    expect(() =>
      conv(
        'uint8',
        { dtype: 'uint8', shape: [1, 1, 1, 1], data: [1], quantization: q(1, 0) },
        { dtype: 'uint8', shape: [2, 1, 1, 1], data: [1, 2], quantization: q([1, 2], 0), constant: true },
        null,
        q(1, 0),
      ),
    ).toThrow(/per-channel filter quantization needs int8 or int16 input/);
  });
});

describe('CONV_2D 16x8', () => {
  it('int64 bias: 64-bit sums and the 16-bit-multiplier int64 MultiplyByQuantizedMultiplier', () => {
    const x = [32767, -32768, 12345, -1, 30000, -29999];
    const filt = [127, -127, 100, 1, -50, 77]; // [2, 1, 1, 3]
    // Sums beyond int32 (the biases), scaled back into int16 range by a tiny multiplier (~1e-6).
    const bias = [2n ** 34n + 12345n, -(2n ** 34n) - 999n];
    const inS = 0.0008812;
    const ws = [0.00938, 0.0132];
    const outS = 10;
    const got = conv(
      'int16',
      { dtype: 'int16', shape: [1, 1, 2, 3], data: x, quantization: q(inS, 0) },
      { dtype: 'int8', shape: [2, 1, 1, 3], data: filt, quantization: q(ws, 0, 0), constant: true },
      { dtype: 'int64', shape: [2], data: bias, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
      q(outS, 0),
    );
    const want: number[] = [];
    for (let p = 0; p < 2; p++)
      for (let k = 0; k < 2; k++) {
        let s = bias[k] as bigint;
        for (let c = 0; c < 3; c++) s += BigInt((x[p * 3 + c] as number) * (filt[k * 3 + c] as number));
        want.push(clamp(mbqm64(s, (f32(inS) * f32(ws[k] as number)) / f32(outS)), -32768, 32767));
      }
    expect(Array.from(got.data)).toEqual(want);
    expect(want.every((v) => Math.abs(v) > 1000 && Math.abs(v) < 32767)).toBe(true);
  });

  it('int32 bias keeps 32-bit accumulators and the int32 multiplier', () => {
    const x = [1000, -2000, 3000];
    const filt = [100, 50, -25];
    const got = conv(
      'int16',
      { dtype: 'int16', shape: [1, 1, 1, 3], data: x, quantization: q(0.001, 0) },
      { dtype: 'int8', shape: [1, 1, 1, 3], data: filt, quantization: q([0.01], 0, 0), constant: true },
      { dtype: 'int32', shape: [1], data: [777], quantization: q(0.00001), constant: true },
      q(0.0037, 0),
    );
    const s = 1000 * 100 - 2000 * 50 - 3000 * 25 + 777;
    expect(Array.from(got.data)).toEqual([mbqm32(s, (f32(0.001) * f32(0.01)) / f32(0.0037))]);
  });

  it('requires zero zero points', () => {
    expect(() =>
      conv(
        'int16',
        { dtype: 'int16', shape: [1, 1, 1, 1], data: [1], quantization: q(1, 3) },
        { dtype: 'int8', shape: [1, 1, 1, 1], data: [1], quantization: q(1), constant: true },
        null,
        q(1, 0),
      ),
    ).toThrow(/input is int16 with zero point 3/);
  });
});

// --- DEPTHWISE_CONV_2D ------------------------------------------------------------------------------

/** Naive depthwise sums; output channel ic*mult + m reads input channel ic. */
function naiveDepthwise(
  x: number[],
  [h, w, c]: number[],
  filt: number[],
  [kh, kw, oc]: number[],
  bias: (number | bigint)[],
  pad: [number, number],
  stride: number,
  out: [number, number],
  zx: number,
  zw: number,
): number[] {
  const mult = oc / c;
  const res: number[] = [];
  for (let oy = 0; oy < out[0]; oy++)
    for (let ox = 0; ox < out[1]; ox++)
      for (let k = 0; k < oc; k++) {
        let s = Number(bias[k]);
        for (let fy = 0; fy < kh; fy++)
          for (let fx = 0; fx < kw; fx++) {
            const iy = oy * stride - pad[0] + fy;
            const ix = ox * stride - pad[1] + fx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            s += ((x[(iy * w + ix) * c + Math.floor(k / mult)] as number) - zx) * ((filt[(fy * kw + fx) * oc + k] as number) - zw);
          }
        res.push(s);
      }
  return res;
}

describe('DEPTHWISE_CONV_2D', () => {
  for (const semantics of ['reference', 'xnnpack'] as const) {
    it(`int8 per-channel, channel multiplier 2, SAME padding (${semantics})`, () => {
      const rnd = lcg(11);
      const [h, w, c, mult] = [5, 4, 2, 2];
      const oc = c * mult;
      const x = Array.from({ length: h * w * c }, () => rnd(-128, 127));
      const filt = Array.from({ length: 3 * 3 * oc }, () => rnd(-127, 127));
      const bias = Array.from({ length: oc }, () => rnd(-3000, 3000));
      const inS = 0.1;
      const ws = [0.002, 0.02, 0.0003, 0.09];
      const outS = 0.08;
      const got = conv(
        'int8',
        { dtype: 'int8', shape: [1, h, w, c], data: x, quantization: q(inS, 4) },
        { dtype: 'int8', shape: [1, 3, 3, oc], data: filt, quantization: q(ws, 0, 3), constant: true },
        { dtype: 'int32', shape: [oc], data: bias, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
        q(outS, -2),
        { padding: 0, strideH: 2, strideW: 2, depthMultiplier: mult },
        'DEPTHWISE_CONV_2D',
        semantics,
      );
      expect(got.shape).toEqual([1, 3, 2, 4]);
      // SAME, stride 2: out 3x2; total pad H = (3-1)*2 + 3 - 5 = 2 -> 1; W = (2-1)*2 + 3 - 4 = 1 -> 0.
      const sums = naiveDepthwise(x, [h, w, c], filt, [3, 3, oc], bias, [1, 0], 2, [3, 2], 4, 0);
      const want = sums.map((s, i) => {
        const k = i % oc;
        const v =
          semantics === 'reference'
            ? mbqm32(s, (f32(inS) * f32(ws[k] as number)) / f32(outS))
            : xnnpackConvRound(s, inS, ws[k] as number, outS);
        return clamp(v - 2, -128, 127);
      });
      expect(Array.from(got.data)).toEqual(want);
    });
  }

  it('uint8 with a filter zero point (reference)', () => {
    const rnd = lcg(5);
    const x = Array.from({ length: 4 * 4 * 3 }, () => rnd(0, 255));
    const filt = Array.from({ length: 2 * 2 * 3 }, () => rnd(0, 255));
    const bias = [100, -100, 5];
    const got = conv(
      'uint8',
      { dtype: 'uint8', shape: [1, 4, 4, 3], data: x, quantization: q(0.02, 128) },
      { dtype: 'uint8', shape: [1, 2, 2, 3], data: filt, quantization: q(0.01, 119), constant: true },
      { dtype: 'int32', shape: [3], data: bias, quantization: q(f32(0.02 * 0.01)), constant: true },
      q(0.03, 3),
      { padding: 1, depthMultiplier: 1 },
      'DEPTHWISE_CONV_2D',
    );
    const sums = naiveDepthwise(x, [4, 4, 3], filt, [2, 2, 3], bias, [0, 0], 1, [3, 3], 128, 119);
    const m = f32(f32(0.02) * f32(0.01)) / f32(0.03);
    expect(Array.from(got.data)).toEqual(sums.map((s) => clamp(mbqm32(s, m) + 3, 0, 255)));
  });

  it('16x8 with int64 bias', () => {
    const x = [30000, -30000, 123, 4567];
    const filt = [127, -128, 64, 1];
    const got = conv(
      'int16',
      { dtype: 'int16', shape: [1, 1, 2, 2], data: x, quantization: q(0.0005, 0) },
      { dtype: 'int8', shape: [1, 1, 2, 2], data: filt, quantization: q([0.01, 0.002], 0, 3), constant: true },
      { dtype: 'int64', shape: [2], data: [1000000n, -7n], quantization: q([0.000005, 0.000001]), constant: true },
      q(0.0004, 0),
      { padding: 1, depthMultiplier: 1 },
      'DEPTHWISE_CONV_2D',
    );
    const s0 = 30000 * 127 + 123 * 64 + 1000000;
    const s1 = -30000 * -128 + 4567 * 1 - 7;
    expect(Array.from(got.data)).toEqual([
      clamp(mbqm64(BigInt(s0), (f32(0.0005) * f32(0.01)) / f32(0.0004)), -32768, 32767),
      clamp(mbqm64(BigInt(s1), (f32(0.0005) * f32(0.002)) / f32(0.0004)), -32768, 32767),
    ]);
  });

  it('16x8 rejects an int32 bias, as TFLite does', () => {
    expect(() =>
      conv(
        'int16',
        { dtype: 'int16', shape: [1, 1, 1, 1], data: [1], quantization: q(1, 0) },
        { dtype: 'int8', shape: [1, 1, 1, 1], data: [1], quantization: q(1), constant: true },
        { dtype: 'int32', shape: [1], data: [0], quantization: q(1), constant: true },
        q(1, 0),
        { depthMultiplier: 1 },
        'DEPTHWISE_CONV_2D',
      ),
    ).toThrow(/bias must be int64/);
  });
});

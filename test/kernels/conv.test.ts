import { describe, expect, it } from 'vitest';
import { asymQuant, expectClose, runFloat, symQuant, values } from '../support/float_ref.js';
import { type ConvCase, convInputs, naiveWindow, SAME, VALID, windowOptions } from './conv_case.js';

const RELU = 1;
const RELU_N1_TO_1 = 2;
const RELU6 = 3;
const TANH = 4;

/** Straight from the definition; grouped when the filter has fewer input channels. */
function naiveConv(c: ConvCase): { shape: number[]; data: number[] } {
  const [n, h, w, ic] = c.inShape;
  const [oc, fh, fw, fic] = c.filterShape;
  const [sh, sw] = c.stride;
  const [dh, dw] = c.dilation ?? [1, 1];
  const groups = ic / fic;
  const perGroup = oc / groups;
  const { oh, ow, padTop, padLeft } = naiveWindow(c, fh, fw);
  const [lo, hi] = range(c.activation ?? 0);
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let o = 0; o < oc; o++) {
          const g = Math.floor(o / perGroup);
          let s = c.bias ? (c.bias[o] as number) : 0;
          for (let ky = 0; ky < fh; ky++)
            for (let kx = 0; kx < fw; kx++)
              for (let k = 0; k < fic; k++) {
                const iy = y * sh - padTop + ky * dh;
                const ix = x * sw - padLeft + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s +=
                  (c.input[((b * h + iy) * w + ix) * ic + g * fic + k] as number) *
                  (c.filter[((o * fh + ky) * fw + kx) * fic + k] as number);
              }
          out.push(Math.min(hi, Math.max(lo, s)));
        }
  return { shape: [n, oh, ow, oc], data: out };
}

function range(activation: number): [number, number] {
  if (activation === RELU) return [0, Infinity];
  if (activation === RELU_N1_TO_1) return [-1, 1];
  if (activation === RELU6) return [0, 6];
  return [-Infinity, Infinity];
}

function runConv(c: ConvCase) {
  const [out] = runFloat({
    op: 'CONV_2D',
    options: windowOptions(c),
    inputs: convInputs(c),
    outputs: [{ dtype: 'float32' }],
  });
  return out!;
}

function randomCase(c: Omit<ConvCase, 'input' | 'filter' | 'bias'> & { bias?: boolean }, seed: number): ConvCase {
  const n = c.inShape.reduce((a, d) => a * d, 1);
  const m = c.filterShape.reduce((a, d) => a * d, 1);
  return {
    ...c,
    input: values(n, seed),
    filter: values(m, seed + 1),
    bias: c.bias === false ? null : values(c.filterShape[0], seed + 2),
  };
}

describe('CONV_2D float', () => {
  it('VALID 2x2 ones on a 3x3 ramp (hand-computed)', () => {
    const out = runConv({
      input: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      inShape: [1, 3, 3, 1],
      filter: [1, 1, 1, 1],
      filterShape: [1, 2, 2, 1],
      bias: [0.5],
      padding: VALID,
      stride: [1, 1],
    });
    expect(out.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(out.data)).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  it('SAME stride 2 on an even size puts the extra padding pixel after (hand-computed)', () => {
    // 4x4 ramp, 3x3 ones, stride 2: out 2x2, total padding 1 -> 0 before, 1 after.
    const input = Array.from({ length: 16 }, (_, i) => i + 1);
    const out = runConv({
      input,
      inShape: [1, 4, 4, 1],
      filter: new Array(9).fill(1),
      filterShape: [1, 3, 3, 1],
      bias: null,
      padding: SAME,
      stride: [2, 2],
    });
    expect(out.shape).toEqual([1, 2, 2, 1]);
    // (0,0): rows 0-2, cols 0-2 = 1+2+3+5+6+7+9+10+11 = 54; (0,1): cols 2-3 of rows 0-2 = 3+4+7+8+11+12 = 45
    // (1,0): rows 2-3, cols 0-2 = 9+10+11+13+14+15 = 72; (1,1): 11+12+15+16 = 54
    expect(Array.from(out.data)).toEqual([54, 45, 72, 54]);
  });

  it('SAME stride 2 on an odd size pads one pixel on each side (hand-computed)', () => {
    // 5x5 ramp, 3x3 ones, stride 2: out 3x3, total padding 2 -> 1 before.
    const input = Array.from({ length: 25 }, (_, i) => i + 1);
    const out = runConv({
      input,
      inShape: [1, 5, 5, 1],
      filter: new Array(9).fill(1),
      filterShape: [1, 3, 3, 1],
      bias: null,
      padding: SAME,
      stride: [2, 2],
    });
    expect(out.shape).toEqual([1, 3, 3, 1]);
    // Top-left window covers rows 0-1, cols 0-1: 1+2+6+7 = 16; centre covers rows 1-3, cols 1-3.
    expect(out.data[0]).toBe(16);
    expect(out.data[4]).toBe(7 + 8 + 9 + 12 + 13 + 14 + 17 + 18 + 19);
    expect(out.data[8]).toBe(19 + 20 + 24 + 25);
  });

  it('dilation 2 skips every other input pixel (hand-computed)', () => {
    const input = Array.from({ length: 25 }, (_, i) => i + 1);
    const out = runConv({
      input,
      inShape: [1, 5, 5, 1],
      filter: [1, 10, 100, 1000],
      filterShape: [1, 2, 2, 1],
      bias: null,
      padding: VALID,
      stride: [1, 1],
      dilation: [2, 2],
    });
    expect(out.shape).toEqual([1, 3, 3, 1]);
    // (0,0) reads (0,0) (0,2) (2,0) (2,2) = 1, 3, 11, 13.
    expect(out.data[0]).toBe(1 + 30 + 1100 + 13000);
  });

  it('matches a naive convolution: strides, dilation, padding, batches, channels', () => {
    const cases = [
      { inShape: [2, 9, 8, 6], filterShape: [10, 3, 3, 6], padding: SAME, stride: [2, 2] },
      { inShape: [1, 10, 7, 4], filterShape: [5, 3, 2, 4], padding: VALID, stride: [1, 2], dilation: [2, 1] },
      { inShape: [1, 7, 9, 3], filterShape: [7, 5, 5, 3], padding: SAME, stride: [3, 1] },
      { inShape: [2, 6, 6, 8], filterShape: [9, 1, 1, 8], padding: VALID, stride: [1, 1] },
      { inShape: [1, 6, 6, 8], filterShape: [6, 1, 1, 8], padding: SAME, stride: [2, 2] },
      { inShape: [1, 5, 5, 3], filterShape: [2, 2, 2, 3], padding: SAME, stride: [1, 1], bias: false },
    ] as const;
    cases.forEach((c, i) => {
      const conv = randomCase(
        {
          ...c,
          inShape: [...c.inShape],
          filterShape: [...c.filterShape],
          stride: [...c.stride],
          dilation: 'dilation' in c ? [...c.dilation] : undefined,
        },
        10 * i,
      );
      const want = naiveConv(conv);
      const got = runConv(conv);
      expect(got.shape, `case ${i}`).toEqual(want.shape);
      expectClose(got.data, want.data);
    });
  });

  it('grouped convolution: input channels a multiple of the filter channels', () => {
    const conv = randomCase({ inShape: [1, 6, 5, 8], filterShape: [6, 3, 3, 4], padding: SAME, stride: [1, 1] }, 7);
    const want = naiveConv(conv);
    const got = runConv(conv);
    expect(got.shape).toEqual([1, 6, 5, 6]);
    expectClose(got.data, want.data);
    // Group 1's filters must not see group 0's channels: zero those channels and compare.
    const only = { ...conv, input: conv.input.map((v, i) => (i % 8 < 4 ? 0 : v)) };
    const half = runConv(only);
    for (let i = 0; i < half.data.length; i++) {
      if (i % 6 >= 3) expect(half.data[i]).toBeCloseTo(got.data[i] as number, 5);
    }
  });

  it('fused RELU, RELU6 and RELU_N1_TO_1 clamp; TANH is left unclamped as in TFLite', () => {
    const base = randomCase({ inShape: [1, 4, 4, 2], filterShape: [3, 3, 3, 2], padding: SAME, stride: [1, 1] }, 3);
    const scaled = { ...base, input: base.input.map((v) => v * 8) };
    for (const activation of [RELU, RELU6, RELU_N1_TO_1, TANH]) {
      const want = naiveConv({ ...scaled, activation });
      const got = runConv({ ...scaled, activation });
      expectClose(got.data, want.data);
    }
    const relu6 = runConv({ ...scaled, activation: RELU6 });
    expect(Math.max(...relu6.data)).toBe(6);
    expect(Math.min(...relu6.data)).toBe(0);
  });

  it('a zero-size batch gives an empty output', () => {
    const out = runConv({
      input: [],
      inShape: [0, 3, 3, 2],
      filter: values(8, 1),
      filterShape: [1, 2, 2, 2],
      bias: [0],
      padding: VALID,
      stride: [1, 1],
    });
    expect(out.shape).toEqual([0, 2, 2, 1]);
    expect(out.data.length).toBe(0);
  });

  it('rejects bad shapes and options with clear messages', () => {
    const ok = { inShape: [1, 4, 4, 2] as [number, number, number, number], filterShape: [3, 2, 2, 2] as [number, number, number, number] };
    const base = randomCase({ ...ok, padding: SAME, stride: [1, 1] }, 1);
    expect(() => runConv({ ...base, inShape: [4, 4, 2, 1], filterShape: [3, 2, 2, 3], filter: values(36, 1) })).toThrow(
      /multiple of the filter's input channels/,
    );
    expect(() => runConv({ ...base, bias: [1, 2] })).toThrow(/bias has 2 elements, expected 3/);
    expect(() => runConv({ ...base, padding: 7 })).toThrow(/padding 7/);
    expect(() => runConv({ ...base, stride: [0, 1] })).toThrow(/strideH must be a positive integer/);
    expect(() =>
      runFloat({
        op: 'CONV_2D',
        options: { padding: SAME, strideH: 1, strideW: 1 },
        inputs: [
          { dtype: 'float32', shape: [4, 4, 2], data: values(32, 1) },
          { dtype: 'float32', shape: [3, 2, 2, 2], data: values(24, 1), constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/input must be rank 4/);
  });
});

// ---- hybrid (float input, int8 weights) -----------------------------------------------------

describe('CONV_2D hybrid (int8 weights)', () => {
  it('per-tensor weights: symmetric input quantization, scale folded per batch (hand-computed)', () => {
    // Input [0.5, -1]: range 1, q = [round(63.5) = 64, -127]. Filter [2, 3] * 0.1.
    // acc = 128 - 381 = -253; out = f(-253 * f(f(1/127) * f(0.1))) + 0.25.
    const [out] = runFloat({
      op: 'CONV_2D',
      options: { padding: VALID, strideH: 1, strideW: 1 },
      inputs: [
        { dtype: 'float32', shape: [1, 1, 1, 2], data: [0.5, -1] },
        {
          dtype: 'int8',
          shape: [1, 1, 1, 2],
          data: [2, 3],
          constant: true,
          quantization: { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 },
        },
        { dtype: 'float32', shape: [1], data: [0.25], constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    const f = Math.fround;
    const factor = f(f(1 / 127) * f(0.1));
    expect(out!.data[0]).toBe(f(f(-253 * factor) + 0.25));
  });

  function hybridCase(perChannel: boolean, opts: { padding: number; stride: number; dilation: number; shape: number[]; filter: number[] }) {
    const [n, h, w, ic] = opts.shape as [number, number, number, number];
    const [oc, fh, fw] = opts.filter as [number, number, number];
    const input = values(n * h * w * ic, 11, -0.7, 2.3);
    const weights = values(oc * fh * fw * ic, 12).map((v) => Math.round(v * 127));
    const bias = values(oc, 13);
    const scales = perChannel ? values(oc, 14, 0.001, 0.02) : [0.0123];
    const [out] = runFloat({
      op: 'CONV_2D',
      options: {
        padding: opts.padding,
        strideH: opts.stride,
        strideW: opts.stride,
        dilationHFactor: opts.dilation,
        dilationWFactor: opts.dilation,
        fusedActivationFunction: RELU6,
      },
      inputs: [
        { dtype: 'float32', shape: [n, h, w, ic], data: input },
        {
          dtype: 'int8',
          shape: [oc, fh, fw, ic],
          data: weights,
          constant: true,
          quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 },
        },
        { dtype: 'float32', shape: [oc], data: bias, constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    // Reference: quantize each batch image, integer convolution of (q - zp), then scale.
    const f = Math.fround;
    const per = h * w * ic;
    const qInput: number[] = [];
    const factors: number[] = [];
    for (let b = 0; b < n; b++) {
      const slice = input.slice(b * per, (b + 1) * per);
      if (perChannel) {
        const { q, scale, zp } = asymQuant(slice);
        qInput.push(...q.map((v) => v - zp));
        factors.push(scale);
      } else {
        const { q, scale } = symQuant(slice);
        qInput.push(...q);
        factors.push(f(scale * f(scales[0] as number)));
      }
    }
    const acc = naiveConv({
      input: qInput,
      inShape: [n, h, w, ic],
      filter: weights,
      filterShape: [oc, fh, fw, ic],
      bias: null,
      padding: opts.padding,
      stride: [opts.stride, opts.stride],
      dilation: [opts.dilation, opts.dilation],
    });
    const perImage = acc.data.length / n;
    const want = acc.data.map((a, i) => {
      const b = Math.floor(i / perImage);
      const c = i % oc;
      const scaled = perChannel ? f(a * f((scales[c] as number) * (factors[b] as number))) : f(a * (factors[b] as number));
      return Math.min(6, Math.max(0, f(scaled + (bias[c] as number))));
    });
    expect(out!.shape).toEqual(acc.shape);
    expect(Array.from(out!.data)).toEqual(want);
  }

  it('per-tensor: bit-exact against the symmetric reference (3x3, stride 2, SAME, 2 batches)', () => {
    hybridCase(false, { padding: SAME, stride: 2, dilation: 1, shape: [2, 9, 8, 6], filter: [10, 3, 3] });
  });
  it('per-channel: bit-exact against the asymmetric reference (3x3, stride 2, SAME, 2 batches)', () => {
    hybridCase(true, { padding: SAME, stride: 2, dilation: 1, shape: [2, 9, 8, 6], filter: [10, 3, 3] });
  });
  it('per-channel 1x1 and dilated VALID', () => {
    hybridCase(true, { padding: VALID, stride: 1, dilation: 1, shape: [1, 6, 6, 16], filter: [12, 1, 1] });
    hybridCase(true, { padding: VALID, stride: 1, dilation: 2, shape: [1, 10, 7, 4], filter: [5, 3, 2] });
  });

  it('rejects int8 weights with a non-zero zero point', () => {
    expect(() =>
      runFloat({
        op: 'CONV_2D',
        options: { padding: VALID, strideH: 1, strideW: 1 },
        inputs: [
          { dtype: 'float32', shape: [1, 1, 1, 2], data: [0.5, -1] },
          {
            dtype: 'int8',
            shape: [1, 1, 1, 2],
            data: [2, 3],
            constant: true,
            quantization: { scale: [0.1], zeroPoint: [3], quantizedDimension: 0 },
          },
          { dtype: 'float32', shape: [1], data: [0], constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/zero point 0/);
  });
});

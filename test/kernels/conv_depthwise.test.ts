import { describe, expect, it } from 'vitest';
import { asymQuant, expectClose, runFloat, values } from '../support/float_ref.js';
import { type ConvCase, convInputs, naiveWindow, SAME, VALID, windowOptions } from './conv_case.js';

const RELU6 = 3;

/** From the definition: output channel c*m + j reads input channel c. */
function naiveDepthwise(c: ConvCase): { shape: number[]; data: number[] } {
  const [n, h, w, ic] = c.inShape;
  const [, fh, fw, oc] = c.filterShape;
  const m = oc / ic;
  const [sh, sw] = c.stride;
  const [dh, dw] = c.dilation ?? [1, 1];
  const { oh, ow, padTop, padLeft } = naiveWindow(c, fh, fw);
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let o = 0; o < oc; o++) {
          const ch = Math.floor(o / m);
          let s = c.bias ? (c.bias[o] as number) : 0;
          for (let ky = 0; ky < fh; ky++)
            for (let kx = 0; kx < fw; kx++) {
              const iy = y * sh - padTop + ky * dh;
              const ix = x * sw - padLeft + kx * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              s += (c.input[((b * h + iy) * w + ix) * ic + ch] as number) * (c.filter[(ky * fw + kx) * oc + o] as number);
            }
          out.push(c.activation === RELU6 ? Math.min(6, Math.max(0, s)) : s);
        }
  return { shape: [n, oh, ow, oc], data: out };
}

function runDepthwise(c: ConvCase, multiplierOption?: number) {
  const [out] = runFloat({
    op: 'DEPTHWISE_CONV_2D',
    options: { ...windowOptions(c), depthMultiplier: multiplierOption ?? c.filterShape[3] / c.inShape[3] },
    inputs: convInputs(c),
    outputs: [{ dtype: 'float32' }],
  });
  return out!;
}

function randomCase(
  shape: [number, number, number, number],
  filter: [number, number, number, number],
  rest: Partial<ConvCase>,
  seed: number,
): ConvCase {
  return {
    input: values(
      shape.reduce((a, d) => a * d, 1),
      seed,
    ),
    inShape: shape,
    filter: values(
      filter.reduce((a, d) => a * d, 1),
      seed + 1,
    ),
    filterShape: filter,
    bias: values(filter[3], seed + 2),
    padding: SAME,
    stride: [1, 1],
    ...rest,
  };
}

describe('DEPTHWISE_CONV_2D float', () => {
  it('each channel convolves with its own filter (hand-computed)', () => {
    // 2x2 image, 2 channels; 2x2 filters: channel 0 sums, channel 1 takes the top-left only.
    const out = runDepthwise({
      input: [1, 10, 2, 20, 3, 30, 4, 40],
      inShape: [1, 2, 2, 2],
      filter: [1, 1, 1, 0, 1, 0, 1, 0],
      filterShape: [1, 2, 2, 2],
      bias: [0.5, -0.5],
      padding: VALID,
      stride: [1, 1],
    });
    expect(out.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(out.data)).toEqual([10.5, 9.5]);
  });

  it('depth multiplier 2: output channel c*2+j reads input channel c (hand-computed)', () => {
    const out = runDepthwise({
      input: [1, 2],
      inShape: [1, 1, 1, 2],
      filter: [3, 4, 5, 6],
      filterShape: [1, 1, 1, 4],
      bias: null,
      padding: VALID,
      stride: [1, 1],
    });
    expect(Array.from(out.data)).toEqual([3, 4, 10, 12]);
  });

  it('matches a naive depthwise convolution', () => {
    const cases: ConvCase[] = [
      randomCase([2, 9, 8, 6], [1, 3, 3, 6], { stride: [2, 2], activation: RELU6 }, 1),
      randomCase([1, 9, 8, 3], [1, 3, 3, 6], { padding: SAME, dilation: [2, 2] }, 2),
      randomCase([1, 20, 17, 13], [1, 5, 5, 13], { stride: [2, 2] }, 3),
      randomCase([1, 16, 15, 8], [1, 3, 3, 8], { padding: VALID, stride: [2, 1] }, 4),
      randomCase([2, 12, 12, 5], [1, 3, 3, 5], { padding: SAME, dilation: [2, 3], bias: null }, 5),
      randomCase([1, 6, 7, 4], [1, 1, 1, 12], { padding: SAME }, 6),
    ];
    cases.forEach((c, i) => {
      const want = naiveDepthwise(c);
      const got = runDepthwise(c);
      expect(got.shape, `case ${i}`).toEqual(want.shape);
      expectClose(got.data, want.data);
    });
  });

  it('takes the multiplier from the shapes, not the option (as TFLite float)', () => {
    const c = randomCase([1, 4, 4, 2], [1, 3, 3, 4], {}, 9);
    expectClose(runDepthwise(c, 0).data, naiveDepthwise(c).data);
  });

  it('zero-size batch; shape errors', () => {
    const empty = runDepthwise({
      input: [],
      inShape: [0, 4, 4, 2],
      filter: values(18, 1),
      filterShape: [1, 3, 3, 2],
      bias: null,
      padding: SAME,
      stride: [1, 1],
    });
    expect(empty.shape).toEqual([0, 4, 4, 2]);
    const c = randomCase([1, 4, 4, 2], [1, 3, 3, 3], {}, 1);
    expect(() => runDepthwise(c)).toThrow(/multiple of input channels/);
    const d = randomCase([1, 4, 4, 2], [2, 3, 3, 2], {}, 1);
    expect(() => runDepthwise(d)).toThrow(/first dimension must be 1/);
  });
});

describe('DEPTHWISE_CONV_2D hybrid (int8 per-channel weights)', () => {
  it('asymmetric per-batch input quantization, output = acc * input scale * channel scale + bias', () => {
    const f = Math.fround;
    const [n, h, w, ic, m] = [2, 7, 6, 3, 2];
    const oc = ic * m;
    const input = values(n * h * w * ic, 21, -0.7, 2.3);
    const weights = values(9 * oc, 22).map((v) => Math.round(v * 127));
    const scales = values(oc, 23, 0.001, 0.02);
    const bias = values(oc, 24);
    const [out] = runFloat({
      op: 'DEPTHWISE_CONV_2D',
      version: 6,
      options: { padding: SAME, strideH: 2, strideW: 1, depthMultiplier: m, fusedActivationFunction: RELU6 },
      inputs: [
        { dtype: 'float32', shape: [n, h, w, ic], data: input },
        {
          dtype: 'int8',
          shape: [1, 3, 3, oc],
          data: weights,
          constant: true,
          quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 3 },
        },
        { dtype: 'float32', shape: [oc], data: bias, constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    const per = h * w * ic;
    const q: number[] = [];
    const sf: number[] = [];
    for (let b = 0; b < n; b++) {
      const r = asymQuant(input.slice(b * per, (b + 1) * per));
      q.push(...r.q.map((v) => v - r.zp));
      sf.push(r.scale);
    }
    const acc = naiveDepthwise({
      input: q,
      inShape: [n, h, w, ic],
      filter: weights,
      filterShape: [1, 3, 3, oc],
      bias: null,
      padding: SAME,
      stride: [2, 1],
    });
    const perImage = acc.data.length / n;
    const want = acc.data.map((a, i) => {
      const b = Math.floor(i / perImage);
      const c = i % oc;
      return Math.min(6, Math.max(0, f(f(f(a * (sf[b] as number)) * (scales[c] as number)) + (bias[c] as number))));
    });
    expect(out!.shape).toEqual(acc.shape);
    expect(Array.from(out!.data)).toEqual(want);
  });

  it('rejects a scale count that is neither 1 nor the channel count', () => {
    expect(() =>
      runFloat({
        op: 'DEPTHWISE_CONV_2D',
        options: { padding: SAME, strideH: 1, strideW: 1 },
        inputs: [
          { dtype: 'float32', shape: [1, 2, 2, 3], data: values(12, 1) },
          {
            dtype: 'int8',
            shape: [1, 1, 1, 3],
            data: [1, 2, 3],
            constant: true,
            quantization: { scale: [0.1, 0.2], zeroPoint: [0, 0], quantizedDimension: 3 },
          },
          null,
        ],
        outputs: [{ dtype: 'float32' }],
      }),
    ).toThrow(/2 scales for 3 channels/);
  });
});

import { describe, expect, it } from 'vitest';
import { expectClose, roundAway, runFloat, values } from '../support/float_ref.js';

const SAME = 0;
const VALID = 1;
const RELU = 1;

/** The reference scatter loop: every input pixel adds weight * value to the outputs it covers. */
function naiveTranspose(
  input: number[],
  inShape: number[],
  weights: number[],
  wShape: number[],
  outH: number,
  outW: number,
  stride: [number, number],
  pad: [number, number],
  bias: number[] | null,
): number[] {
  const [n, h, w, ic] = inShape as [number, number, number, number];
  const [oc, fh, fw] = wShape as [number, number, number];
  const out = new Array<number>(n * outH * outW * oc).fill(0);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < ic; c++)
          for (let ky = 0; ky < fh; ky++)
            for (let kx = 0; kx < fw; kx++)
              for (let o = 0; o < oc; o++) {
                const oy = y * stride[0] - pad[0] + ky;
                const ox = x * stride[1] - pad[1] + kx;
                if (oy < 0 || oy >= outH || ox < 0 || ox >= outW) continue;
                out[((b * outH + oy) * outW + ox) * oc + o] +=
                  (input[((b * h + y) * w + x) * ic + c] as number) * (weights[((o * fh + ky) * fw + kx) * ic + c] as number);
              }
  return bias ? out.map((v, i) => v + (bias[i % oc] as number)) : out;
}

interface TcCase {
  input: number[];
  inShape: number[];
  weights: number[];
  wShape: number[];
  outShape: number[];
  padding: number;
  stride: [number, number];
  bias: number[] | null;
  activation?: number;
  shapeConstant?: boolean;
}

function runTranspose(c: TcCase) {
  const [out] = runFloat({
    op: 'TRANSPOSE_CONV',
    version: c.activation ? 4 : 1,
    options: { padding: c.padding, strideH: c.stride[0], strideW: c.stride[1], fusedActivationFunction: c.activation ?? 0 },
    inputs: [
      { dtype: 'int32', shape: [4], data: c.outShape, constant: c.shapeConstant ?? true },
      { dtype: 'float32', shape: c.wShape, data: c.weights, constant: true },
      { dtype: 'float32', shape: c.inShape, data: c.input },
      ...(c.bias ? [{ dtype: 'float32' as const, shape: [c.bias.length], data: c.bias, constant: true }] : []),
    ],
    outputs: [{ dtype: 'float32' }],
  });
  return out!;
}

/** TFLite's transpose-conv padding: floor(max(0, (in - 1) * stride + kernel - out) / 2). */
function padOf(inSize: number, k: number, s: number, outSize: number): number {
  return Math.floor(Math.max(0, (inSize - 1) * s + k - outSize) / 2);
}

describe('TRANSPOSE_CONV float', () => {
  it('stride 2 VALID scatters each input over a 3x3 window (hand-computed)', () => {
    // Input [[1, 2], [3, 4]], ones 3x3: output 5x5, overlaps on row/column 2 add up.
    const out = runTranspose({
      input: [1, 2, 3, 4],
      inShape: [1, 2, 2, 1],
      weights: new Array(9).fill(1),
      wShape: [1, 3, 3, 1],
      outShape: [1, 5, 5, 1],
      padding: VALID,
      stride: [2, 2],
      bias: null,
    });
    expect(out.shape).toEqual([1, 5, 5, 1]);
    expect(Array.from(out.data)).toEqual([1, 1, 3, 2, 2, 1, 1, 3, 2, 2, 4, 4, 10, 6, 6, 3, 3, 7, 4, 4, 3, 3, 7, 4, 4]);
  });

  it('SAME with an odd total padding crops one more pixel at the end (hand-computed)', () => {
    // out 4x4 from in 2x2, k 3, s 2: total padding (1*2 + 3 - 4) = 1 -> 0 before, 1 after.
    const out = runTranspose({
      input: [1, 2, 3, 4],
      inShape: [1, 2, 2, 1],
      weights: new Array(9).fill(1),
      wShape: [1, 3, 3, 1],
      outShape: [1, 4, 4, 1],
      padding: SAME,
      stride: [2, 2],
      bias: [0.5],
    });
    expect(Array.from(out.data)).toEqual([1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4].map((v) => v + 0.5));
  });

  it('matches the reference scatter loop (channels, batches, bias, RELU)', () => {
    const cases = [
      { inShape: [1, 4, 5, 3], wShape: [4, 3, 3, 3], out: [8, 10], padding: SAME, stride: [2, 2] as [number, number] },
      { inShape: [2, 4, 5, 3], wShape: [4, 3, 2, 3], out: [9, 10], padding: VALID, stride: [2, 2] as [number, number], activation: RELU },
      { inShape: [1, 4, 5, 2], wShape: [3, 4, 4, 2], out: [7, 9], padding: SAME, stride: [2, 2] as [number, number] },
      { inShape: [1, 3, 3, 2], wShape: [2, 3, 3, 2], out: [3, 3], padding: SAME, stride: [1, 1] as [number, number] },
      { inShape: [1, 3, 4, 2], wShape: [2, 2, 3, 2], out: [9, 15], padding: VALID, stride: [3, 4] as [number, number] },
    ];
    cases.forEach((c, i) => {
      const [n, h, w] = c.inShape as [number, number, number];
      const input = values(
        c.inShape.reduce((a, d) => a * d, 1),
        3 * i,
      );
      const weights = values(
        c.wShape.reduce((a, d) => a * d, 1),
        3 * i + 1,
      );
      const bias = values(c.wShape[0] as number, 3 * i + 2);
      const [oh, ow] = c.out as [number, number];
      const got = runTranspose({
        input,
        inShape: c.inShape,
        weights,
        wShape: c.wShape,
        outShape: [n, oh, ow, c.wShape[0] as number],
        padding: c.padding,
        stride: c.stride,
        bias,
        activation: c.activation,
      });
      const pad: [number, number] = [padOf(h, c.wShape[1] as number, c.stride[0], oh), padOf(w, c.wShape[2] as number, c.stride[1], ow)];
      let want = naiveTranspose(input, c.inShape, weights, c.wShape, oh, ow, c.stride, pad, bias);
      if (c.activation === RELU) want = want.map((v) => Math.max(0, v));
      expect(got.shape, `case ${i}`).toEqual([n, oh, ow, c.wShape[0]]);
      expectClose(got.data, want);
    });
  });

  it('fails clearly when output_shape is not known at prepare or does not fit the input', () => {
    const base: TcCase = {
      input: values(4, 1),
      inShape: [1, 2, 2, 1],
      weights: values(9, 2),
      wShape: [1, 3, 3, 1],
      outShape: [1, 4, 4, 1],
      padding: SAME,
      stride: [2, 2],
      bias: null,
    };
    expect(() => runTranspose({ ...base, shapeConstant: false })).toThrow(/output_shape \(input 0\) is not known/);
    expect(() => runTranspose({ ...base, outShape: [1, 6, 6, 1] })).toThrow(/does not match the input/);
    expect(() => runTranspose({ ...base, outShape: [1, 4, 4, 2] })).toThrow(/channels 2 differ/);
  });
});

describe('TRANSPOSE_CONV hybrid (int8 weights)', () => {
  it('asymmetric input quantization and per-channel scales', () => {
    const f = Math.fround;
    const input = values(1 * 3 * 4 * 2, 31, -0.5, 1.5);
    const weights = values(3 * 3 * 3 * 2, 32).map((v) => Math.round(v * 127));
    const scales = [0.01, 0.02, 0.005];
    const bias = [0.1, -0.2, 0.3];
    const [out] = runFloat({
      op: 'TRANSPOSE_CONV',
      version: 3,
      options: { padding: SAME, strideH: 2, strideW: 2 },
      inputs: [
        { dtype: 'int32', shape: [4], data: [1, 6, 8, 3], constant: true },
        {
          dtype: 'int8',
          shape: [3, 3, 3, 2],
          data: weights,
          constant: true,
          quantization: { scale: scales, zeroPoint: [0, 0, 0], quantizedDimension: 0 },
        },
        { dtype: 'float32', shape: [1, 3, 4, 2], data: input },
        { dtype: 'float32', shape: [3], data: bias, constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    });
    // Quantize as AsymmetricQuantizeFloats, then integer scatter and scale.
    const rmin = Math.min(0, ...input);
    const rmax = Math.max(0, ...input);
    const scale = (rmax - rmin) / 255;
    const zpd = 128 + Math.abs(rmin / scale) < 127 + Math.abs(rmax / scale) ? -128 - rmin / scale : 127 - rmax / scale;
    const zp = Math.max(-128, Math.min(127, roundAway(zpd)));
    const inv = f(1 / f(scale));
    const q = input.map((v) => Math.max(-128, Math.min(127, roundAway(f(zp + f(v * inv))))) - zp);
    const acc = naiveTranspose(q, [1, 3, 4, 2], weights, [3, 3, 3, 2], 6, 8, [2, 2], [padOf(3, 3, 2, 6), padOf(4, 3, 2, 8)], null);
    const want = acc.map((a, i) => f(f(f(a * (scales[i % 3] as number)) * f(scale)) + (bias[i % 3] as number)));
    expect(out!.shape).toEqual([1, 6, 8, 3]);
    expectClose(out!.data, want, 1e-6);
  });
});

describe('CUSTOM:Convolution2DTransposeBias (MediaPipe)', () => {
  function params(padding: number, strideW: number, strideH: number): Uint8Array {
    return new Uint8Array(new Int32Array([padding, strideW, strideH]).buffer);
  }
  function run(input: number[], inShape: number[], weights: number[], wShape: number[], bias: number[], options: Uint8Array | undefined) {
    return runFloat({
      op: 'CUSTOM:Convolution2DTransposeBias',
      customOptions: options,
      inputs: [
        { dtype: 'float32', shape: inShape, data: input },
        { dtype: 'float32', shape: wShape, data: weights, constant: true },
        { dtype: 'float32', shape: [bias.length], data: bias, constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
    })[0]!;
  }

  it('output size follows MediaPipe: SAME 2x2 stride 2 doubles, 1x1 stride 2 gives 2n-1, VALID adds the kernel', () => {
    const cases: [number, number, number, number, number][] = [
      // [padding, kernel, stride, in, expected out]
      [1, 2, 2, 128, 256],
      [1, 3, 2, 4, 8],
      [1, 4, 2, 4, 8],
      [1, 1, 2, 4, 7],
      [2, 3, 2, 4, 9],
      [2, 2, 3, 3, 8],
    ];
    for (const [padding, k, s, n, expected] of cases) {
      const out = run(values(n * n, 1), [1, n, n, 1], values(k * k, 2), [1, k, k, 1], [0], params(padding, s, s));
      expect(out.shape, `padding ${padding} k ${k} s ${s} in ${n}`).toEqual([1, expected, expected, 1]);
    }
  });

  it('matches the scatter loop with bias; SAME crops floor(total/2) before', () => {
    const inShape = [2, 4, 5, 3];
    const wShape = [2, 4, 3, 3];
    const input = values(2 * 4 * 5 * 3, 41);
    const weights = values(2 * 4 * 3 * 3, 42);
    const bias = [0.25, -0.75];
    // stride h 2, w 3. SAME: total pad h = max(0, 4 - 3 % 2 - 1) = 2, w = max(0, 3 - 4 % 3 - 1) = 1.
    const out = run(input, inShape, weights, wShape, bias, params(1, 3, 2));
    const oh = 2 * 3 + 4 - 2;
    const ow = 3 * 4 + 3 - 1;
    expect(out.shape).toEqual([2, oh, ow, 2]);
    expectClose(out.data, naiveTranspose(input, inShape, weights, wShape, oh, ow, [2, 3], [1, 0], bias));
  });

  it('needs its 12-byte parameter block', () => {
    expect(() => run([1], [1, 1, 1, 1], [1], [1, 1, 1, 1], [0], undefined)).toThrow(/TfLiteTransposeConvParams/);
  });
});

// Integer TRANSPOSE_CONV: expected values from a naive scatter (TFLite's reference loop order) and
// TFLite's requantization written independently here (BigInt), never from the kernel.
import { describe, expect, it } from 'vitest';
import type { Quantization } from '../../src/model/types.js';
import { clamp, f32, lcg, mbqm32, mbqm64, q } from '../support/quant_ref.js';
import { type OpTensor, runOp } from '../support/run_op.js';

function scatter(
  x: number[],
  [h, w, c]: number[],
  filt: number[],
  [oc, kh, kw]: number[],
  [oh, ow]: number[],
  stride: [number, number],
  pad: [number, number],
  zx: number,
): bigint[] {
  const acc = new Array<bigint>(oh * ow * oc).fill(0n);
  for (let iy = 0; iy < h; iy++)
    for (let ix = 0; ix < w; ix++)
      for (let ic = 0; ic < c; ic++)
        for (let fy = 0; fy < kh; fy++)
          for (let fx = 0; fx < kw; fx++)
            for (let k = 0; k < oc; k++) {
              const oy = iy * stride[0] - pad[0] + fy;
              const ox = ix * stride[1] - pad[1] + fx;
              if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
              const i = (oy * ow + ox) * oc + k;
              acc[i] =
                (acc[i] as bigint) +
                BigInt(((x[(iy * w + ix) * c + ic] as number) - zx) * (filt[((k * kh + fy) * kw + fx) * c + ic] as number));
            }
  return acc;
}

function tconv(
  shape: OpTensor,
  filter: OpTensor,
  x: OpTensor,
  bias: OpTensor | null,
  out: { dtype: 'int8' | 'int16'; quantization: Quantization },
  options = {},
) {
  return runOp({
    op: 'TRANSPOSE_CONV',
    options: { padding: 0, strideH: 2, strideW: 2, fusedActivationFunction: 0, ...options },
    inputs: [shape, filter, x, bias],
    outputs: [out],
  })[0] as { shape: number[]; data: Int8Array | Int16Array };
}

describe('TRANSPOSE_CONV int8', () => {
  it('SAME padding, stride 2, odd output size, per-channel weights (reference)', () => {
    const rnd = lcg(4);
    const [h, w, c, oc, kh, kw] = [3, 2, 2, 3, 3, 3];
    const [oh, ow] = [5, 4];
    const x = Array.from({ length: h * w * c }, () => rnd(-128, 127));
    const filt = Array.from({ length: oc * kh * kw * c }, () => rnd(-127, 127));
    const bias = [100, -2000, 7];
    const ws = [0.01, 0.2, 0.003];
    const inS = 0.05;
    const outS = 0.4;
    const got = tconv(
      { dtype: 'int32', shape: [4], data: [1, oh, ow, oc], constant: true },
      { dtype: 'int8', shape: [oc, kh, kw, c], data: filt, quantization: q(ws), constant: true },
      { dtype: 'int8', shape: [1, h, w, c], data: x, quantization: q(inS, -6) },
      { dtype: 'int32', shape: [oc], data: bias, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
      { dtype: 'int8', quantization: q(outS, 2) },
    );
    expect(got.shape).toEqual([1, oh, ow, oc]);
    // Forward SAME conv of a 5x4 output with 3x3, stride 2 gives 3x2; total padding
    // (3-1)*2 + 3 - 5 = 2 -> top 1, and (2-1)*2 + 3 - 4 = 1 -> left 0.
    const acc = scatter(x, [h, w, c], filt, [oc, kh, kw], [oh, ow], [2, 2], [1, 0], -6);
    const want = acc.map((s, i) => {
      const k = i % oc;
      return clamp(mbqm32(Number(s) + (bias[k] as number), (f32(inS) * f32(ws[k] as number)) / f32(outS)) + 2, -128, 127);
    });
    expect(Array.from(got.data)).toEqual(want);
  });

  it('rejects an output_shape that the input could not come from', () => {
    expect(() =>
      tconv(
        { dtype: 'int32', shape: [4], data: [1, 9, 9, 1], constant: true },
        { dtype: 'int8', shape: [1, 3, 3, 1], data: new Array(9).fill(1), quantization: q(1), constant: true },
        { dtype: 'int8', shape: [1, 2, 2, 1], data: [1, 2, 3, 4], quantization: q(1) },
        null,
        { dtype: 'int8', quantization: q(1) },
      ),
    ).toThrow(/does not match the input \[1,2,2,1\]/);
  });
});

describe('TRANSPOSE_CONV 16x8', () => {
  const rnd = lcg(9);
  const [h, w, c, oc, kh, kw] = [1, 5, 4, 3, 3, 4];
  const [oh, ow] = [3, 12];
  const x = Array.from({ length: h * w * c }, () => rnd(-32768, 32767));
  const filt = Array.from({ length: oc * kh * kw * c }, () => rnd(-127, 127));
  const ws = [0.002, 0.0025, 0.0029];
  const inS = 0.0009;
  const outS = 0.00096;
  const bias64 = [123456789n, -987654n, 0n];
  const want = () => {
    // VALID, strides (1, 2): a forward conv of the 3x12 output gives 1x5, no padding.
    const acc = scatter(x, [h, w, c], filt, [oc, kh, kw], [oh, ow], [1, 2], [0, 0], 0);
    return acc.map((s, i) =>
      clamp(mbqm64(s + (bias64[i % oc] as bigint), (f32(inS) * f32(ws[i % oc] as number)) / f32(outS)), -32768, 32767),
    );
  };
  const args = (shapeConstant: boolean) =>
    [
      { dtype: 'int32', shape: [4], data: [1, oh, ow, oc], constant: shapeConstant },
      { dtype: 'int8', shape: [oc, kh, kw, c], data: filt, quantization: q(ws), constant: true },
      { dtype: 'int16', shape: [1, h, w, c], data: x, quantization: q(inS) },
      { dtype: 'int64', shape: [oc], data: bias64, quantization: q(ws.map((s) => f32(s * inS))), constant: true },
    ] as OpTensor[];

  it('int64 bias, 64-bit sums (like seanet_transpose_conv0)', () => {
    const [s, f, xi, b] = args(true) as [OpTensor, OpTensor, OpTensor, OpTensor];
    const got = tconv(s, f, xi, b, { dtype: 'int16', quantization: q(outS) }, { padding: 1, strideH: 1, strideW: 2 });
    expect(Array.from(got.data)).toEqual(want());
  });

  it('output_shape known only at run time: the output is sized in eval', () => {
    const [s, f, xi, b] = args(false) as [OpTensor, OpTensor, OpTensor, OpTensor];
    const got = tconv(s, f, xi, b, { dtype: 'int16', quantization: q(outS) }, { padding: 1, strideH: 1, strideW: 2 });
    expect(got.shape).toEqual([1, oh, ow, oc]);
    expect(Array.from(got.data)).toEqual(want());
  });
});

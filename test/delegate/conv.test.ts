// GPU vs reference (and vs the CPU kernel where one is registered) for the convolution family:
// CONV_2D (1x1 and direct, grouped), DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV and
// CUSTOM:Convolution2DTransposeBias, on small odd shapes.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import * as ref from './reference.js';
import { checkCase, type GpuCase, randomValues, testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

interface ConvCase {
  name: string;
  input: number[];
  filter: number[];
  bias?: boolean;
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
  padding: number;
  act?: number;
}

const SAME = 0;
const VALID = 1;

const convCases: ConvCase[] = [
  { name: '1x1 pointwise, 3 -> 5 channels', input: [1, 7, 5, 3], filter: [5, 1, 1, 3], bias: true, padding: SAME },
  { name: '1x1 pointwise, 8 -> 4, 2 images, relu6', input: [2, 3, 3, 8], filter: [4, 1, 1, 8], bias: true, padding: VALID, act: 3 },
  { name: '1x1 stride 2 (direct path)', input: [1, 7, 5, 6], filter: [3, 1, 1, 6], padding: SAME, strideH: 2, strideW: 2 },
  {
    name: '3x3 stride 2 SAME on 7x5, 3 -> 5',
    input: [1, 7, 5, 3],
    filter: [5, 3, 3, 3],
    bias: true,
    padding: SAME,
    strideH: 2,
    strideW: 2,
  },
  { name: '3x3 VALID, relu', input: [1, 6, 7, 4], filter: [6, 3, 3, 4], bias: true, padding: VALID, act: 1 },
  { name: '3x3 dilation 2 SAME', input: [1, 9, 8, 5], filter: [7, 3, 3, 5], padding: SAME, dilationH: 2, dilationW: 2 },
  {
    name: '2x3 stride (1, 2) SAME, relu_n1_to_1',
    input: [1, 5, 9, 2],
    filter: [3, 2, 3, 2],
    bias: true,
    padding: SAME,
    strideW: 2,
    act: 2,
  },
  { name: '1x1 input, 3x3 SAME', input: [1, 1, 1, 7], filter: [9, 3, 3, 7], bias: true, padding: SAME },
  { name: 'grouped: 2 groups', input: [1, 5, 5, 6], filter: [4, 3, 3, 3], bias: true, padding: SAME },
];

/**
 * GPU vs reference for each case of a windowed convolution: random input, constant filter and
 * optional bias (seeds seed, seed + 1, seed + 2), options from the case.
 */
function windowedConvSuite(
  op: 'CONV_2D' | 'DEPTHWISE_CONV_2D',
  cases: ConvCase[],
  seed: number,
  reference: typeof ref.conv2d,
  outChannels: (filter: number[]) => number,
  extraOptions: (c: ConvCase) => Record<string, number> = () => ({}),
): void {
  for (const c of cases) {
    it(c.name, async (t) => {
      if (!delegate) return t.skip();
      const x = randomValues(
        c.input.reduce((a, d) => a * d),
        seed,
      );
      const w = randomValues(
        c.filter.reduce((a, d) => a * d),
        seed + 1,
      );
      const outC = outChannels(c.filter);
      const b = c.bias ? randomValues(outC, seed + 2) : null;
      const p = {
        strideH: c.strideH ?? 1,
        strideW: c.strideW ?? 1,
        dilationH: c.dilationH ?? 1,
        dilationW: c.dilationW ?? 1,
        padding: c.padding,
        act: c.act ?? 0,
      };
      const expected = reference(x, c.input, w, c.filter, b, p);
      const gc: GpuCase = {
        op,
        options: {
          padding: p.padding,
          strideH: p.strideH,
          strideW: p.strideW,
          dilationHFactor: p.dilationH,
          dilationWFactor: p.dilationW,
          ...extraOptions(c),
          fusedActivationFunction: p.act,
        },
        inputs: [
          { dtype: 'float32', shape: c.input, data: x },
          { dtype: 'float32', shape: c.filter, data: w, constant: true },
          b ? { dtype: 'float32', shape: [outC], data: b, constant: true } : null,
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [expected.shape],
      };
      await checkCase(gc, [expected.data], delegate);
    });
  }
}

describe('CONV_2D', () => {
  windowedConvSuite('CONV_2D', convCases, 1, ref.conv2d, (f) => f[0] as number);
});

const depthwiseCases: ConvCase[] = [
  { name: '3x3 SAME, 5 channels', input: [1, 7, 5, 5], filter: [1, 3, 3, 5], bias: true, padding: SAME },
  {
    name: '3x3 stride 2 SAME on 7x5, relu6',
    input: [1, 7, 5, 8],
    filter: [1, 3, 3, 8],
    bias: true,
    padding: SAME,
    strideH: 2,
    strideW: 2,
    act: 3,
  },
  { name: 'multiplier 2, 3 -> 6 channels', input: [1, 6, 6, 3], filter: [1, 3, 3, 6], bias: true, padding: VALID },
  { name: 'multiplier 3, dilation 2', input: [2, 7, 7, 2], filter: [1, 3, 3, 6], padding: SAME, dilationH: 2, dilationW: 2 },
  { name: '5x5 on 1x1', input: [1, 1, 1, 4], filter: [1, 5, 5, 4], bias: true, padding: SAME },
];

describe('DEPTHWISE_CONV_2D', () => {
  windowedConvSuite(
    'DEPTHWISE_CONV_2D',
    depthwiseCases,
    4,
    ref.depthwiseConv2d,
    (f) => f[3] as number,
    (c) => ({ depthMultiplier: (c.filter[3] as number) / (c.input[3] as number) }),
  );
});

describe('FULLY_CONNECTED', () => {
  const cases: { name: string; input: number[]; out: number; bias: boolean; keep?: boolean; act?: number }[] = [
    { name: '[1, 7] -> 5 with bias', input: [1, 7], out: 5, bias: true },
    { name: '[3, 10] -> 1001-like 13, relu', input: [3, 10], out: 13, bias: true, act: 1 },
    { name: '[2, 2, 2, 4] flattened to rows of 16', input: [2, 2, 2, 4], out: 6, bias: false },
    { name: '[1, 5, 9] keep_num_dims', input: [1, 5, 9], out: 3, bias: true, keep: true },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      if (!delegate) return t.skip();
      const total = c.input.reduce((a, d) => a * d);
      const k = c.keep || c.input.length === 2 ? (c.input[c.input.length - 1] as number) : 16;
      const rows = total / k;
      const x = randomValues(total, 7);
      const w = randomValues(c.out * k, 8);
      const b = c.bias ? randomValues(c.out, 9) : null;
      const expected = ref.fullyConnected(x, rows, k, w, c.out, b, c.act ?? 0);
      const gc: GpuCase = {
        op: 'FULLY_CONNECTED',
        options: { fusedActivationFunction: c.act ?? 0, keepNumDims: c.keep ?? false, weightsFormat: 0 },
        inputs: [
          { dtype: 'float32', shape: c.input, data: x },
          { dtype: 'float32', shape: [c.out, k], data: w, constant: true },
          b ? { dtype: 'float32', shape: [c.out], data: b, constant: true } : null,
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [c.keep ? [...c.input.slice(0, -1), c.out] : [rows, c.out]],
      };
      await checkCase(gc, [expected], delegate);
    });
  }
});

describe('TRANSPOSE_CONV', () => {
  const cases: { name: string; input: number[]; filter: number[]; stride: number; padding: number; bias: boolean }[] = [
    { name: 'stride 2 SAME, 3 -> 5 channels', input: [1, 4, 3, 3], filter: [5, 3, 3, 3], stride: 2, padding: SAME, bias: true },
    { name: 'stride 2 VALID, 4x4 filter', input: [1, 3, 5, 4], filter: [2, 4, 4, 4], stride: 2, padding: VALID, bias: false },
    { name: 'stride 1 SAME', input: [1, 5, 5, 2], filter: [3, 3, 3, 2], stride: 1, padding: SAME, bias: true },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      if (!delegate) return t.skip();
      const [n, h, w, ic] = c.input as [number, number, number, number];
      const [oc, fh, fw] = c.filter as [number, number, number, number];
      const oh = c.padding === SAME ? h * c.stride : (h - 1) * c.stride + fh;
      const ow = c.padding === SAME ? w * c.stride : (w - 1) * c.stride + fw;
      const padTop = Math.floor(Math.max(0, (h - 1) * c.stride + fh - oh) / 2);
      const padLeft = Math.floor(Math.max(0, (w - 1) * c.stride + fw - ow) / 2);
      const x = randomValues(n * h * w * ic, 10);
      const wt = randomValues(oc * fh * fw * ic, 11);
      const b = c.bias ? randomValues(oc, 12) : null;
      const outShape = [n, oh, ow, oc];
      const expected = ref.transposeConv(x, c.input, wt, c.filter, b, outShape, c.stride, c.stride, padTop, padLeft);
      const gc: GpuCase = {
        op: 'TRANSPOSE_CONV',
        version: 3,
        options: { padding: c.padding, strideH: c.stride, strideW: c.stride },
        inputs: [
          { dtype: 'int32', shape: [4], data: outShape, constant: true },
          { dtype: 'float32', shape: c.filter, data: wt, constant: true },
          { dtype: 'float32', shape: c.input, data: x },
          b ? { dtype: 'float32', shape: [oc], data: b, constant: true } : null,
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [outShape],
      };
      await checkCase(gc, [expected], delegate);
    });
  }

  it('CUSTOM:Convolution2DTransposeBias, stride 2 SAME on odd input', async (t) => {
    if (!delegate) return t.skip();
    const input = [1, 3, 5, 4];
    const filter = [3, 4, 4, 4];
    const [, h, w] = input as [number, number, number, number];
    const [oc, fh, fw] = filter as [number, number, number, number];
    const stride = 2;
    // MediaPipe: SAME pads max(0, k - (in - 1) % stride - 1) in total.
    const totalH = Math.max(0, fh - ((h - 1) % stride) - 1);
    const totalW = Math.max(0, fw - ((w - 1) % stride) - 1);
    const outShape = [1, stride * (h - 1) + fh - totalH, stride * (w - 1) + fw - totalW, oc];
    const x = randomValues(
      input.reduce((a, d) => a * d),
      13,
    );
    const wt = randomValues(
      filter.reduce((a, d) => a * d),
      14,
    );
    const b = randomValues(oc, 15);
    const expected = ref.transposeConv(x, input, wt, filter, b, outShape, stride, stride, Math.floor(totalH / 2), Math.floor(totalW / 2));
    const customOptions = new Uint8Array(new Int32Array([1, stride, stride]).buffer);
    const gc: GpuCase = {
      op: 'CUSTOM:Convolution2DTransposeBias',
      customOptions,
      inputs: [
        { dtype: 'float32', shape: input, data: x },
        { dtype: 'float32', shape: filter, data: wt, constant: true },
        { dtype: 'float32', shape: [oc], data: b, constant: true },
      ],
      outputs: [{ dtype: 'float32' }],
      outputShapes: [outShape],
    };
    await checkCase(gc, [expected], delegate);
  });
});

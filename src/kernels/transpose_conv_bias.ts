// MediaPipe's CUSTOM:Convolution2DTransposeBias (mediapipe/util/tflite/operations/
// transpose_conv_bias.cc): a float TRANSPOSE_CONV with a bias and MediaPipe's own output size.
import { evalFloatConv, expectFloat32, type FloatConvSlots } from './conv.js';
import type { Kernel, NodeContext } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { checkInputAndWeights, type TransposeConvParams, type TransposeGeometry, transposeConvCore } from './transpose_conv.js';
import { Activation } from './util.js';

/** Input slots of Convolution2DTransposeBias. */
export const TRANSPOSE_CONV_BIAS_INPUTS = { input: 0, weights: 1, bias: 2 } as const;

/** The slots as the float conv eval names them. */
const BIAS_FLOAT_SLOTS: FloatConvSlots = {
  input: TRANSPOSE_CONV_BIAS_INPUTS.input,
  filter: TRANSPOSE_CONV_BIAS_INPUTS.weights,
  bias: TRANSPOSE_CONV_BIAS_INPUTS.bias,
};

/** TfLitePadding values in MediaPipe's raw TfLiteTransposeConvParams. */
export const TFLITE_PADDING_SAME = 1;
export const TFLITE_PADDING_VALID = 2;

/** The op's custom options: a raw little-endian TfLiteTransposeConvParams. */
export interface TransposeConvBiasOptions {
  /** TfLitePadding: 1 SAME, 2 VALID (MediaPipe pads only for SAME). */
  padding: number;
  strideW: number;
  strideH: number;
}

export function parseTransposeConvBiasOptions(ctx: NodeContext): TransposeConvBiasOptions {
  const raw = ctx.op.customOptions;
  if (!raw || raw.byteLength < 12) {
    fail(
      ctx,
      `custom options must hold a TfLiteTransposeConvParams (padding, stride_w, stride_h: 12 bytes), got ${raw?.byteLength ?? 0} bytes`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const options = { padding: view.getInt32(0, true), strideW: view.getInt32(4, true), strideH: view.getInt32(8, true) };
  if (options.strideW <= 0 || options.strideH <= 0) {
    fail(ctx, `strides must be positive, got stride_w ${options.strideW}, stride_h ${options.strideH}`);
  }
  return options;
}

/** The prepared op, with its options (the GPU builder declines paddings other than SAME and VALID). */
export interface TransposeConvBiasParams extends TransposeConvParams {
  options: TransposeConvBiasOptions;
}

/**
 * Inputs: input, weights [O, H, W, I], bias [O]. Output size as MediaPipe computes it:
 * stride*(in-1) + kernel - total padding, where SAME pads max(0, kernel - (in-1)%stride - 1).
 */
export const convolution2dTransposeBias: Kernel<TransposeConvBiasParams> = {
  prepare(ctx) {
    if (ctx.inputs.length !== 3) fail(ctx, `expected 3 inputs (input, weights, bias), got ${ctx.inputs.length}`);
    const x = input(ctx, TRANSPOSE_CONV_BIAS_INPUTS.input);
    const weights = input(ctx, TRANSPOSE_CONV_BIAS_INPUTS.weights);
    const bias = input(ctx, TRANSPOSE_CONV_BIAS_INPUTS.bias);
    const out = output(ctx, 0);
    expectFloat32(ctx, x, 'input');
    expectFloat32(ctx, weights, 'weights');
    expectFloat32(ctx, bias, 'bias');
    expectFloat32(ctx, out, 'output');
    checkInputAndWeights(ctx, x, weights);
    if (bias.shape.length !== 1 || bias.shape[0] !== weights.shape[0]) {
      fail(ctx, `bias must be rank 1 with ${weights.shape[0]} elements, got shape [${bias.shape}]`);
    }
    const options = parseTransposeConvBiasOptions(ctx);
    const { strideH, strideW } = options;
    const [batches, inH, inW, inC] = x.shape as [number, number, number, number];
    const [outC, filterH, filterW] = weights.shape as [number, number, number, number];
    let totalPadH = 0;
    let totalPadW = 0;
    if (options.padding === TFLITE_PADDING_SAME) {
      totalPadH = Math.max(0, filterH - ((inH - 1) % strideH) - 1);
      totalPadW = Math.max(0, filterW - ((inW - 1) % strideW) - 1);
    }
    const geo: TransposeGeometry = {
      batches,
      inH,
      inW,
      inC,
      outH: strideH * (inH - 1) + filterH - totalPadH,
      outW: strideW * (inW - 1) + filterW - totalPadW,
      outC,
      filterH,
      filterW,
      strideH,
      strideW,
      padH: Math.floor(totalPadH / 2),
      padW: Math.floor(totalPadW / 2),
    };
    out.shape = [geo.batches, geo.outH, geo.outW, geo.outC];
    return { geo, activation: Activation.NONE, lo: -Infinity, hi: Infinity, acc: new Float64Array(outC), options };
  },
  eval(ctx, p) {
    evalFloatConv(ctx, BIAS_FLOAT_SLOTS, transposeConvCore, p, p.acc);
  },
};

// Differential cases for TRANSPOSE_CONV and CUSTOM:Convolution2DTransposeBias (see conv.ts).
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import {
  ACTIVATIONS,
  actType,
  addBias,
  channels,
  imageInput,
  inputQuant,
  numel,
  outputQuant,
  SAME,
  type Scheme,
  TENSOR_TYPE_INT32,
  VALID,
  weightQuant,
  weightType,
  weightValues,
} from './conv_schemes.js';

/** An output size of TRANSPOSE_CONV that TFLite's padding computation maps back onto `size`. */
function transposeOutSize(r: Rng, size: number, k: number, s: number, padding: number): number {
  if (padding === SAME) return (size - 1) * s + r.int(1, s);
  return (size - 1) * s + k + r.int(0, s - 1);
}

/**
 * Whether TFLite's XNNPACK delegate takes an int8 TRANSPOSE_CONV of this geometry: it declines
 * SAME padding with a kernel smaller than the stride (CalculateTransposeConvPaddings), and TFLite
 * runs its builtin kernel instead.
 */
function xnnpackTakesTransposeGeometry(padding: number, kh: number, kw: number, sh: number, sw: number): boolean {
  return padding !== SAME || (kh >= sh && kw >= sw);
}

/**
 * Keeps XNNPACK's requantization scales, float32 input_scale * filter_scale[c] / output_scale,
 * below 256 by raising the output scale. XNNPACK refuses larger ones when it creates the operator
 * (the delegate's partition checks do not look at them; see xnnpack_graph.ts), and LiteRT.js (the
 * reference at version 4) runs such a graph anyway and returns uninitialized memory (measured:
 * garbage that changes from run to run on every int8 case with a scale >= 256, right again once
 * the output scale brings it below 256). Such cases have no reference output; where the delegate
 * declines the node (SAME, kernel < stride) the builtin kernel runs and large scales stay.
 */
function capXnnpackScale(inQ: FuzzQuant, wQ: FuzzQuant, outQ: FuzzQuant): void {
  const f32 = Math.fround;
  const inScale = f32(inQ.scale[0] as number);
  const maxW = Math.max(...wQ.scale.map((s) => f32(inScale * f32(s))));
  if (f32(maxW / f32(outQ.scale[0] as number)) >= 255) outQ.scale[0] = f32(maxW / 128);
}

export function transposeConv(scheme: Scheme, dtypes: string, perChannel: boolean, bias16: 'int32' | 'int64' = 'int64'): OpFuzzer {
  return {
    op: 'TRANSPOSE_CONV',
    dtypes,
    // LiteRT.js (the reference at version 4) runs int8 and hybrid nodes on XNNPACK where its
    // delegate takes them (hybrid: XNNPACK's dynamically quantized qd8 deconvolution).
    rounding: scheme === 'int8' || scheme === 'hybrid' ? 'xnnpack' : 'reference',
    make(r) {
      const g = new GraphBuilder();
      const batch = r.pick([1, 1, 2].filter((d) => d <= r.size));
      const h = r.dim(7);
      const w = r.dim(7);
      const inC = channels(r, 11);
      const outC = channels(r, 11);
      const padding = r.pick([SAME, VALID]);
      const kh = r.int(1, Math.min(5, Math.max(1, r.size)));
      const kw = r.bool(0.7) ? r.int(1, Math.min(5, Math.max(1, r.size))) : kh;
      const sh = r.int(1, 3);
      const sw = r.bool(0.7) ? r.int(1, 3) : sh;
      const outShape = [batch, transposeOutSize(r, h, kh, sh, padding), transposeOutSize(r, w, kw, sw, padding), outC];
      const shapeT = g.constant('int32', [4], outShape);
      const wShape = [outC, kh, kw, inC];
      const wQ = scheme === 'float32' ? undefined : weightQuant(r, scheme, outC, 0, perChannel);
      const filter = g.constant(weightType(scheme), wShape, weightValues(r, scheme, numel(wShape)), wQ);
      const inQ = inputQuant(r, scheme);
      const x = imageInput(g, r, scheme, [batch, h, w, inC], inQ);
      // Each output pixel sums about (k / s)^2 input pixels.
      const depth = Math.max(1, Math.ceil(kh / sh) * Math.ceil(kw / sw) * inC);
      const withBias = r.bool(0.7);
      const b = withBias ? addBias(g, r, scheme, outC, depth, inQ, wQ, { dtype: scheme === 'int16' ? bias16 : 'int32' }) : -1;
      const outQ = inQ && wQ ? outputQuant(r, scheme, inQ.scale[0] as number, wQ.scale[0] as number, depth) : undefined;
      if (scheme === 'int8' && inQ && wQ && outQ && xnnpackTakesTransposeGeometry(padding, kh, kw, sh, sw)) {
        capXnnpackScale(inQ, wQ, outQ);
      }
      const y = g.output(actType(scheme), outShape, outQ);
      // Version 4 (fused activations): tfjs-tflite's older TFLite refuses it, so LiteRT.js is the
      // reference here. (At version 3 tfjs-tflite differs from LiteRT.js: its int8 node runs the
      // builtin kernel with the reference rounding where LiteRT.js runs XNNPACK (197 of 200 cases
      // match 'reference'), and its 16x8 kernel differs on most cases without a bias (53 of 64),
      // where LiteRT.js and we agree on all 200.)
      const values: Record<string, number> = { padding, strideW: sw, strideH: sh, fusedActivationFunction: r.pick(ACTIVATIONS) };
      // 16x8 with an int32 bias: declared by quantized_bias_type = INT32 at version 5, as the
      // converter writes it. Undeclared, TFLite reads the int32 bias buffer as int64 (measured on
      // LiteRT.js: channel c gets bias[2c] + bias[2c+1] * 2^32, read past the buffer for the upper
      // half of the channels), which no kernel can reproduce.
      const int32Bias16 = scheme === 'int16' && bias16 === 'int32';
      if (int32Bias16) values.quantizedBiasType = TENSOR_TYPE_INT32;
      const inputs = withBias ? [shapeT, filter, x, b] : [shapeT, filter, x];
      g.node('TRANSPOSE_CONV', inputs, [y], { type: 'TransposeConvOptions', values }, int32Bias16 ? 5 : 4);
      return g.graph;
    },
  };
}

/** TfLitePadding of the raw options struct: kTfLitePaddingSame = 1, kTfLitePaddingValid = 2. */
function transposeBiasOptions(padding: number, strideW: number, strideH: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, padding, true);
  view.setInt32(4, strideW, true);
  view.setInt32(8, strideH, true);
  return bytes;
}

export const convolution2dTransposeBias: OpFuzzer = {
  op: 'CUSTOM:Convolution2DTransposeBias',
  dtypes: 'float32',
  oracle: 'litert',
  note: 'MediaPipe custom op: only LiteRT.js registers it',
  make(r) {
    const g = new GraphBuilder();
    const batch = r.pick([1, 1, 2].filter((d) => d <= r.size));
    const h = r.dim(7);
    const w = r.dim(7);
    const inC = channels(r, 11);
    const outC = channels(r, 11);
    const kh = r.int(1, Math.min(5, Math.max(1, r.size)));
    const kw = r.bool(0.7) ? r.int(1, Math.min(5, Math.max(1, r.size))) : kh;
    // LiteRT.js leaves outputs no tap reaches (stride > kernel) uninitialized: strides stay <= the kernel.
    const sh = r.int(1, Math.min(3, kh));
    const sw = r.int(1, Math.min(3, kw));
    const x = g.input('float32', [batch, h, w, inC], { range: [-2, 2] });
    const wShape = [outC, kh, kw, inC];
    const filter = g.constant('float32', wShape, r.floats(numel(wShape)));
    const b = g.constant('float32', [outC], r.floats(outC, -2, 2));
    const y = g.output('float32');
    g.node('CUSTOM:Convolution2DTransposeBias', [x, filter, b], [y], undefined, 1, {
      customOptions: transposeBiasOptions(r.pick([1, 2]), sw, sh),
    });
    return g.graph;
  },
};

// Quantized SOFTMAX over the last axis (tensorflow/lite/kernels/activations.cc SoftmaxPrepare /
// SoftmaxEval of the builtin, generic optimized kernel):
// - int8 / uint8 input (int8, uint8 or int16 output): optimized_ops::Softmax with the float32
//   exp table built at prepare (non-ARM64 builds; src/quant softmaxFloatTableRow);
// - int16 input and output: reference_ops::SoftmaxInt16 with the exp and 1/(1+x) tables.
import {
  f32,
  populateSoftmaxFloatTable,
  prepareSoftmaxInt16,
  type SoftmaxInt16Params,
  type SoftmaxOutputType,
  softmaxFloatTableRow,
  softmaxInt16Row,
} from '../quant/index.js';
import { fail, input, type Kernel, output } from './kernel.js';
import { requireQuantizedType, requireZeroPointZero, tensorQuant } from './quantize.js';
import { parseSoftmaxOptions } from './softmax.js';
import { UNARY_INPUTS } from './unary.js';

type SoftmaxIntParams = { depth: number; rows: number } & (
  | { mode: 'table'; table: Float32Array; outputScale: number; outputZeroPoint: number; outputType: SoftmaxOutputType }
  | { mode: 'int16'; int16: SoftmaxInt16Params }
);

/** TF_LITE_ENSURE_NEAR: |value - expected| <= tolerance. */
function near(value: number, expected: number, tolerance: number): boolean {
  return Math.abs(value - expected) <= tolerance;
}

export const softmaxIntKernel: Kernel<SoftmaxIntParams> = {
  prepare(ctx) {
    const x = input(ctx, UNARY_INPUTS.input);
    const y = output(ctx, 0);
    const inType = requireQuantizedType(ctx, x, 'the input');
    const outType = requireQuantizedType(ctx, y, 'the output');
    const allowed = inType === 'int16' ? outType === 'int16' : outType === inType || outType === 'int16';
    if (!allowed) fail(ctx, `${inType} input with ${outType} output is not supported`);
    if (x.shape.length < 1) fail(ctx, 'input must have rank >= 1, got a scalar');
    y.shape = [...x.shape];
    const depth = x.shape[x.shape.length - 1] as number;
    let rows = 1;
    for (let i = 0; i < x.shape.length - 1; i++) rows *= x.shape[i] as number;
    const qi = tensorQuant(ctx, x, 'the input');
    const qo = tensorQuant(ctx, y, 'the output');
    const { beta } = parseSoftmaxOptions(ctx);
    if (inType === 'int8' && outType === 'int8') {
      if (qo.zeroPoint !== -128 || !near(qo.scale, 1 / 256, f32(0.001 * (1 / 256)))) {
        fail(ctx, `int8 output must have scale 1/256 and zero point -128, got ${qo.scale} and ${qo.zeroPoint}`);
      }
    }
    if (inType === 'int16') {
      requireZeroPointZero(ctx, qi, 'the input');
      requireZeroPointZero(ctx, qo, 'the output');
      if (!near(qo.scale, 1 / 32768, f32(0.001 * (1 / 32768)))) fail(ctx, `int16 output must have scale 1/32768, got ${qo.scale}`);
      return { depth, rows, mode: 'int16', int16: prepareSoftmaxInt16(beta, qi.scale) };
    }
    return {
      depth,
      rows,
      mode: 'table',
      table: populateSoftmaxFloatTable(qi.scale, beta),
      outputScale: qo.scale,
      outputZeroPoint: qo.zeroPoint,
      outputType: outType,
    };
  },
  eval(ctx, p) {
    const x = input(ctx, UNARY_INPUTS.input).data as Int8Array | Uint8Array | Int16Array;
    const o = output(ctx, 0).data as Int8Array | Uint8Array | Int16Array;
    const { depth, rows } = p;
    if (depth === 0) return;
    if (p.mode === 'int16') {
      for (let r = 0, base = 0; r < rows; r++, base += depth) softmaxInt16Row(x, base, depth, o, base, p.int16);
      return;
    }
    const { table, outputScale, outputZeroPoint, outputType } = p;
    for (let r = 0, base = 0; r < rows; r++, base += depth) {
      softmaxFloatTableRow(x, base, depth, o, base, table, outputScale, outputZeroPoint, outputType);
    }
  },
};

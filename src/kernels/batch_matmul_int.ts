// BATCH_MATMUL on integer operands, bit-exact with TFLite (batch_matmul.cc EvalInt8Int8,
// EvalInt8Int32, EvalInt16, EvalInt16Int8; reference_ops::BatchMatMul):
// - int8 x int8 -> int8: 32-bit sums of (x - zp_x) * (y - zp_y), one per-tensor multiplier;
// - int8 x int8 -> int32: raw sums of x * y (TFLite applies no zero points there);
// - int16 x int8 and int16 x int16 -> int16: zero points 0, 64-bit sums, the int64 multiplier.
// The multiplier is TFLite's per-tensor one, QuantizeMultiplier(float(lhs_scale * rhs_scale) /
// output_scale), from the tensors' legacy `params`. A per-channel RHS has no such params in TFLite
// (its params.scale is 0), so its multiplier is 0 and every output is the output zero point,
// exactly as TFLite computes it (the case of einsum_k_a16w8).
// Integer rounding (ctx.config.integerRounding): 'reference' (default) is TFLite's builtin
// reference kernel — the specification; under 'xnnpack', int8 products with a per-tensor,
// zero-point-0 RHS take XNNPACK's float32 requantization, as TFLite's default XNNPACK delegate
// (and LiteRT.js) computes them.
// out[..., i, j] = sum_k X[..., i, k] * Y[..., k, j], X transposed in its last two dimensions when
// adj_x, Y when adj_y. Ranks 2 to 5; leading dimensions broadcast.
import { legacyConvolutionMultiplier } from '../quant/index.js';
import { BATCH_MATMUL_INPUTS, batchMatMulShape } from './batch_matmul.js';
import { dotRows } from './int/dot.js';
import type { IntArray } from './int/int_array.js';
import { activationQuantization, guarded, legacyQuantization, requireZeroPointZero, uniformMultipliers } from './int/quant_params.js';
import { makeRequant, type Requant, requantize } from './int/requant.js';
import { xnnpackActivationOk, xnnpackScales } from './int/xnnpack_rounding.js';
import type { Kernel, RuntimeTensor } from './kernel.js';
import { fail, input, isKnown, output, xnnpackRuns } from './kernel.js';
import { broadcastStrides } from './util.js';

interface BatchMatMulIntParams {
  m: number;
  k: number;
  n: number;
  adjX: boolean;
  adjY: boolean;
  batchShape: number[];
  batchCount: number;
  /** Matrix index of each operand for each output batch (broadcast resolved). */
  lhsMatrix: Int32Array;
  rhsMatrix: Int32Array;
  lhsMatrices: number;
  rhsMatrices: number;
  lhsOffset: number;
  rhsOffset: number;
  /** null for the raw int32 output (no requantization). */
  requant: Requant | null;
  /** LHS as [matrix][m][k] rows; RHS as [matrix][n][k] rows with its offset added, and row sums. */
  lhsRows: Int16Array;
  rhsRows: Int16Array;
  rhsSums: Float64Array;
  rhsConstant: boolean;
  acc: Float64Array;
}

/** Copies matrices of `t` into [matrix][rows][k] Int16 rows, transposing as needed; adds `offset`. */
function toRows(
  src: IntArray,
  matrices: number,
  rows: number,
  k: number,
  transposed: boolean,
  offset: number,
  dst: Int16Array,
  sums: Float64Array | null,
): void {
  for (let mtx = 0; mtx < matrices; mtx++) {
    const base = mtx * rows * k;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const d = base + r * k;
      for (let kk = 0; kk < k; kk++) {
        // Element (r, kk) of the logical [rows, k] matrix.
        const v = (src[base + (transposed ? kk * rows + r : r * k + kk)] as number) + offset;
        dst[d + kk] = v;
        s += v;
      }
      if (sums) sums[mtx * rows + r] = s;
    }
  }
}

function matrixIndices(shape: number[], batchShape: number[]): Int32Array {
  const strides = broadcastStrides(shape, batchShape);
  const count = batchShape.reduce((a, d) => a * d, 1);
  const out = new Int32Array(count);
  const index = new Array<number>(batchShape.length).fill(0);
  for (let b = 0; b < count; b++) {
    let off = 0;
    for (let d = 0; d < index.length; d++) off += (index[d] as number) * (strides[d] as number);
    out[b] = off;
    for (let d = index.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (batchShape[d] as number)) break;
      index[d] = 0;
    }
  }
  return out;
}

/** BATCH_MATMUL with int8 or int16 LHS and int8 / int16 RHS. */
export const batchMatMulInt: Kernel<BatchMatMulIntParams> = {
  prepare(ctx) {
    const lhs = input(ctx, BATCH_MATMUL_INPUTS.lhs);
    const rhs = input(ctx, BATCH_MATMUL_INPUTS.rhs);
    const out = output(ctx, 0);
    const ok =
      (lhs.dtype === 'int8' && rhs.dtype === 'int8' && (out.dtype === 'int8' || out.dtype === 'int32')) ||
      (lhs.dtype === 'int16' && (rhs.dtype === 'int8' || rhs.dtype === 'int16') && out.dtype === 'int16');
    if (!ok)
      fail(ctx, `unsupported dtypes ${lhs.dtype} x ${rhs.dtype} -> ${out.dtype} (int8 x int8 -> int8/int32, int16 x int8/int16 -> int16)`);
    const { adjX, adjY, m, k, n, batchShape, lhsBatchShape, rhsBatchShape } = batchMatMulShape(ctx, lhs, rhs);
    out.shape = [...batchShape, m, n];
    const lhsQ = legacyQuantization(lhs);
    const rhsQ = legacyQuantization(rhs);
    let requant: Requant | null = null;
    if (out.dtype !== 'int32') {
      activationQuantization(ctx, lhs, 'lhs');
      activationQuantization(ctx, out, 'output');
      if (!rhs.quantization || rhs.quantization.scale.length === 0) fail(ctx, `rhs (${rhs.dtype}) has no quantization parameters`);
      if (lhs.dtype === 'int16') {
        requireZeroPointZero(ctx, lhs, 'lhs');
        requireZeroPointZero(ctx, rhs, 'rhs');
        requireZeroPointZero(ctx, out, 'output');
      }
      const outScale = legacyQuantization(out).scale;
      const real = guarded(ctx, 'output multiplier', () => legacyConvolutionMultiplier(lhsQ.scale, rhsQ.scale, outScale));
      // XNNPACK takes int8 products whose RHS is quantized per tensor. The reference build
      // (tfjs-tflite) takes them whatever the RHS zero point (measured: fp32 requantization
      // matches it bit for bit with RHS zero points -128..127); LiteRT.js's newer delegate takes
      // only a zero RHS zero point and differs by 1 LSB from tfjs-tflite on the others.
      const xnnpack =
        xnnpackRuns(ctx) &&
        lhs.dtype === 'int8' &&
        rhs.quantization.scale.length === 1 &&
        xnnpackActivationOk(lhs) &&
        xnnpackActivationOk(rhs) &&
        xnnpackActivationOk(out)
          ? xnnpackScales(lhs, rhs, out, 1)
          : null;
      // No fused activation: the clamp is the output type's range.
      requant = makeRequant(ctx, out, uniformMultipliers(ctx, real, 1), lhs.dtype === 'int16', 0, xnnpack);
    }
    const lhsMatrices = lhs.shape.slice(0, -2).reduce((a, d) => a * d, 1);
    const rhsMatrices = rhs.shape.slice(0, -2).reduce((a, d) => a * d, 1);
    const batchCount = batchShape.reduce((a, d) => a * d, 1);
    // The int32 output applies no zero points (EvalInt8Int32).
    const raw = out.dtype === 'int32';
    const p: BatchMatMulIntParams = {
      m,
      k,
      n,
      adjX,
      adjY,
      batchShape,
      batchCount,
      lhsMatrix: matrixIndices(lhsBatchShape, batchShape),
      rhsMatrix: matrixIndices(rhsBatchShape, batchShape),
      lhsMatrices,
      rhsMatrices,
      lhsOffset: raw ? 0 : -lhsQ.zeroPoint,
      rhsOffset: raw ? 0 : -rhsQ.zeroPoint,
      requant,
      lhsRows: new Int16Array(lhsMatrices * m * k),
      rhsRows: new Int16Array(rhsMatrices * n * k),
      rhsSums: new Float64Array(rhsMatrices * n),
      rhsConstant: isKnown(rhs),
      acc: new Float64Array(m * n),
    };
    if (p.rhsConstant) loadRhs(rhs, p);
    return p;
  },
  eval(ctx, p) {
    const outTensor = output(ctx, 0);
    if (outTensor.data.length === 0) return;
    const { m, k, n, acc, requant, lhsOffset } = p;
    if (!p.rhsConstant) loadRhs(input(ctx, BATCH_MATMUL_INPUTS.rhs), p);
    // Raw LHS rows (its offset enters through the RHS row sums).
    toRows(input(ctx, BATCH_MATMUL_INPUTS.lhs).data as IntArray, p.lhsMatrices, m, k, p.adjX, 0, p.lhsRows, null);
    const out = outTensor.data as IntArray | Int32Array;
    for (let b = 0; b < p.batchCount; b++) {
      const lm = p.lhsMatrix[b] as number;
      const rm = p.rhsMatrix[b] as number;
      dotRows(p.lhsRows, lm * m * k, k, m, k, p.rhsRows, rm * n * k, n, acc, 0, n);
      const dst = b * m * n;
      const sums = rm * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const s = (acc[i * n + j] as number) + lhsOffset * (p.rhsSums[sums + j] as number);
          out[dst + i * n + j] = requant === null ? s | 0 : requantize(requant, s, 0);
        }
      }
    }
  },
};

/** RHS matrices as [n][k] rows (Y^T, so contiguous along k), with the RHS offset added. */
function loadRhs(rhs: RuntimeTensor, p: BatchMatMulIntParams): void {
  // Y is [k, n] (or [n, k] with adj_y); rows of Y^T are its columns.
  toRows(rhs.data as IntArray, p.rhsMatrices, p.n, p.k, !p.adjY, p.rhsOffset, p.rhsRows, p.rhsSums);
}

// BATCH_MATMUL for float32 (tensorflow/lite/kernels/batch_matmul.cc, reference BatchMatMul):
// out[..., i, j] = sum_k X[..., i, k] * Y[..., k, j], X transposed in its last two dimensions
// when adj_x, Y when adj_y. Ranks 2 to 5; the leading (batch) dimensions broadcast NumPy-style.

import { builtinOptions } from '../model/options.js';
import { expectFloat32 } from './conv.js';
import type { Kernel, NodeContext, RuntimeTensor } from './kernel.js';
import { fail, input, output } from './kernel.js';
import { broadcastStrides } from './util.js';

/** Input slots of BATCH_MATMUL (float and integer kernels). */
export const BATCH_MATMUL_INPUTS = { lhs: 0, rhs: 1 } as const;

/** What the float BATCH_MATMUL prepare computes. */
export interface BatchMatMulParams extends Omit<BatchMatMulShape, 'lhsBatchShape' | 'rhsBatchShape'> {
  /** Each operand's matrix strides along the output's batch dimensions. */
  lhsBatchStrides: number[];
  rhsBatchStrides: number[];
  batchCount: number;
  /** One output row, summed in doubles. */
  row: Float64Array;
  index: number[];
}

/** Shapes of a BATCH_MATMUL, shared by the float and integer kernels (batch_matmul_int.ts). */
export interface BatchMatMulShape {
  adjX: boolean;
  adjY: boolean;
  /** Rows of the product, shared dimension, columns. */
  m: number;
  k: number;
  n: number;
  /** Broadcast batch dimensions of the output. */
  batchShape: number[];
  /** Each operand's batch dimensions, padded with leading 1s to the output's rank. */
  lhsBatchShape: number[];
  rhsBatchShape: number[];
}

/** BATCH_MATMUL's options (BatchMatMulOptions). */
export interface BatchMatMulOptions {
  adjX: boolean;
  adjY: boolean;
  asymmetricQuantizeInputs: boolean;
}

export function parseBatchMatMulOptions(ctx: NodeContext): BatchMatMulOptions {
  const o = builtinOptions(ctx.op, 'BatchMatMulOptions');
  return { adjX: o.adjX ?? false, adjY: o.adjY ?? false, asymmetricQuantizeInputs: o.asymmetricQuantizeInputs ?? false };
}

/** Rank checks, NumPy-style batch broadcasting and the adj_x / adj_y product dimensions. */
export function batchMatMulShape(ctx: NodeContext, lhs: RuntimeTensor, rhs: RuntimeTensor): BatchMatMulShape {
  for (const [t, what] of [
    [lhs, 'lhs'],
    [rhs, 'rhs'],
  ] as const) {
    if (t.shape.length < 2 || t.shape.length > 5) fail(ctx, `${what} must have rank 2 to 5, got shape [${t.shape}]`);
  }
  const { adjX, adjY } = parseBatchMatMulOptions(ctx);
  const rank = Math.max(lhs.shape.length, rhs.shape.length);
  const lhsShape = [...new Array<number>(rank - lhs.shape.length).fill(1), ...lhs.shape];
  const rhsShape = [...new Array<number>(rank - rhs.shape.length).fill(1), ...rhs.shape];
  const batchShape: number[] = [];
  for (let i = 0; i < rank - 2; i++) {
    const a = lhsShape[i] as number;
    const b = rhsShape[i] as number;
    if (a !== b && a !== 1 && b !== 1) fail(ctx, `batch dimensions of [${lhs.shape}] and [${rhs.shape}] cannot be broadcast`);
    batchShape.push(a === 1 ? b : a);
  }
  const lhsRows = lhsShape[rank - 2] as number;
  const lhsCols = lhsShape[rank - 1] as number;
  const rhsRows = rhsShape[rank - 2] as number;
  const rhsCols = rhsShape[rank - 1] as number;
  const m = adjX ? lhsCols : lhsRows;
  const k = adjX ? lhsRows : lhsCols;
  const kY = adjY ? rhsCols : rhsRows;
  const n = adjY ? rhsRows : rhsCols;
  if (k !== kY) {
    fail(
      ctx,
      `shared dimension differs: lhs [${lhs.shape}]${adjX ? ' (adj_x)' : ''} gives ${k}, rhs [${rhs.shape}]${adjY ? ' (adj_y)' : ''} gives ${kY}`,
    );
  }
  return { adjX, adjY, m, k, n, batchShape, lhsBatchShape: lhsShape.slice(0, rank - 2), rhsBatchShape: rhsShape.slice(0, rank - 2) };
}

export const batchMatMulFloat: Kernel<BatchMatMulParams> = {
  prepare(ctx) {
    const lhs = input(ctx, BATCH_MATMUL_INPUTS.lhs);
    const rhs = input(ctx, BATCH_MATMUL_INPUTS.rhs);
    const out = output(ctx, 0);
    expectFloat32(ctx, lhs, 'lhs');
    expectFloat32(ctx, rhs, 'rhs');
    expectFloat32(ctx, out, 'output');
    const { adjX, adjY, m, k, n, batchShape, lhsBatchShape, rhsBatchShape } = batchMatMulShape(ctx, lhs, rhs);
    out.shape = [...batchShape, m, n];
    // Strides in whole matrices: a broadcast dimension (size 1) gets stride 0.
    const lhsBatchStrides = broadcastStrides(lhsBatchShape, batchShape).map((s) => s * m * k);
    const rhsBatchStrides = broadcastStrides(rhsBatchShape, batchShape).map((s) => s * k * n);
    return {
      adjX,
      adjY,
      m,
      k,
      n,
      batchShape,
      lhsBatchStrides,
      rhsBatchStrides,
      batchCount: batchShape.reduce((a, d) => a * d, 1),
      row: new Float64Array(n),
      index: new Array<number>(batchShape.length).fill(0),
    };
  },
  eval(ctx, p) {
    const out = output(ctx, 0).data as Float32Array;
    if (out.length === 0) return;
    const x = input(ctx, BATCH_MATMUL_INPUTS.lhs).data as Float32Array;
    const y = input(ctx, BATCH_MATMUL_INPUTS.rhs).data as Float32Array;
    const { m, k, n, adjX, adjY, row, index } = p;
    // Element (i, kk) of X sits at i*xi + kk*xk; element (kk, j) of Y at kk*yk + j*yj.
    const xi = adjX ? 1 : k;
    const xk = adjX ? m : 1;
    const yk = adjY ? 1 : n;
    const yj = adjY ? k : 1;
    index.fill(0);
    for (let batch = 0; batch < p.batchCount; batch++) {
      let xOff = 0;
      let yOff = 0;
      for (let d = 0; d < index.length; d++) {
        xOff += (index[d] as number) * (p.lhsBatchStrides[d] as number);
        yOff += (index[d] as number) * (p.rhsBatchStrides[d] as number);
      }
      const outOff = batch * m * n;
      for (let i = 0; i < m; i++) {
        if (adjY) {
          // Rows of Y^T are contiguous: plain dot products.
          for (let j = 0; j < n; j++) {
            let s = 0;
            const yBase = yOff + j * yj;
            for (let kk = 0; kk < k; kk++) s += (x[xOff + i * xi + kk * xk] as number) * (y[yBase + kk] as number);
            out[outOff + i * n + j] = s;
          }
        } else {
          // Accumulate scaled rows of Y so the inner loop runs over contiguous columns.
          row.fill(0);
          for (let kk = 0; kk < k; kk++) {
            const a = x[xOff + i * xi + kk * xk] as number;
            const yBase = yOff + kk * yk;
            for (let j = 0; j < n; j++) row[j] = (row[j] as number) + a * (y[yBase + j] as number);
          }
          for (let j = 0; j < n; j++) out[outOff + i * n + j] = row[j] as number;
        }
      }
      // Next batch index, last dimension fastest.
      for (let d = index.length - 1; d >= 0; d--) {
        index[d] = (index[d] as number) + 1;
        if ((index[d] as number) < (p.batchShape[d] as number)) break;
        index[d] = 0;
      }
    }
  },
};

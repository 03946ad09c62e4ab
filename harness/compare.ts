// How close an output is to its golden: the numbers `verify` reports and judges.

export interface Tolerance {
  /** Float outputs: max |got - golden| / max |golden| must not exceed this. */
  maxRel: number;
  /** Integer outputs: the largest allowed difference in LSB, and the share of exact elements. */
  maxLsb: number;
  minExactShare: number;
}

export const TOLERANCE = {
  fp32: { maxRel: 1e-4, maxLsb: 1, minExactShare: 0.99 },
  fp16: { maxRel: 1e-2, maxLsb: 1, minExactShare: 0.99 },
} satisfies Record<string, Tolerance>;

export interface OutputComparison {
  name: string;
  dtype: string;
  shape: number[];
  goldenShape: number[];
  elements: number;
  maxAbs: number;
  /** maxAbs relative to max |golden| (maxAbs itself when the golden is all zeros). */
  maxRel: number;
  cosine: number;
  /** Integer outputs only. */
  maxLsb?: number;
  exactShare?: number;
  nonFinite: number;
  pass: boolean;
  /** Why it failed, in words. */
  problem?: string;
}

const INTEGER = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'bool']);

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

export function compareOutput(
  name: string,
  dtype: string,
  shape: number[],
  got: Numeric,
  goldenShape: number[],
  golden: Numeric,
  tol: Tolerance,
): OutputComparison {
  const n = golden.length;
  const base = { name, dtype, shape, goldenShape, elements: n };
  const sameShape = shape.length === goldenShape.length && shape.every((d, i) => d === goldenShape[i]);
  if (!sameShape || got.length !== n) {
    return {
      ...base,
      maxAbs: Number.POSITIVE_INFINITY,
      maxRel: Number.POSITIVE_INFINITY,
      cosine: 0,
      nonFinite: 0,
      pass: false,
      problem: `shape [${shape}] differs from the golden [${goldenShape}]`,
    };
  }
  let maxAbs = 0;
  let maxGolden = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let exact = 0;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const a = Number(got[i]);
    const b = Number(golden[i]);
    if (!Number.isFinite(a) && a !== b) nonFinite++;
    const d = Math.abs(a - b);
    if (a === b) exact++;
    else if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    maxGolden = Math.max(maxGolden, Math.abs(b));
    dot += a * b;
    na += a * a;
    nb += b * b;
  }
  const maxRel = maxGolden > 0 ? maxAbs / maxGolden : maxAbs;
  const cosine = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
  if (INTEGER.has(dtype)) {
    const exactShare = n === 0 ? 1 : exact / n;
    const pass = maxAbs <= tol.maxLsb && exactShare >= tol.minExactShare;
    const out: OutputComparison = { ...base, maxAbs, maxRel, cosine, maxLsb: maxAbs, exactShare, nonFinite, pass };
    if (!pass)
      out.problem = `${maxAbs} LSB max, ${(exactShare * 100).toFixed(2)}% exact (allowed ${tol.maxLsb} LSB, ${tol.minExactShare * 100}%)`;
    return out;
  }
  const pass = nonFinite === 0 && maxRel <= tol.maxRel;
  const out: OutputComparison = { ...base, maxAbs, maxRel, cosine, nonFinite, pass };
  if (!pass) out.problem = nonFinite ? `${nonFinite} non-finite values` : `relative error ${maxRel.toExponential(2)} > ${tol.maxRel}`;
  return out;
}

/**
 * An fp16 result that misses the bar may still be as good as f16 storage allows: its error may
 * be at most this many times the error of the f16 storage reference (TFLite's kernels with every
 * activation rounded to f16; see verify). Two f16 runs that differ only in summation order part by
 * about as much as either parts from f32 on ill-conditioned models, hence a factor and not equality.
 */
export const F16_REFERENCE_FACTOR = 2;

/**
 * True when a float output that misses the fp16 bar is within F16_REFERENCE_FACTOR of the f16
 * storage reference's own error (`reference`: the reference compared with the same golden) and
 * that reference misses the bar too. Integer outputs and shape or non-finite problems never qualify.
 */
export function withinF16Reference(ours: OutputComparison, reference: OutputComparison, tol: Tolerance): boolean {
  if (ours.pass) return true;
  if (ours.maxLsb !== undefined || ours.nonFinite > 0 || !Number.isFinite(ours.maxRel)) return false;
  if (reference.pass || reference.maxLsb !== undefined || !Number.isFinite(reference.maxRel)) return false;
  return ours.maxRel <= F16_REFERENCE_FACTOR * Math.max(reference.maxRel, tol.maxRel);
}

// Judging a case's outputs against TFLite's: the per-output check, and fp16 runs against what f16
// storage itself costs.
import type { Placement } from '../../src/index.js';
import { F16_REFERENCE_FACTOR } from '../compare.js';
import { type HalfRounding, halfStorageObserver } from '../half_storage.js';
import type { OracleOutput } from '../oracle/types.js';
import { type MaterializedCase, type OpFuzzer, type OutputCheck, runInterpreter } from './case.js';
import { buildModel, type FuzzGraph } from './graph.js';

export const FLOAT = new Set(['float32', 'float64', 'float16']);

/** Judges one output: floats by relative error with NaN / Inf in the same places; integers by LSB. */
/** The smallest normal float32: below it, WGSL may flush to zero. */
const FLT_MIN = 2 ** -126;

export function checkOutput(
  index: number,
  dtype: string,
  shape: number[],
  got: ArrayLike<number> | ArrayLike<bigint>,
  golden: OracleOutput,
  floatTolerance: number,
  lsb: number,
  /**
   * 'wgsl' (GPU targets): elements where TFLite gives Inf / NaN are not judged (WGSL does not
   * promise IEEE specials), and float32 subnormals compare as zero (WGSL lets implementations
   * flush them). 'ieee': everything exact.
   */
  rules: 'ieee' | 'wgsl' = 'ieee',
): OutputCheck {
  const base = { index, dtype, shape, goldenShape: golden.shape };
  const sameShape = shape.length === golden.shape.length && shape.every((d, i) => d === golden.shape[i]);
  if (!sameShape || got.length !== golden.data.length) {
    const problem = `shape [${shape}] differs from TFLite's [${golden.shape}]`;
    return { ...base, maxAbs: Number.POSITIVE_INFINITY, maxRel: Number.POSITIVE_INFINITY, exact: false, pass: false, problem };
  }
  let maxAbs = 0;
  let maxGolden = 0;
  let misplaced = 0;
  let worst = -1;
  for (let i = 0; i < got.length; i++) {
    let a = Number(got[i]);
    let b = Number(golden.data[i]);
    if (rules === 'wgsl') {
      if (!Number.isFinite(b)) continue;
      if (Math.abs(a) < FLT_MIN) a = 0;
      if (Math.abs(b) < FLT_MIN) b = 0;
    }
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) misplaced++;
      continue;
    }
    maxGolden = Math.max(maxGolden, Math.abs(b));
    const d = Math.abs(a - b);
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
  }
  const maxRel = maxGolden > 0 ? maxAbs / maxGolden : maxAbs;
  const exact = maxAbs === 0 && misplaced === 0;
  const isFloat = FLOAT.has(dtype);
  const pass = misplaced === 0 && (isFloat ? maxRel <= floatTolerance : maxAbs <= lsb);
  const out: OutputCheck = { ...base, maxAbs, maxRel, exact, pass };
  if (!pass) {
    const at = worst >= 0 ? ` (element ${worst}: ours ${Number(got[worst])}, TFLite ${Number(golden.data[worst])})` : '';
    out.problem = misplaced
      ? `${misplaced} NaN/Inf values where TFLite has none, or the reverse`
      : isFloat
        ? `relative error ${maxRel.toExponential(2)} > ${floatTolerance}${at}`
        : `${maxAbs} LSB off${at}`;
  }
  return out;
}

/** The f16 storage references verify judges fp16 with (harness/verify.ts): every rounding to f16 WGSL allows. */
const F16_STORAGE_REFERENCES: readonly HalfRounding[] = ['nearest', 'toward-zero', 'away-from-zero', 'stochastic'];

const ALIAS_OPS = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);

/**
 * The tensors our fp16 run stored in f16: outputs of the webgpu partitions' nodes that run at f16
 * (the placement's f32Nodes run at f32), except the partitions' outputs; a RESHAPE-like node's
 * output shares its input's storage.
 */
function delegateF16Tensors(graph: FuzzGraph, placement: Placement): Set<number> {
  const f16 = new Set<number>();
  for (const p of placement.partitions) {
    const f32Nodes = p.info.f32Nodes;
    if (p.backend !== 'webgpu' || p.info.precision === 'fp32' || !Array.isArray(f32Nodes)) continue;
    const boundary = new Set(p.outputs.map((o) => o.index));
    for (const n of p.nodes) {
      const node = graph.nodes[n];
      if (!node || f32Nodes.includes(n)) continue;
      const stored = ALIAS_OPS.has(node.op) ? f16.has(node.inputs[0] as number) : true;
      for (const t of node.outputs) if (stored && !boundary.has(t)) f16.add(t);
    }
  }
  return f16;
}

/**
 * webgpu-fp16 outputs that miss the fp16 bar, judged as verify judges fp16 runs: against what f16
 * storage itself costs on this case, measured by our CPU kernels (math f32) with activations
 * rounded to f16, each rounding WGSL allows, in two placements: every activation (verify's
 * references) and exactly the tensors our run stored in f16 (the others kept f32 by making them
 * outputs of the reference model, which the interpreter never rounds). An output passes when its
 * error is within max(bar, F16_REFERENCE_FACTOR x the worst reference's) of the golden (relative
 * error for floats, LSB for integers): near-ties before a discrete step (ARG_MAX, QUANTIZE) flip
 * at f16 precision, and normalisation amplifies f16 rounding (x * s - mean * s cancels), both
 * legitimately. An output where a reference overflows f16 (Inf / NaN where TFLite is finite) is
 * beyond f16 storage's range and passes with a note.
 */
export async function judgeAgainstF16Storage(
  fuzzer: OpFuzzer,
  c: MaterializedCase,
  placement: Placement,
  golden: OracleOutput[],
  outputs: OutputCheck[],
  tol: number,
): Promise<OutputCheck[]> {
  const f16 = delegateF16Tensors(c.graph, placement);
  const keepF32 = c.graph.tensors.flatMap((t, i) =>
    t.dtype === 'float32' && !t.data && !c.graph.inputs.includes(i) && !c.graph.outputs.includes(i) && !f16.has(i) ? [i] : [],
  );
  const mirror = { ...c, bytes: buildModel({ ...c.graph, outputs: [...c.graph.outputs, ...keepF32] }) };
  const worst = outputs.map(() => ({ rel: 0, lsb: 0, overflow: false }));
  for (const model of [c, mirror]) {
    for (const halfRounding of F16_STORAGE_REFERENCES) {
      const options = {
        integerRounding: fuzzer.rounding ?? 'reference',
        observer: halfStorageObserver(model.bytes, halfRounding),
      } as const;
      let ref: Awaited<ReturnType<typeof runInterpreter>>;
      try {
        ref = await runInterpreter(model, options);
      } catch {
        return outputs;
      }
      if (!('shapes' in ref)) return outputs;
      outputs.forEach((o, k) => {
        const r = checkOutput(k, o.dtype, ref.shapes[k] ?? [], ref.data[k] ?? [], golden[k] as OracleOutput, tol, fuzzer.lsb ?? 0, 'wgsl');
        const w = worst[k] as (typeof worst)[number];
        w.rel = Math.max(w.rel, r.maxRel);
        w.lsb = Math.max(w.lsb, r.maxAbs);
        w.overflow ||= r.problem?.includes('NaN/Inf') ?? false;
      });
    }
  }
  return outputs.map((o, k) => {
    const w = worst[k] as (typeof worst)[number];
    if (o.pass || o.problem?.startsWith('shape')) return o;
    if (w.overflow) return { ...o, pass: true, problem: `${o.problem}; f16 storage overflows here (a reference has Inf / NaN)` };
    if (!Number.isFinite(o.maxRel) || o.problem?.includes('NaN/Inf')) return o;
    const isFloat = FLOAT.has(o.dtype);
    const bound = isFloat ? Math.max(tol, F16_REFERENCE_FACTOR * w.rel) : Math.max(fuzzer.lsb ?? 0, F16_REFERENCE_FACTOR * w.lsb);
    const err = isFloat ? o.maxRel : o.maxAbs;
    const note = `f16 storage alone (our CPU kernels, activations rounded to f16) is off by ${isFloat ? w.rel.toExponential(2) : `${w.lsb} LSB`}`;
    if (err <= bound) return { ...o, pass: true, problem: `${o.problem}; within ${F16_REFERENCE_FACTOR}x: ${note}` };
    return { ...o, problem: `${o.problem}; ${note}` };
  });
}

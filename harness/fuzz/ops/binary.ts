// Differential cases for the broadcasting binary ops (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM,
// SQUARED_DIFFERENCE, FLOOR_DIV, FLOOR_MOD), float and quantized.
import type { DType } from '../../../src/index.js';
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

/** Two shapes that broadcast: same rank or not, with 1s anywhere, or equal. */
export function broadcastShapes(r: Rng, maxRank = 5): [number[], number[]] {
  const rank = r.rank(0, maxRank);
  const out = r.shape(rank, 7);
  const pattern = r.pick(['same', 'broadcast', 'scalar', 'lower-rank', 'both'] as const);
  if (pattern === 'same') return [out, [...out]];
  if (pattern === 'scalar') return r.bool() ? [out, []] : [[], out];
  if (pattern === 'both') {
    // Each dimension broadcast on one side or the other (e.g. [3,1] x [1,5]).
    const a = out.map((d) => (r.bool(0.4) ? 1 : d));
    const b = out.map((d, i) => (a[i] === 1 ? d : r.bool(0.4) ? 1 : d));
    const bb = b.slice(r.int(0, Math.max(0, rank - 1)));
    return r.bool() ? [a, bb] : [bb, a];
  }
  const other = out.map((d) => (r.bool() ? 1 : d));
  const b = pattern === 'lower-rank' ? other.slice(r.int(0, rank)) : other;
  return r.bool() ? [out, b] : [b, out];
}

const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const ACTIVATIONS = [0, 1, 2, 3]; // NONE, RELU, RELU_N1_TO_1, RELU6

interface FloatSpec {
  op: string;
  options?: string;
  /** The op has a fused activation option. */
  act?: boolean;
  /** Divisor (input 1) must be non-zero: integer divisions, FLOOR_DIV always. */
  nonZero?: boolean;
  maxRank?: number;
  floatTolerance?: number;
  version?: number;
}

/** Random values of `dtype` for one operand; nonzero ones when the op divides by them. */
function operandValues(r: Rng, dtype: DType, n: number, nonZero: boolean): number[] | bigint[] {
  if (dtype === 'int64') return operandValues(r, 'int32', n, nonZero).map((v) => BigInt(v as number));
  if (dtype === 'int32' || dtype === 'int8' || dtype === 'int16') {
    return r.ints(n, -50, 50).map((v) => (nonZero && v === 0 ? r.pick([-7, 3, 1]) : v));
  }
  const v = r.floats(n, -4, 4);
  // Exact zeros (division by zero: inf / NaN placement) unless the op refuses them.
  if (!nonZero && r.bool(0.3)) for (let i = 0; i < n; i += 3) v[i] = 0;
  return nonZero ? v.map((x) => (x === 0 ? 0.5 : x)) : v;
}

function binaryFloat(spec: FloatSpec, dtype: DType): OpFuzzer {
  const f: OpFuzzer = {
    op: spec.op,
    dtypes: dtype,
    make(r) {
      const [sa, sb] = broadcastShapes(r, spec.maxRank ?? 5);
      const g = new GraphBuilder();
      const nonZeroB = spec.nonZero === true;
      const aConst = r.bool(0.15);
      const a = aConst
        ? g.constant(dtype, sa, operandValues(r, dtype, count(sa), false))
        : g.input(dtype, sa, { data: operandValues(r, dtype, count(sa), false) });
      // Both operands constant: except for int32 MUL broadcast past rank 4, which tfjs-tflite's
      // builtin kernel aborts on, so LiteRT.js answers, and LiteRT.js returns an unwritten output
      // buffer for an int32 MUL of two constants (garbage such as 1936942435 or 2632).
      const bothConstOk = !(spec.op === 'MUL' && dtype === 'int32' && Math.max(sa.length, sb.length) > 4 && !sameShape(sa, sb));
      const bConst = r.bool(0.3) || aConst;
      const bValues = operandValues(r, dtype, count(sb), nonZeroB);
      const b = bConst && (bothConstOk || !aConst) ? g.constant(dtype, sb, bValues) : g.input(dtype, sb, { data: bValues });
      const y = g.output(dtype);
      const values = spec.act ? { fusedActivationFunction: r.pick(ACTIVATIONS) } : {};
      g.node(spec.op, [a, b], [y], spec.options ? { type: spec.options, values } : undefined, spec.version);
      return g.graph;
    },
  };
  if (spec.floatTolerance) f.floatTolerance = spec.floatTolerance;
  return f;
}

interface QuantSpec {
  op: string;
  options?: string;
  act?: boolean;
  maxRank: number;
  version: number;
  /** Output scale decades relative to nothing (absolute range). */
  outScale?: [number, number];
  /** The op keeps the input quantization (MAXIMUM / MINIMUM). */
  sameQuant?: boolean;
  /** The oracle runs the 8-bit op through XNNPACK (MUL: float requantization; ADD / SUB: 20-bit multipliers, round half up). */
  xnnpack?: boolean;
}

function binaryQuant(spec: QuantSpec, dtype: DType): OpFuzzer {
  return {
    ...(spec.xnnpack && dtype !== 'int16' ? { rounding: 'xnnpack' as const } : {}),
    op: spec.op,
    dtypes: dtype,
    make(r) {
      const [sa, sb] = broadcastShapes(r, spec.maxRank);
      const g = new GraphBuilder();
      const qa = r.quant(dtype);
      const qb: FuzzQuant = spec.sameQuant ? qa : r.quant(dtype);
      const a = g.input(dtype, sa, { quant: qa });
      const b = r.bool(0.25)
        ? g.constant(
            dtype,
            sb,
            r.ints(
              count(sb),
              dtype === 'int8' ? -128 : dtype === 'uint8' ? 0 : -32768,
              dtype === 'int8' ? 127 : dtype === 'uint8' ? 255 : 32767,
            ),
            qb,
          )
        : g.input(dtype, sb, { quant: qb });
      const [lo, hi] = spec.outScale ?? [-2.5, 1];
      const y = g.output(dtype, undefined, spec.sameQuant ? qa : r.quant(dtype, lo, hi));
      const values = spec.act ? { fusedActivationFunction: r.pick(ACTIVATIONS) } : {};
      g.node(spec.op, [a, b], [y], spec.options ? { type: spec.options, values } : undefined, spec.version);
      return g.graph;
    },
  };
}

/** MUL int16 x int16 -> int8 (quantized LSTM graphs): equal shapes, inputs Q0.15 (scale 2^-15, zero point 0). */
const mulInt16ToInt8: OpFuzzer = {
  op: 'MUL',
  dtypes: 'int16,int16 -> int8',
  make(r) {
    const shape = r.shape(r.rank(0, 4), 7);
    const g = new GraphBuilder();
    const q16 = { scale: [2 ** -15], zeroPoint: [0] };
    const a = g.input('int16', shape, { quant: q16 });
    const b = g.input('int16', shape, { quant: q16 });
    const y = g.output('int8', undefined, r.quant('int8', -3, 0));
    g.node('MUL', [a, b], [y], { type: 'MulOptions', values: { fusedActivationFunction: r.pick([0, 1, 3]) } }, 6);
    return g.graph;
  },
};

/** int8 SQUARED_DIFFERENCE: an output scale large enough for squared differences (TFLite needs its multiplier below 1). */
const squaredDifferenceInt8: OpFuzzer = {
  op: 'SQUARED_DIFFERENCE',
  dtypes: 'int8',
  make(r) {
    const [sa, sb] = broadcastShapes(r, 5);
    const g = new GraphBuilder();
    const qa = r.quant('int8', -3, 0.5);
    const qb = r.bool(0.3) ? qa : r.quant('int8', -3, 0.5);
    const a = g.input('int8', sa, { quant: qa });
    const b = r.bool(0.25) ? g.constant('int8', sb, r.ints(count(sb), -128, 127), qb) : g.input('int8', sb, { quant: qb });
    const m = Math.max(qa.scale[0] as number, qb.scale[0] as number);
    const y = g.output('int8', undefined, { scale: [Math.fround(m * m * 10 ** r.uniform(-2, 3))], zeroPoint: [r.zeroPoint('int8')] });
    g.node('SQUARED_DIFFERENCE', [a, b], [y], undefined, 2);
    return g.graph;
  },
};
/** uint8 DIV: the divisor never at its zero point (TFLite leaves division by a real 0 undefined). */
const divUint8: OpFuzzer = {
  op: 'DIV',
  dtypes: 'uint8',
  make(r) {
    const [sa, sb] = broadcastShapes(r, 5);
    const g = new GraphBuilder();
    const qa = r.quant('uint8');
    const qb = r.quant('uint8');
    const zb = qb.zeroPoint[0] as number;
    const a = g.input('uint8', sa, { quant: qa });
    const divisor = r.ints(count(sb), 0, 255).map((v) => (v === zb ? (zb === 255 ? 254 : zb + 1) : v));
    const b = r.bool(0.4) ? g.constant('uint8', sb, divisor, qb) : g.input('uint8', sb, { quant: qb, data: divisor });
    const y = g.output('uint8', undefined, r.quant('uint8', -3, 1));
    g.node('DIV', [a, b], [y], { type: 'DivOptions', values: { fusedActivationFunction: r.pick(ACTIVATIONS) } }, 2);
    return g.graph;
  },
};

const QT = ['int8', 'uint8', 'int16'] as const;

export const binaryFuzzers: OpFuzzer[] = [
  ...(['float32', 'int32'] as const).flatMap((t) => [
    binaryFloat({ op: 'ADD', options: 'AddOptions', act: true }, t),
    binaryFloat({ op: 'SUB', options: 'SubOptions', act: true }, t),
    binaryFloat({ op: 'MUL', options: 'MulOptions', act: true }, t),
    binaryFloat({ op: 'DIV', options: 'DivOptions', act: true, nonZero: t === 'int32' }, t),
    binaryFloat({ op: 'MAXIMUM' }, t),
    binaryFloat({ op: 'MINIMUM' }, t),
    binaryFloat({ op: 'SQUARED_DIFFERENCE' }, t),
    binaryFloat({ op: 'FLOOR_DIV', nonZero: true }, t),
    binaryFloat({ op: 'FLOOR_MOD', nonZero: t === 'int32' }, t),
  ]),
  ...QT.map((t) =>
    binaryQuant({ op: 'ADD', options: 'AddOptions', act: true, xnnpack: true, maxRank: 6, version: t === 'int16' ? 3 : 2 }, t),
  ),
  ...QT.map((t) =>
    binaryQuant({ op: 'SUB', options: 'SubOptions', act: true, xnnpack: true, maxRank: 6, version: t === 'int16' ? 3 : 2 }, t),
  ),
  ...QT.map((t) =>
    binaryQuant({ op: 'MUL', options: 'MulOptions', act: true, xnnpack: true, maxRank: 6, version: t === 'int16' ? 4 : 2 }, t),
  ),
  mulInt16ToInt8,
  ...QT.map((t) => binaryQuant({ op: 'MAXIMUM', maxRank: 5, version: t === 'int16' ? 4 : 2, sameQuant: true }, t)),
  ...QT.map((t) => binaryQuant({ op: 'MINIMUM', maxRank: 5, version: t === 'int16' ? 4 : 2, sameQuant: true }, t)),
  squaredDifferenceInt8,
  divUint8,
];

// Differential cases for the elementwise unary math ops (ABS NEG SIGN SQUARE SQRT RSQRT EXP LOG SIN
// COS FLOOR CEIL ROUND), float32 and int32 as registered, and the quantized variants TFLite has.
import type { DType } from '../../../src/index.js';
import { GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);

/** Float inputs: mostly in [lo, hi), with zeros, negatives, halves, infinities and NaN mixed in. */
export function floatValues(r: Rng, n: number, lo: number, hi: number, special = true): number[] {
  const v = r.floats(n, lo, hi);
  if (!special) return v;
  const extras = [
    0,
    -0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    -1,
    1,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    1e-30,
    -1e-30,
    1e30,
  ];
  for (let i = 0; i < n; i++) if (r.bool(0.15)) v[i] = r.pick(extras);
  return v;
}

interface UnarySpec {
  op: string;
  dtype: DType;
  /** Input range (floats). */
  range: [number, number];
  floatTolerance?: number;
  /** Inputs include inf / NaN / zero (the op's NaN / Inf placement). */
  special?: boolean;
  version?: number;
}

function unaryFloat(s: UnarySpec): OpFuzzer {
  const f: OpFuzzer = {
    op: s.op,
    dtypes: s.dtype,
    make(r) {
      const shape = r.shape(r.rank(0, 6), 9);
      const g = new GraphBuilder();
      const n = count(shape);
      const data =
        s.dtype === 'int32'
          ? r.ints(n, -1000, 1000).map((v) => (r.bool(0.05) ? r.pick([-2147483648, 2147483647, 0]) : v))
          : floatValues(r, n, s.range[0], s.range[1], s.special ?? true);
      const x = g.input(s.dtype, shape, { data });
      const y = g.output(s.dtype);
      g.node(s.op, [x], [y], undefined, s.version);
      return g.graph;
    },
  };
  if (s.floatTolerance) f.floatTolerance = s.floatTolerance;
  return f;
}

/** A quantized unary op with its own input and output quantization (int16: zero points 0). */
function unaryQuant(
  op: string,
  dtype: DType,
  version: number,
  sameQuant = false,
  inScale: [number, number] = [-3, 0.5],
  nonNegative = false,
): OpFuzzer {
  return {
    op,
    dtypes: dtype,
    make(r) {
      const shape = r.shape(r.rank(0, 5), 9);
      const g = new GraphBuilder();
      const qi = r.quant(dtype, inScale[0], inScale[1]);
      if (nonNegative && qi.zeroPoint[0] === 127) qi.zeroPoint = [r.int(-128, 100)];
      // RSQRT refuses inputs below the zero point (negative reals).
      const range: [number, number] | undefined = nonNegative ? [qi.zeroPoint[0] as number, 127] : undefined;
      const x = g.input(dtype, shape, range ? { quant: qi, range } : { quant: qi });
      const y = g.output(dtype, undefined, sameQuant || r.bool(0.2) ? qi : r.quant(dtype, -3, 0.5));
      g.node(op, [x], [y], undefined, version);
      return g.graph;
    },
  };
}

const T = 1e-4; // transcendental ops: the oracle's libm / Eigen vs V8's

export const unaryFuzzers: OpFuzzer[] = [
  unaryFloat({ op: 'ABS', dtype: 'float32', range: [-10, 10] }),
  unaryFloat({ op: 'ABS', dtype: 'int32', range: [0, 0] }),
  unaryFloat({ op: 'NEG', dtype: 'float32', range: [-10, 10] }),
  unaryFloat({ op: 'NEG', dtype: 'int32', range: [0, 0] }),
  unaryFloat({ op: 'SIGN', dtype: 'float32', range: [-10, 10] }),
  {
    ...unaryFloat({ op: 'SIGN', dtype: 'int32', range: [0, 0] }),
    oracle: 'litert',
    note: "tfjs-tflite's int32 SIGN returns uninitialized memory (e.g. 296176 for sign(5)); LiteRT computes it",
  },
  unaryFloat({ op: 'SQUARE', dtype: 'float32', range: [-10, 10] }),
  unaryFloat({ op: 'SQRT', dtype: 'float32', range: [-2, 100] }),
  unaryFloat({ op: 'RSQRT', dtype: 'float32', range: [-2, 100], floatTolerance: T }),
  unaryFloat({ op: 'EXP', dtype: 'float32', range: [-20, 20], floatTolerance: T }),
  unaryFloat({ op: 'LOG', dtype: 'float32', range: [-2, 100], floatTolerance: T }),
  unaryFloat({ op: 'SIN', dtype: 'float32', range: [-10, 10], floatTolerance: T }),
  unaryFloat({ op: 'COS', dtype: 'float32', range: [-10, 10], floatTolerance: T }),
  unaryFloat({ op: 'FLOOR', dtype: 'float32', range: [-10, 10] }),
  unaryFloat({ op: 'CEIL', dtype: 'float32', range: [-10, 10] }),
  unaryFloat({ op: 'ROUND', dtype: 'float32', range: [-10, 10] }),
  // Quantized variants of elementwise.cc (ABS v3+/v4+, RSQRT v2+ int8).
  unaryQuant('ABS', 'int8', 3),
  unaryQuant('ABS', 'int16', 4),
  unaryQuant('RSQRT', 'int8', 2, false, [-3, 0], true),
];

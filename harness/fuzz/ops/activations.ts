// Differential cases for the activations (LOGISTIC TANH RELU RELU6 RELU_N1_TO_1 RELU_0_TO_1
// LEAKY_RELU PRELU HARD_SWISH ELU GELU), float32 and the quantized int8 / uint8 / int16 lines.
import type { DType } from '../../../src/index.js';
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import { floatValues } from './unary.js';

const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);

interface ActSpec {
  op: string;
  range: [number, number];
  floatTolerance?: number;
  options?: (r: Rng) => { type: string; values: Record<string, unknown> } | undefined;
  version?: number;
}

const leakyOptions = (r: Rng) => ({
  type: 'LeakyReluOptions',
  values: { alpha: Math.fround(r.pick([0.2, 0.01, 0.5, -0.3, 1.5, r.uniform(-2, 2)])) },
});
const geluOptions = (r: Rng) => ({ type: 'GeluOptions', values: { approximate: r.bool() } });

function activationFloat(s: ActSpec): OpFuzzer {
  const f: OpFuzzer = {
    op: s.op,
    dtypes: 'float32',
    make(r) {
      const shape = r.shape(r.rank(0, 6), 9);
      const g = new GraphBuilder();
      const x = g.input('float32', shape, { data: floatValues(r, count(shape), s.range[0], s.range[1]) });
      const y = g.output('float32');
      g.node(s.op, [x], [y], s.options?.(r), s.version);
      return g.graph;
    },
  };
  if (s.floatTolerance) f.floatTolerance = s.floatTolerance;
  return f;
}

/** Fixed output quantization TFLite requires for LOGISTIC / TANH (activations.cc). */
function fixedOutput(op: string, dtype: DType): FuzzQuant | null {
  if (op === 'LOGISTIC') {
    if (dtype === 'int8') return { scale: [1 / 256], zeroPoint: [-128] };
    if (dtype === 'uint8') return { scale: [1 / 256], zeroPoint: [0] };
    return { scale: [1 / 32768], zeroPoint: [0] };
  }
  if (op === 'TANH') {
    if (dtype === 'int8') return { scale: [1 / 128], zeroPoint: [0] };
    if (dtype === 'uint8') return { scale: [1 / 128], zeroPoint: [128] };
    return { scale: [1 / 32768], zeroPoint: [0] };
  }
  return null;
}

function activationQuant(
  s: ActSpec,
  dtype: DType,
  opts: { sameQuant?: boolean; inScale?: [number, number]; xnnpack?: boolean } = {},
): OpFuzzer {
  return {
    ...(opts.xnnpack && dtype !== 'int16' ? { rounding: 'xnnpack' as const } : {}),
    op: s.op,
    dtypes: dtype,
    make(r) {
      const shape = r.shape(r.rank(0, 5), 9);
      const g = new GraphBuilder();
      const [lo, hi] = opts.inScale ?? [-3, 0.5];
      let qi = r.quant(dtype, lo, hi);
      // int16 LOGISTIC / TANH: also power-of-two input scales (the gemmlowp fixed-point path).
      if (dtype === 'int16' && (s.op === 'LOGISTIC' || s.op === 'TANH') && r.bool(0.4)) {
        qi = { scale: [2 ** -r.int(8, 14)], zeroPoint: [0] };
      }
      const x = g.input(dtype, shape, { quant: qi });
      const qo = fixedOutput(s.op, dtype) ?? (opts.sameQuant ? qi : r.quant(dtype, lo, hi));
      const y = g.output(dtype, undefined, qo);
      g.node(s.op, [x], [y], s.options?.(r), s.version);
      return g.graph;
    },
  };
}

/** PRELU: alpha broadcast against the input (per channel, per row, a scalar, or full). */
function preluFuzzer(dtype: DType): OpFuzzer {
  return {
    op: 'PRELU',
    dtypes: dtype,
    make(r) {
      // Quantized PRELU broadcasts through BroadcastPrelu4DSlow: rank <= 4.
      const shape = r.shape(r.rank(1, dtype === 'float32' ? 5 : 4), 7);
      const rank = shape.length;
      const pattern = r.pick(['channel', 'scalar', 'full', 'partial'] as const);
      const alphaShape =
        pattern === 'channel'
          ? [shape[rank - 1] as number]
          : pattern === 'scalar'
            ? [1]
            : pattern === 'full'
              ? [...shape]
              : shape.slice(r.int(0, rank - 1)).map((d) => (r.bool() ? 1 : d));
      const g = new GraphBuilder();
      if (dtype === 'float32') {
        const x = g.input('float32', shape, { data: floatValues(r, count(shape), -5, 5) });
        const a = g.constant('float32', alphaShape, r.floats(count(alphaShape), -1, 1.5));
        const y = g.output('float32');
        g.node('PRELU', [x, a], [y]);
        return g.graph;
      }
      const [tlo, thi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      const x = g.input(dtype, shape, { quant: r.quant(dtype) });
      const a = g.constant(dtype, alphaShape, r.ints(count(alphaShape), tlo, thi), r.quant(dtype, -3, 0));
      const y = g.output(dtype, undefined, r.quant(dtype));
      g.node('PRELU', [x, a], [y]);
      return g.graph;
    },
  };
}

const T = 1e-4;
const LOGISTIC: ActSpec = { op: 'LOGISTIC', range: [-20, 20], floatTolerance: T };
const TANH: ActSpec = { op: 'TANH', range: [-10, 10], floatTolerance: T };
const RELU: ActSpec = { op: 'RELU', range: [-8, 8] };
const RELU6: ActSpec = { op: 'RELU6', range: [-8, 8] };
const RELU_N1: ActSpec = { op: 'RELU_N1_TO_1', range: [-3, 3] };
const RELU_01: ActSpec = { op: 'RELU_0_TO_1', range: [-3, 3] };
const LEAKY: ActSpec = { op: 'LEAKY_RELU', range: [-8, 8], options: leakyOptions };
const HARD_SWISH: ActSpec = { op: 'HARD_SWISH', range: [-8, 8] };
const ELU: ActSpec = { op: 'ELU', range: [-10, 5], floatTolerance: T };
const GELU: ActSpec = { op: 'GELU', range: [-8, 8], floatTolerance: T, options: geluOptions };

const QT = ['int8', 'uint8', 'int16'] as const;
const Q8 = ['int8', 'uint8'] as const;

export const activationFuzzers: OpFuzzer[] = [
  ...[LOGISTIC, TANH, RELU, RELU6, RELU_N1, RELU_01, LEAKY, HARD_SWISH, ELU, GELU].map(activationFloat),
  {
    ...preluFuzzer('float32'),
    oracle: 'litert',
    note: "tfjs-tflite's XNNPACK PRELU reads alpha of shape [1] past its end (garbage such as -3.9e29); LiteRT computes it",
  },
  ...QT.map((t) => activationQuant(LOGISTIC, t)),
  ...QT.map((t) => activationQuant(TANH, t)),
  ...QT.map((t) => activationQuant(RELU, t)),
  ...QT.map((t) => activationQuant(RELU6, t)),
  ...Q8.map((t) => activationQuant(RELU_N1, t)),
  ...Q8.map((t) => activationQuant(RELU_01, t)),
  ...QT.map((t) => activationQuant({ ...LEAKY, version: 2 }, t, { xnnpack: true })),
  ...Q8.map((t) => activationQuant(HARD_SWISH, t)),
  // Quantized variants TFLite has that the registry may lack.
  ...Q8.map((t) => preluFuzzer(t)),
  activationQuant(ELU, 'int8'),
  ...Q8.map((t) => activationQuant({ ...GELU, version: 2 }, t)),
];

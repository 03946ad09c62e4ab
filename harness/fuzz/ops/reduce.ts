// Differential cases for the reductions (MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN), ARG_MAX /
// ARG_MIN, SOFTMAX and LOG_SOFTMAX, float and quantized (see ../run_case.ts for the contract).
import type { DType } from '../../../src/index.js';
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const _count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * An axis list for a rank-`rank` input: 1..rank+1 entries, each given as d or d - rank, with
 * duplicates sometimes. Rank 0 gets an empty or [0]-like list (TFLite ignores the axes then).
 */
function axisList(r: Rng, rank: number): number[] {
  if (rank === 0) return r.pick([[], [0]]);
  const n = r.int(1, rank);
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(r.int(0, rank - 1));
  const axes = [...chosen].map((d) => (r.bool(0.35) ? d - rank : d));
  if (r.bool(0.2)) axes.push(r.pick(axes)); // a duplicate (maybe spelled the other way)
  if (r.bool(0.5)) axes.reverse();
  return axes;
}

/** A reduce input shape and axis list: sometimes the 4-D {1, 2} spatial case TFLite special-cases. */
function reduceCase(r: Rng, maxRank = 5): { shape: number[]; axes: number[]; keepDims: boolean } {
  const spatial = r.bool(0.3);
  if (spatial) {
    const shape = [r.dim(3), r.dim(), r.dim(), r.dim()];
    const axes = r.pick([[1, 2], [2, 1], [2], [-2], [-3, -2], [1, -2], [1, 2, 1]]);
    return { shape, axes, keepDims: r.bool(0.75) };
  }
  const rank = r.rank(0, maxRank);
  return { shape: r.shape(rank, 7), axes: axisList(r, rank), keepDims: r.bool() };
}

type Reduce = 'MEAN' | 'SUM' | 'REDUCE_PROD' | 'REDUCE_MAX' | 'REDUCE_MIN';

function reduceFloat(op: Reduce, dtype: 'float32' | 'int32'): OpFuzzer {
  return {
    op,
    dtypes: `${dtype},int32`,
    make(r) {
      const { shape, axes, keepDims } = reduceCase(r, op === 'REDUCE_PROD' ? 4 : 5);
      const g = new GraphBuilder();
      let range: [number, number];
      if (dtype === 'float32') range = op === 'REDUCE_PROD' ? [-1.6, 1.6] : [-4, 4];
      else if (op === 'REDUCE_PROD') range = [-3, 3];
      else
        range = r.pick<[number, number]>([
          [-100, 100],
          [-2147483648, 2147483647],
          [2147483000, 2147483647],
        ]);
      const x = g.input(dtype, shape, { range });
      const a = g.constant('int32', [axes.length], axes);
      const y = g.output(dtype);
      g.node(op, [x, a], [y], { type: 'ReducerOptions', values: { keepDims } });
      return g.graph;
    },
  };
}

/** Quantized MEAN: input and output quantization equal or not (int16: zero points 0). */
function meanQuant(dtype: 'int8' | 'uint8' | 'int16'): OpFuzzer {
  return {
    op: 'MEAN',
    dtypes: `${dtype},int32`,
    // The oracle's XNNPACK delegate takes 8-bit 4-D means over axes {1, 2} or {2}.
    ...(dtype === 'int16' ? {} : { rounding: 'xnnpack' as const }),
    make(r) {
      const { shape, axes, keepDims } = reduceCase(r);
      const g = new GraphBuilder();
      const qi = r.quant(dtype);
      const qo: FuzzQuant = r.bool(0.3) ? { scale: [...qi.scale], zeroPoint: [...qi.zeroPoint] } : r.quant(dtype, -3, 0.5);
      const x = g.input(dtype, shape, { quant: qi });
      const a = g.constant('int32', [axes.length], axes);
      const y = g.output(dtype, undefined, qo);
      g.node('MEAN', [x, a], [y], { type: 'ReducerOptions', values: { keepDims } }, dtype === 'int16' ? 3 : 2);
      return g.graph;
    },
  };
}

/** Arg-min / arg-max input ranges: narrow integer ranges make ties common. */
function argRange(r: Rng, dtype: DType): [number, number] | undefined {
  if (dtype === 'float32') return r.bool() ? [-3, 3] : undefined;
  if (dtype === 'int32') return r.pick<[number, number] | undefined>([[-3, 3], undefined]);
  return r.pick<[number, number] | undefined>([[0, 3], undefined]);
}

function argMinMax(op: 'ARG_MAX' | 'ARG_MIN', dtype: DType): OpFuzzer {
  return {
    op,
    dtypes: dtype,
    make(r) {
      const rank = r.rank(1, 5);
      const shape = r.shape(rank, 7);
      const g = new GraphBuilder();
      const range = argRange(r, dtype);
      const extra = dtype === 'float32' || dtype === 'int32' ? {} : { quant: r.quant(dtype) };
      const x = g.input(dtype, shape, range ? { ...extra, range } : extra);
      const d = r.int(0, rank - 1);
      const axis = r.bool(0.4) ? d - rank : d;
      const axisType = r.pick(['int32', 'int64'] as const);
      const a = g.constant(axisType, [1], axisType === 'int64' ? [BigInt(axis)] : [axis]);
      const outType = r.pick(['int32', 'int64'] as const);
      const y = g.output(outType);
      const options = op === 'ARG_MAX' ? 'ArgMaxOptions' : 'ArgMinOptions';
      g.node(op, [x, a], [y], { type: options, values: { outputType: outType === 'int32' ? 2 : 4 } }, 2);
      return g.graph;
    },
  };
}

const BETAS = [1, 1, 0.5, 2, 0.1, 1.7, 0];

function softmaxFloat(op: 'SOFTMAX' | 'LOG_SOFTMAX'): OpFuzzer {
  return {
    op,
    dtypes: 'float32',
    floatTolerance: 1e-4,
    note: 'exp / log',
    make(r) {
      const rank = r.rank(1, 5);
      const shape = r.shape(rank, 9);
      const g = new GraphBuilder();
      const x = g.input('float32', shape, {
        range: r.pick<[number, number]>([
          [-4, 4],
          [-30, 30],
        ]),
      });
      const y = g.output('float32');
      if (op === 'SOFTMAX') g.node(op, [x], [y], { type: 'SoftmaxOptions', values: { beta: r.pick(BETAS) } });
      else g.node(op, [x], [y], { type: 'LogSoftmaxOptions', values: {} });
      return g.graph;
    },
  };
}

/** TFLite's required softmax output quantization per output type. */
const SOFTMAX_OUT: Record<string, FuzzQuant> = {
  int8: { scale: [1 / 256], zeroPoint: [-128] },
  uint8: { scale: [1 / 256], zeroPoint: [0] },
  int16: { scale: [1 / 32768], zeroPoint: [0] },
};

function softmaxQuant(inType: 'int8' | 'uint8' | 'int16', outType: 'int8' | 'uint8' | 'int16'): OpFuzzer {
  return {
    op: 'SOFTMAX',
    dtypes: `${inType} -> ${outType}`,
    make(r) {
      const rank = r.rank(1, 4);
      const shape = r.shape(rank, 9);
      const g = new GraphBuilder();
      const qi = inType === 'int16' ? { scale: [r.scale(-4, -1)], zeroPoint: [0] } : r.quant(inType, -2.5, 0);
      const x = g.input(inType, shape, { quant: qi });
      // int16 out of an 8-bit input: TFLite takes any parameters (TFLite Micro wants 1/65536, -32768).
      const qo = outType === 'int16' && inType !== 'int16' && r.bool() ? { scale: [1 / 65536], zeroPoint: [-32768] } : SOFTMAX_OUT[outType];
      const y = g.output(outType, undefined, qo);
      g.node(
        'SOFTMAX',
        [x],
        [y],
        { type: 'SoftmaxOptions', values: { beta: r.pick(BETAS.filter((b) => b > 0)) } },
        inType === 'int16' ? 3 : 2,
      );
      return g.graph;
    },
  };
}

export const reduceFuzzers: OpFuzzer[] = [
  ...(['MEAN', 'SUM', 'REDUCE_PROD', 'REDUCE_MAX', 'REDUCE_MIN'] as const).flatMap((op) => [
    reduceFloat(op, 'float32'),
    reduceFloat(op, 'int32'),
  ]),
  meanQuant('int8'),
  meanQuant('uint8'),
  meanQuant('int16'),
  ...(['ARG_MAX', 'ARG_MIN'] as const).flatMap((op) => ['float32', 'int8', 'uint8', 'int32'].map((t) => argMinMax(op, t as DType))),
  softmaxFloat('SOFTMAX'),
  softmaxFloat('LOG_SOFTMAX'),
  softmaxQuant('int8', 'int8'),
  softmaxQuant('uint8', 'uint8'),
  softmaxQuant('int8', 'int16'),
  softmaxQuant('uint8', 'int16'),
  softmaxQuant('int16', 'int16'),
];

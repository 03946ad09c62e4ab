// Differential cases for BATCH_MATMUL (see conv.ts).
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import { actType, numel, type Scheme } from './conv_schemes.js';

/** LHS / RHS batch shapes that broadcast against each other (ranks 0-3, 1s anywhere). */
function batchShapes(r: Rng): [number[], number[]] {
  const rank = r.rank(0, 3);
  const out = r.shape(rank, 4);
  const side = () => {
    const s = out.map((d) => (r.bool(0.3) ? 1 : d));
    return r.bool(0.25) ? s.slice(r.int(0, rank)) : s;
  };
  return [side(), side()];
}

export function batchMatMul(lhsType: Scheme, rhsType: Scheme, dtypes: string, int32Out = false): OpFuzzer {
  return {
    op: 'BATCH_MATMUL',
    dtypes,
    rounding: lhsType === 'int8' ? 'xnnpack' : 'reference',
    // int8 x int8 -> int32: TFLite's EvalInt8Int32 sums raw products (no zero points); the
    // older TFLite inside tfjs-tflite subtracts the zero points, LiteRT.js does not.
    ...(int32Out
      ? {
          oracle: 'litert' as const,
          note: 'int32 output: current TFLite (LiteRT.js) sums raw products; tfjs-tflite applies the zero points',
        }
      : {}),
    make(r) {
      const g = new GraphBuilder();
      const [lb, rb] = batchShapes(r);
      const m = r.dim(9);
      const k = r.pick([1, 2, 3, 5, 7, 8, 16, 17, r.int(1, 33)].filter((d) => d <= Math.max(1, r.size * 4)));
      const n = r.dim(9);
      const adjX = r.bool();
      const adjY = r.bool();
      const lShape = [...lb, ...(adjX ? [k, m] : [m, k])];
      const rShape = [...rb, ...(adjY ? [n, k] : [k, n])];
      const quant = lhsType !== 'float32';
      const lq = quant ? r.quant(actType(lhsType), -3, 0.5) : undefined;
      const rq = quant
        ? { scale: [r.scale(-3, 0)], zeroPoint: [rhsType === 'int16' || lhsType === 'int16' ? 0 : r.zeroPoint(actType(rhsType))] }
        : undefined;
      const lhs = quant ? g.input(actType(lhsType), lShape, { quant: lq as FuzzQuant }) : g.input('float32', lShape, { range: [-2, 2] });
      // The RHS is a constant (weights) or a second input.
      let rhs: number;
      if (r.bool(0.5)) {
        const values = quant
          ? r.ints(numel(rShape), rhsType === 'int16' ? -32768 : -128, rhsType === 'int16' ? 32767 : 127)
          : r.floats(numel(rShape), -2, 2);
        rhs = g.constant(actType(rhsType), rShape, values, rq);
      } else {
        rhs = quant ? g.input(actType(rhsType), rShape, { quant: rq as FuzzQuant }) : g.input('float32', rShape, { range: [-2, 2] });
      }
      let outQ: FuzzQuant | undefined;
      if (quant && !int32Out) {
        const lmag = lhsType === 'int16' ? 18900 : 74;
        const rmag = rhsType === 'int16' ? 18900 : 74;
        const half = lhsType === 'int16' ? 16384 : 64;
        const natural = ((lq?.scale[0] as number) * (rq?.scale[0] as number) * lmag * rmag * Math.sqrt(k)) / half;
        outQ = { scale: [Math.fround(natural * 10 ** r.uniform(-2, 1.5))], zeroPoint: [lhsType === 'int16' ? 0 : r.zeroPoint('int8')] };
      }
      const y = g.output(int32Out ? 'int32' : actType(lhsType), undefined, outQ);
      g.node(
        'BATCH_MATMUL',
        [lhs, rhs],
        [y],
        { type: 'BatchMatMulOptions', values: { adjX, adjY } },
        lhsType === 'int16' ? 3 : lhsType === 'int8' ? 2 : 1,
      );
      return g.graph;
    },
  };
}

// Differential cases for REVERSE_V2 over every dtype TFLite takes (see ../run_case.ts for the
// contract): the data (ranks 1-6, sometimes empty) and a constant int32 axis tensor.
import type { DType } from '../../../src/index.js';
import { GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const QUANT: readonly DType[] = ['int8', 'uint8', 'int16'];

/** The version TFLite's converter writes: bool needs v2, int8 v3. */
const versionOf = (dtype: DType) => (dtype === 'int8' ? 3 : dtype === 'bool' ? 2 : 1);

/** One REVERSE_V2 node on data of `dtype` reversing `axesOf(rank)`. */
function reverseCase(r: Rng, dtype: DType, axesOf: (rank: number) => number[]) {
  const g = new GraphBuilder();
  const shape = r.shape(r.rank(1, 6), 6);
  // The oracle harness cannot feed an empty int64 / bool input.
  if (dtype !== 'int64' && dtype !== 'bool' && r.bool(0.08)) shape[r.int(0, shape.length - 1)] = 0;
  const q = QUANT.includes(dtype) ? r.quant(dtype) : undefined;
  const x = g.input(dtype, shape, q ? { quant: q } : {});
  const axes = axesOf(shape.length);
  const axis = g.constant('int32', [axes.length], axes);
  // Data movement: the output keeps the data's quantization (TFLite requires the same scale).
  const y = g.output(dtype, undefined, q);
  g.node('REVERSE_V2', [x, axis], [y], r.bool() ? { type: 'ReverseV2Options', values: {} } : undefined, versionOf(dtype));
  return g.graph;
}

const ALL: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'];

// One axis, negative too: what both TFLite builds take.
const singleAxis: OpFuzzer[] = ALL.map((dtype) => ({
  op: 'REVERSE_V2',
  dtypes: dtype,
  make: (r: Rng) => reverseCase(r, dtype, (rank) => [r.int(-rank, rank - 1)]),
}));

// 1 to rank contiguous axes, in any order, some negative: the newer kernel (LiteRT.js).
const contiguousAxes: OpFuzzer = {
  op: 'REVERSE_V2',
  dtypes: 'float32 multi-axis',
  oracle: 'litert',
  note: "tfjs-tflite's older kernel reverses only the first listed axis; LiteRT.js's reverses any contiguous run",
  make: (r: Rng) =>
    reverseCase(r, 'float32', (rank) => {
      const n = r.int(1, rank);
      const lo = r.int(0, rank - n);
      const axes = Array.from({ length: n }, (_, i) => lo + i).map((a) => (r.bool(0.4) ? a - rank : a));
      return axes.sort(() => r.float() - 0.5);
    }),
};

export const reverseFuzzers: OpFuzzer[] = [...singleAxis, contiguousAxes];

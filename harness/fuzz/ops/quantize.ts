// Differential cases for QUANTIZE (float -> int8 / uint8 / int16, requantization between integer
// types), DEQUANTIZE (int8 / uint8 / int16 / float16 -> float32, per-tensor and per-channel) and
// CAST between the types TFLite's cast.cc supports.

import { type DType, floatToHalf } from '../../../src/index.js';
import { type FuzzQuant, GraphBuilder } from '../graph.js';
import { INT_LIMITS, type Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';
import { floatValues } from './unary.js';

const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);

/** float32 -> int8 / uint8 / int16; per-tensor, or per-channel along a random axis. */
function quantizeFloat(dtype: DType): OpFuzzer {
  return {
    // The oracle's XNNPACK takes per-tensor 8-bit QUANTIZE (x * (1 / scale) in float, ties to even).
    ...(dtype !== 'int16' ? { rounding: 'xnnpack' as const } : {}),
    op: 'QUANTIZE',
    dtypes: `float32 -> ${dtype}`,
    make(r) {
      const shape = r.shape(r.rank(0, 5), 9);
      const g = new GraphBuilder();
      let q: FuzzQuant = r.quant(dtype, -3, 1);
      const span = q.scale[0] as number;
      const x = g.input('float32', shape, {
        data: floatValues(r, count(shape), -200 * span, 200 * span, false).map((v, i) =>
          i % 7 === 3 ? Math.fround((Math.round(v / span) + 0.5) * span) : v,
        ),
      });
      const y = g.output(dtype, undefined, q);
      // Per-channel output quantization (int8 only; quantize.cc's PerChannelQuantize).
      if (dtype === 'int8' && shape.length > 0 && r.bool(0.3)) {
        const axis = r.int(0, shape.length - 1);
        const c = shape[axis] as number;
        q = { scale: Array.from({ length: c }, () => r.scale(-3, 0)), zeroPoint: Array.from({ length: c }, () => 0), axis };
        const t = g.graph.tensors[y];
        if (t) t.quant = q;
      }
      g.node('QUANTIZE', [x], [y], undefined, dtype === 'int16' ? 3 : 2);
      return g.graph;
    },
  };
}

/** Integer -> integer requantization (quantize.cc's Requantize). */
function requantize(from: DType, to: DType): OpFuzzer {
  return {
    // int8 -> int8 and uint8 -> uint8 run on the oracle's XNNPACK (a Q8 fixed-point multiplier).
    ...(from === to && from !== 'int16' ? { rounding: 'xnnpack' as const } : {}),
    op: 'QUANTIZE',
    dtypes: `${from} -> ${to}`,
    make(r) {
      const shape = r.shape(r.rank(0, 5), 9);
      const g = new GraphBuilder();
      const qi = r.quant(from, -3, 0.5);
      // Output scale within about two decades of the input's (TFLite's multiplier must fit).
      const qo = r.quant(to);
      qo.scale = [Math.fround((qi.scale[0] as number) * 10 ** r.uniform(-1.5, 1.5))];
      const x = g.input(from, shape, from === 'int32' ? { quant: qi, range: [-100000, 100000] } : { quant: qi });
      const y = g.output(to, undefined, qo);
      g.node('QUANTIZE', [x], [y], undefined, from === 'int16' || to === 'int16' ? 3 : 2);
      return g.graph;
    },
  };
}

function dequantize(dtype: DType): OpFuzzer {
  return {
    op: 'DEQUANTIZE',
    dtypes: `${dtype} -> float32`,
    make(r) {
      const shape = r.shape(r.rank(0, 5), 9);
      const g = new GraphBuilder();
      const n = count(shape);
      if (dtype === 'float16') {
        // As converters write it: a float16 constant feeding DEQUANTIZE, then an op on the result.
        const halves = floatValues(r, n, -70000, 70000).map((v, i) => floatToHalf(i % 2 ? v / 1000 : v));
        const w = g.constant('float16', shape, halves);
        const x = g.input('float32', shape, { range: [-2, 2] });
        const d = g.activation('float32', [...shape]);
        const y = g.output('float32');
        g.node('DEQUANTIZE', [w], [d], undefined, 3);
        g.node('ADD', [x, d], [y], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
        return g.graph;
      }
      const [lo, hi] = INT_LIMITS[dtype] as [number, number];
      let q: FuzzQuant = r.quant(dtype, -4, 2);
      if (dtype === 'int8' && shape.length > 0 && r.bool(0.4)) {
        const axis = r.int(0, shape.length - 1);
        const c = shape[axis] as number;
        q = { scale: Array.from({ length: c }, () => r.scale(-4, 1)), zeroPoint: Array.from({ length: c }, () => 0), axis };
      }
      const constant = r.bool(0.4) || q.scale.length > 1;
      const x = constant ? g.constant(dtype, shape, r.ints(n, lo, hi), q) : g.input(dtype, shape, { quant: q });
      const y = g.output('float32');
      g.node('DEQUANTIZE', [x], [y], undefined, dtype === 'int16' ? 4 : 2);
      if (constant) {
        // A constant-only graph: add a float input so the graph has one (and the constant stays a constant).
        const z = g.input('float32', [], { data: [0] });
        const out = g.graph.outputs.pop() as number;
        const sum = g.output('float32');
        g.node('ADD', [out, z], [sum], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
      }
      return g.graph;
    },
  };
}

/** Finite float range that converts without undefined behaviour to `to` (static_cast of an out-of-range float is UB). */
const CAST_FLOAT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483520, 2147483520],
  uint32: [0, 4294967040],
  int64: [-9.2e18, 9.2e18],
};

/** Values of `dtype` that exercise a cast to `to`: limits, zero, fractions, halves; floats in range of `to`. */
function castValues(r: Rng, dtype: DType, to: DType, n: number): number[] | bigint[] {
  if (dtype === 'float32') {
    const [lo, hi] = CAST_FLOAT_RANGE[to] ?? [-1e6, 1e6];
    const special = to === 'float32' || to === 'bool';
    return floatValues(r, n, -300, 300, special).map((v, i) =>
      to === 'bool' ? v : Math.min(Math.max(i % 5 === 0 ? r.uniform(lo, hi) : v, lo), hi),
    );
  }
  if (dtype === 'bool') return r.ints(n, 0, 1);
  if (dtype === 'int64') return Array.from({ length: n }, () => BigInt(r.int(-2147483648, 2147483647)) * BigInt(r.pick([1, 1, 7, 65536])));
  if (dtype === 'uint32') return r.ints(n, 0, 4294967295);
  const [lo, hi] = INT_LIMITS[dtype] ?? [0, 65535];
  return r.ints(n, lo, hi);
}

function cast(from: DType, to: DType): OpFuzzer {
  return {
    op: 'CAST',
    dtypes: `${from} -> ${to}`,
    make(r) {
      const shape = r.shape(r.rank(0, 5), 9);
      const g = new GraphBuilder();
      const data = castValues(r, from, to, count(shape));
      // uint32 sources are constants: our setTensor has no uint32 inputs (TYPED_NAMES lacks them).
      const x = from === 'uint32' ? g.constant(from, shape, data) : g.input(from, shape, { data });
      const y = g.output(to);
      g.node('CAST', [x], [y], { type: 'CastOptions', values: { inDataType: 0, outDataType: 0 } });
      return g.graph;
    },
  };
}

const CAST_TYPES: DType[] = ['float32', 'int32', 'int64', 'uint8', 'int8', 'int16', 'bool', 'uint32'];

export const quantizeFuzzers: OpFuzzer[] = [
  ...(['int8', 'uint8', 'int16'] as const).map(quantizeFloat),
  requantize('int8', 'int8'),
  requantize('int8', 'uint8'),
  requantize('uint8', 'int8'),
  requantize('uint8', 'uint8'),
  requantize('int8', 'int16'),
  requantize('int16', 'int16'),
  requantize('int16', 'int8'),
  requantize('int16', 'int32'),
  requantize('int32', 'int8'),
  requantize('int32', 'int16'),
  ...(['int8', 'uint8', 'int16', 'float16'] as const).map(dequantize),
  ...CAST_TYPES.flatMap((a) => CAST_TYPES.filter((b) => b !== a).map((b) => cast(a, b))),
];

// What the stateful sequence ops' fuzzers (sequence.ts) share: the oracle note, graphs of several
// nodes sharing one state (one node per invoke of a streaming model), typed builtin options and
// the converter-like quantized draws.
import type { OptionsOf, OptionsTable } from '../../../src/index.js';
import { type FuzzNode, type FuzzQuant, GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

/**
 * Why the judgment is what it is, for the README table. Both TFLite runtimes are asked; LiteRT.js
 * refuses every model with a variable tensor at load ("Variable tensors not yet supported",
 * model_load.cc), so tfjs-tflite (TFLite's builtin kernels; XNNPACK takes neither op) is the only
 * oracle.
 */
export const VARIABLE_NOTE = 'variable state tensors: judged by tfjs-tflite only (LiteRT.js refuses models with variable tensors)';

/** A fuzzer of a stateful op: `build` draws one case into a fresh graph. */
export function statefulFuzzer(
  op: string,
  dtypes: string,
  build: (g: GraphBuilder, r: Rng) => void,
  extra: Partial<OpFuzzer> = {},
): OpFuzzer {
  return {
    op,
    dtypes,
    note: VARIABLE_NOTE,
    ...extra,
    make(r) {
      const g = new GraphBuilder();
      build(g, r);
      return g.graph;
    },
  };
}

/** The builtin options `values` as the table `type`, field names checked against the schema. */
export function typedOptions<K extends OptionsTable>(type: K, values: OptionsOf<K>): FuzzNode['options'] {
  return { type, values: values as Record<string, unknown> };
}

/** Nodes sharing the state and weights in `inputs`; each gets its own input (at `inputSlot`) and output. */
export interface StreamingNodes {
  op: string;
  inputs: number[];
  inputSlot: number;
  input: () => number;
  output: () => number;
  options: FuzzNode['options'];
  version?: number;
  intermediates?: number[];
}

/** 1 to 3 such nodes: each stands for one invoke of a streaming model. */
export function streamingNodes(g: GraphBuilder, r: Rng, n: StreamingNodes): void {
  for (let k = r.pick([1, 1, 1, 2, 3].filter((c) => c <= Math.max(1, r.size))); k > 0; k--) {
    const inputs = [...n.inputs];
    inputs[n.inputSlot] = n.input();
    const y = n.output();
    g.node(n.op, inputs, [y], n.options, n.version, n.intermediates ? { intermediates: n.intermediates } : {});
  }
}

export function batchSize(r: Rng): number {
  return r.pick([1, 1, 2, 3].filter((d) => d <= Math.max(1, r.size)));
}

/** Symmetric int8 / int16 weights, sometimes at the limits only. */
export function symmetricInts(r: Rng, n: number, max: number): number[] {
  if (r.bool(0.08)) return Array.from({ length: n }, () => (r.bool() ? -max : max));
  return r.ints(n, -max, max);
}

export const scaleAround = (r: Rng, natural: number, lo: number, hi: number) => Math.fround(natural * 10 ** r.uniform(lo, hi));
export const tensorQuant = (scale: number, zeroPoint = 0): FuzzQuant => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint] });

// Every line of the CPU kernel registry and every op of the WebGPU delegate has a fuzzer: the
// differential op tests cover what the runtime claims to run.
import { describe, expect, test } from 'vitest';
import { OP_IMPLEMENTATIONS } from '../../delegate/registry.js';
import { materialize } from '../../harness/fuzz/case.js';
import { buildModel, GraphBuilder } from '../../harness/fuzz/graph.js';
import { checkOutput } from '../../harness/fuzz/judge.js';
import { ALL_FUZZERS } from '../../harness/fuzz/ops/index.js';
import type { KernelRegistration } from '../../src/kernels/kernel.js';
import { lookupKernel, registeredKernels } from '../../src/kernels/registry.js';
import { readModel } from '../../src/model/reader.js';

/**
 * Registry lines that have no fuzzer yet (stateful and custom-option ops: their generators need
 * variable tensors, flexbuffer options and sparse constants). Their kernels are checked by the unit
 * tests and the corpus models that use them; this list may only shrink.
 */
const NOT_YET_FUZZED: string[] = [];

const label = (r: KernelRegistration) => `${r.op} v${r.versions[0]}-${r.versions[1]} (${r.inputs}${r.outputs ? ` -> ${r.outputs}` : ''})`;

describe('fuzz coverage', () => {
  test('every CPU registry line is exercised by a fuzzer', async () => {
    const hit = new Set<KernelRegistration>();
    for (const f of ALL_FUZZERS) {
      for (let seed = 1; seed <= 3; seed++) {
        const { graph } = await materialize(f, seed, 9);
        for (const n of graph.nodes) {
          const dtype = (i: number) => (i < 0 ? null : (graph.tensors[i]?.dtype ?? null));
          const found = lookupKernel(n.op, n.version ?? 1, n.inputs.map(dtype), n.outputs.map(dtype));
          if (found.ok) hit.add(found.registration);
        }
      }
    }
    expect(
      registeredKernels()
        .filter((r) => !hit.has(r))
        .map(label),
    ).toEqual(NOT_YET_FUZZED);
  }, 300_000);

  test('every op the WebGPU delegate runs has a fuzzer', () => {
    const fuzzed = new Set(ALL_FUZZERS.map((f) => f.op));
    expect([...OP_IMPLEMENTATIONS.keys()].filter((op) => !fuzzed.has(op))).toEqual([]);
  });
});

describe('fuzz framework', () => {
  test('a built graph reads back with its options, quantization and constants', () => {
    const g = new GraphBuilder();
    const x = g.input('int8', [1, 4, 4, 3], { quant: { scale: [0.5], zeroPoint: [-128] } });
    const w = g.constant('int8', [2, 1, 1, 3], [1, -2, 3, -4, 5, -6], { scale: [0.1, 0.2], zeroPoint: [0, 0], axis: 0 });
    const y = g.output('int8', [1, 2, 2, 2], { scale: [0.25], zeroPoint: [3] });
    g.node('CONV_2D', [x, w, -1], [y], { type: 'Conv2DOptions', values: { padding: 1, strideW: 2, strideH: 2 } }, 3);
    const model = readModel(buildModel(g.graph));
    const sg = model.subgraphs[0];
    const op = sg?.operators[0];
    expect(op?.op).toBe('CONV_2D');
    expect(op?.version).toBe(3);
    expect(op?.options).toMatchObject({ padding: 1, strideW: 2, strideH: 2 });
    expect(op?.inputs).toEqual([0, 1, -1]);
    expect(sg?.tensors[1]?.quantization).toMatchObject({ scale: [Math.fround(0.1), Math.fround(0.2)], quantizedDimension: 0 });
    expect(Array.from(sg?.tensors[1]?.data ?? [])).toEqual([1, 254, 3, 252, 5, 250]);
  });

  test('ops past builtin code 127 get the extended code', () => {
    const g = new GraphBuilder();
    const x = g.input('float32', [3]);
    const y = g.output('float32', [3]);
    g.node('GELU', [x], [y], { type: 'GeluOptions', values: { approximate: false } });
    expect(readModel(buildModel(g.graph)).subgraphs[0]?.operators[0]?.op).toBe('GELU');
  });

  test('checkOutput: one LSB, a relative error and a misplaced NaN each fail', () => {
    const golden = (data: ArrayLike<number>, dtype: 'int8' | 'float32') => ({
      name: 'o',
      dtype,
      shape: [data.length],
      data: dtype === 'int8' ? Int8Array.from(data) : Float32Array.from(data),
    });
    expect(checkOutput(0, 'int8', [3], Int8Array.of(1, 2, 3), golden([1, 2, 3], 'int8'), 1e-5, 0).pass).toBe(true);
    expect(checkOutput(0, 'int8', [3], Int8Array.of(1, 2, 4), golden([1, 2, 3], 'int8'), 1e-5, 0).pass).toBe(false);
    expect(checkOutput(0, 'float32', [2], Float32Array.of(1, 2.0001), golden([1, 2], 'float32'), 1e-5, 0).pass).toBe(false);
    expect(checkOutput(0, 'float32', [2], Float32Array.of(Number.NaN, 2), golden([Number.NaN, 2], 'float32'), 1e-5, 0).pass).toBe(true);
    expect(checkOutput(0, 'float32', [2], Float32Array.of(0, 2), golden([Number.NaN, 2], 'float32'), 1e-5, 0).pass).toBe(false);
    expect(checkOutput(0, 'float32', [3], Float32Array.of(0, 2, 1), golden([0, 2], 'float32'), 1e-5, 0).pass).toBe(false);
  });
});

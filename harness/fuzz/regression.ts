// Regression cases: a shrunk failure kept as a tiny model + inputs + TFLite's golden outputs
// (test/data/fuzz/*.json), replayed by the tests without the oracle.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntegerRounding } from '../../src/index.js';
import type { OracleDType, OracleName, OracleOutput } from '../oracle/types.js';
import { typedArrayFromBytes } from '../oracle/types.js';
import { type CaseResult, materialize, type OpFuzzer, runTflite } from './case.js';

interface StoredTensor {
  dtype: string;
  shape: number[];
  /** Little-endian bytes, base64. */
  data: string;
}

export interface RegressionCase {
  /** What went wrong before the fix, in words. */
  bug: string;
  op: string;
  dtypes: string;
  seed: number;
  size: number;
  oracle: OracleName;
  rounding: IntegerRounding;
  floatTolerance: number;
  lsb: number;
  /** The .tflite file, base64. */
  model: string;
  inputs: StoredTensor[];
  /** Subgraph input tensor indices, in order. */
  inputTensors: number[];
  outputTensors: number[];
  golden: StoredTensor[];
}

const b64 = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

/** Re-runs the failing case on TFLite and writes it to `dir`; returns the file path. */
export async function saveRegression(fuzzer: OpFuzzer, failed: CaseResult, bug: string, dir: string): Promise<string> {
  const c = await materialize(fuzzer, failed.seed, failed.size);
  // The runtime that judged the case (the other one when the preferred one refused it).
  const oracle = failed.oracle ?? fuzzer.oracle ?? 'tfjs-tflite';
  const golden = await runTflite(oracle, c);
  if (!Array.isArray(golden)) throw golden;
  const stored: RegressionCase = {
    bug,
    op: fuzzer.op,
    dtypes: fuzzer.dtypes,
    seed: failed.seed,
    size: failed.size,
    oracle,
    rounding: fuzzer.rounding ?? 'reference',
    floatTolerance: fuzzer.floatTolerance ?? 1e-5,
    lsb: fuzzer.lsb ?? 0,
    model: b64(c.bytes),
    inputTensors: c.graph.inputs,
    outputTensors: c.graph.outputs,
    inputs: c.inputs.map((d, k) => ({ dtype: c.graph.tensors[c.graph.inputs[k] ?? -1]?.dtype ?? '?', shape: [], data: b64(d) })),
    golden: golden.map((o) => ({ dtype: o.dtype, shape: o.shape, data: b64(o.data) })),
  };
  const file = join(dir, `${fuzzer.op}_${fuzzer.dtypes.replace(/[^a-z0-9]+/gi, '_')}_${failed.seed}.json`.replace(/[:]/g, '_'));
  writeFileSync(file, `${JSON.stringify(stored, null, 1)}\n`);
  return file;
}

export function loadRegressions(dir: string): { file: string; case: RegressionCase }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, case: JSON.parse(readFileSync(join(dir, f), 'utf8')) as RegressionCase }));
}

export function decodeTensor(t: StoredTensor): ArrayBufferView {
  const bytes = new Uint8Array(Buffer.from(t.data, 'base64'));
  return typedArrayFromBytes(t.dtype as OracleDType, bytes);
}

export function goldenOutputs(c: RegressionCase): OracleOutput[] {
  return c.golden.map((g, k) => ({
    name: `output${k}`,
    dtype: g.dtype as OracleDType,
    shape: g.shape,
    data: decodeTensor(g) as OracleOutput['data'],
  }));
}

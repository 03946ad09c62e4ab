// verify --culprit's runs of ours: the whole model keeping every tensor, and nodes alone on
// TFLite's values of their inputs.

import { type Delegate, halfToFloat, Interpreter, type TypedArray, WebGpuDelegate } from '../src/index.js';
import { compareOutput, type Tolerance } from './compare.js';
import type { CulpritNode, CulpritOptions, TensorCheck, Values } from './culprit_report.js';
import { cutModel } from './culprit_rewrite.js';
import type { fb } from './model_variant.js';
import type { OracleOutput } from './oracle/types.js';

/** float16 tensors travel as raw half bits on both sides: compare their values. */
export function asNumbers(dtype: string, data: Values): Values {
  if (dtype !== 'float16' || !(data instanceof Uint16Array)) return data;
  return Float32Array.from(data, (b) => halfToFloat(b));
}

export function worst(checks: readonly (TensorCheck | undefined)[]): { rel: number; lsb?: number } {
  let rel = 0;
  let lsb: number | undefined;
  for (const c of checks) {
    const cmp = c?.comparison;
    if (!cmp) continue;
    if (cmp.maxLsb !== undefined) lsb = Math.max(lsb ?? 0, cmp.maxLsb);
    else rel = Math.max(rel, cmp.maxRel);
  }
  return lsb === undefined ? { rel } : { rel, lsb };
}

export interface OurRun {
  shape(t: number): number[];
  value(t: number): Values;
  backendOf(node: number): string;
  placement: string;
  dispose(): void;
}

export async function runOurs(bytes: Uint8Array, inputs: readonly ArrayBufferView[], options: CulpritOptions): Promise<OurRun> {
  const delegates = await ourDelegates(options, true);
  let interpreter: Interpreter | undefined;
  try {
    interpreter = await Interpreter.create(bytes, { ...options.interpreterOptions, delegates, preserveAllTensors: true });
    await interpreter.allocateTensors();
    for (const [i, d] of interpreter.getInputDetails().entries()) interpreter.setTensor(d.index, inputs[i] as TypedArray);
    await interpreter.invoke();
  } catch (e) {
    if (interpreter) interpreter.dispose();
    else for (const d of delegates) d.dispose?.();
    throw e;
  }
  const run = interpreter;
  const placement = run.placement();
  const where = new Map(placement.nodes.map((n) => [n.node, n.backend]));
  const byName = new Map(delegates.map((d) => [d.name, d]));
  const producer = new Map<number, number>();
  for (const op of run.model.subgraphs[0]?.operators ?? []) for (const t of op.outputs) producer.set(t, op.index);
  return {
    shape: (t) => run.tensorShape(t),
    value: (t) => {
      const node = producer.get(t);
      const d = node === undefined ? undefined : byName.get(where.get(node) ?? '');
      const read = (d as { debugTensor?: (index: number) => Float32Array | undefined } | undefined)?.debugTensor;
      return read?.call(d, t) ?? run.getTensor(t);
    },
    backendOf: (node) => where.get(node) ?? 'cpu',
    placement: placement.summary,
    dispose: () => run.dispose(),
  };
}

/** A delegate shared by many short-lived interpreters: their dispose() leaves it alive. */
function shared(d: Delegate): Delegate {
  return { name: d.name, prepare: (g) => d.prepare(g), createKernel: (g, spec) => d.createKernel(g, spec) };
}

export async function ourDelegates(options: CulpritOptions, readbackAll: boolean): Promise<Delegate[]> {
  if (options.delegates) return options.delegates();
  if ((options.backend ?? 'cpu') === 'cpu') return [];
  return [await WebGpuDelegate.create({ precisionLossAllowed: options.precision === 'fp16', debugReadbackAll: readbackAll })];
}

/** Runs one node alone on the golden values of its inputs; compares its outputs with the golden. */
type Isolated = NonNullable<CulpritNode['isolated']>;

/**
 * Runs `nodes` alone on TFLite's values of their inputs (cutModel) and compares their outputs with
 * TFLite's: all in one model first (one partition, the pipelines of one run), else one by one.
 */
export async function isolateNodes(
  m: fb.ModelT,
  constants: ReadonlySet<number>,
  nodes: readonly number[],
  values: (t: number) => ArrayBufferView | undefined,
  golden: ReadonlyMap<number, OracleOutput>,
  options: CulpritOptions,
  delegates: readonly Delegate[],
  tol: Tolerance,
): Promise<Map<number, Isolated>> {
  const result = new Map<number, Isolated>();
  const s = m.subgraphs[0] as fb.SubGraphT;
  const runnable: number[] = [];
  for (const n of nodes) {
    const op = s.operators[n] as fb.OperatorT;
    const missing = op.inputs.find((t) => t >= 0 && !constants.has(t) && !values(t));
    if (missing !== undefined) result.set(n, { skip: `TFLite's value of input #${missing} is not available` });
    else if (op.outputs.some((t) => t >= 0 && !golden.get(t))) result.set(n, { skip: "TFLite's value of an output is not available" });
    else runnable.push(n);
  }
  const run = async (batch: readonly number[]) => {
    const cut = cutModel(m, constants, batch);
    const interpreter = await Interpreter.create(cut.bytes, { ...options.interpreterOptions, delegates: delegates.map(shared) });
    try {
      await interpreter.allocateTensors();
      for (const [k, d] of interpreter.getInputDetails().entries()) {
        interpreter.setTensor(d.index, values(cut.inputs[k]?.source ?? -1) as TypedArray);
      }
      await interpreter.invoke();
      const placed = interpreter.placement().nodes;
      for (const n of batch) {
        const compared = (cut.outputs.get(n) ?? []).map((t) => {
          const g = golden.get(t) as OracleOutput;
          const dtype = interpreter.getOutputDetails().find((o) => o.index === t)?.dtype ?? g.dtype;
          const got = asNumbers(dtype, interpreter.getTensor(t));
          return compareOutput(g.name, dtype, interpreter.tensorShape(t), got, g.shape, asNumbers(g.dtype, g.data), tol);
        });
        const w = worst(compared.map((comparison) => ({ comparison }) as TensorCheck));
        const out: Isolated = {
          maxRel: w.rel,
          pass: compared.every((c) => c.pass),
          backend: placed[cut.order.indexOf(n)]?.backend ?? 'cpu',
        };
        if (w.lsb !== undefined) out.maxLsb = w.lsb;
        result.set(n, out);
      }
    } finally {
      interpreter.dispose();
    }
  };
  if (runnable.length === 0) return result;
  try {
    await run(runnable);
  } catch {
    for (const n of runnable) {
      try {
        await run([n]);
      } catch (e) {
        result.set(n, { skip: `the node alone failed: ${(e as Error).message}` });
      }
    }
  }
  return result;
}

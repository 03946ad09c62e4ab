// verify --culprit: which node first parts from the real TFLite runtime?
//
// The model is rewritten (a copy built in code; the file is never edited) so that every
// intermediate of subgraph 0 — every node output that is not a constant — is also a subgraph
// output. The real runtime (runOracle: LiteRT.js or tfjs-tflite, as verify picks) runs that copy
// and hands back every intermediate; our interpreter runs the unmodified model with every tensor
// kept (preserveAllTensors; the WebGPU delegate's debugReadbackAll), on the same deterministic
// inputs. Each node's outputs are then judged by verify's rules (compareOutput and TOLERANCE:
// float max|ours - golden| / max|golden| 1e-4 fp32 / 1e-2 fp16; integers ≤1 LSB and ≥99% exact).
// The culprit is the first node, in execution order, whose output misses the bar: its inputs
// (earlier nodes' outputs) still meet it, so the divergence starts there. Each node row also
// says what its inputs were handed and how far the other TFLite runtime is from the golden at
// the same tensor — a node where the two real runtimes part as much as ours does is numerics
// (an ill-conditioned value), not a bug.
//
// Caveats: outputs TFLite cannot hand back are skipped with a reason (constants and values
// computed only from constants, variables, string/resource dtypes, shapes known only at run
// time). Exposing intermediates may keep XNNPACK from fusing nodes, which can move the oracle's
// results a little: `rewriteShift` says by how much the model outputs moved against the
// unmodified model's golden.

import { type Quantization, readModel, type Tensor } from '../src/index.js';
import { compareOutput, type OutputComparison, TOLERANCE } from './compare.js';
import type { CulpritNode, CulpritOptions, CulpritOracle, CulpritReport, NodeInput, TensorCheck } from './culprit_report.js';
import { exposeIntermediates } from './culprit_rewrite.js';
import { asNumbers, isolateNodes, ourDelegates, runOurs, worst } from './culprit_runs.js';
import { halfStorageObserver } from './half_storage.js';
import { unpackModel } from './model_variant.js';
import { makeModelInputs } from './oracle/inputs.js';
import { readModelInfo } from './oracle/model_info.js';
import { oracleOrder, runOracle } from './oracle/run_oracle.js';
import type { OracleName, OracleOutput } from './oracle/types.js';
import { exp } from './text.js';

export { renderCulprit } from './culprit_render.js';
export type * from './culprit_report.js';

function describeQuantization(q: Quantization | null): string | undefined {
  if (!q || q.scale.length === 0) return undefined;
  const g = (x: number) => Number(x.toPrecision(4)).toString();
  if (q.scale.length === 1) return `scale ${g(q.scale[0] as number)} zp ${q.zeroPoint[0] ?? 0}`;
  const lo = Math.min(...q.scale);
  const hi = Math.max(...q.scale);
  const zps = [...new Set(q.zeroPoint)];
  const zp = zps.length === 1 ? String(zps[0]) : `${Math.min(...zps)}..${Math.max(...zps)}`;
  return `per-channel axis ${q.quantizedDimension}: ${q.scale.length} scales ${lo.toExponential(2)}..${hi.toExponential(2)}, zp ${zp}`;
}

const defaultOracle: CulpritOracle = (bytes, inputs, options) => runOracle(bytes, inputs, options);

/**
 * Runs the exposed model on the oracle and the model on ours, and judges every node's outputs.
 * Throws the oracle's error when no runtime can run the exposed model.
 */
export async function findCulprit(name: string, bytes: Uint8Array, options: CulpritOptions = {}): Promise<CulpritReport> {
  const backend = options.backend ?? 'cpu';
  const precision = options.precision ?? 'fp32';
  const seed = options.seed ?? 1;
  const tol = options.tolerance ?? TOLERANCE[precision];
  const oracle = options.oracle ?? defaultOracle;
  const inputs = options.inputs ? [...options.inputs] : makeModelInputs(bytes, seed);
  const model = readModel(bytes);
  const sg = model.subgraphs[0];
  if (!sg) throw new Error('the model has no subgraph');

  // The runtime verify would pick for the unmodified model.
  const info = readModelInfo(bytes);
  const [prefer] = oracleOrder('auto', info.isHybrid, info.dynamicOutputs.length > 0);
  const exposed = exposeIntermediates(bytes);
  const golden = await oracle(exposed.bytes, inputs, { prefer });
  const byTensor = new Map<number, OracleOutput>();
  const otherByTensor = new Map<number, OracleOutput>();
  exposed.outputs.forEach((t, k) => {
    const g = golden.outputs[k];
    if (g) byTensor.set(t, g);
    const o = golden.other && 'outputs' in golden.other ? golden.other.outputs[k] : undefined;
    if (o) otherByTensor.set(t, o);
  });

  let rewriteShift: CulpritReport['rewriteShift'];
  try {
    const plain = await oracle(bytes, inputs, { prefer: golden.oracle, other: false });
    let maxRel = 0;
    let maxLsb: number | undefined;
    exposed.originalOutputs.forEach((t, k) => {
      const a = byTensor.get(t);
      const b = plain.outputs[k];
      if (!a || !b) return;
      const c = compareOutput(a.name, a.dtype, a.shape, asNumbers(a.dtype, a.data), b.shape, asNumbers(b.dtype, b.data), tol);
      if (c.maxLsb !== undefined) maxLsb = Math.max(maxLsb ?? 0, c.maxLsb);
      else maxRel = Math.max(maxRel, c.maxRel);
    });
    rewriteShift = maxLsb === undefined ? { maxRel, oracle: plain.oracle } : { maxRel, maxLsb, oracle: plain.oracle };
  } catch {
    rewriteShift = undefined; // the unmodified model has no oracle run: nothing to compare with
  }

  const ours = await runOurs(bytes, inputs, options);
  try {
    const skipReason = new Map(exposed.skipped.map((s) => [s.tensor, s.reason]));
    const checks = new Map<number, TensorCheck>();
    const producer = new Map<number, number>();
    const graphInputs = new Set(sg.inputs);
    const meta = (t: number) => {
      const m = sg.tensors[t] as Tensor;
      const quantization = describeQuantization(m.quantization);
      const base = { index: t, name: m.name, dtype: m.dtype as string, shape: ours.shape(t) };
      return quantization ? { ...base, quantization } : base;
    };
    const nodes: CulpritNode[] = [];
    for (const op of sg.operators) {
      const outs = op.outputs.filter((t) => t >= 0);
      if (outs.length > 0 && outs.every((t) => exposed.constants.has(t))) {
        for (const t of outs) producer.set(t, op.index);
        continue;
      }
      const outputs = outs.map((t): TensorCheck => {
        producer.set(t, op.index);
        const m = meta(t);
        const g = byTensor.get(t);
        let check: TensorCheck;
        if (!g) check = { ...m, skip: skipReason.get(t) ?? 'not returned by the oracle' };
        else {
          const comparison = compareOutput(
            m.name,
            m.dtype,
            m.shape,
            asNumbers(m.dtype, ours.value(t)),
            g.shape,
            asNumbers(g.dtype, g.data),
            tol,
          );
          check = { ...m, comparison };
          const o = otherByTensor.get(t);
          if (o) {
            const c = compareOutput(m.name, m.dtype, o.shape, asNumbers(o.dtype, o.data), g.shape, asNumbers(g.dtype, g.data), tol);
            check.other = c.maxLsb ?? c.maxRel;
          }
        }
        checks.set(t, check);
        return check;
      });
      const nodeInputs = op.inputs.map((t): NodeInput => {
        if (t < 0) return { index: t, name: '', dtype: '', shape: [], source: 'omitted' };
        const m = meta(t);
        if (graphInputs.has(t)) return { ...m, source: 'input' };
        if (exposed.constants.has(t)) return { ...m, source: 'constant' };
        const from = producer.get(t);
        const check = checks.get(t);
        const base: NodeInput = from === undefined ? { ...m, source: 'input' } : { ...m, source: 'node', node: from };
        return check ? { ...base, check } : base;
      });
      const own = worst(outputs);
      const handed = worst(nodeInputs.map((i) => i.check));
      const compared = outputs.filter((o) => o.comparison);
      const inputsFail = nodeInputs.some((i) => i.check?.comparison && !i.check.comparison.pass);
      const fails = compared.some((o) => !o.comparison?.pass);
      const others = compared.map((o) => o.other).filter((x): x is number => x !== undefined);
      const node: CulpritNode = {
        node: op.index,
        op: op.op,
        version: op.version,
        backend: ours.backendOf(op.index),
        inputs: nodeInputs,
        outputs,
        maxRel: own.rel,
        inputRel: handed.rel,
        status: compared.length === 0 ? 'skipped' : !fails ? 'ok' : inputsFail ? 'inherits' : 'diverges',
        uncheckedInputs: nodeInputs.filter((i) => i.source === 'node' && !i.check?.comparison).length,
      };
      if (own.lsb !== undefined) node.maxLsb = own.lsb;
      if (handed.lsb !== undefined) node.inputLsb = handed.lsb;
      if (others.length) node.other = Math.max(...others);
      nodes.push(node);
    }
    const outputs = exposed.originalOutputs.map((t, k) => {
      const g = golden.outputs[k] as OracleOutput;
      const m = meta(t);
      return compareOutput(m.name, m.dtype, m.shape, asNumbers(m.dtype, ours.value(t)), g.shape, asNumbers(g.dtype, g.data), tol);
    });
    const wantsReference = options.f16Reference ?? (precision === 'fp16' && backend !== 'cpu' && !options.interpreterOptions?.observer);
    if (wantsReference) {
      const ref = await runOurs(bytes, inputs, {
        ...options,
        backend: 'cpu',
        delegates: () => [],
        interpreterOptions: { ...options.interpreterOptions, observer: halfStorageObserver(bytes) },
      });
      try {
        for (const n of nodes) {
          const errs = n.outputs.flatMap((o) => {
            const g = byTensor.get(o.index);
            if (!g || !o.comparison) return [];
            const c = compareOutput(
              o.name,
              o.dtype,
              ref.shape(o.index),
              asNumbers(o.dtype, ref.value(o.index)),
              g.shape,
              asNumbers(g.dtype, g.data),
              tol,
            );
            return [c.maxLsb ?? c.maxRel];
          });
          if (errs.length) n.f16Reference = Math.max(...errs);
        }
      } finally {
        ref.dispose();
      }
    }
    const isolate = options.isolate ?? 'divergent';
    const targets = isolate === 'all' ? nodes : isolate === 'none' ? [] : nodes.filter((n) => n.status === 'diverges').slice(0, 16);
    if (targets.length) {
      const m = unpackModel(bytes);
      const inputValues = new Map(sg.inputs.map((t, k) => [t, inputs[k] as ArrayBufferView]));
      const values = (t: number) => inputValues.get(t) ?? byTensor.get(t)?.data;
      const delegates = await ourDelegates(options, false);
      try {
        const isolated = await isolateNodes(
          m,
          exposed.constants,
          targets.map((n) => n.node),
          values,
          byTensor,
          options,
          delegates,
          tol,
        );
        for (const n of targets) n.isolated = isolated.get(n.node) ?? { skip: 'not run' };
      } finally {
        for (const d of delegates) d.dispose?.();
      }
    }
    const report: CulpritReport = {
      model: name,
      backend,
      precision,
      seed,
      tolerance: tol,
      oracle: golden.oracle,
      exposed: exposed.exposed.length,
      skipped: exposed.skipped,
      placement: ours.placement,
      nodes,
      culprit: nodes.find((n) => n.status === 'diverges' || n.status === 'inherits') ?? null,
      outputs,
    };
    if (options.reference) {
      const ref = options.reference;
      report.reproduced = exposed.originalOutputs.every((t, k) => {
        const a = ours.value(t);
        const b = ref[k];
        if (!b || a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
        return true;
      });
    }
    if (golden.other)
      report.other = 'error' in golden.other ? { oracle: golden.other.oracle, error: golden.other.error } : { oracle: golden.other.oracle };
    if (rewriteShift) report.rewriteShift = rewriteShift;
    return report;
  } finally {
    ours.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Conditioning

/** Past this error of max|golden| an output is not judged by its nodes: the fp16 bar. */
export const CONDITIONING_CAP = TOLERANCE.fp16.maxRel;

/**
 * Whether a report (isolate 'all', with `reference`) explains an fp32 miss of float outputs
 * (`outputs`: verify's comparisons, against `oracle`) as conditioning rather than a wrong op:
 * - the exposed model ran on the same runtime as verify's golden;
 * - this run, keeping every tensor, reproduced our outputs bit for bit (arena sharing ruled out);
 * - every node ran alone on TFLite's own input values and matched TFLite's output within the
 *   report's bar (the operations compute what TFLite's compute);
 * - every output is within CONDITIONING_CAP.
 * Then the outputs part only because the graph amplifies rounding differences (TFLite's XNNPACK
 * sums in f32, our CPU kernels in f64, the GPU in its own order). The note says the numbers, or
 * what does not hold and where the run first diverges.
 */
export function conditioningVerdict(
  c: CulpritReport,
  oracle: OracleName | undefined,
  outputs: readonly OutputComparison[],
): { explained: boolean; note: string } {
  const first = c.culprit;
  const where = first
    ? `first past the bar is node ${first.node} ${first.op}, which turns its inputs' rel ${exp(first.inputRel)} into ${exp(first.maxRel)}`
    : 'no node misses the bar on the exposed model';
  const alone = c.nodes.map((n) => ({ n, i: n.isolated }));
  const unjudged = alone.filter(({ i }) => !i || 'skip' in i);
  const missing = alone.filter(({ i }) => i && !('skip' in i) && !i.pass);
  const why: string[] = [];
  if (c.nodes.length === 0) why.push('no node runs per invoke');
  if (c.oracle !== oracle) why.push(`the exposed model ran on ${c.oracle}, not ${oracle}`);
  if (c.reproduced !== true) why.push('the run keeping every tensor does not reproduce our outputs bit for bit');
  if (unjudged.length) {
    const u = unjudged[0]?.n;
    const reason = u?.isolated && 'skip' in u.isolated ? u.isolated.skip : 'not run alone';
    why.push(`${unjudged.length} node(s) could not run alone on TFLite's inputs (node ${u?.node} ${u?.op}: ${reason})`);
  }
  if (missing.length) {
    const m = missing[0] as { n: CulpritNode; i: { maxRel: number; maxLsb?: number } };
    const err = m.i.maxLsb !== undefined ? `${m.i.maxLsb} LSB` : `rel ${exp(m.i.maxRel)}`;
    why.push(`${missing.length} node(s) miss the bar even alone on TFLite's inputs, first node ${m.n.node} ${m.n.op} (${err})`);
  }
  const worstOut = Math.max(0, ...outputs.map((o) => o.maxRel));
  if (!(worstOut <= CONDITIONING_CAP)) why.push(`rel ${exp(worstOut)} is past ${CONDITIONING_CAP}, too far to put down to rounding`);
  if (why.length) return { explained: false, note: `not explained by conditioning: ${why.join('; ')}; ${where}` };
  const judged = alone.map(({ n, i }) => ({ n, rel: i && !('skip' in i) ? i.maxRel : 0 }));
  const w = judged.reduce((a, b) => (b.rel > a.rel ? b : a), { n: c.nodes[0] as CulpritNode, rel: 0 });
  return {
    explained: true,
    note: `ill-conditioned, not a wrong op: each of the ${c.nodes.length} nodes, run alone on ${c.oracle}'s own input values, matches its output within rel ${exp(w.rel)} (worst node ${w.n.node} ${w.n.op}; bar ${c.tolerance.maxRel}); the graph amplifies those rounding differences to rel ${exp(worstOut)}: ${where}`,
  };
}

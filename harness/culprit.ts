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

import { halfValue } from '../delegate/half.js';
import {
  type Delegate,
  Interpreter,
  type InterpreterOptions,
  type Quantization,
  readModel,
  type Tensor,
  type TypedArray,
  WebGpuDelegate,
} from '../src/index.js';
import type { Backend, Precision } from './backends.js';
import { compareOutput, type OutputComparison, TOLERANCE, type Tolerance } from './compare.js';
import { halfStorageObserver } from './half_storage.js';
import { fb, packModel, unpackModel } from './model_variant.js';
import { makeModelInputs } from './oracle/inputs.js';
import { readModelInfo } from './oracle/model_info.js';
import { type OracleResult, oracleOrder, type RunOracleOptions, runOracle } from './oracle/run_oracle.js';
import { isOracleDType, type OracleName, type OracleOutput } from './oracle/types.js';

// ---------------------------------------------------------------------------------------------
// The rewrite

export interface SkippedTensor {
  tensor: number;
  name: string;
  /** The node that produces it. */
  node: number;
  reason: string;
}

export interface ExposedModel {
  /** The rewritten model. */
  bytes: Uint8Array;
  /** Subgraph-0 outputs of the rewritten model: the original outputs first, then `exposed`. */
  outputs: number[];
  /** The original model's outputs. */
  originalOutputs: number[];
  /** The intermediates added as outputs, in execution order. */
  exposed: number[];
  /** Node outputs not exposed, and why. */
  skipped: SkippedTensor[];
  /** Tensors that are constants or computed from constants only (never compared). */
  constants: Set<number>;
}

/** Element types the oracle cannot read back (see OracleDType). */
const unreadable = (dtype: string) => !isOracleDType(dtype);

/**
 * A copy of the model whose subgraph 0 also outputs every intermediate the oracle can hand back.
 * Signatures of subgraph 0 get an entry (a unique name) for each new output, so LiteRT.js maps
 * them by tensor index; a model without one gets a signature when its tensor names are not unique.
 */
export function exposeIntermediates(bytes: Uint8Array): ExposedModel {
  const model = readModel(bytes);
  const sg = model.subgraphs[0];
  if (!sg) throw new Error('the model has no subgraph');
  const outputs = new Set(sg.outputs);
  // Constants, and what nodes compute from constants only (DEQUANTIZE of fp16 weights...): every
  // runtime folds or prepacks them, and exposing them would keep XNNPACK from taking the nodes
  // that read them as static weights.
  const constants = new Set<number>();
  for (const t of sg.tensors) if (t.data && !t.isVariable) constants.add(t.index);
  const skipped: SkippedTensor[] = [];
  const candidates: number[] = [];
  for (const op of sg.operators) {
    const ins = op.inputs.filter((i) => i >= 0);
    const folded = ins.length > 0 && ins.every((i) => constants.has(i));
    for (const t of op.outputs) {
      if (t < 0) continue;
      const meta = sg.tensors[t] as Tensor;
      const skip = (reason: string) => skipped.push({ tensor: t, name: meta.name, node: op.index, reason });
      if (folded) {
        constants.add(t);
        skip('computed from constants only');
      } else if (outputs.has(t)) continue;
      else if (meta.isVariable) skip('variable tensor');
      else if (unreadable(meta.dtype)) skip(`dtype ${meta.dtype} cannot be read back`);
      else candidates.push(t);
    }
  }

  const build = (exposed: number[]): Uint8Array => {
    const m = unpackModel(bytes);
    const s = m.subgraphs[0] as fb.SubGraphT;
    s.outputs = [...sg.outputs, ...exposed];
    const tensorName = (i: number) => String(s.tensors[i]?.name ?? `tensor${i}`);
    const signatures = m.signatureDefs.filter((d) => d.subgraphIndex === 0);
    const unique = (list: number[]) => new Set(list.map(tensorName)).size === list.length;
    if (signatures.length === 0 && !(unique(s.inputs) && unique(s.outputs))) {
      const map = (list: number[]) => {
        const used = new Set<string>();
        return list.map((i) => {
          let name = tensorName(i);
          if (used.has(name)) name = `${name}#${i}`;
          used.add(name);
          return new fb.TensorMapT(name, i);
        });
      };
      m.signatureDefs.push(new fb.SignatureDefT(map(s.inputs), map(s.outputs), 'serving_default', 0));
    } else {
      for (const d of signatures) {
        const used = new Set(d.outputs.map((o) => String(o.name)));
        for (const i of exposed) {
          let name = tensorName(i);
          if (used.has(name)) name = `${name}#${i}`;
          used.add(name);
          d.outputs.push(new fb.TensorMapT(name, i));
        }
      }
    }
    return packModel(m);
  };

  let exposed = candidates;
  let rewritten = build(exposed);
  // Shapes known only at run time: LiteRT.js binds buffers of the declared shape for such
  // outputs (and the oracle would switch runtimes), so they are not exposed.
  const dynamicNames = new Set(readModelInfo(rewritten).dynamicOutputs);
  if (exposed.some((t) => dynamicNames.has((sg.tensors[t] as Tensor).name))) {
    const producer = new Map(sg.operators.flatMap((op) => op.outputs.map((t) => [t, op.index] as const)));
    exposed = exposed.filter((t) => {
      const name = (sg.tensors[t] as Tensor).name;
      if (!dynamicNames.has(name)) return true;
      skipped.push({ tensor: t, name, node: producer.get(t) ?? -1, reason: 'shape known only at run time' });
      return false;
    });
    rewritten = build(exposed);
  }
  return { bytes: rewritten, outputs: [...sg.outputs, ...exposed], originalOutputs: [...sg.outputs], exposed, skipped, constants };
}

// ---------------------------------------------------------------------------------------------
// The comparison

/** Golden outputs of a model (subgraph-0 output order) on the given inputs. */
export type CulpritOracle = (bytes: Uint8Array, inputs: readonly ArrayBufferView[], options: RunOracleOptions) => Promise<OracleResult>;

export interface CulpritOptions {
  backend?: Backend;
  precision?: Precision;
  /** Input seed (makeModelInputs), as in verify. Default 1. */
  seed?: number;
  /** Inputs (subgraph-0 order) instead of the seed's. */
  inputs?: readonly ArrayBufferView[];
  /** Default: runOracle, uncached (the exposed model's goldens are large). */
  oracle?: CulpritOracle;
  /** Default: TOLERANCE[precision]. */
  tolerance?: Tolerance;
  /**
   * Delegates for our run instead of the backend's (a fresh list per call). Values computed by
   * a delegate are read with its `debugTensor(index)` when it has one, else from the tensor.
   */
  delegates?: () => Promise<Delegate[]> | Delegate[];
  /**
   * fp16: also run the f16 storage reference (CulpritNode.f16Reference). Default: on for an fp16
   * run on a delegate, unless interpreterOptions set an observer.
   */
  f16Reference?: boolean;
  /** More interpreter options for our run (integerRounding...). */
  interpreterOptions?: Pick<InterpreterOptions, 'integerRounding' | 'observer'>;
  /**
   * Which nodes also run alone on TFLite's own values of their inputs (see CulpritNode.isolated):
   * 'divergent' (default: the culprit and every node that diverges itself, at most 16), 'all', 'none'.
   */
  isolate?: 'divergent' | 'all' | 'none';
  /**
   * Our model outputs from an ordinary run (no preserveAllTensors), in subgraph-0 order: the
   * report then says whether this run reproduced them bit for bit (`reproduced`).
   */
  reference?: readonly Values[];
}

export interface TensorCheck {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  /** e.g. "scale 0.0235 zp -128", "per-channel axis 3: 32 scales 1.2e-3..4.5e-2, zp 0". */
  quantization?: string;
  /** Set when the tensor could not be compared. */
  skip?: string;
  /** verify's comparison of ours with the golden (absent when skipped). */
  comparison?: OutputComparison;
  /** The other TFLite runtime against the same golden: maxRel (float) or max LSB (integer). */
  other?: number;
}

export interface NodeInput {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  quantization?: string;
  /** 'input' (a model input: the same bytes on both sides), 'constant', 'node' (an earlier node's output). */
  source: 'input' | 'constant' | 'node' | 'omitted';
  /** The producing node, for source 'node'. */
  node?: number;
  /** The producer's comparison of this tensor (absent when it was skipped). */
  check?: TensorCheck;
}

export interface CulpritNode {
  node: number;
  op: string;
  version: number;
  /** Where our run computed it: 'cpu', a delegate's name, or 'folded' at prepare. */
  backend: string;
  inputs: NodeInput[];
  outputs: TensorCheck[];
  /** The worst float maxRel over the compared outputs (0 when none is float). */
  maxRel: number;
  /** The worst LSB error over the compared integer outputs, when there are any. */
  maxLsb?: number;
  /** The worst maxRel over the inputs' comparisons (float), and max LSB (integer). */
  inputRel: number;
  inputLsb?: number;
  /** The other runtime's worst error at the node's outputs (its spread from the golden). */
  other?: number;
  /**
   * fp16 runs: the worst error at the node's outputs of the f16 storage reference (our CPU
   * kernels with every activation rounded to f16, as verify's fp16 judgement uses) against the
   * same golden: what f16 storage alone costs at this node.
   */
  f16Reference?: number;
  /**
   * 'ok'; 'diverges': an output misses the bar while every compared input meets it (the node
   * itself); 'inherits': an output misses it and so does an input; 'skipped': nothing compared.
   */
  status: 'ok' | 'diverges' | 'inherits' | 'skipped';
  /** Inputs from earlier nodes that could not be compared (the verdict then rests on fewer facts). */
  uncheckedInputs: number;
  /**
   * The node run alone (a one-node copy of the model) on TFLite's values of its inputs, its
   * outputs compared with TFLite's: within the bar, the node computes what TFLite computes and
   * its divergence is its inputs' (in-bar) error amplified; beyond it, the node itself differs.
   */
  isolated?: { maxRel: number; maxLsb?: number; pass: boolean; backend: string } | { skip: string };
}

export interface CulpritReport {
  model: string;
  backend: Backend;
  precision: Precision;
  seed: number;
  tolerance: Tolerance;
  oracle: OracleName;
  /** The other runtime, and whether it ran on the exposed model. */
  other?: { oracle: OracleName; error?: string };
  /** Intermediates exposed (outputs added); node outputs skipped, with reasons. */
  exposed: number;
  skipped: SkippedTensor[];
  /**
   * How far the oracle's model outputs on the exposed model are from its outputs on the
   * unmodified model (max over outputs of maxRel / LSB): what exposing changed in the runtime.
   */
  rewriteShift?: { maxRel: number; maxLsb?: number; oracle: OracleName };
  /** Our placement summary. */
  placement: string;
  /** Every node in execution order, constant-only nodes left out. */
  nodes: CulpritNode[];
  /** The first node whose outputs miss the bar; null when none. */
  culprit: CulpritNode | null;
  /** The model outputs compared as verify compares them (same golden source, exposed model). */
  outputs: OutputComparison[];
  /** With options.reference: whether our outputs here equal the reference bit for bit. */
  reproduced?: boolean;
}

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

export type Values = ArrayLike<number> | ArrayLike<bigint>;

/** float16 tensors travel as raw half bits on both sides: compare their values. */
function asNumbers(dtype: string, data: Values): Values {
  if (dtype !== 'float16' || !(data instanceof Uint16Array)) return data;
  return Float32Array.from(data, (b) => halfValue(b));
}

function worst(checks: readonly (TensorCheck | undefined)[]): { rel: number; lsb?: number } {
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

const defaultOracle: CulpritOracle = (bytes, inputs, options) => runOracle(bytes, inputs, options);

interface OurRun {
  shape(t: number): number[];
  value(t: number): Values;
  backendOf(node: number): string;
  placement: string;
  dispose(): void;
}

async function runOurs(bytes: Uint8Array, inputs: readonly ArrayBufferView[], options: CulpritOptions): Promise<OurRun> {
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

/**
 * A copy of the model that runs each of `nodes` alone: every activation a node reads is rewired to
 * a fresh subgraph input of its own (fed TFLite's value of that tensor), so no node feeds another;
 * the constant-only nodes they need (DEQUANTIZE of weights...) stay. Tensor indices of the nodes'
 * outputs stay (the golden is keyed by them); only the buffers the kept nodes read are kept.
 */
export function cutModel(
  m: fb.ModelT,
  constants: ReadonlySet<number>,
  nodes: readonly number[],
): { bytes: Uint8Array; inputs: { index: number; source: number }[]; outputs: Map<number, number[]>; order: number[] } {
  const s = m.subgraphs[0] as fb.SubGraphT;
  const targets = new Set(nodes);
  const producer = new Map<number, number>();
  s.operators.forEach((o, k) => {
    for (const t of o.outputs) if (t >= 0 && !producer.has(t)) producer.set(t, k);
  });
  // The nodes, and the constant-only nodes that compute their constant inputs.
  const kept = new Set<number>(nodes);
  const pending = nodes.flatMap((n) => (s.operators[n] as fb.OperatorT).inputs);
  while (pending.length) {
    const t = pending.pop() as number;
    const k = producer.get(t);
    if (t < 0 || !constants.has(t) || k === undefined || kept.has(k)) continue;
    kept.add(k);
    pending.push(...(s.operators[k] as fb.OperatorT).inputs);
  }
  const clone = <T extends object>(x: T, change: Partial<T>): T => Object.assign(Object.create(Object.getPrototypeOf(x)), x, change);
  const tensors = [...s.tensors];
  const inputs: { index: number; source: number }[] = [];
  const outputs = new Map<number, number[]>();
  const order = [...kept].sort((a, b) => a - b);
  const operators = order.map((k) => {
    const o = s.operators[k] as fb.OperatorT;
    if (!targets.has(k)) return o;
    outputs.set(
      k,
      o.outputs.filter((t) => t >= 0),
    );
    const fresh = new Map<number, number>();
    const rewired = o.inputs.map((t) => {
      if (t < 0 || constants.has(t)) return t;
      let index = fresh.get(t);
      if (index === undefined) {
        const meta = s.tensors[t] as fb.TensorT;
        index = tensors.length;
        tensors.push(clone(meta, { buffer: 0, isVariable: false, name: `${String(meta.name ?? t)}@node${k}` }));
        fresh.set(t, index);
        inputs.push({ index, source: t });
      }
      return index;
    });
    return clone(o, { inputs: rewired });
  });
  // Keep only the buffers these nodes read (all of them when other subgraphs or offsets need them).
  let buffers = m.buffers;
  let slim = tensors;
  if (m.subgraphs.length === 1 && m.buffers.every((b) => b.offset <= 1n)) {
    const used = new Set(operators.flatMap((o) => [...o.inputs, ...o.outputs, ...o.intermediates]));
    const remap = new Map<number, number>();
    buffers = [new fb.BufferT()];
    slim = tensors.map((t, i) => {
      const b = m.buffers[t.buffer];
      if (!used.has(i) || !b || t.buffer === 0 || b.data.length === 0) return t.buffer === 0 ? t : clone(t, { buffer: 0 });
      if (!remap.has(t.buffer)) {
        remap.set(t.buffer, buffers.length);
        buffers.push(b);
      }
      return clone(t, { buffer: remap.get(t.buffer) as number });
    });
  }
  const sub = new fb.SubGraphT(
    slim,
    inputs.map((i) => i.index),
    [...new Set([...outputs.values()].flat())],
    operators,
    s.name,
    buffers === m.buffers ? s.debugMetadataIndex : -1,
  );
  const copy = new fb.ModelT(m.version, m.operatorCodes, [sub, ...m.subgraphs.slice(1)], m.description, buffers);
  if (buffers === m.buffers) Object.assign(copy, { metadataBuffer: m.metadataBuffer, metadata: m.metadata });
  return { bytes: packModel(copy), inputs, outputs, order };
}

/** A delegate shared by many short-lived interpreters: their dispose() leaves it alive. */
function shared(d: Delegate): Delegate {
  return { name: d.name, prepare: (g) => d.prepare(g), createKernel: (g, spec) => d.createKernel(g, spec) };
}

async function ourDelegates(options: CulpritOptions, readbackAll: boolean): Promise<Delegate[]> {
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
async function isolateNodes(
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

// ---------------------------------------------------------------------------------------------
// Text

const exp = (x: number | undefined) => (x === undefined ? '' : Number.isFinite(x) ? x.toExponential(2) : String(x));

function errorOf(c: OutputComparison | undefined): string {
  if (!c) return '-';
  if (c.maxLsb !== undefined) return `${c.maxLsb} LSB, ${((c.exactShare ?? 0) * 100).toFixed(1)}% exact`;
  return `rel ${exp(c.maxRel)} (maxAbs ${exp(c.maxAbs)} of max|golden| ${exp(c.maxRel > 0 ? c.maxAbs / c.maxRel : 0)})${c.nonFinite ? `, ${c.nonFinite} non-finite` : ''}`;
}

function tensorLine(t: { index: number; name: string; dtype: string; shape: number[]; quantization?: string }): string {
  return `#${t.index} '${t.name}' ${t.dtype} [${t.shape.join(',')}]${t.quantization ? ` (${t.quantization})` : ''}`;
}

function nodeError(n: Pick<CulpritNode, 'maxRel' | 'maxLsb'>): string {
  return n.maxLsb !== undefined ? `${n.maxLsb} LSB${n.maxRel ? ` / rel ${exp(n.maxRel)}` : ''}` : exp(n.maxRel);
}

function inputError(n: CulpritNode): string {
  return n.inputLsb !== undefined ? `${n.inputLsb} LSB` : exp(n.inputRel);
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The nodes the text table shows: around the culprit, every other node that diverges itself, the worst ones. */
function shortList(report: CulpritReport, around = 6, worstCount = 8): CulpritNode[] {
  const nodes = report.nodes;
  const keep = new Set<number>();
  const at = report.culprit ? nodes.indexOf(report.culprit) : -1;
  if (at >= 0) for (let k = Math.max(0, at - around); k <= Math.min(nodes.length - 1, at + around); k++) keep.add(k);
  nodes.forEach((n, k) => {
    if (n.status === 'diverges') keep.add(k);
  });
  const ratio = (n: CulpritNode) => (n.maxLsb !== undefined ? n.maxLsb / report.tolerance.maxLsb : n.maxRel / report.tolerance.maxRel);
  [...nodes.keys()]
    .sort((a, b) => ratio(nodes[b] as CulpritNode) - ratio(nodes[a] as CulpritNode))
    .slice(0, worstCount)
    .forEach((k) => {
      keep.add(k);
    });
  return [...keep].sort((a, b) => a - b).map((k) => nodes[k] as CulpritNode);
}

function isolatedVerdict(n: CulpritNode): string {
  const i = n.isolated;
  if (!i) return "not run alone on TFLite's inputs";
  if ('skip' in i) return `not run alone on TFLite's inputs: ${i.skip}`;
  const err = i.maxLsb !== undefined ? `${i.maxLsb} LSB` : `rel ${exp(i.maxRel)}`;
  if (!i.pass) return `alone, on TFLite's own input values, it still misses the bar (${err}): the node itself computes differently`;
  const gain =
    n.inputRel > 0 && n.maxLsb === undefined
      ? ` (×${(n.maxRel / n.inputRel).toFixed(1)} of the rel ${exp(n.inputRel)} its inputs carry)`
      : '';
  return `alone, on TFLite's own input values, it matches (${err}): the node is right; its inputs' in-bar error is amplified${gain}`;
}

/** The report in words: the culprit with its inputs and outputs, and a short per-node table. */
export function renderCulprit(report: CulpritReport): string {
  const tol = report.tolerance;
  const lines: string[] = [];
  const other = report.other
    ? report.other.error
      ? `; other runtime ${report.other.oracle} failed: ${report.other.error.slice(0, 80)}`
      : `; other runtime ${report.other.oracle}`
    : '';
  lines.push(
    `${report.model}: ours on ${report.backend} (${report.precision}) vs ${report.oracle}${other}; seed ${report.seed}; bar rel ${tol.maxRel} / ${tol.maxLsb} LSB & ${tol.minExactShare * 100}% exact`,
  );
  const reasons = new Map<string, number>();
  for (const s of report.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  const skipped = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ');
  lines.push(
    `${report.nodes.length} nodes compared, ${report.exposed} intermediates exposed${skipped ? `; not exposed: ${skipped}` : ''}; ${report.placement}`,
  );
  if (report.rewriteShift) {
    const s = report.rewriteShift;
    lines.push(
      `exposing intermediates moved ${s.oracle}'s model outputs by rel ${exp(s.maxRel)}${s.maxLsb !== undefined ? ` / ${s.maxLsb} LSB` : ''} (against the unmodified model)`,
    );
  }
  const c = report.culprit;
  if (c) {
    lines.push('');
    lines.push(
      `culprit: node ${c.node} ${c.op} v${c.version} on ${c.backend}: ${c.status === 'diverges' ? 'its inputs meet the bar, its output does not' : 'an input already misses the bar (an earlier node was not comparable)'}`,
    );
    for (const i of c.inputs) {
      if (i.source === 'omitted') continue;
      const where =
        i.source === 'node'
          ? `from node ${i.node}: ${i.check?.comparison ? errorOf(i.check.comparison) : (i.check?.skip ?? 'not compared')}`
          : i.source;
      lines.push(`  in   ${tensorLine(i)}  ${where}${i.check?.other !== undefined ? `; other runtime ${exp(i.check.other)}` : ''}`);
    }
    for (const o of c.outputs) {
      lines.push(
        `  out  ${tensorLine(o)}  ${o.comparison ? errorOf(o.comparison) : (o.skip ?? '')}${o.other !== undefined ? `; other runtime ${exp(o.other)}` : ''}`,
      );
    }
    lines.push(`  ${isolatedVerdict(c)}`);
    if (c.f16Reference !== undefined) {
      lines.push(
        `  f16 storage alone (our CPU kernels, every activation rounded to f16) is at ${exp(c.f16Reference)} here: ${c.maxRel <= 2 * Math.max(c.f16Reference, report.tolerance.maxRel) ? 'as far as f16 storage itself goes' : 'ours is further off than f16 storage explains'}`,
      );
    }
  }
  lines.push('');
  const withRef = report.nodes.some((n) => n.f16Reference !== undefined);
  const rows = shortList(report).map((n) => [
    String(n.node),
    n.op,
    n.backend,
    nodeError(n),
    inputError(n),
    exp(n.other),
    ...(withRef ? [exp(n.f16Reference)] : []),
    n.isolated ? ('skip' in n.isolated ? '?' : n.maxLsb !== undefined ? `${n.isolated.maxLsb ?? 0} LSB` : exp(n.isolated.maxRel)) : '',
    n.status === 'ok' ? '' : n.status.toUpperCase(),
    n.outputs
      .map((o) => o.name)
      .join(', ')
      .slice(0, 40),
  ]);
  lines.push(
    table([
      ['node', 'op', 'ran on', 'error', 'inputs', 'other rt', ...(withRef ? ['f16 ref'] : []), 'alone', 'status', 'outputs'],
      ...rows,
    ]),
  );
  if (rows.length < report.nodes.length)
    lines.push(
      `(${rows.length} of ${report.nodes.length} nodes: around the culprit, the worst, and every node that diverges itself; --json has all)`,
    );
  const failing = report.outputs.filter((o) => !o.pass);
  lines.push(
    `model outputs: ${report.outputs.map((o) => `'${o.name}' ${o.maxLsb !== undefined ? `${o.maxLsb} LSB` : `rel ${exp(o.maxRel)}`}`).join(', ')}`,
  );
  lines.push(
    c
      ? `first divergent node: ${c.node} ${c.op} (${nodeError(c)} > bar; inputs handed it ${inputError(c)})${failing.length ? '' : ' — the model outputs still pass'}`
      : `no node diverges beyond the bar${failing.length ? ' (yet some model output does: see above)' : ''}`,
  );
  return lines.join('\n');
}

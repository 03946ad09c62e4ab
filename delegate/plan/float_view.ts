// quantizedExecution 'float': quantized nodes run as the float kernels on dequantized values,
// the way TFLite's GPU delegate runs quantized models (weights dequantized once, activations in
// float, each quantized output rounded to its grid by a quantize -> dequantize pair, its
// "quantization simulator"). Cheaper shaders, not TFLite's integer arithmetic: verify reports the
// cost in LSB.
//
// The view is plain graph data: each quantized node gets a float twin (its integer constants
// dequantized, its quantized activations replaced by float tensors), prepared by the float CPU
// kernel like any node. A partition is expanded into the nodes that really run: DEQUANTIZE where a
// twin reads an integer tensor nothing in the partition dequantized yet, the twin, then QUANTIZE
// into the original integer output (which later integer nodes and the CPU read) and DEQUANTIZE
// back where a later twin reads it.
import type { DelegateGraph, DelegateNode, PartitionSpec } from '../../src/interpreter/delegate.js';
import { isKnown, type RuntimeTensor } from '../../src/kernels/kernel.js';
import { numElements } from '../../src/model/dtype.js';
import type { Operator } from '../../src/model/types.js';
import type { OpContext } from '../program.js';
import { hasIntegerActivations, selectImpl } from '../registry.js';
import { integerStorage } from './precision.js';
import { prepareNode } from './prepared.js';

export type QuantizedExecution = 'integer' | 'float';

/** Ops that stay integer in the float view: they are the quantization edges themselves. */
const EDGE_OPS = new Set(['QUANTIZE', 'DEQUANTIZE']);

/** Quantized integer tensors have a float view; other integer tensors (indices, shapes) do not. */
function isQuantized(t: RuntimeTensor): boolean {
  return integerStorage(t.dtype) !== null && (t.quantization?.scale.length ?? 0) > 0;
}

/** (q - zero point) * scale in float32, per channel along the quantized dimension. */
function dequantized(t: RuntimeTensor): Float32Array {
  const q = t.quantization as NonNullable<RuntimeTensor['quantization']>;
  const data = t.data as ArrayLike<number | bigint>;
  const out = new Float32Array(numElements(t.shape));
  const dim = q.quantizedDimension;
  const inner = t.shape.slice(dim + 1).reduce((a, d) => a * d, 1);
  const channels = t.shape[dim] ?? 1;
  for (let i = 0; i < out.length; i++) {
    const c = q.scale.length > 1 ? Math.floor(i / inner) % channels : 0;
    out[i] = Math.fround((Number(data[i]) - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0)) * (q.scale[c] as number));
  }
  return out;
}

/** A graph's float view: twins of its quantized nodes and of their tensors, built once. */
export class FloatView {
  private readonly tensors: RuntimeTensor[];
  private readonly floatOf = new Map<number, RuntimeTensor>();
  /** Twin per original node index, or null where the node has no float form. */
  private readonly twins = new Map<number, DelegateNode | null>();
  private nextNode: number;

  constructor(readonly graph: DelegateGraph) {
    this.tensors = [...graph.tensors];
    this.nextNode = Math.max(-1, ...graph.nodes.map((n) => n.index)) + 1;
  }

  /** The float tensor standing for a quantized one (its dequantized values for constants). */
  private floatTensor(t: RuntimeTensor): RuntimeTensor {
    let f = this.floatOf.get(t.index);
    if (!f) {
      const known = isKnown(t);
      f = {
        index: this.tensors.length,
        name: `${t.name} (float)`,
        dtype: 'float32',
        shape: [...t.shape],
        quantization: null,
        kind: known ? 'constant' : 'activation',
        data: known ? dequantized(t) : new Float32Array(numElements(t.shape)),
      };
      this.tensors.push(f);
      this.floatOf.set(t.index, f);
    }
    return f;
  }

  private newTensor(like: RuntimeTensor, dtype: 'float32'): RuntimeTensor {
    const t: RuntimeTensor = {
      index: this.tensors.length,
      name: `${like.name} (float, before quantization)`,
      dtype,
      shape: [...like.shape],
      quantization: null,
      kind: 'activation',
      data: new Float32Array(numElements(like.shape)),
    };
    this.tensors.push(t);
    return t;
  }

  private node(
    op: string,
    version: number,
    inputs: readonly (RuntimeTensor | null)[],
    outputs: readonly RuntimeTensor[],
    from?: Operator,
    index = this.nextNode++,
  ): DelegateNode {
    const operator: Operator = {
      ...(from ?? { builtinCode: 0, customCode: null, intermediates: [], optionsType: null, options: {}, customOptions: null }),
      index,
      op,
      version,
      inputs: inputs.map((t) => t?.index ?? -1),
      outputs: outputs.map((t) => t.index),
    };
    return prepareNode({ index, op: operator, inputs, outputs });
  }

  /**
   * The float twin of a quantized node (inputs and outputs as float tensors, prepared by the
   * float CPU kernel), or null when it has none: an edge op, or an integer tensor that is not
   * quantized (indices, shapes as activations).
   */
  twin(node: DelegateNode): DelegateNode | null {
    if (this.twins.has(node.index)) return this.twins.get(node.index) ?? null;
    let twin: DelegateNode | null = null;
    const activations = [...node.inputs.filter((t): t is RuntimeTensor => t !== null && !isKnown(t)), ...node.outputs];
    const viewable = activations.every((t) => t.dtype === 'float32' || isQuantized(t));
    if (!EDGE_OPS.has(node.op.op) && viewable && hasIntegerActivations(node)) {
      const inputs = node.inputs.map((t) => (t && isQuantized(t) ? this.floatTensor(t) : t));
      const outputs = node.outputs.map((t) => (isQuantized(t) ? this.newTensor(t, 'float32') : t));
      twin = this.node(node.op.op, node.op.version, inputs, outputs, node.op, node.index);
    }
    this.twins.set(node.index, twin);
    return twin;
  }

  /** 'float' when the node's twin runs on the GPU, else null (the node keeps its integer form). */
  floatVerdict(node: DelegateNode, ctx: OpContext): true | string {
    const twin = this.twin(node);
    if (!twin) return 'no float form';
    if (!twin.kernel) return 'the float kernels do not prepare its float form';
    const chosen = selectImpl(twin, ctx);
    return chosen.ok ? true : chosen.reason;
  }

  /**
   * The nodes that really run for a partition whose nodes in `floatNodes` run as float twins:
   * a graph holding them (with the view's tensors) and the spec over it. The spec's inputs and
   * outputs stay the interpreter's tensors.
   */
  expand(spec: PartitionSpec, floatNodes: ReadonlySet<number>): { graph: DelegateGraph; spec: PartitionSpec } {
    const byIndex = new Map(this.graph.nodes.map((n) => [n.index, n]));
    const nodes: DelegateNode[] = [];
    /** Float tensors holding an integer tensor's dequantized value inside this partition. */
    const dequantizedIn = new Map<number, RuntimeTensor>();
    const floatRead = (t: RuntimeTensor): RuntimeTensor => {
      let f = dequantizedIn.get(t.index);
      if (!f) {
        f = this.floatTensor(t);
        nodes.push(this.node('DEQUANTIZE', 2, [t], [f]));
        dequantizedIn.set(t.index, f);
      }
      return f;
    };
    for (const i of spec.nodes) {
      const node = byIndex.get(i) as DelegateNode;
      const twin = floatNodes.has(i) ? this.twin(node) : null;
      if (!twin) {
        nodes.push(node);
        continue;
      }
      // The twin's float inputs that stand for integer activations get their dequantized values.
      node.inputs.forEach((t) => {
        if (t && !isKnown(t) && isQuantized(t)) floatRead(t);
      });
      nodes.push(twin);
      node.outputs.forEach((t, k) => {
        const raw = twin.outputs[k] as RuntimeTensor;
        if (raw === t) return;
        // The quantization simulator: the float result rounded to the output's grid.
        nodes.push(this.node('QUANTIZE', 1, [raw], [t]));
        dequantizedIn.delete(t.index);
      });
    }
    const graph: DelegateGraph = { ...this.graph, nodes, tensors: this.tensors };
    return { graph, spec: { ...spec, nodes: nodes.map((n) => n.index) } };
  }
}

const views = new WeakMap<DelegateGraph, FloatView>();

/** The graph's float view (one per graph). */
export function floatViewOf(graph: DelegateGraph): FloatView {
  let view = views.get(graph);
  if (!view) {
    view = new FloatView(graph);
    views.set(graph, view);
  }
  return view;
}

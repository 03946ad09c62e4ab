// Shared by the delegate tests: a WebGPU device (or a visible skip), single-op graphs built by
// hand, running them through the delegate, and comparing against references.
import { expect } from 'vitest';
import { WebGpuDelegate, type WebGpuDelegateOptions } from '../../delegate/index.js';
import type { DelegateGraph, DelegateKernel, DelegateNode, PartitionSpec } from '../../src/interpreter/delegate.js';
import { DEFAULT_KERNEL_CONFIG, type KernelConfig, type RuntimeTensor, type TensorKind } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import { allocTyped, type DType, numElements } from '../../src/model/dtype.js';
import type { Operator, Options, Quantization } from '../../src/model/types.js';
import { type OpCase, runOp } from '../support/run_op.js';

// (test/support/setup.ts has already pointed Dawn at SwiftShader when there is no GPU.)

let probe: Promise<boolean> | null = null;

/** Whether a WebGPU adapter is available; warns visibly (once per file) when not. */
export function gpuAvailable(): Promise<boolean> {
  probe ??= WebGpuDelegate.create()
    .then((d) => {
      d.dispose();
      return true;
    })
    .catch((e: Error) => {
      console.warn(`\n[tflite-webgpu tests] no WebGPU adapter: delegate GPU tests are SKIPPED (${e.message})\n`);
      return false;
    });
  return probe;
}

/** Deterministic values in [lo, hi). */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Builds a DelegateGraph by hand. */
export class GraphBuilder {
  readonly tensors: RuntimeTensor[] = [];
  readonly nodes: DelegateNode[] = [];
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];

  tensor(
    kind: TensorKind,
    shape: number[],
    dtype: DType = 'float32',
    data?: ArrayLike<number>,
    quantization: Quantization | null = null,
  ): RuntimeTensor {
    const t: RuntimeTensor = {
      index: this.tensors.length,
      name: `t${this.tensors.length}`,
      dtype,
      shape: [...shape],
      quantization,
      kind,
      data: allocTyped(dtype, numElements(shape)),
    };
    if (data) (t.data as unknown as { set(a: ArrayLike<number>): void }).set(data);
    this.tensors.push(t);
    return t;
  }

  input(shape: number[], data?: ArrayLike<number>, dtype: DType = 'float32', quantization: Quantization | null = null): RuntimeTensor {
    const t = this.tensor('input', shape, dtype, data, quantization);
    this.inputs.push(t.index);
    return t;
  }

  constant(shape: number[], data: ArrayLike<number>, dtype: DType = 'float32', quantization: Quantization | null = null): RuntimeTensor {
    return this.tensor('constant', shape, dtype, data, quantization);
  }

  activation(shape: number[], dtype: DType = 'float32', quantization: Quantization | null = null): RuntimeTensor {
    return this.tensor('activation', shape, dtype, undefined, quantization);
  }

  node(
    op: string,
    inputs: (RuntimeTensor | null)[],
    outputs: RuntimeTensor[],
    options: Options = {},
    extra: { version?: number; customOptions?: Uint8Array; config?: KernelConfig } = {},
  ): DelegateNode {
    const config = extra.config ?? DEFAULT_KERNEL_CONFIG;
    const index = this.nodes.length;
    const operator: Operator = {
      index,
      op,
      builtinCode: 0,
      customCode: op.startsWith('CUSTOM:') ? op.slice(7) : null,
      version: extra.version ?? 1,
      inputs: inputs.map((t) => t?.index ?? -1),
      outputs: outputs.map((t) => t.index),
      intermediates: [],
      optionsType: null,
      options,
      customOptions: extra.customOptions ?? null,
    };
    // The CPU prepare runs first, as in the interpreter: the delegate builds from its params.
    const ctx = { config, index, op: operator, inputs, outputs, intermediates: [] };
    const found = lookupKernel(
      op,
      operator.version,
      inputs.map((t) => t?.dtype ?? null),
      outputs.map((t) => t.dtype),
    );
    if (!found.ok) throw new Error(found.reason);
    const kernel = found.registration.kernel;
    const params = kernel.prepare(ctx);
    const node: DelegateNode = { index, op: operator, inputs, outputs, kernel, params, config };
    this.nodes.push(node);
    return node;
  }

  markOutput(t: RuntimeTensor): void {
    this.outputs.push(t.index);
  }

  graph(): DelegateGraph {
    return { nodes: this.nodes, tensors: this.tensors, inputs: this.inputs, outputs: this.outputs };
  }
}

/** The partition spec the interpreter would hand over: tensors crossing the partition's edge. */
export function specFor(graph: DelegateGraph, nodes: readonly number[]): PartitionSpec {
  const inside = new Set(nodes);
  const produced = new Set<number>();
  const inputs: RuntimeTensor[] = [];
  const seen = new Set<number>();
  for (const n of graph.nodes.filter((n) => inside.has(n.index))) {
    for (const t of n.inputs) {
      if (!t || t.kind === 'constant' || t.kind === 'folded' || produced.has(t.index) || seen.has(t.index)) continue;
      seen.add(t.index);
      inputs.push(t);
    }
    for (const t of n.outputs) produced.add(t.index);
  }
  const readOutside = new Set<number>(graph.outputs);
  for (const n of graph.nodes.filter((n) => !inside.has(n.index))) for (const t of n.inputs) if (t) readOutside.add(t.index);
  const outputs = [...produced].filter((i) => readOutside.has(i)).map((i) => graph.tensors[i] as RuntimeTensor);
  return { nodes: [...nodes], inputs, outputs };
}

/** Prepares, checks every node is claimed in one partition, builds and runs it once. */
export async function runDelegated(delegate: WebGpuDelegate, graph: DelegateGraph): Promise<{ kernel: DelegateKernel }> {
  const claims = await delegate.prepare(graph);
  expect(Object.fromEntries(claims.reasons)).toEqual({});
  expect(claims.partitions).toEqual([graph.nodes.map((n) => n.index)]);
  const kernel = await delegate.createKernel(graph, specFor(graph, claims.partitions[0] as number[]));
  await kernel.invoke();
  return { kernel };
}

/** |actual - expected| <= tol * max(|expected|), elementwise, with the worst element named on failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  const tol = relTol * Math.max(scale, 1e-6);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const err = Number.isNaN(a) !== Number.isNaN(e) ? Infinity : Number.isNaN(e) ? 0 : Math.abs(a - e);
    if (err > worstErr) {
      worstErr = err;
      worst = i;
    }
  }
  if (worstErr > tol) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (error ${worstErr} > ${tol} = ${relTol} x max|expected| ${scale})`,
    );
  }
}

export const FP32_TOL = 1e-4;
export const FP16_TOL = 1e-2;

/** A single-op test case: the run_op form, so the CPU kernel can run the same case. */
export interface GpuCase extends OpCase {
  /** Output shapes (the GPU graph needs them up front). */
  outputShapes: number[][];
}

/** The case as a one-node graph; returns the graph and its output tensors. */
export function caseGraph(c: GpuCase): { graph: DelegateGraph; outputs: RuntimeTensor[] } {
  const g = new GraphBuilder();
  const inputs = c.inputs.map((t) => {
    if (!t) return null;
    return t.constant
      ? g.constant(t.shape, (t.data ?? []) as ArrayLike<number>, t.dtype)
      : g.input(t.shape, t.data as ArrayLike<number>, t.dtype);
  });
  const outputs = c.outputs.map((o, i) => g.activation(c.outputShapes[i] as number[], o.dtype));
  g.node(c.op, inputs, outputs, c.options ?? {}, { version: c.version, customOptions: c.customOptions });
  for (const o of outputs) g.markOutput(o);
  return { graph: g.graph(), outputs };
}

/** Runs the case on the GPU through the delegate. */
export async function runCaseOnGpu(c: GpuCase, delegate: WebGpuDelegate): Promise<Float32Array[]> {
  const { graph, outputs } = caseGraph(c);
  const { kernel } = await runDelegated(delegate, graph);
  kernel.dispose();
  return outputs.map((o) => o.data as Float32Array);
}

/** The CPU interpreter's kernel result, or null when no CPU kernel is registered for the case yet. */
export function runCaseOnCpu(c: GpuCase): Float32Array[] | null {
  const found = lookupKernel(
    c.op,
    c.version ?? 1,
    c.inputs.map((t) => t?.dtype ?? null),
    c.outputs.map((o) => o.dtype),
  );
  if (!found.ok) return null;
  return runOp(c).map((o) => o.data as Float32Array);
}

/**
 * GPU vs the naive reference (always), and vs the CPU kernel when one is registered; with
 * fp16 tolerance when the delegate allows precision loss.
 */
export async function checkCase(c: GpuCase, expected: Float32Array[], delegate: WebGpuDelegate, tol = FP32_TOL): Promise<void> {
  const gpu = await runCaseOnGpu(c, delegate);
  const cpu = runCaseOnCpu(c);
  for (const [i, out] of gpu.entries()) {
    expectClose(out, expected[i] as Float32Array, tol, `${c.op} output ${i} vs reference`);
    if (cpu) expectClose(out, cpu[i] as Float32Array, tol, `${c.op} output ${i} vs CPU kernel`);
  }
}

/** A delegate for a test file, or null (tests skip) without an adapter. */
export async function testDelegate(options: WebGpuDelegateOptions = {}): Promise<WebGpuDelegate | null> {
  if (!(await gpuAvailable())) return null;
  return WebGpuDelegate.create({ debug: true, ...options });
}

/**
 * The case with its op inside a partition: each non-constant input passes through MUL by 1
 * first, and each output through MUL by 1 after. In an f16 precision the MULs touch the
 * partition's boundary and run with f32 storage, so the op itself runs with f16 storage (its
 * inputs converted f32 -> f16 before it, its outputs f16 -> f32 after).
 */
export function interiorCaseGraph(c: GpuCase): { graph: DelegateGraph; outputs: RuntimeTensor[]; opNode: number } {
  const g = new GraphBuilder();
  const one = g.constant([1], [1]);
  const inputs = c.inputs.map((t) => {
    if (!t) return null;
    if (t.constant) return g.constant(t.shape, (t.data ?? []) as ArrayLike<number>, t.dtype);
    const x = g.input(t.shape, t.data as ArrayLike<number>, t.dtype);
    const y = g.activation(t.shape);
    g.node('MUL', [x, one], [y], { fusedActivationFunction: 0 });
    return y;
  });
  const raw = c.outputs.map((o, i) => g.activation(c.outputShapes[i] as number[], o.dtype));
  const opNode = g.node(c.op, inputs, raw, c.options ?? {}, { version: c.version, customOptions: c.customOptions }).index;
  const outputs = raw.map((o) => {
    const y = g.activation(o.shape);
    g.node('MUL', [o, one], [y], { fusedActivationFunction: 0 });
    g.markOutput(y);
    return y;
  });
  return { graph: g.graph(), outputs, opNode };
}

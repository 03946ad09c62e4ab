// What an op implementation hands the partition builder: the support verdict, and for a
// supported node the GPU work as data (dispatches with shader, bindings, uniforms), never GPU
// objects. The partition builder owns buffers, pipelines and bind groups.
import type { DelegateNode } from '../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../src/kernels/kernel.js';
import type { GpuLimits } from './runtime/device.js';
import type { ShaderRef } from './runtime/pipeline_cache.js';
import type { UniformValues } from './runtime/uniforms.js';

/** What isSupported and build may consult about the device. */
export interface OpContext {
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  /**
   * Integer shaders may use dot4I8Packed / dot4U8Packed: the implementation has the WGSL
   * language feature 'packed_4x8_integer_dot_product' and the delegate option allows it.
   */
  readonly integerDotProduct: boolean;
}

/** Data a binding reads. */
export type BindingSource =
  /** A tensor in slice layout and the partition's precision: an activation, or a constant uploaded once. */
  | { readonly kind: 'tensor'; readonly tensor: RuntimeTensor }
  /** Constant values in the layout the shader expects (a multiple of 4), stored in the partition's precision. */
  | { readonly kind: 'weights'; readonly values: Float32Array }
  /** Constant 32-bit data uploaded as is (index tables, packed integer weights, multipliers...). */
  | { readonly kind: 'raw'; readonly data: Float32Array | Uint32Array | Int32Array }
  /**
   * Working memory of the node's own dispatches (e.g. a quantized copy of its input), live only
   * while the node runs: bindings with the same name share one buffer of at least `bytes`.
   */
  | { readonly kind: 'scratch'; readonly name: string; readonly bytes: number };

export interface DispatchSpec {
  readonly shader: ShaderRef;
  /** By the shader's variable name. */
  readonly bindings: Readonly<Record<string, BindingSource>>;
  /** Members of the shader's `params` struct, except `invocations` (filled from the next field). */
  readonly uniforms: UniformValues;
  /** Invocations to run (the shader returns early at or past this). */
  readonly invocations: number;
}

/** The GPU work of one node. */
export type NodeProgram =
  | { readonly kind: 'dispatch'; readonly dispatches: readonly DispatchSpec[] }
  /** Output 0 is input 0's buffer under another shape (same slice layout): nothing to run. */
  | { readonly kind: 'alias' };

export interface OpImpl {
  /** Names this implementation in reports, e.g. 'conv2d_1x1'. */
  readonly name: string;
  /**
   * Runs nodes with integer activations (int8, uint8, int16, int32), checking every dtype itself.
   * Implementations without it are offered only nodes whose activations are all float32.
   */
  readonly integer?: boolean;
  /**
   * Its program is one dispatch that stores through shaders/epilogue.wgsl (output binding `y`),
   * so plan/fusion.ts may splice following nodes into it (ops/epilogue.ts).
   */
  readonly epilogue?: boolean;
  /** true, or why this implementation cannot run the node (e.g. 'dilation > 1 with stride > 1'). */
  isSupported(node: DelegateNode, ctx: OpContext): true | string;
  /** The node's GPU work. Only called after isSupported returned true. */
  build(node: DelegateNode, ctx: OpContext): NodeProgram;
}

// Runs one CPU kernel on hand-made tensors, through the same registry lookup as the interpreter.

import type { IntegerRounding, NodeContext, RuntimeTensor } from '../../src/kernels/kernel.js';
import { lookupKernel } from '../../src/kernels/registry.js';
import { allocTyped, type DType, numElements, type TypedArray } from '../../src/model/dtype.js';
import type { Operator, Options, Quantization } from '../../src/model/types.js';

export interface OpTensor {
  dtype: DType;
  shape: number[];
  /** Values; omitted for outputs. */
  data?: ArrayLike<number> | ArrayLike<bigint>;
  quantization?: Quantization;
  /** Constant (known at prepare), like weights from the model file. Default: false for inputs. */
  constant?: boolean;
}

export interface OpCase {
  op: string;
  /** Integer rounding semantics (default 'reference'). */
  integerRounding?: IntegerRounding;
  version?: number;
  options?: Options;
  customOptions?: Uint8Array;
  inputs: (OpTensor | null)[];
  /** Output dtypes (and quantization); shapes come from prepare. */
  outputs: Omit<OpTensor, 'shape' | 'data'>[];
}

function makeTensor(index: number, t: OpTensor, kind: RuntimeTensor['kind']): RuntimeTensor {
  const data = allocTyped(t.dtype === 'float16' ? 'float16' : t.dtype, numElements(t.shape));
  if (t.data) (data as unknown as { set(a: ArrayLike<unknown>): void }).set(t.data as ArrayLike<unknown>);
  return { index, name: `t${index}`, dtype: t.dtype, shape: [...t.shape], quantization: t.quantization ?? null, kind, data };
}

/** Runs the op; returns each output's shape and data. */
export function runOp(c: OpCase): { shape: number[]; data: TypedArray }[] {
  const inputs = c.inputs.map((t, i) => (t ? makeTensor(i, t, t.constant ? 'constant' : 'input') : null));
  const outputs: RuntimeTensor[] = c.outputs.map((t, i) => ({
    index: inputs.length + i,
    name: `out${i}`,
    dtype: t.dtype,
    shape: [],
    quantization: t.quantization ?? null,
    kind: 'activation',
    data: allocTyped(t.dtype, 0),
  }));
  const op: Operator = {
    index: 0,
    op: c.op,
    builtinCode: 0,
    customCode: c.op.startsWith('CUSTOM:') ? c.op.slice(7) : null,
    version: c.version ?? 1,
    inputs: inputs.map((t, i) => (t ? i : -1)),
    outputs: outputs.map((t) => t.index),
    intermediates: [],
    optionsType: null,
    options: c.options ?? {},
    customOptions: c.customOptions ?? null,
  };
  const found = lookupKernel(
    c.op,
    op.version,
    inputs.map((t) => t?.dtype ?? null),
    outputs.map((t) => t.dtype),
  );
  if (!found.ok) throw new Error(found.reason);
  const ctx: NodeContext = {
    config: { integerRounding: c.integerRounding ?? 'reference' },
    index: 0,
    op,
    inputs,
    outputs,
    intermediates: [],
  };
  const params = found.registration.kernel.prepare(ctx);
  for (const o of outputs) o.data = allocTyped(o.dtype, numElements(o.shape));
  found.registration.kernel.eval(ctx, params);
  return outputs.map((o) => ({ shape: o.shape, data: o.data }));
}

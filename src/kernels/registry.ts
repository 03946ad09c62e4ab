// One registry of CPU kernels keyed by op, version range and dtypes. Each op family lists its
// lines in its register_<family>.ts; adding an op adds one line there.
import type { DType } from '../model/dtype.js';
import type { KernelRegistration } from './kernel.js';
import { convKernels } from './register_conv.js';
import { convIntKernels } from './register_conv_int.js';
import { elementwiseKernels } from './register_elementwise.js';
import { elementwiseIntKernels } from './register_elementwise_int.js';
import { sequenceIntKernels } from './register_sequence_int.js';
import { shapeKernels } from './register_shape.js';

const BY_OP = new Map<string, KernelRegistration[]>();
for (const r of [
  ...convKernels,
  ...convIntKernels,
  ...elementwiseKernels,
  ...shapeKernels,
  ...sequenceIntKernels,
  ...elementwiseIntKernels,
]) {
  const list = BY_OP.get(r.op) ?? [];
  list.push(r);
  BY_OP.set(r.op, list);
}

function matches(pattern: string | undefined, dtypes: readonly (DType | null)[]): boolean {
  if (pattern === undefined || pattern === '') return true;
  return pattern.split(',').every((want, i) => {
    const have = dtypes[i];
    if (want === '*') return true;
    if (want === '-') return have === null || have === undefined;
    return have === want;
  });
}

export type LookupResult = { ok: true; registration: KernelRegistration } | { ok: false; reason: string };

/** Finds the kernel for an op, version and tensor dtypes; else says what exists. */
export function lookupKernel(
  op: string,
  version: number,
  inputs: readonly (DType | null)[],
  outputs: readonly (DType | null)[],
): LookupResult {
  const list = BY_OP.get(op);
  if (!list) return { ok: false, reason: `op ${op} is not supported by the CPU interpreter` };
  const found = list.find(
    (r) => version >= r.versions[0] && version <= r.versions[1] && matches(r.inputs, inputs) && matches(r.outputs, outputs),
  );
  if (found) return { ok: true, registration: found };
  const have = list.map((r) => `v${r.versions[0]}-${r.versions[1]} (${r.inputs}${r.outputs ? ` -> ${r.outputs}` : ''})`).join(', ');
  return {
    ok: false,
    reason: `${op} v${version} with inputs (${inputs.map((d) => d ?? '-').join(', ')}) -> (${outputs.join(', ')}) is not supported; the CPU interpreter has ${have}`,
  };
}

/** Every registered op name, for reports. */
export function registeredOps(): string[] {
  return [...BY_OP.keys()].sort();
}

/** Every registration line, in registry order (coverage checks: each line has a fuzzer). */
export function registeredKernels(): KernelRegistration[] {
  return [...BY_OP.values()].flat();
}

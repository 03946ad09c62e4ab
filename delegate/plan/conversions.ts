// Conversions at storage boundaries: a dense partition input into slices, a float tensor between
// f32 and f16 storage where a node reads the other kind, a partition output back to dense.
// Each is a `layout` (float) or `layout_int` (integer: byte moves) shader dispatch, planned as
// data like the nodes' own.
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { BufferRef, PlannedDispatch } from './partition_plan.js';
import { type IntStorage, intElementBytes, isIntStorage, type Precision, type Storage } from './precision.js';
import type { NodePlan } from './programs.js';
import { newGroup, type StorageGroup, type StoragePlan, storageOf } from './storage.js';

/** A read of `from` served by a copy in storage group `to`, live for the reading step only. */
export interface StorageConversion {
  readonly from: RuntimeTensor;
  readonly to: number;
}

export interface ConversionPlan {
  /** The storage with a group added for every copy. */
  readonly storage: StoragePlan;
  /** Per node, its copies by the tensor index they stand for. */
  readonly conversions: readonly ReadonlyMap<number, StorageConversion>[];
}

/** A copy for each read of a tensor stored otherwise than the reading node runs. */
export function planConversions(nodes: readonly NodePlan[], storage: StoragePlan, nodePrecision: readonly Precision[]): ConversionPlan {
  const groups: StorageGroup[] = [...storage.groups];
  const conversions = nodes.map(({ program, reads }, k) => {
    const copies = new Map<number, StorageConversion>();
    if (program.kind === 'alias') return copies;
    const p = nodePrecision[k] as Precision;
    for (const t of reads) {
      const stored = storageOf(storage, t).storage;
      // Integer tensors are read as stored (their shaders take them as integers in any precision).
      if (stored === p || isIntStorage(stored)) continue;
      const g = newGroup(groups.length, sliceLayout(t.shape).sliceCount, k + 1, p, true);
      groups.push(g);
      copies.set(t.index, { from: t, to: g.id });
    }
    return copies;
  });
  return { storage: { groups, groupOf: storage.groupOf }, conversions };
}

/** A dense partition input (uploaded to `dense`) into its slice-layout storage. */
export function inputToSlices(label: string, t: RuntimeTensor, stored: Storage, dense: BufferRef, target: BufferRef): PlannedDispatch {
  const layout = sliceLayout(t.shape);
  if (isIntStorage(stored)) {
    return {
      label: `${label}: input ${t.name} to slices`,
      precision: 'fp32',
      shader: { template: 'layout_int', entryPoint: 'to_slices', constants: { ELEMENT_BYTES: intElementBytes(stored) } },
      bindings: new Map([
        ['dense_in', dense],
        ['sliced_out', target],
      ]),
      uniforms: { channels: layout.channels, slices: layout.slices, elements: layout.rows * layout.channels },
      invocations: layout.sliceCount * intElementBytes(stored),
    };
  }
  return {
    label: `${label}: input ${t.name} to slices`,
    precision: 'fp32',
    shader: { template: 'layout', entryPoint: 'to_slices', constants: {} },
    bindings: new Map([
      ['dense_in', dense],
      ['sliced_out', target],
    ]),
    uniforms: { channels: layout.channels, slices: layout.slices },
    invocations: layout.sliceCount,
  };
}

/** A node's read of `from` (stored in `stored`) copied into the node's storage precision `p`. */
export function convertStorage(
  where: string,
  from: RuntimeTensor,
  stored: Precision,
  p: Precision,
  source: BufferRef,
  target: BufferRef,
): PlannedDispatch {
  const layout = sliceLayout(from.shape);
  // The shader runs in the f16 side's precision: f32 slices in, S4 out, or S4 in, f32 slices out.
  const toF16 = p !== 'fp32';
  return {
    label: `${where}: input ${from.name} to ${toF16 ? p : 'fp32'} storage`,
    precision: toF16 ? p : stored,
    shader: { template: 'layout', entryPoint: toF16 ? 'from_f32' : 'to_f32', constants: {} },
    bindings: new Map(
      toF16
        ? [
            ['f32_in', source],
            ['sliced_out', target],
          ]
        : [
            ['sliced_in', source],
            ['f32_out', target],
          ],
    ),
    uniforms: { channels: layout.channels, slices: layout.slices },
    invocations: layout.sliceCount,
  };
}

/** Bytes of a dense integer tensor, rounded up to whole 32-bit words (the shaders' unit). */
export function denseIntBytes(elements: number, stored: IntStorage): number {
  return Math.ceil((elements * intElementBytes(stored)) / 4) * 4;
}

/** A tensor (stored in `stored`) into dense values for readback: f32 for floats, its type for integers. */
export function outputToDense(label: string, t: RuntimeTensor, stored: Storage, source: BufferRef, dense: BufferRef): PlannedDispatch {
  const layout = sliceLayout(t.shape);
  const elements = layout.rows * layout.channels;
  if (isIntStorage(stored)) {
    return {
      label: `${label}: output ${t.name} to dense`,
      precision: 'fp32',
      shader: { template: 'layout_int', entryPoint: 'to_dense', constants: { ELEMENT_BYTES: intElementBytes(stored) } },
      bindings: new Map([
        ['sliced_in', source],
        ['dense_out', dense],
      ]),
      uniforms: { channels: layout.channels, slices: layout.slices, elements },
      invocations: denseIntBytes(elements, stored) / 4,
    };
  }
  return {
    label: `${label}: output ${t.name} to dense`,
    precision: stored,
    shader: { template: 'layout', entryPoint: 'to_dense', constants: {} },
    bindings: new Map([
      ['sliced_in', source],
      ['dense_out', dense],
    ]),
    uniforms: { channels: layout.channels, slices: layout.slices },
    invocations: elements,
  };
}

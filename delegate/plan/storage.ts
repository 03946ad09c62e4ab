// A partition's tensor storage as data: every non-constant tensor mapped to a storage group
// (shared with its aliases), with the group's lifetime, boundary role and storage precision.
import { DelegateError } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import type { Storage } from './precision.js';

/** Storage shared by a tensor and its aliases (RESHAPE outputs), live from `first` to `last` step. */
export interface StorageGroup {
  readonly id: number;
  /** Slices of its largest member. */
  readonly slices: number;
  readonly first: number;
  readonly last: number;
  /** Holds a partition input (or an alias of one). */
  readonly partitionInput: boolean;
  /** Holds a partition output (or an alias of one). */
  readonly partitionOutput: boolean;
  /**
   * How its values are stored: integer tensors as their type; float ones in the precision of the
   * node that writes it ('fp32' for partition inputs).
   */
  readonly storage: Storage;
  /** A short-lived copy of a tensor in another storage precision (a conversion's target). */
  readonly conversion: boolean;
}

/** Every non-constant tensor of a partition mapped to its storage group. */
export interface StoragePlan {
  readonly groups: readonly StorageGroup[];
  /** Group id per tensor index. */
  readonly groupOf: ReadonlyMap<number, number>;
}

export function storageOf(storage: StoragePlan, t: RuntimeTensor): StorageGroup {
  const id = storage.groupOf.get(t.index);
  if (id === undefined) throw new DelegateError(`tensor ${t.index} '${t.name}' has no storage in this partition`);
  return storage.groups[id] as StorageGroup;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function newGroup(id: number, slices: number, step: number, storage: Storage, conversion: boolean): Mutable<StorageGroup> {
  return { id, slices, first: step, last: step, partitionInput: false, partitionOutput: false, storage, conversion };
}

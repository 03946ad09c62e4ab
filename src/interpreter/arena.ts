// Activation memory planned by tensor lifetimes (TFLite's ArenaPlanner, greedy by size):
// tensors whose lifetimes do not overlap share bytes of one ArrayBuffer.

export interface ArenaRequest {
  /** Caller's id for the tensor. */
  id: number;
  bytes: number;
  /** First and last step (inclusive) at which the tensor must hold its value. */
  first: number;
  last: number;
}

export interface ArenaPlan {
  /** Byte offset per request id. */
  offsets: Map<number, number>;
  totalBytes: number;
}

/** Every offset is a multiple of this, so any typed-array view (and SIMD-friendly rows) fits. */
export const ARENA_ALIGNMENT = 64;

const align = (n: number) => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

/** Places the largest tensors first, each at the lowest offset free during its whole lifetime. */
export function planArena(requests: readonly ArenaRequest[]): ArenaPlan {
  const order = [...requests].sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const placed: { offset: number; end: number; first: number; last: number }[] = [];
  const offsets = new Map<number, number>();
  let totalBytes = 0;
  for (const r of order) {
    const size = align(r.bytes);
    // Intervals already placed that are alive at the same time, by offset.
    const live = placed.filter((p) => p.first <= r.last && r.first <= p.last).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of live) {
      if (offset + size <= p.offset) break;
      offset = Math.max(offset, p.end);
    }
    placed.push({ offset, end: offset + size, first: r.first, last: r.last });
    offsets.set(r.id, offset);
    totalBytes = Math.max(totalBytes, offset + size);
  }
  return { offsets, totalBytes };
}

// Buffer planning inside a partition: each tensor (or group of tensors sharing storage) needs
// bytes from the step that writes it first to the step that reads it last; buffers of tensors
// that are dead are reused for later tensors of the same size class.

export interface StorageRequest {
  readonly id: number;
  readonly bytes: number;
  /** First step that writes it. */
  readonly first: number;
  /** Last step that reads it (inclusive: a step never writes into a buffer it still reads). */
  readonly last: number;
}

export interface BufferPlan {
  /** Bytes of each buffer. */
  readonly buffers: readonly number[];
  /** Buffer index per request id. */
  readonly bufferOf: ReadonlyMap<number, number>;
}

/** Power-of-two size classes from 256 bytes: a freed buffer serves any later request of its class. */
export function sizeClass(bytes: number): number {
  let c = 256;
  while (c < bytes) c *= 2;
  return c;
}

export function planBuffers(requests: readonly StorageRequest[]): BufferPlan {
  const order = [...requests].sort((a, b) => a.first - b.first || a.id - b.id);
  const buffers: number[] = [];
  const bufferOf = new Map<number, number>();
  const live: StorageRequest[] = [];
  const free = new Map<number, number[]>();
  for (const r of order) {
    // Release what died before this request's first write.
    for (let i = live.length - 1; i >= 0; i--) {
      const l = live[i] as StorageRequest;
      if (l.last < r.first) {
        const b = bufferOf.get(l.id) as number;
        const cls = buffers[b] as number;
        free.set(cls, [...(free.get(cls) ?? []), b]);
        live.splice(i, 1);
      }
    }
    const cls = sizeClass(r.bytes);
    const reuse = free.get(cls)?.shift();
    if (reuse !== undefined) bufferOf.set(r.id, reuse);
    else {
      bufferOf.set(r.id, buffers.length);
      buffers.push(cls);
    }
    live.push(r);
  }
  return { buffers, bufferOf };
}

// Long runs: thousands of inferences on one interpreter with the JS heap and the live GPU buffer
// bytes sampled (both must stay flat: the slope is reported), and interpreters created and
// disposed in a loop on one device (no GPUBuffer may outlive its interpreter; pipelines stay
// bounded by the device's cache). Environment-agnostic: Node (process.memoryUsage) and Chromium
// (performance.memory).

import { pipelineCacheFor } from '../../delegate/runtime/pipeline_cache.js';
import { Interpreter, type TypedArray, WebGpuDelegate } from '../../src/index.js';

/** Live GPUBuffers of a device, counted by wrapping its createBuffer (and each buffer's destroy). */
export interface BufferTracker {
  readonly live: number;
  readonly bytes: number;
}

export function trackBuffers(device: GPUDevice): BufferTracker {
  const state = { live: 0, bytes: 0 };
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    state.live++;
    state.bytes += descriptor.size;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) {
        destroyed = true;
        state.live--;
        state.bytes -= descriptor.size;
      }
      destroy();
    };
    return buffer;
  };
  return state;
}

/** Bytes of JS heap in use, or NaN where the environment does not say. */
export function heapBytes(): number {
  const p = globalThis as { process?: { memoryUsage(): { heapUsed: number } }; performance?: { memory?: { usedJSHeapSize: number } } };
  if (p.process?.memoryUsage) return p.process.memoryUsage().heapUsed;
  return p.performance?.memory?.usedJSHeapSize ?? Number.NaN;
}

/** Least-squares slope of y over x, scaled to "per 1000 x". */
export function slopePer1000(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : (1000 * num) / den;
}

export interface LongRunReport {
  model: string;
  backend: 'cpu' | 'webgpu';
  inferences: number;
  medianMs: number;
  heap: { startBytes: number; endBytes: number; slopeBytesPer1000: number };
  /** Live GPU buffer bytes (webgpu). */
  gpu: { startBytes: number; endBytes: number; slopeBytesPer1000: number; liveBuffers: number } | null;
}

export interface LongRunOptions {
  backend: 'cpu' | 'webgpu';
  inferences: number;
  /** Heap / GPU samples over the run (default 20). */
  samples?: number;
  /** A device to run on (webgpu); its buffers are tracked. */
  device?: GPUDevice;
  /** A full GC before each sample, where the environment offers one (Node: --expose-gc). */
  gc?: () => void;
  onProgress?: (done: number, total: number) => void;
}

export async function longRun(name: string, bytes: Uint8Array, options: LongRunOptions): Promise<LongRunReport> {
  const { backend, inferences, device } = options;
  const tracker = backend === 'webgpu' && device ? trackBuffers(device) : null;
  const delegates = backend === 'webgpu' ? [await WebGpuDelegate.create(device ? { device } : {})] : [];
  const interpreter = await Interpreter.create(bytes, { delegates });
  try {
    await interpreter.allocateTensors();
    for (const d of interpreter.getInputDetails()) {
      if (d.dtype === 'float32')
        interpreter.setTensor(d.index, new Float32Array(d.shape.reduce((a, b) => a * b, 1)).fill(0.5) as TypedArray);
    }
    const every = Math.max(1, Math.floor(inferences / (options.samples ?? 20)));
    const xs: number[] = [];
    const heap: number[] = [];
    const gpu: number[] = [];
    const times: number[] = [];
    for (let k = 0; k < inferences; k++) {
      const t0 = performance.now();
      await interpreter.invoke();
      for (const o of interpreter.getOutputDetails()) interpreter.getTensor(o.index);
      times.push(performance.now() - t0);
      if (k % every === 0 || k === inferences - 1) {
        options.gc?.();
        xs.push(k);
        heap.push(heapBytes());
        gpu.push(tracker?.bytes ?? 0);
        options.onProgress?.(k + 1, inferences);
      }
    }
    times.sort((a, b) => a - b);
    return {
      model: name,
      backend,
      inferences,
      medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
      heap: { startBytes: heap[0] ?? 0, endBytes: heap.at(-1) ?? 0, slopeBytesPer1000: slopePer1000(xs, heap) },
      gpu: tracker
        ? { startBytes: gpu[0] ?? 0, endBytes: gpu.at(-1) ?? 0, slopeBytesPer1000: slopePer1000(xs, gpu), liveBuffers: tracker.live }
        : null,
    };
  } finally {
    interpreter.dispose();
  }
}

export interface CreateDisposeReport {
  model: string;
  iterations: number;
  /** GPUBuffers alive after the last dispose (must be 0). */
  leakedBuffers: number;
  leakedBytes: number;
  /** Pipelines in the device's cache after the loop, and after the first iteration. */
  pipelinesAfterFirst: number;
  pipelinesAtEnd: number;
  heap: { startBytes: number; endBytes: number; slopeBytesPer1000: number };
}

/** Creates, runs once and disposes an interpreter with a WebGPU delegate on `device`, `iterations` times. */
export async function createDisposeLoop(
  name: string,
  bytes: Uint8Array,
  device: GPUDevice,
  iterations: number,
  gc?: () => void,
  onProgress?: (done: number, total: number) => void,
): Promise<CreateDisposeReport> {
  const tracker = trackBuffers(device);
  const cache = pipelineCacheFor(device);
  let pipelinesAfterFirst = 0;
  const xs: number[] = [];
  const heap: number[] = [];
  const every = Math.max(1, Math.floor(iterations / 20));
  for (let k = 0; k < iterations; k++) {
    const interpreter = await Interpreter.create(bytes, { delegates: [await WebGpuDelegate.create({ device })] });
    await interpreter.allocateTensors();
    await interpreter.invoke();
    interpreter.dispose();
    if (k === 0) pipelinesAfterFirst = cache.size;
    if (k % every === 0 || k === iterations - 1) {
      gc?.();
      xs.push(k);
      heap.push(heapBytes());
      onProgress?.(k + 1, iterations);
    }
  }
  return {
    model: name,
    iterations,
    leakedBuffers: tracker.live,
    leakedBytes: tracker.bytes,
    pipelinesAfterFirst,
    pipelinesAtEnd: cache.size,
    heap: { startBytes: heap[0] ?? 0, endBytes: heap.at(-1) ?? 0, slopeBytesPer1000: slopePer1000(xs, heap) },
  };
}

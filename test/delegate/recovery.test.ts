// Device loss seen through the interpreter: a typed DeviceLostError, then recovery on the CPU
// (removeDelegates, or fallbackToCpuOnDelegateError) or on a new device (allocateTensors again);
// and every GPU buffer (and an owned device) released on dispose.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeviceLostError, WebGpuDelegate } from '../../delegate/index.js';
import { Interpreter, type InterpreterOptions } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { expectClose, FP32_TOL, gpuAvailable, randomValues } from './support.js';

// face_detection_short_range (npm, always installed): 90 float nodes in one partition.
const MODEL = createRequire(import.meta.url).resolve('@mediapipe/face_detection/face_detection_short_range.tflite');
let bytes: Uint8Array;
let input: Float32Array;
let cpuOutputs: number[][];

async function prepared(options: InterpreterOptions): Promise<Interpreter> {
  const it = await Interpreter.create(bytes, options);
  await it.allocateTensors();
  setInput(it);
  return it;
}

function setInput(it: Interpreter): void {
  it.setTensor((it.getInputDetails()[0] as { index: number }).index, input as TypedArray);
}

function outputsOf(it: Interpreter): number[][] {
  return it.getOutputDetails().map((d) => Array.from(it.getTensor(d.index) as Float32Array));
}

/** Destroys the delegate's device; by default waits until the loss is reported. */
async function loseDevice(d: WebGpuDelegate, wait = true): Promise<void> {
  const gpu = await d.gpu();
  gpu.device.destroy();
  if (wait) await gpu.device.lost;
}

beforeAll(async () => {
  bytes = new Uint8Array(readFileSync(MODEL));
  const cpu = await Interpreter.create(bytes);
  await cpu.allocateTensors();
  const d = cpu.getInputDetails()[0] as { shape: number[] };
  input = randomValues(
    d.shape.reduce((a, b) => a * b, 1),
    7,
  );
  setInput(cpu);
  await cpu.invoke();
  cpuOutputs = outputsOf(cpu);
  cpu.dispose();
});

describe('a lost device', () => {
  it('fails invoke with a DeviceLostError that says how to continue', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const delegate = await WebGpuDelegate.create();
    const it = await prepared({ delegates: [delegate] });
    await it.invoke();
    await loseDevice(delegate);
    const err = await it.invoke().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceLostError);
    expect((err as DeviceLostError).reason).toBe('destroyed');
    expect((err as Error).message).toMatch(/removeDelegates\(\)/);
    it.dispose();
  });

  it('removeDelegates() reruns the same interpreter on the CPU, inputs kept, results equal to the CPU', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const delegate = await WebGpuDelegate.create();
    const it = await prepared({ delegates: [delegate] });
    await loseDevice(delegate);
    await expect(it.invoke()).rejects.toBeInstanceOf(DeviceLostError);
    await it.removeDelegates();
    await it.invoke();
    expect(outputsOf(it)).toEqual(cpuOutputs);
    expect(it.placement().partitions).toEqual([]);
    it.dispose();
  });

  it('fallbackToCpuOnDelegateError: the failing invoke itself completes on the CPU', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const delegate = await WebGpuDelegate.create();
    const it = await prepared({ delegates: [delegate], fallbackToCpuOnDelegateError: true });
    await it.invoke();
    expect(it.delegateFailure).toBeNull();
    expect(it.placement().partitions.length).toBe(1);
    // Lost while nothing waits on it: the loss surfaces inside the partition's invoke.
    await loseDevice(delegate, false);
    await it.invoke();
    expect(it.delegateFailure).toBeInstanceOf(DeviceLostError);
    expect(outputsOf(it)).toEqual(cpuOutputs);
    expect(it.placement().nodes.every((n) => n.backend !== 'webgpu')).toBe(true);
    // And it stays on the CPU.
    await it.invoke();
    expect(outputsOf(it)).toEqual(cpuOutputs);
    it.dispose();
  });

  it('allocateTensors() again rebuilds the partitions on a new device', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const delegate = await WebGpuDelegate.create();
    const it = await prepared({ delegates: [delegate] });
    const lost = (await delegate.gpu()).device;
    await loseDevice(delegate);
    await expect(it.invoke()).rejects.toBeInstanceOf(DeviceLostError);
    await it.allocateTensors();
    setInput(it);
    await it.invoke();
    expect((await delegate.gpu()).device).not.toBe(lost);
    expect(it.placement().partitions.length).toBe(1);
    for (const [i, out] of cpuOutputs.entries()) expectClose(outputsOf(it)[i] as number[], out, FP32_TOL, `output ${i}`);
    it.dispose();
  });
});

describe('dispose', () => {
  it('destroys every buffer the delegate created on a shared device, and leaves the device alone', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const owner = await WebGpuDelegate.create();
    const device = (await owner.gpu()).device;
    const created: GPUBuffer[] = [];
    const destroyed = new Set<GPUBuffer>();
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (desc: GPUBufferDescriptor) => {
      const b = createBuffer(desc);
      const destroy = b.destroy.bind(b);
      b.destroy = () => {
        destroyed.add(b);
        destroy();
      };
      created.push(b);
      return b;
    };
    try {
      const shared = await WebGpuDelegate.create({ device });
      const it = await prepared({ delegates: [shared] });
      await it.invoke();
      expect(created.length).toBeGreaterThan(0);
      expect(destroyed.size).toBe(0);
      it.dispose();
      expect(created.filter((b) => !destroyed.has(b))).toEqual([]);
      // The application's device still works.
      const again = await prepared({ delegates: [await WebGpuDelegate.create({ device })] });
      await again.invoke();
      again.dispose();
    } finally {
      device.createBuffer = createBuffer;
      owner.dispose();
    }
  });

  it('destroys the device the delegate created', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const delegate = await WebGpuDelegate.create();
    const device = (await delegate.gpu()).device;
    const it = await prepared({ delegates: [delegate] });
    await it.invoke();
    it.dispose();
    const info = await device.lost;
    expect(info.reason).toBe('destroyed');
  });
});

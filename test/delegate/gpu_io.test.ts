// GPU-resident I/O: graph inputs taken from GPUBuffers and outputs written to GPUBuffers equal
// the setTensor / getTensor path exactly, with no CPU transfer for them (the delegate's transfer
// counters), getTensor refusing stale CPU copies and readTensor reading them back, and typed
// errors for every misuse.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GpuIoError, WebGpuDelegate, type WebGpuDelegateOptions } from '../../delegate/index.js';
import { BufferUsage, MapMode } from '../../delegate/runtime/gpu_flags.js';
import { TensorError } from '../../src/interpreter/errors.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { TypedArray } from '../../src/model/dtype.js';
import { hasShared, SHARED_MODELS_DIR } from '../support/corpus.js';
import { smallModel } from './small_model.js';
import { gpuAvailable, randomValues } from './support.js';

const FACE = createRequire(import.meta.url).resolve('@mediapipe/face_detection/face_detection_short_range.tflite');

let small: Uint8Array;
let face: Uint8Array;

beforeAll(() => {
  small = smallModel();
  face = new Uint8Array(readFileSync(FACE));
});

async function interpreterFor(bytes: Uint8Array, options: WebGpuDelegateOptions = {}) {
  const delegate = await WebGpuDelegate.create(options);
  const interpreter = await Interpreter.create(bytes, { delegates: [delegate] });
  await interpreter.allocateTensors();
  return { delegate, interpreter };
}

function inputsFor(it: Interpreter): Float32Array<ArrayBuffer>[] {
  return it.getInputDetails().map(
    (d, k) =>
      randomValues(
        d.shape.reduce((a, b) => a * b, 1),
        11 + k,
      ) as Float32Array<ArrayBuffer>,
  );
}

async function gpuBufferWith(
  delegate: WebGpuDelegate,
  values: Float32Array<ArrayBuffer>,
  usage = BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
): Promise<GPUBuffer> {
  const { device } = await delegate.gpu();
  const b = device.createBuffer({ label: 'test input', size: values.byteLength, usage });
  device.queue.writeBuffer(b, 0, values);
  return b;
}

async function readGpu(delegate: WebGpuDelegate, buffer: GPUBuffer, elements: number): Promise<Float32Array> {
  const { device } = await delegate.gpu();
  const staging = device.createBuffer({ size: elements * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, elements * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Outputs of the ordinary path: setTensor, invoke, getTensor. */
async function cpuEdgeOutputs(bytes: Uint8Array, inputs: Float32Array[]): Promise<Float32Array[]> {
  const { delegate, interpreter } = await interpreterFor(bytes);
  for (const [k, d] of interpreter.getInputDetails().entries()) interpreter.setTensor(d.index, inputs[k] as TypedArray);
  await interpreter.invoke();
  const out = interpreter.getOutputDetails().map((d) => interpreter.getTensor(d.index) as Float32Array);
  interpreter.dispose();
  delegate.dispose();
  return out;
}

/** Every input from a GPUBuffer and every output into one; returns the outputs read from the GPU buffers. */
async function gpuEdgeOutputs(bytes: Uint8Array, inputs: Float32Array<ArrayBuffer>[]) {
  const { delegate, interpreter } = await interpreterFor(bytes);
  for (const [k, d] of interpreter.getInputDetails().entries()) {
    delegate.setInputBuffer(d.index, await gpuBufferWith(delegate, inputs[k] as Float32Array<ArrayBuffer>));
  }
  const outs = interpreter.getOutputDetails().map((d) => ({ d, buffer: delegate.getOutputBuffer(d.index) }));
  const before = delegate.transfers();
  await interpreter.invoke();
  const after = delegate.transfers();
  const values = await Promise.all(
    outs.map(({ d, buffer }) =>
      readGpu(
        delegate,
        buffer,
        d.shape.reduce((a, b) => a * b, 1),
      ),
    ),
  );
  return { delegate, interpreter, values, before, after };
}

describe('GPU-resident inputs and outputs', () => {
  for (const [name, model] of [
    ['a small float model built in code', () => small],
    ['face_detection_short_range', () => face],
  ] as const) {
    it(`equal setTensor / getTensor exactly, with no CPU transfer: ${name}`, async (t) => {
      if (!(await gpuAvailable())) return t.skip();
      const bytes = model();
      const probe = await Interpreter.create(bytes);
      await probe.allocateTensors();
      const inputs = inputsFor(probe);
      const expected = await cpuEdgeOutputs(bytes, inputs);
      const { delegate, interpreter, values, before, after } = await gpuEdgeOutputs(bytes, inputs);
      expect(interpreter.placement().nodes.filter((n) => n.backend === 'cpu')).toEqual([]);
      values.forEach((v, k) => {
        expect(Array.from(v)).toEqual(Array.from(expected[k] as Float32Array));
      });
      // Nothing was uploaded or read back for the bound tensors.
      expect(after.uploads - before.uploads).toBe(0);
      expect(after.readbacks - before.readbacks).toBe(0);
      expect(after.readbackBytes - before.readbackBytes).toBe(0);
      // The CPU copies are stale: getTensor refuses, readTensor reads back once.
      const out0 = interpreter.getOutputDetails()[0]?.index as number;
      expect(() => interpreter.getTensor(out0)).toThrow(TensorError);
      expect(() => interpreter.getTensor(out0)).toThrow(/readTensor/);
      expect(Array.from((await interpreter.readTensor(out0)) as Float32Array)).toEqual(Array.from(expected[0] as Float32Array));
      expect(delegate.transfers().readbacks - after.readbacks).toBe(1);
      expect(Array.from(interpreter.getTensor(out0) as Float32Array)).toEqual(Array.from(expected[0] as Float32Array));
      const in0 = interpreter.getInputDetails()[0]?.index as number;
      expect(Array.from((await interpreter.readTensor(in0)) as Float32Array)).toEqual(Array.from(inputs[0] as Float32Array));
      interpreter.dispose();
      delegate.dispose();
    }, 120_000);
  }

  it('moves int8 tensors in their dtype, bytes packed four to a word (mnist_conv_fc_int8)', async (t) => {
    if (!hasShared || !(await gpuAvailable())) return t.skip();
    const bytes = new Uint8Array(readFileSync(join(SHARED_MODELS_DIR, 'mnist_conv_fc_int8.tflite')));
    const { delegate, interpreter } = await interpreterFor(bytes);
    const [input] = interpreter.getInputDetails();
    const [output] = interpreter.getOutputDetails();
    if (!input || !output) throw new Error('mnist_conv_fc_int8 has an input and an output');
    expect([input.dtype, output.dtype]).toEqual(['int8', 'int8']);
    const n = input.shape.reduce((a, b) => a * b, 1);
    const values = Int8Array.from(randomValues(n, 5, -128, 128), Math.floor);
    interpreter.setTensor(input.index, values);
    await interpreter.invoke();
    const expected = Array.from(interpreter.getTensor(output.index) as Int8Array);

    const { device } = await delegate.gpu();
    const inBuffer = device.createBuffer({
      label: 'int8 input',
      size: Math.ceil(n / 4) * 4,
      usage: BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(inBuffer, 0, values.buffer, 0, Math.ceil(n / 4) * 4);
    expect(() => delegate.setInputBuffer(input.index, inBuffer, { dtype: 'float32' })).toThrow(/is int8; the buffer holds float32/);
    delegate.setInputBuffer(input.index, inBuffer, { dtype: 'int8' });
    const outBuffer = delegate.getOutputBuffer(output.index);
    const before = delegate.transfers();
    await interpreter.invoke();
    expect(delegate.transfers()).toEqual(before);
    const words = Math.ceil(expected.length / 4);
    const read = new Int8Array((await readGpu(delegate, outBuffer, words)).buffer, 0, expected.length);
    expect(Array.from(read)).toEqual(expected);
    expect(Array.from((await interpreter.readTensor(output.index)) as Int8Array)).toEqual(expected);
    interpreter.dispose();
    delegate.dispose();
  }, 60_000);

  it('mixes GPU and CPU edges, and clear / release return to the CPU path', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const { delegate, interpreter } = await interpreterFor(small);
    const inputs = inputsFor(interpreter);
    const expected = await cpuEdgeOutputs(small, inputs);
    const [x, z] = interpreter.getInputDetails() as unknown as [{ index: number }, { index: number }];
    const [a, y, w] = interpreter.getOutputDetails() as unknown as [{ index: number }, { index: number }, { index: number }];
    delegate.setInputBuffer(x.index, await gpuBufferWith(delegate, inputs[0] as Float32Array<ArrayBuffer>));
    interpreter.setTensor(z.index, inputs[1] as TypedArray);
    const yBuffer = delegate.getOutputBuffer(y.index);
    await interpreter.invoke();
    expect(Array.from(interpreter.getTensor(a.index) as Float32Array)).toEqual(Array.from(expected[0] as Float32Array));
    expect(Array.from(interpreter.getTensor(w.index) as Float32Array)).toEqual(Array.from(expected[2] as Float32Array));
    expect(Array.from(await readGpu(delegate, yBuffer, 48))).toEqual(Array.from(expected[1] as Float32Array));
    expect(delegate.getOutputBuffer(y.index)).toBe(yBuffer);
    delegate.clearInputBuffer(x.index);
    delegate.releaseOutputBuffer(y.index);
    interpreter.setTensor(x.index, inputs[0] as TypedArray);
    await interpreter.invoke();
    expect(Array.from(interpreter.getTensor(y.index) as Float32Array)).toEqual(Array.from(expected[1] as Float32Array));
    interpreter.dispose();
    delegate.dispose();
  }, 60_000);

  it('after a resize, bound buffers that are too small fail the invoke until rebound; debug mode too', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const { delegate, interpreter } = await interpreterFor(small, { debug: true });
    const [x, z] = interpreter.getInputDetails() as unknown as [{ index: number }, { index: number }];
    const y = interpreter.getOutputDetails()[1]?.index as number;
    const yBuffer = delegate.getOutputBuffer(y);
    interpreter.resizeInput(x.index, [1, 8, 8, 3]);
    await interpreter.allocateTensors();
    interpreter.setTensor(x.index, new Float32Array(192));
    interpreter.setTensor(z.index, new Float32Array(32));
    await expect(interpreter.invoke()).rejects.toThrow(
      /GPU output tensor \d+ .* needs 768 bytes; its buffer has 192 .*getOutputBuffer again/,
    );
    const bigger = delegate.getOutputBuffer(y);
    expect(bigger).not.toBe(yBuffer);
    expect(bigger.size).toBeGreaterThanOrEqual(768);
    const small48 = await gpuBufferWith(delegate, new Float32Array(48));
    delegate.setInputBuffer(z.index, await gpuBufferWith(delegate, new Float32Array(32)));
    expect(() => delegate.setInputBuffer(x.index, small48)).toThrow(/needs 768 bytes/);
    await interpreter.invoke();
    expect(Array.from(await readGpu(delegate, bigger, 192)).every((v) => v === 0)).toBe(true);
    // Error scopes of the debug option and the bound buffers' own nest: a destroyed buffer is still a GpuIoError.
    const gone = await gpuBufferWith(delegate, new Float32Array(32));
    delegate.setInputBuffer(z.index, gone);
    gone.destroy();
    await expect(interpreter.invoke()).rejects.toThrow(GpuIoError);
    delegate.setInputBuffer(z.index, await gpuBufferWith(delegate, new Float32Array(32)));
    await interpreter.invoke();
    interpreter.dispose();
    delegate.dispose();
  }, 60_000);

  it('an output a CPU node also reads is written to its buffer and still read back', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const { delegate, interpreter } = await interpreterFor(small, { forceCpu: ['LOGISTIC'] });
    const inputs = inputsFor(interpreter);
    for (const [k, d] of interpreter.getInputDetails().entries()) interpreter.setTensor(d.index, inputs[k] as TypedArray);
    const a = interpreter.getOutputDetails()[0]?.index as number;
    const buffer = delegate.getOutputBuffer(a);
    await interpreter.invoke();
    const cpu = interpreter.getTensor(a) as Float32Array;
    expect(Array.from(await readGpu(delegate, buffer, 48))).toEqual(Array.from(cpu));
    interpreter.dispose();
    delegate.dispose();
  }, 60_000);

  it('rejects misuse with GpuIoError naming the tensor and the call', async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const early = await WebGpuDelegate.create();
    expect(() => early.getOutputBuffer(0)).toThrow(/allocateTensors/);
    early.dispose();

    const { delegate, interpreter } = await interpreterFor(small, { forceCpu: ['TANH'] });
    const [x, z] = interpreter.getInputDetails() as unknown as [{ index: number }, { index: number }];
    const [a, , w] = interpreter.getOutputDetails() as unknown as [{ index: number }, { index: number }, { index: number }];
    const values = new Float32Array(48);
    const expectIoError = (f: () => unknown, pattern: RegExp) => {
      expect(f).toThrow(GpuIoError);
      expect(f).toThrow(pattern);
    };
    // Not a graph input / output.
    expectIoError(() => delegate.setInputBuffer(a.index, {} as GPUBuffer), /setInputBuffer: tensor \d+ '.*' .* is not a graph input/);
    expectIoError(() => delegate.getOutputBuffer(x.index), /getOutputBuffer: tensor \d+ .* is not a graph output/);
    expectIoError(() => delegate.getOutputBuffer(999), /tensor 999 does not exist/);
    // Producer or reader on the CPU.
    expectIoError(() => delegate.getOutputBuffer(w.index), /produced by node 3 \(TANH\), which runs on the CPU/);
    expectIoError(() => delegate.setInputBuffer(z.index, {} as GPUBuffer), /read on the CPU by node 3 \(TANH\)/);
    // Size, dtype, usage.
    const short = await gpuBufferWith(delegate, new Float32Array(47));
    expectIoError(() => delegate.setInputBuffer(x.index, short), /needs 192 bytes .* has 188/);
    const noCopy = await gpuBufferWith(delegate, values, BufferUsage.STORAGE | BufferUsage.COPY_DST);
    expectIoError(() => delegate.setInputBuffer(x.index, noCopy), /lacks the usage COPY_SRC/);
    const full = await gpuBufferWith(delegate, values);
    expectIoError(() => delegate.setInputBuffer(x.index, full, { dtype: 'int8' }), /is float32; the buffer holds int8/);
    expectIoError(() => delegate.setInputBuffer(x.index, 'not a buffer' as unknown as GPUBuffer), /expected a GPUBuffer/);

    // A destroyed buffer fails the invoke.
    const gone = await gpuBufferWith(delegate, values);
    delegate.setInputBuffer(x.index, gone);
    gone.destroy();
    interpreter.setTensor(z.index, new Float32Array(32));
    await expect(interpreter.invoke()).rejects.toThrow(GpuIoError);
    await expect(interpreter.invoke()).rejects.toThrow(/test input/);

    // No CPU rerun either (fallbackToCpuOnDelegateError): the input's CPU copy is stale.
    const fallbackDelegate = await WebGpuDelegate.create();
    const fallback = await Interpreter.create(small, { delegates: [fallbackDelegate], fallbackToCpuOnDelegateError: true });
    await fallback.allocateTensors();
    const gone2 = await gpuBufferWith(fallbackDelegate, values);
    fallbackDelegate.setInputBuffer(x.index, gone2);
    gone2.destroy();
    await expect(fallback.invoke()).rejects.toThrow(GpuIoError);
    expect(fallback.delegateFailure).toBeNull();
    expect(() => fallback.getTensor(x.index)).toThrow(/readTensor/);
    fallback.dispose();

    // A buffer of another device fails the invoke too.
    const other = await WebGpuDelegate.create();
    const foreign = await gpuBufferWith(other, values);
    delegate.setInputBuffer(x.index, foreign);
    await expect(interpreter.invoke()).rejects.toThrow(GpuIoError);
    other.dispose();

    // Back to the CPU path: the partition still works.
    delegate.clearInputBuffer(x.index);
    interpreter.setTensor(x.index, values);
    await interpreter.invoke();
    expect(interpreter.getTensor(a.index)).toBeInstanceOf(Float32Array);
    interpreter.dispose();
    delegate.dispose();
  }, 60_000);
});

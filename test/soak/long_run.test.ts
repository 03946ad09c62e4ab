// Long runs and the create/dispose loop on a generated model: GPU buffers stay flat over many
// inferences and none outlives its interpreter; the pipeline cache does not grow after the first.
import { describe, expect, it } from 'vitest';
import { createDisposeLoop, longRun, slopePer1000 } from '../../harness/soak/long_run.js';
import { loopModel } from '../../harness/soak/soak.js';
import { acquireGpu } from '../../src/index.js';
import { gpuAvailable } from '../delegate/support.js';

describe('long runs', () => {
  it('slopePer1000 is the least-squares slope', () => {
    expect(slopePer1000([0, 1, 2, 3], [5, 7, 9, 11])).toBeCloseTo(2000);
    expect(slopePer1000([0, 10], [3, 3])).toBe(0);
  });

  it('CPU: a long run reports its heap and no GPU figures', async () => {
    const r = await longRun('loop', loopModel(), { backend: 'cpu', inferences: 50 });
    expect(r.inferences).toBe(50);
    expect(r.gpu).toBeNull();
    expect(r.heap.endBytes).toBeGreaterThan(0);
  });

  it('WebGPU: live GPU bytes stay flat over a run; create/dispose leaks no GPUBuffer', { timeout: 120_000 }, async (t) => {
    if (!(await gpuAvailable())) return t.skip();
    const a = await acquireGpu();
    try {
      const r = await longRun('loop', loopModel(), { backend: 'webgpu', inferences: 40, device: a.device });
      expect(r.gpu?.startBytes).toBeGreaterThan(0);
      expect(r.gpu?.slopeBytesPer1000).toBe(0);
      expect(r.gpu?.endBytes).toBe(r.gpu?.startBytes);
    } finally {
      a.device.destroy();
    }
    const b = await acquireGpu();
    try {
      const loop = await createDisposeLoop('loop', loopModel(), b.device, 15);
      expect(loop.leakedBuffers).toBe(0);
      expect(loop.leakedBytes).toBe(0);
      expect(loop.pipelinesAtEnd).toBe(loop.pipelinesAfterFirst);
    } finally {
      b.device.destroy();
    }
  });
});

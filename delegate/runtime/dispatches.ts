// A plan's dispatches made ready to record: pipelines (compiled in parallel, cached per device),
// every dispatch's uniforms packed into one buffer written once, bind groups and workgroup counts.
import { DelegateError } from '../../src/interpreter/delegate.js';
import type { BufferRef, PlannedDispatch } from '../plan/partition_plan.js';
import { align, type BufferSet } from './buffers.js';
import type { GpuContext } from './device.js';
import { BufferUsage } from './gpu_flags.js';
import type { CompiledShader, PipelineCache } from './pipeline_cache.js';
import { packUniforms } from './uniforms.js';

export interface ReadyDispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number];
}

export interface ReadyDispatches {
  readonly dispatches: readonly ReadyDispatch[];
  /** Distinct pipelines among them. */
  readonly pipelines: number;
}

export async function prepareDispatches(
  gpu: GpuContext,
  planned: readonly PlannedDispatch[],
  resolve: (ref: BufferRef) => GPUBufferBinding,
  cache: PipelineCache,
  buffers: BufferSet,
  options: { readonly label: string; readonly debug: boolean },
): Promise<ReadyDispatches> {
  const { device, limits } = gpu;
  const compiled = await Promise.all(planned.map((p) => cache.get(p.shader, p.precision, options.debug)));
  const uniformOffsets: number[] = [];
  let uniformBytes = 0;
  for (const c of compiled) {
    uniformOffsets.push(uniformBytes);
    if (c.uniforms) uniformBytes = align(uniformBytes + c.uniforms.size, limits.minUniformBufferOffsetAlignment);
  }
  const uniformData = new ArrayBuffer(Math.max(uniformBytes, 16));
  const uniformView = new DataView(uniformData);
  const uniformBuffer = buffers.create(`${options.label} uniforms`, uniformData.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  const dispatches = planned.map((p, i) => {
    const bindings = new Map([...p.bindings].map(([name, ref]) => [name, resolve(ref)]));
    return prepareDispatch(gpu, p, bindings, compiled[i] as CompiledShader, uniformBuffer, uniformView, uniformOffsets[i] as number);
  });
  device.queue.writeBuffer(uniformBuffer, 0, uniformData);
  return { dispatches, pipelines: new Set(compiled.map((c) => c.key)).size };
}

function prepareDispatch(
  gpu: GpuContext,
  p: PlannedDispatch,
  bindings: ReadonlyMap<string, GPUBufferBinding>,
  shader: CompiledShader,
  uniformBuffer: GPUBuffer,
  uniformView: DataView,
  uniformOffset: number,
): ReadyDispatch {
  const entries: GPUBindGroupEntry[] = [];
  for (const name of bindings.keys()) {
    if (!shader.bindings.has(name)) throw new DelegateError(`${p.label}: ${shader.label} has no binding '${name}'`);
  }
  for (const [name, { binding, kind }] of shader.bindings) {
    if (kind === 'uniform') {
      const layout = shader.uniforms as NonNullable<CompiledShader['uniforms']>;
      packUniforms(layout, { ...p.uniforms, invocations: p.invocations }, uniformView, uniformOffset, p.label);
      entries.push({ binding, resource: { buffer: uniformBuffer, offset: uniformOffset, size: layout.size } });
      continue;
    }
    const resource = bindings.get(name);
    if (!resource) throw new DelegateError(`${p.label}: no buffer for ${shader.label}'s binding '${name}'`);
    entries.push({ binding, resource });
  }
  const groups = Math.ceil(p.invocations / shader.workgroupSize);
  const maxPerDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.max(1, Math.min(groups, maxPerDim));
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new DelegateError(`${p.label}: ${p.invocations} invocations exceed the dispatch limits`);
  const bindGroup = gpu.device.createBindGroup({ label: p.label, layout: shader.bindGroupLayout, entries });
  return { label: p.label, pipeline: shader.pipeline, bindGroup, workgroups: [x, y] };
}

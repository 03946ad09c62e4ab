// Compiled compute pipelines, one per distinct (precision, template, entry point, constants) per
// device. The WGSL of a pipeline is the precision prelude + common.wgsl + the libraries the
// template names on `// include: name` lines (e.g. quant.wgsl) + the instantiated template; its
// bind group layout and uniform layout come from reflecting that WGSL
// (wgsl_reflect), so bindings are addressed by variable name, never by hand-kept numbers.
import { type VariableInfo, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { type ShaderName, WGSL_SOURCES } from '../../shaders/index.js';
import { PRELUDE, type Precision } from '../plan/precision.js';
import { ShaderError } from './errors.js';
import { ShaderStage } from './gpu_flags.js';
import { type UniformLayout, uniformLayout } from './uniforms.js';
import { instantiate, placeholders, type TemplateValue } from './wgsl_template.js';

/** Which shader a dispatch runs. */
export interface ShaderRef {
  /** A file in shaders/ (without .wgsl). */
  template: ShaderName;
  /** Default 'main'. */
  entryPoint?: string;
  /** Values of the template's {{PLACEHOLDERS}}. */
  constants: Readonly<Record<string, TemplateValue>>;
}

export type BindingKind = 'uniform' | 'storage' | 'read-only-storage';

export interface CompiledShader {
  readonly key: string;
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroupLayout: GPUBindGroupLayout;
  /** The resources the entry point uses, by variable name. */
  readonly bindings: ReadonlyMap<string, { binding: number; kind: BindingKind }>;
  /** The uniform struct, when the entry point uses one. */
  readonly uniforms: UniformLayout | null;
  /** Workgroup size in x (y and z are 1). */
  readonly workgroupSize: number;
}

const INCLUDE = /^\/\/ include: ([a-z0-9_]+)$/gm;

/** The libraries a template includes, in order. */
export function shaderIncludes(template: ShaderName): ShaderName[] {
  return [...WGSL_SOURCES[template].matchAll(INCLUDE)].map((m) => {
    const name = m[1] as string;
    if (!(name in WGSL_SOURCES)) throw new ShaderError(`${template}.wgsl includes '${name}', which is not a shader file`);
    return name as ShaderName;
  });
}

/**
 * The libraries and the template, before instantiation. Libraries may have placeholders too
 * (epilogue.wgsl): the template's values fill them, so a template's values are those of the
 * whole text.
 */
function templateText(template: ShaderName): string {
  const libraries = shaderIncludes(template).map((name) => `${WGSL_SOURCES[name]}\n`);
  return `${libraries.join('')}${WGSL_SOURCES[template]}`;
}

/** The placeholder names a template and its libraries use: the constants a ShaderRef must give. */
export function templatePlaceholders(template: ShaderName): Set<string> {
  return placeholders(templateText(template));
}

/** The complete WGSL of a shader in a precision. */
export function shaderSource(ref: ShaderRef, precision: Precision): string {
  const body = instantiate(ref.template, templateText(ref.template), ref.constants);
  return `${WGSL_SOURCES[PRELUDE[precision]]}\n${WGSL_SOURCES.common}\n${body}`;
}

export function shaderKey(ref: ShaderRef, precision: Precision): string {
  const constants = Object.keys(ref.constants)
    .sort()
    .map((k) => `${k}=${ref.constants[k]}`)
    .join(',');
  return `${precision}:${ref.template}.${ref.entryPoint ?? 'main'}(${constants})`;
}

function bindingKind(v: VariableInfo, where: string): BindingKind {
  // wgsl_reflect: ResourceType.Uniform = 0, Storage = 1.
  if (v.resourceType === 0) return 'uniform';
  if (v.resourceType === 1) return v.access === 'read' ? 'read-only-storage' : 'storage';
  throw new ShaderError(`${where}: resource ${v.name} is neither a uniform nor a storage buffer`);
}

export interface ReflectedEntry {
  readonly bindings: ReadonlyMap<string, { binding: number; kind: BindingKind }>;
  readonly uniforms: UniformLayout | null;
  readonly workgroupSize: number;
}

/**
 * Reflections by entry point and WGSL text, kept for the process: parsing WGSL in JS costs about
 * as much as the driver's compile, and every new device (each delegate that owns one) sees the
 * same sources again. Bounded, oldest first out.
 */
const REFLECTED = new Map<string, ReflectedEntry>();
const REFLECTED_MAX = 1024;

/** Bindings, uniform layout and workgroup size of an entry point, from its WGSL (cached). */
export function reflectEntry(code: string, entryPoint: string, where: string): ReflectedEntry {
  const key = `${entryPoint}\n${code}`;
  const known = REFLECTED.get(key);
  if (known) return known;
  const entry = reflectUncached(code, entryPoint, where);
  if (REFLECTED.size >= REFLECTED_MAX) REFLECTED.delete(REFLECTED.keys().next().value as string);
  REFLECTED.set(key, entry);
  return entry;
}

function reflectUncached(code: string, entryPoint: string, where: string): ReflectedEntry {
  let reflect: WgslReflect;
  try {
    reflect = new WgslReflect(code);
  } catch (e) {
    throw new ShaderError(`${where}: WGSL does not parse: ${(e as Error).message}`);
  }
  const entry = reflect.entry.compute.find((f) => f.name === entryPoint);
  if (!entry) throw new ShaderError(`${where}: no compute entry point '${entryPoint}'`);
  const bindings = new Map<string, { binding: number; kind: BindingKind }>();
  let uniforms: UniformLayout | null = null;
  for (const v of entry.resources) {
    if (v.group !== 0) throw new ShaderError(`${where}: resource ${v.name} is in group ${v.group}; delegate shaders use group 0 only`);
    const kind = bindingKind(v, where);
    bindings.set(v.name, { binding: v.binding, kind });
    if (kind === 'uniform') {
      if (uniforms) throw new ShaderError(`${where}: more than one uniform buffer`);
      uniforms = uniformLayout(v, where);
    }
  }
  const size = entry.workgroupSize;
  if (size?.[1] !== 1 || size[2] !== 1) throw new ShaderError(`${where}: workgroup size must be 1-D, got ${size}`);
  return { bindings, uniforms, workgroupSize: size[0] };
}

async function compilationMessages(module: GPUShaderModule): Promise<string> {
  const info = await module.getCompilationInfo();
  return info.messages
    .filter((m) => m.type === 'error')
    .map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}`)
    .join('\n');
}

export class PipelineCache {
  private readonly entries = new Map<string, Promise<CompiledShader>>();
  private compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Distinct pipelines compiled so far. */
  get size(): number {
    return this.compiled;
  }

  /** The pipeline for a shader, compiled on first request. `debug` checks compilation messages. */
  get(ref: ShaderRef, precision: Precision, debug = false): Promise<CompiledShader> {
    const key = shaderKey(ref, precision);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.compile(key, ref, precision, debug);
      this.entries.set(key, entry);
      entry.then(
        () => {
          this.compiled++;
        },
        () => this.entries.delete(key),
      );
    }
    return entry;
  }

  private async compile(key: string, ref: ShaderRef, precision: Precision, debug: boolean): Promise<CompiledShader> {
    const entryPoint = ref.entryPoint ?? 'main';
    const label = key;
    const code = shaderSource(ref, precision);
    const { bindings, uniforms, workgroupSize } = reflectEntry(code, entryPoint, label);
    const device = this.device;
    const storage = [...bindings.values()].filter((b) => b.kind !== 'uniform').length;
    if (storage > device.limits.maxStorageBuffersPerShaderStage) {
      throw new ShaderError(
        `${label}: ${storage} storage buffers exceed maxStorageBuffersPerShaderStage (${device.limits.maxStorageBuffersPerShaderStage})`,
      );
    }
    if (workgroupSize > device.limits.maxComputeInvocationsPerWorkgroup) {
      throw new ShaderError(`${label}: workgroup size ${workgroupSize} exceeds maxComputeInvocationsPerWorkgroup`);
    }
    const module = device.createShaderModule({ code, label });
    if (debug) {
      const errors = await compilationMessages(module);
      if (errors) throw new ShaderError(`${label}: WGSL does not compile:\n${errors}`);
    }
    const bindGroupLayout = device.createBindGroupLayout({
      label,
      entries: [...bindings.values()]
        .sort((a, b) => a.binding - b.binding)
        .map(({ binding, kind }) => ({ binding, visibility: ShaderStage.COMPUTE, buffer: { type: kind } })),
    });
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({
        label,
        layout: device.createPipelineLayout({ label, bindGroupLayouts: [bindGroupLayout] }),
        compute: { module, entryPoint },
      });
    } catch (e) {
      const errors = await compilationMessages(module).catch(() => '');
      throw new ShaderError(`${label}: pipeline creation failed: ${(e as Error).message}${errors ? `\n${errors}` : ''}`);
    }
    return { key, label, pipeline, bindGroupLayout, bindings, uniforms, workgroupSize };
  }
}

const CACHES = new WeakMap<GPUDevice, PipelineCache>();

/** The device's pipeline cache (shared by every delegate and kernel on that device). */
export function pipelineCacheFor(device: GPUDevice): PipelineCache {
  let cache = CACHES.get(device);
  if (!cache) {
    cache = new PipelineCache(device);
    CACHES.set(device, cache);
  }
  return cache;
}

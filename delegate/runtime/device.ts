// Getting a GPUDevice: navigator.gpu in browsers; in Node the `webgpu` package (Dawn), imported
// on demand so browser bundles never see it. Also watches the device: loss, and errors the
// delegate did not catch itself.
import { DeviceLostError, GpuUnavailableError, GpuValidationError } from './errors.js';

/** What the adapter says about itself (all strings may be empty: browsers can withhold them). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software or otherwise fallback adapter (SwiftShader here). */
  isFallbackAdapter: boolean;
}

/** The device limits the delegate plans against. */
export interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxStorageBuffersPerShaderStage: number;
  maxUniformBufferBindingSize: number;
  minUniformBufferOffsetAlignment: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
}

const LIMIT_NAMES: readonly (keyof GpuLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'minUniformBufferOffsetAlignment',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
];

/** Limits worth raising from the WebGPU defaults to what the adapter offers (as ML Drift does). */
const RAISED_LIMITS: readonly (keyof GpuLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
];

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly features: ReadonlySet<string>;
  /** WGSL language features of the WebGPU implementation (e.g. 'packed_4x8_integer_dot_product'). */
  readonly wgslFeatures: ReadonlySet<string>;
  readonly limits: GpuLimits;
  /** True when the delegate requested the device (and so destroys it on release). */
  readonly ownsDevice: boolean;
  readonly health: DeviceHealth;
  /** Stops watching the device; destroys it when the delegate owns it. */
  release(): void;
}

export interface AcquireOptions {
  /** Use the application's device instead of requesting one. */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  /** Request the fallback (software) adapter only. */
  forceFallbackAdapter?: boolean;
  /** Optional features to request where the adapter has them (default: 'shader-f16'). */
  features?: readonly GPUFeatureName[];
  /** Request 'timestamp-query' where the adapter has it (the delegate's profile option). */
  timestampQuery?: boolean;
}

/**
 * Tracks device loss, and validation errors nobody caught (only on a device the delegate owns:
 * on a shared device they may be the application's).
 */
export class DeviceHealth {
  private lostInfo: { reason: string; message: string } | null = null;
  private readonly lostSettled: Promise<void>;
  private readonly pending: string[] = [];
  private readonly onError = (ev: Event): void => {
    const message = (ev as GPUUncapturedErrorEvent).error?.message ?? String(ev);
    if (this.pending.length < 8) this.pending.push(message);
  };

  constructor(
    private readonly device: GPUDevice,
    private readonly watchErrors: boolean,
  ) {
    this.lostSettled = device.lost.then(
      (info) => {
        this.lostInfo = { reason: String(info.reason), message: info.message };
      },
      () => {},
    );
    if (watchErrors) device.addEventListener('uncapturederror', this.onError);
  }

  get lost(): boolean {
    return this.lostInfo !== null;
  }

  /** The DeviceLostError for a lost device (call only when `lost`). */
  lostNow(): DeviceLostError {
    return new DeviceLostError(this.lostInfo?.reason ?? 'unknown', this.lostInfo?.message ?? '');
  }

  /** Throws DeviceLostError once the device is lost, GpuValidationError for errors reported since the last check. */
  check(what: string): void {
    if (this.lostInfo) throw this.lostNow();
    if (this.pending.length) {
      const messages = this.pending.splice(0).join('\n');
      throw new GpuValidationError(`${what}: WebGPU reported errors: ${messages}`);
    }
  }

  /**
   * After a GPU promise rejected: DeviceLostError when the device is (or within `waitMs` turns
   * out to be) lost, else null. Loss is reported asynchronously, so a failed mapAsync can come first.
   */
  async lostError(waitMs = 100): Promise<DeviceLostError | null> {
    if (!this.lostInfo) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.lostSettled, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    return this.lostInfo ? new DeviceLostError(this.lostInfo.reason, this.lostInfo.message) : null;
  }

  dispose(): void {
    if (this.watchErrors) this.device.removeEventListener('uncapturederror', this.onError);
  }
}

const NODE_HINT =
  'In Node, WebGPU comes from the `webgpu` npm package (Dawn). Without a GPU it needs a Vulkan driver: ' +
  '`apt-get install chromium libvulkan1` and start Node with ' +
  'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader) set before the first WebGPU call.';
const BROWSER_HINT =
  'The browser exposes no usable WebGPU adapter: check chrome://gpu, serve the page from a secure context ' +
  '(https or http://localhost), and in headless Chromium pass --enable-unsafe-webgpu.';

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

let dawn: Promise<GPU> | null = null;

/** Node: Dawn's GPU object, created once per process. */
function loadDawn(): Promise<GPU> {
  dawn ??= (async () => {
    // A computed specifier keeps bundlers from resolving (and packaging) the native module.
    const specifier = 'webgpu';
    let mod: { create(flags: string[]): GPU };
    try {
      mod = await import(/* @vite-ignore */ specifier);
    } catch (e) {
      throw new GpuUnavailableError(`cannot load the \`webgpu\` package: ${(e as Error).message}. ${NODE_HINT}`);
    }
    return mod.create([]);
  })();
  return dawn;
}

/** The environment's GPU entry point. */
export async function gpuEntryPoint(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (isNode()) return loadDawn();
  throw new GpuUnavailableError(`this environment has no WebGPU (navigator.gpu is undefined). ${BROWSER_HINT}`);
}

function summarizeAdapter(info: GPUAdapterInfo | undefined): AdapterSummary {
  const i = info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
  return {
    vendor: i?.vendor ?? '',
    architecture: i?.architecture ?? '',
    device: i?.device ?? '',
    description: i?.description ?? '',
    isFallbackAdapter: i?.isFallbackAdapter ?? false,
  };
}

function readLimits(limits: GPUSupportedLimits): GpuLimits {
  const out = {} as GpuLimits;
  for (const name of LIMIT_NAMES) out[name] = limits[name];
  return out;
}

/** The implementation's WGSL language features (none where it does not say). */
async function wgslLanguageFeatures(): Promise<ReadonlySet<string>> {
  try {
    return new Set((await gpuEntryPoint()).wgslLanguageFeatures ?? []);
  } catch {
    return new Set();
  }
}

function context(device: GPUDevice, adapter: AdapterSummary, ownsDevice: boolean, wgslFeatures: ReadonlySet<string>): GpuContext {
  const health = new DeviceHealth(device, ownsDevice);
  let released = false;
  return {
    device,
    adapter,
    features: new Set(device.features),
    wgslFeatures,
    limits: readLimits(device.limits),
    ownsDevice,
    health,
    release() {
      if (released) return;
      released = true;
      health.dispose();
      if (ownsDevice) device.destroy();
    },
  };
}

/**
 * A device for the delegate: the given one, or a new one from the best adapter (the fallback
 * adapter when it is the only one), with 'shader-f16' when the adapter has it and the storage
 * limits raised to the adapter's.
 */
export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  if (options.device) {
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return context(options.device, summarizeAdapter(info), false, await wgslLanguageFeatures());
  }
  const gpu = await gpuEntryPoint();
  const hint = isNode() ? NODE_HINT : BROWSER_HINT;
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({
      powerPreference: options.powerPreference,
      forceFallbackAdapter: options.forceFallbackAdapter ?? false,
    });
    if (!adapter && !options.forceFallbackAdapter) adapter = await gpu.requestAdapter({ forceFallbackAdapter: true });
  } catch (e) {
    throw new GpuUnavailableError(`requestAdapter() failed: ${(e as Error).message}. ${hint}`);
  }
  if (!adapter) throw new GpuUnavailableError(`no WebGPU adapter is available. ${hint}`);
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures = (options.features ?? ['shader-f16']).filter((f) => adapter.features.has(f));
  if (options.timestampQuery && adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'tflite-webgpu delegate' });
  } catch (e) {
    throw new GpuUnavailableError(`requestDevice() failed: ${(e as Error).message}`);
  }
  return context(device, summarizeAdapter(adapter.info), true, new Set(gpu.wgslLanguageFeatures ?? []));
}

/**
 * A device acquired on first use and kept. After a device loss, a slot that created its device
 * requests a new one on the next get(); a lost application device is reported as DeviceLostError.
 */
export class GpuSlot {
  private context: Promise<GpuContext> | null = null;

  constructor(private readonly options: AcquireOptions) {}

  async get(): Promise<GpuContext> {
    const current = this.context;
    if (current) {
      const ctx = await current;
      if (!ctx.health.lost) return ctx;
      if (!ctx.ownsDevice) throw ctx.health.lostNow();
      if (this.context === current) {
        ctx.release();
        this.context = null;
      }
      return this.get();
    }
    const acquiring = acquireGpu(this.options);
    this.context = acquiring;
    acquiring.catch(() => {
      if (this.context === acquiring) this.context = null;
    });
    return acquiring;
  }

  /** Releases the device once acquired (destroying it if the slot created it); a later get() acquires anew. */
  release(): void {
    const pending = this.context;
    this.context = null;
    pending?.then(
      (g) => g.release(),
      () => {},
    );
  }
}

// What the page can run: the CPU interpreter always, the WebGPU delegate (fp32, and fp16 =
// TFLite's precision-loss-allowed) when the page has an adapter. The delegates themselves come
// from harness/backends.ts, as in the CLI.
import { WebGpuDelegate } from '../../src/index.js';
import type { Backend, Precision } from '../backends.js';

export { createDelegates } from '../backends.js';

/** Whether this build contains the WebGPU delegate. */
export function hasWebGpuDelegate(): boolean {
  return typeof WebGpuDelegate === 'function';
}

/** The backends the page can run: cpu always, webgpu fp32 / fp16 with the delegate and an adapter. */
export function availableBackends(adapter: boolean): { backend: Backend; precision: Precision }[] {
  const out: { backend: Backend; precision: Precision }[] = [{ backend: 'cpu', precision: 'fp32' }];
  if (adapter && hasWebGpuDelegate()) out.push({ backend: 'webgpu', precision: 'fp32' }, { backend: 'webgpu', precision: 'fp16' });
  return out;
}

/** The WebGPU adapter this page gets, for reports (null with the reason when there is none). */
export async function describeAdapter(): Promise<{
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean; features: string[] } | null;
  error?: string;
}> {
  if (!('gpu' in navigator) || !navigator.gpu)
    return { adapter: null, error: 'navigator.gpu is missing (needs a secure context: https or http://127.0.0.1)' };
  try {
    const a = await navigator.gpu.requestAdapter();
    if (!a) return { adapter: null, error: 'requestAdapter() returned null' };
    const info = a.info;
    return {
      adapter: {
        vendor: info?.vendor ?? '',
        architecture: info?.architecture ?? '',
        isFallbackAdapter: info?.isFallbackAdapter ?? false,
        features: [...a.features],
      },
    };
  } catch (e) {
    return { adapter: null, error: (e as Error).message };
  }
}

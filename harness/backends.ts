// The delegates a backend needs: none for the CPU interpreter, the WebGPU delegate for webgpu
// (fp16 = TFLite's precision-loss-allowed). Works in Node (Dawn) and in browsers.
import { type Delegate, WebGpuDelegate } from '../src/index.js';

export type Backend = 'cpu' | 'webgpu';
export type Precision = 'fp32' | 'fp16';

/** How the WebGPU delegate runs quantized nodes (WebGpuDelegateOptions.quantizedExecution). */
export type QuantizedExecution = 'integer' | 'float';

/** Fresh delegates for one interpreter (which disposes them). A missing GPU fails here, clearly. */
export async function createDelegates(
  backend: Backend,
  precision: Precision,
  quantizedExecution: QuantizedExecution = 'integer',
  extra: { profile?: boolean } = {},
): Promise<Delegate[]> {
  if (backend === 'cpu') return [];
  return [await WebGpuDelegate.create({ precisionLossAllowed: precision === 'fp16', quantizedExecution, ...extra })];
}

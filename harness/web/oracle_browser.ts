// The oracle inside the page: LiteRT.js (@litertjs/core's wasm, XNNPACK on the CPU), run by the
// same code as in Node (harness/oracle/litert.ts, its loader swapped for emscripten_browser.ts).
// tfjs-tflite, Node's reference for hybrid models and for models LiteRT.js refuses, does not run
// here: those models are "reference unavailable in browser" (referenceUnavailable).
import * as litert from '../oracle/litert.js';
import { type ModelInfo, readModelInfo } from '../oracle/model_info.js';
import type { OracleResult } from '../oracle/run_oracle.js';
import type { OracleFn } from '../verify.js';
import { preloadGlue } from './emscripten_browser.js';
import type { HybridPolicy } from './protocol.js';

export const UNAVAILABLE = 'reference unavailable in browser';

/**
 * Why LiteRT.js cannot be the reference for a model here, or null. Hybrid models are run under
 * the 'litert' policy (LiteRT.js's XNNPACK computes hybrid ops its own way: differences up to
 * ~0.8 are expected, so such a report says little).
 */
export function referenceUnavailable(info: ModelInfo, hybrid: HybridPolicy): string | null {
  if (info.hasVariableTensors) return `${UNAVAILABLE}: variable tensors (LiteRT.js refuses them; Node uses tfjs-tflite)`;
  if (info.dynamicOutputs.length)
    return `${UNAVAILABLE}: outputs shaped at run time (${info.dynamicOutputs.join(', ')}; Node uses tfjs-tflite)`;
  if (info.isHybrid && hybrid === 'skip')
    return `${UNAVAILABLE}: hybrid (dynamic-range) model, whose reference is TFLite's builtin kernels (tfjs-tflite, Node only)`;
  return null;
}

/** An OracleFn for verifyModel: LiteRT.js in this page (the seed and `regenerate` do not matter: nothing is cached). */
export const browserOracle: OracleFn = async (bytes, inputs): Promise<OracleResult> => {
  await preloadGlue();
  const info = readModelInfo(bytes);
  const outputs = await litert.run(bytes, inputs, { info });
  const result: OracleResult = { oracle: 'litert', outputs };
  if (info.isHybrid) result.other = { oracle: 'tfjs-tflite', error: `${UNAVAILABLE} (hybrid model: tfjs-tflite is the reference in Node)` };
  return result;
};

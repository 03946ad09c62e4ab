// The oracle inside the page: harness/oracle/run_oracle.ts itself, the same policy as Node's
// (LiteRT.js, XNNPACK, as a rule; tfjs-tflite, TFLite's builtin kernels, for hybrid models and
// run-time-shaped outputs; each the other's fallback, e.g. tfjs-tflite for the variable tensors
// LiteRT.js refuses). Both runners run unchanged in the page: the Vite config swaps their loader,
// emscripten.ts, for emscripten_browser.ts, which fetches the glue and the wasm from the page's
// server. Unlike Node's, nothing is cached (the seed and `regenerate` do not matter).
import { runOracle } from '../oracle/run_oracle.js';
import type { OracleFn } from '../verify.js';
import { preloadGlue } from './emscripten_browser.js';

/** An OracleFn for verifyModel: runOracle in this page, with Node's default options. */
export const browserOracle: OracleFn = async (bytes, inputs) => {
  await preloadGlue();
  return runOracle(bytes, inputs);
};

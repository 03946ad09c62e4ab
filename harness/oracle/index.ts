// The oracle: golden outputs from the real TFLite runtimes (LiteRT.js and @tensorflow/tfjs-tflite),
// run by our own code in plain Node. See run_oracle.ts for the policy, cache.ts for the golden
// cache, inputs.ts for deterministic inputs.
export { type CachedOracleOptions, type CachedOracleResult, cachedOracle, defaultCacheDir } from './cache.js';
export { type InputSpec, makeInputs, makeModelInputs, mulberry32, randomTensor } from './inputs.js';
export * as litert from './litert.js';
export { type ModelInfo, type ModelTensorInfo, readModelInfo } from './model_info.js';
export {
  compareOutputs,
  type OraclePreference,
  type OracleResult,
  type OtherResult,
  type OutputDiff,
  oracleOrder,
  type RunOracleOptions,
  runOracle,
} from './run_oracle.js';
export * as tfjsTflite from './tfjs_tflite.js';
export {
  type OracleDType,
  OracleError,
  type OracleErrorKind,
  type OracleName,
  type OracleOutput,
  type OracleTensorDetails,
  type OracleTypedArray,
} from './types.js';

// The oracle for Node: both real runtimes from their wasm, goldens cached on disk.
import { cachedOracle } from './oracle/cache.js';
import type { OracleFn } from './verify.js';

export const nodeOracle: OracleFn = (bytes, inputs, seed, regenerate) => cachedOracle(bytes, inputs, seed, { regenerate });

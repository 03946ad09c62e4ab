// Every op fuzzer, one list per op family file.
import type { OpFuzzer } from '../run_case.js';
import { activationFuzzers } from './activations.js';
import { binaryFuzzers } from './binary.js';
import { chainFuzzers } from './chains.js';
import { convFuzzers } from './conv.js';
import { poolResizeFuzzers } from './pool_resize.js';
import { quantizeFuzzers } from './quantize.js';
import { reduceFuzzers } from './reduce.js';
import { reverseFuzzers } from './reverse.js';
import { sequenceFuzzers } from './sequence.js';
import { shapeFuzzers } from './shape.js';
import { sparseDetectionFuzzers } from './sparse_detection.js';
import { unaryFuzzers } from './unary.js';

export const ALL_FUZZERS: OpFuzzer[] = [
  ...binaryFuzzers,
  ...unaryFuzzers,
  ...activationFuzzers,
  ...quantizeFuzzers,
  ...convFuzzers,
  ...shapeFuzzers,
  ...reverseFuzzers,
  ...reduceFuzzers,
  ...poolResizeFuzzers,
  ...sequenceFuzzers,
  ...chainFuzzers,
  ...sparseDetectionFuzzers,
];

// Differential cases for the sequence ops (see ../run_case.ts for the contract).
import type { OpFuzzer } from '../run_case.js';

export const sequenceFuzzers: OpFuzzer[] = [];

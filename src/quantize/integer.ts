// Full-integer modes (int8, 16x8): calibration, then the op rules. (Filled in below.)

import { QuantizeError } from './errors.js';
import type { ModelT } from './graph.js';
import type { QuantizeOptions } from './quantize.js';
import type { QuantizeReport } from './report.js';

export async function quantizeInteger(
  _floatBytes: Uint8Array,
  _model: ModelT,
  report: QuantizeReport,
  _options: QuantizeOptions & { perChannel: boolean },
): Promise<void> {
  throw new QuantizeError(`mode '${report.mode}' is not implemented yet`);
}

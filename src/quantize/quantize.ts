// The public entry: quantize(floatModelBytes, options) → { bytes, report }.

import { packModel, unpackModel } from '../model/writer.js';
import type { RepresentativeDataset } from './calibration.js';
import { quantizeDynamicRange } from './dynamic_range.js';
import { QuantizeError } from './errors.js';
import { quantizeFloat16 } from './float16.js';
import { compact, dedupeConstantBuffers } from './graph.js';
import { quantizeInteger } from './integer.js';
import { checkFloatModel, foldFloat16Constants } from './prepare.js';
import type { NodeReport, QuantizeMode, QuantizeReport } from './report.js';

export type InferenceType = 'float32' | 'int8' | 'uint8' | 'int16';

export interface QuantizeOptions {
  mode: QuantizeMode;
  /** Samples for calibration (int8, 16x8): each is one array per subgraph-0 input, in input order. */
  representativeDataset?: RepresentativeDataset;
  /** Type of the model's inputs (int8 / 16x8): 'float32' (default, QUANTIZE inside), 'int8', 'uint8' (int8 only), 'int16' (16x8 only). */
  inferenceInputType?: InferenceType;
  inferenceOutputType?: InferenceType;
  /** Per-channel weights where the converter does them (default true); false: per tensor. */
  perChannel?: boolean;
  /** An op the mode cannot quantize stays float between DEQUANTIZE and QUANTIZE instead of failing. */
  allowFloatFallback?: boolean;
  /** Called after each calibration sample (a progress bar). */
  onCalibrationSample?: (done: number) => void;
}

export interface QuantizeResult {
  bytes: Uint8Array;
  report: QuantizeReport;
}

const MODES: readonly QuantizeMode[] = ['float16', 'dynamic-range', 'int8', '16x8'];

export async function quantize(floatModelBytes: Uint8Array, options: QuantizeOptions): Promise<QuantizeResult> {
  if (!MODES.includes(options.mode)) throw new QuantizeError(`unknown mode '${String(options.mode)}' (expected ${MODES.join(', ')})`);
  const integer = options.mode === 'int8' || options.mode === '16x8';
  for (const [what, t] of [
    ['inferenceInputType', options.inferenceInputType],
    ['inferenceOutputType', options.inferenceOutputType],
  ] as const) {
    // The float modes keep float I/O (the converter takes inference types for full integer only).
    if (!integer && t && t !== 'float32')
      throw new QuantizeError(`${what} '${t}' needs mode int8 or 16x8; '${options.mode}' keeps float32 I/O`);
  }
  const model = unpackModel(floatModelBytes);
  if (model.subgraphs.length !== 1)
    throw new QuantizeError(`the model has ${model.subgraphs.length} subgraphs; only single-subgraph models are quantized`);
  foldFloat16Constants(model);
  checkFloatModel(model);
  const nodes: NodeReport[] = [];
  const report: QuantizeReport = {
    mode: options.mode,
    bytesBefore: floatModelBytes.byteLength,
    bytesAfter: 0,
    nodes,
    floatFallback: [],
    addedNodes: { quantize: 0, dequantize: 0 },
  };
  const perChannel = options.perChannel ?? true;
  if (options.mode === 'float16') {
    report.addedNodes.dequantize = quantizeFloat16(model, nodes).dequantize;
  } else if (options.mode === 'dynamic-range') {
    report.addedNodes.dequantize = quantizeDynamicRange(model, nodes, { perChannel }).dequantize;
  } else {
    await quantizeInteger(model, report, { ...options, perChannel });
  }
  dedupeConstantBuffers(model);
  compact(model);
  model.version = 3;
  const bytes = packModel(model);
  report.bytesAfter = bytes.byteLength;
  report.floatFallback = nodes.filter((n) => n.action === 'float-fallback');
  return { bytes, report };
}

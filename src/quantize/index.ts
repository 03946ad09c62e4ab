// Post-training quantization of float .tflite models, as TFLite's converter does it.

export type { RepresentativeDataset } from './calibration.js';
export { QuantizeError } from './errors.js';
export { type InferenceType, type QuantizeOptions, type QuantizeResult, quantize } from './quantize.js';
export type { NodeReport, QuantizeMode, QuantizeReport } from './report.js';
export {
  asymmetricInt8Params,
  quantizeBiasInt32,
  quantizeSymmetricInt8,
  roundHalfAway,
  symmetricInt16Params,
  toFloat16,
} from './weights.js';

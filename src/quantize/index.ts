// Post-training quantization of float .tflite models, as TFLite's converter does it.
export { QuantizeError } from './errors.js';
export { type InferenceType, type QuantizeOptions, type QuantizeResult, quantize, type RepresentativeDataset } from './quantize.js';
export type { NodeReport, QuantizeMode, QuantizeReport } from './report.js';
export {
  asymmetricInt8Params,
  quantizeBiasInt32,
  quantizeSymmetricInt8,
  roundHalfAway,
  symmetricInt16Params,
  toFloat16,
} from './weights.js';

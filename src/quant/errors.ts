/**
 * Quantization parameters no integer kernel can run with (a zero, negative or non-finite scale,
 * a multiplier out of its range): the interpreter reports it as a KernelError naming the node.
 */
export class QuantizationParamError extends Error {
  override name = 'QuantizationParamError';
}

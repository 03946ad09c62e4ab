// What the quantizer did, node by node, and the sizes before and after.

export type QuantizeMode = 'float16' | 'dynamic-range' | 'int8' | '16x8';

export interface NodeReport {
  subgraph: number;
  /** The node's index in the float model (-1 for a node the quantizer added). */
  node: number;
  op: string;
  /**
   * 'quantized' (runs on integers), 'hybrid' (int8 weights, float activations), 'weights-dequantized'
   * (low-precision constants feeding DEQUANTIZE, the op stays float), 'float' (nothing to do),
   * 'float-fallback' (could not be quantized; allowFloatFallback kept it float).
   */
  action: 'quantized' | 'hybrid' | 'weights-dequantized' | 'float' | 'float-fallback';
  detail?: string;
}

export interface QuantizeReport {
  mode: QuantizeMode;
  bytesBefore: number;
  bytesAfter: number;
  nodes: NodeReport[];
  /** Nodes left float by allowFloatFallback (a subset of nodes). */
  floatFallback: NodeReport[];
  /** Calibration samples run (int8 / 16x8). */
  calibrationSamples?: number;
  /** QUANTIZE / DEQUANTIZE nodes added. */
  addedNodes: { quantize: number; dequantize: number };
}

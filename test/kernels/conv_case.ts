// The float CONV_2D and DEPTHWISE_CONV_2D tests' shared case, window arithmetic (written from
// the definition, independently of src/) and node inputs.
import type { OpTensor } from '../support/run_op.js';

export const SAME = 0;
export const VALID = 1;

export interface ConvCase {
  input: number[];
  inShape: [number, number, number, number];
  filter: number[];
  /** CONV_2D: [O, H, W, I]; DEPTHWISE_CONV_2D: [1, H, W, C * multiplier]. */
  filterShape: [number, number, number, number];
  bias: number[] | null;
  padding: number;
  stride: [number, number];
  dilation?: [number, number];
  activation?: number;
}

/** TF's SAME/VALID output size, with the padding split so the extra pixel goes after. */
export function naiveWindow(c: ConvCase, fh: number, fw: number): { oh: number; ow: number; padTop: number; padLeft: number } {
  const [, h, w] = c.inShape;
  const [sh, sw] = c.stride;
  const [dh, dw] = c.dilation ?? [1, 1];
  const effH = (fh - 1) * dh + 1;
  const effW = (fw - 1) * dw + 1;
  const oh = c.padding === SAME ? Math.ceil(h / sh) : Math.ceil((h - effH + 1) / sh);
  const ow = c.padding === SAME ? Math.ceil(w / sw) : Math.ceil((w - effW + 1) / sw);
  const padTop = Math.floor(Math.max(0, (oh - 1) * sh + effH - h) / 2);
  const padLeft = Math.floor(Math.max(0, (ow - 1) * sw + effW - w) / 2);
  return { oh, ow, padTop, padLeft };
}

/** The window options both ops' tables share, from the case. */
export function windowOptions(c: ConvCase) {
  return {
    padding: c.padding,
    strideH: c.stride[0],
    strideW: c.stride[1],
    dilationHFactor: c.dilation?.[0] ?? 1,
    dilationWFactor: c.dilation?.[1] ?? 1,
    fusedActivationFunction: c.activation ?? 0,
  };
}

/** The node's inputs: the input, the constant filter and the optional constant bias. */
export function convInputs(c: ConvCase): (OpTensor | null)[] {
  return [
    { dtype: 'float32', shape: c.inShape, data: c.input },
    { dtype: 'float32', shape: c.filterShape, data: c.filter, constant: true },
    c.bias ? { dtype: 'float32', shape: [c.bias.length], data: c.bias, constant: true } : null,
  ];
}

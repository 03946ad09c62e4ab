// Differential cases for pooling (AVERAGE_POOL_2D, MAX_POOL_2D) and resizing (RESIZE_BILINEAR,
// RESIZE_NEAREST_NEIGHBOR), float and quantized (see ../run_case.ts for the contract).
import type { DType } from '../../../src/index.js';
import { GraphBuilder } from '../graph.js';
import type { Rng } from '../rng.js';
import type { OpFuzzer } from '../run_case.js';

const ACTIVATIONS = [0, 1, 2, 3]; // NONE, RELU, RELU_N1_TO_1, RELU6

const quantOf = (r: Rng, dtype: DType) => {
  if (dtype === 'int16') return { scale: [r.scale(-4, -1)], zeroPoint: [0] };
  return r.quant(dtype, -2.5, 0);
};

function pool(op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D', dtype: DType): OpFuzzer {
  return {
    op,
    dtypes: dtype,
    make(r) {
      const filterH = r.int(1, 5);
      const filterW = r.int(1, 5);
      const padding = r.pick([0, 1]); // SAME, VALID
      // VALID needs the window inside the input; SAME may have a filter larger than the input.
      const minH = padding === 1 ? filterH : 1;
      const minW = padding === 1 ? filterW : 1;
      const shape = [r.dim(3), Math.max(minH, r.dim(11)), Math.max(minW, r.dim(11)), r.dim(7)];
      const g = new GraphBuilder();
      const float = dtype === 'float32';
      const q = float ? undefined : quantOf(r, dtype);
      const x = g.input(dtype, shape, float ? { range: [-4, 4] } : { quant: q });
      const y = g.output(dtype, undefined, q ? { scale: [...q.scale], zeroPoint: [...q.zeroPoint] } : undefined);
      const values = {
        padding,
        strideH: r.int(1, 3),
        strideW: r.int(1, 3),
        filterHeight: filterH,
        filterWidth: filterW,
        fusedActivationFunction: r.pick(ACTIVATIONS),
      };
      g.node(op, [x], [y], { type: 'Pool2DOptions', values }, dtype === 'int16' ? 3 : float ? 1 : 2);
      return g.graph;
    },
  };
}

/** align_corners / half_pixel_centers: the three combinations TFLite accepts. */
const RESIZE_MODES = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: true, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
];

function resize(op: 'RESIZE_BILINEAR' | 'RESIZE_NEAREST_NEIGHBOR', dtype: DType): OpFuzzer {
  const xnnpack = op === 'RESIZE_BILINEAR' && (dtype === 'int8' || dtype === 'uint8');
  return {
    op,
    dtypes: dtype,
    // The oracle's XNNPACK delegate takes 8-bit RESIZE_BILINEAR.
    ...(xnnpack ? { rounding: 'xnnpack' as const } : {}),
    make(r) {
      const shape = [r.dim(3), r.dim(9), r.dim(9), r.dim(5)];
      const scaled = (d: number) => r.pick([d, d * 2, d * 3, Math.max(1, Math.floor(d / 2)), r.int(1, 13)]);
      const size = [scaled(shape[1] as number), scaled(shape[2] as number)];
      const g = new GraphBuilder();
      const float = dtype === 'float32' || dtype === 'int32';
      const q = float ? undefined : quantOf(r, dtype);
      const range: [number, number] = dtype === 'int32' ? [-1000, 1000] : [-4, 4];
      const x = g.input(dtype, shape, float ? { range } : { quant: q });
      const s = g.constant('int32', [2], size);
      const y = g.output(dtype, undefined, q ? { scale: [...q.scale], zeroPoint: [...q.zeroPoint] } : undefined);
      const options = op === 'RESIZE_BILINEAR' ? 'ResizeBilinearOptions' : 'ResizeNearestNeighborOptions';
      const version = op === 'RESIZE_BILINEAR' ? (dtype === 'int16' ? 4 : 3) : dtype === 'int16' ? 4 : 3;
      g.node(op, [x, s], [y], { type: options, values: { ...r.pick(RESIZE_MODES) } }, version);
      return g.graph;
    },
  };
}

export const poolResizeFuzzers: OpFuzzer[] = [
  ...(['AVERAGE_POOL_2D', 'MAX_POOL_2D'] as const).flatMap((op) =>
    (['float32', 'int8', 'uint8', 'int16'] as const).map((t) => pool(op, t)),
  ),
  ...(['float32', 'int8', 'uint8', 'int16'] as const).map((t) => resize('RESIZE_BILINEAR', t)),
  ...(['float32', 'int8', 'uint8', 'int16', 'int32'] as const).map((t) => resize('RESIZE_NEAREST_NEIGHBOR', t)),
];

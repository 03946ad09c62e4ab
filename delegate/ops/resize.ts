// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (shaders/resize.wgsl). The sample positions are the
// CPU prepare's per-row and per-column tables (TFLite's float32 coordinate math), so the GPU
// reads exactly the pixels the CPU reads; here they are only interleaved into vec4 rows.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import {
  type BilinearAxis,
  type BilinearParams,
  type NearestParams,
  RESIZE_INPUTS,
  resizeBilinearKernel,
  resizeNearestNeighborKernel,
} from '../../src/kernels/resize.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';

/** (lo, hi, frac, 0) per output index: out = in[lo] * (1 - frac) + in[hi] * frac. */
function bilinearRows(axis: BilinearAxis): Float32Array {
  const t = new Float32Array(axis.lo.length * 4);
  for (let i = 0; i < axis.lo.length; i++) {
    t[i * 4] = axis.lo[i] as number;
    t[i * 4 + 1] = axis.hi[i] as number;
    t[i * 4 + 2] = axis.frac[i] as number;
  }
  return t;
}

/** (index, 0, 0, 0) per output index. */
function nearestRows(source: Int32Array): Float32Array {
  const t = new Float32Array(source.length * 4);
  for (let i = 0; i < source.length; i++) t[i * 4] = source[i] as number;
  return t;
}

/** The prepared tables as vec4 rows, or null when the float kernel did not prepare the node. */
function tables(node: DelegateNode, bilinear: boolean): { rows: Float32Array; cols: Float32Array } | null {
  if (bilinear) {
    const p = preparedBy<BilinearParams>(node, resizeBilinearKernel);
    return p && { rows: bilinearRows(p.ys), cols: bilinearRows(p.xs) };
  }
  const p = preparedBy<NearestParams>(node, resizeNearestNeighborKernel);
  return p && { rows: nearestRows(p.ys), cols: nearestRows(p.xs) };
}

function resize(bilinear: boolean): OpImpl {
  const kernel = bilinear ? resizeBilinearKernel : resizeNearestNeighborKernel;
  return {
    name: bilinear ? 'resize_bilinear' : 'resize_nearest_neighbor',
    isSupported(node) {
      return preparedBy<unknown>(node, kernel) ? true : 'not prepared by the float32 resize kernel';
    },
    build(node: DelegateNode): NodeProgram {
      const x = node.inputs[RESIZE_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const [, inH, inW] = x.shape as [number, number, number, number];
      const [, outH, outW] = y.shape as [number, number, number, number];
      const { rows, cols } = tables(node, bilinear) as { rows: Float32Array; cols: Float32Array };
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'resize', constants: { BILINEAR: bilinear } },
            bindings: {
              x: { kind: 'tensor', tensor: x },
              rows: { kind: 'raw', data: rows },
              cols: { kind: 'raw', data: cols },
              y: { kind: 'tensor', tensor: y },
            },
            uniforms: { channels: layout.channels, slices: layout.slices, in_h: inH, in_w: inW, out_h: outH, out_w: outW },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const resizeBilinear = resize(true);
export const resizeNearestNeighbor = resize(false);

// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (shaders/resize.wgsl). Sample positions are
// tabulated here per output row and column with TFLite's float32 coordinate math
// (reference_ops::ComputeInterpolationValues, GetNearestNeighbor), so the GPU reads exactly the
// pixels the CPU reads.
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { inputCount, int32Constant, maxVersion, optBool, rankOf } from './common.js';

const f32 = Math.fround;

function scaleOf(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
}

/** (lo, hi, frac, 0) per output index: out = in[lo] * (1 - frac) + in[hi] * frac. */
function bilinearTable(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Float32Array {
  const scale = scaleOf(inSize, outSize, alignCorners);
  const t = new Float32Array(outSize * 4);
  for (let i = 0; i < outSize; i++) {
    const pos = halfPixel ? f32(f32(f32(i + 0.5) * scale) - 0.5) : f32(i * scale);
    const lo = Math.max(Math.floor(pos), 0);
    t[i * 4] = lo;
    t[i * 4 + 1] = Math.min(Math.ceil(pos), inSize - 1);
    t[i * 4 + 2] = f32(pos - lo);
  }
  return t;
}

/** (index, 0, 0, 0) per output index. */
function nearestTable(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Float32Array {
  const scale = scaleOf(inSize, outSize, alignCorners);
  const offset = halfPixel ? 0.5 : 0;
  const t = new Float32Array(outSize * 4);
  for (let i = 0; i < outSize; i++) {
    const pos = f32(f32(i + offset) * scale);
    // TfLiteRound rounds halves away from zero; pos is never negative here.
    let v = Math.min(alignCorners ? Math.round(pos) : Math.floor(pos), inSize - 1);
    if (halfPixel) v = Math.max(0, v);
    t[i * 4] = v;
  }
  return t;
}

function resize(bilinear: boolean): OpImpl {
  return {
    name: bilinear ? 'resize_bilinear' : 'resize_nearest_neighbor',
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const why = maxVersion(node, 4) ?? inputCount(node, 2) ?? rankOf(x, 4, 'input') ?? int32Constant(node.inputs[1] ?? null, 'size');
      if (why) return why;
      if (bilinear && optBool(node, 'alignCorners') && optBool(node, 'halfPixelCenters')) {
        return 'align_corners and half_pixel_centers both set';
      }
      const [n, , , c] = (x as RuntimeTensor).shape as [number, number, number, number];
      const size = Array.from(node.inputs[1]?.data as Int32Array);
      const out = node.outputs[0]?.shape ?? [];
      return out.join() === [n, size[0], size[1], c].join() ? true : `output shape [${out}] differs from [${[n, size[0], size[1], c]}]`;
    },
    build(node: DelegateNode): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const [, inH, inW] = x.shape as [number, number, number, number];
      const [, outH, outW] = y.shape as [number, number, number, number];
      const align = optBool(node, 'alignCorners');
      const half = optBool(node, 'halfPixelCenters');
      const table = bilinear ? bilinearTable : nearestTable;
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'resize', constants: { BILINEAR: bilinear } },
            bindings: {
              x: { kind: 'tensor', tensor: x },
              rows: { kind: 'raw', data: table(inH, outH, align, half) },
              cols: { kind: 'raw', data: table(inW, outW, align, half) },
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

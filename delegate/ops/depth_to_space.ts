// DEPTH_TO_SPACE and SPACE_TO_DEPTH on NHWC (shaders/depth_to_space.wgsl).
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { inputCount, maxVersion, opt, positive, rankOf } from './common.js';

function blockOp(spaceToDepth: boolean): OpImpl {
  return {
    name: spaceToDepth ? 'space_to_depth' : 'depth_to_space',
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const why = maxVersion(node, 2) ?? inputCount(node, 1) ?? rankOf(x, 4, 'input') ?? positive(node, 'blockSize');
      if (why) return why;
      const b = opt(node, 'blockSize', 1);
      const [n, h, w, c] = (x as RuntimeTensor).shape as [number, number, number, number];
      if (spaceToDepth ? h % b !== 0 || w % b !== 0 : c % (b * b) !== 0)
        return `block size ${b} does not divide the input shape [${[n, h, w, c]}]`;
      const expected = spaceToDepth ? [n, h / b, w / b, c * b * b] : [n, h * b, w * b, c / (b * b)];
      const out = node.outputs[0]?.shape ?? [];
      return out.join() === expected.join() ? true : `output shape [${out}] differs from [${expected}]`;
    },
    build(node): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const [, inH, inW, inC] = x.shape as [number, number, number, number];
      const [, outH, outW, outC] = y.shape as [number, number, number, number];
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'depth_to_space', constants: { SPACE_TO_DEPTH: spaceToDepth } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: {
              block: opt(node, 'blockSize', 1),
              in_h: inH,
              in_w: inW,
              in_c: inC,
              in_slices: Math.ceil(inC / 4),
              out_h: outH,
              out_w: outW,
              out_c: outC,
              out_slices: layout.slices,
            },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const depthToSpace = blockOp(false);
export const spaceToDepth = blockOp(true);

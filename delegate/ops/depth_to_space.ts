// DEPTH_TO_SPACE and SPACE_TO_DEPTH on NHWC (shaders/depth_to_space.wgsl).
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type BlockParams, depthToSpaceKernel, SPACE_DEPTH_INPUTS, spaceToDepthKernel } from '../../src/kernels/space_depth.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';

function blockOp(spaceToDepth: boolean): OpImpl {
  const kernel = spaceToDepth ? spaceToDepthKernel : depthToSpaceKernel;
  const prepared = (node: DelegateNode) => preparedBy<BlockParams>(node, kernel);
  return {
    name: spaceToDepth ? 'space_to_depth' : 'depth_to_space',
    isSupported(node) {
      // The prepare checked the block size against the NHWC input and sized the output.
      return prepared(node) ? true : `not prepared by the ${spaceToDepth ? 'SPACE_TO_DEPTH' : 'DEPTH_TO_SPACE'} kernel`;
    },
    build(node): NodeProgram {
      const x = node.inputs[SPACE_DEPTH_INPUTS.input] as RuntimeTensor;
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
              block: (prepared(node) as BlockParams).block,
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

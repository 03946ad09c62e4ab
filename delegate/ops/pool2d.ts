// MAX_POOL_2D and AVERAGE_POOL_2D (shaders/pool2d.wgsl).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { computeOutSize, computePadding } from '../../src/kernels/util.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { fusedActivation, fusedActivationProblem, inputCount, maxVersion, opt, positive, rankOf } from './common.js';

function pool(isMax: boolean): OpImpl {
  return {
    name: isMax ? 'max_pool2d' : 'average_pool2d',
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const why =
        maxVersion(node, 3) ??
        inputCount(node, 1) ??
        rankOf(x, 4, 'input') ??
        fusedActivationProblem(node) ??
        positive(node, 'strideH', 'strideW', 'filterHeight', 'filterWidth');
      if (why) return why;
      const padding = opt(node, 'padding', 0);
      if (padding !== 0 && padding !== 1) return `padding ${padding} is neither SAME nor VALID`;
      const [n, h, w, c] = (x as RuntimeTensor).shape as [number, number, number, number];
      const outH = computeOutSize(padding, h, opt(node, 'filterHeight', 1), opt(node, 'strideH', 1));
      const outW = computeOutSize(padding, w, opt(node, 'filterWidth', 1), opt(node, 'strideW', 1));
      const out = node.outputs[0]?.shape ?? [];
      return out.join() === [n, outH, outW, c].join() ? true : `output shape [${out}] differs from the computed [${[n, outH, outW, c]}]`;
    },
    build(node: DelegateNode): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const [, inH, inW] = x.shape as [number, number, number, number];
      const [, outH, outW] = y.shape as [number, number, number, number];
      const filterH = opt(node, 'filterHeight', 1);
      const filterW = opt(node, 'filterWidth', 1);
      const strideH = opt(node, 'strideH', 1);
      const strideW = opt(node, 'strideW', 1);
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            // TFLite's float pooling clamps to +-FLT_MAX without an activation.
            shader: { template: 'pool2d', constants: { ACTIVATION: fusedActivation(node, 'ACT_FINITE'), IS_MAX: isMax } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: {
              channels: layout.channels,
              slices: layout.slices,
              in_h: inH,
              in_w: inW,
              out_h: outH,
              out_w: outW,
              filter_h: filterH,
              filter_w: filterW,
              stride_h: strideH,
              stride_w: strideW,
              pad_top: computePadding(strideH, 1, inH, filterH, outH),
              pad_left: computePadding(strideW, 1, inW, filterW, outW),
            },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const maxPool2d = pool(true);
export const averagePool2d = pool(false);

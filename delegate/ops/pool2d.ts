// MAX_POOL_2D and AVERAGE_POOL_2D (shaders/pool2d.wgsl).
import type { DelegateNode } from '../../src/interpreter/delegate.js';
import { type PoolWindow, parsePool2DOptions, poolWindow } from '../../src/kernels/conv_geometry.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import {
  fusedActivation,
  fusedActivationProblem,
  inputCount,
  kernelContext,
  kernelProblem,
  maxVersion,
  outputShapeProblem,
  positive,
  rankOf,
} from './common.js';

/** The CPU prepare's pooling window (options, output size, padding). */
function geometry(node: DelegateNode): PoolWindow {
  const [, inH, inW] = (node.inputs[0] as RuntimeTensor).shape as [number, number, number, number];
  return poolWindow(parsePool2DOptions(kernelContext(node)), inH, inW);
}

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
        positive(node, 'strideH', 'strideW', 'filterHeight', 'filterWidth') ??
        kernelProblem(() => geometry(node));
      if (why) return why;
      const [n, , , c] = (x as RuntimeTensor).shape as [number, number, number, number];
      const g = geometry(node);
      return outputShapeProblem(node, [n, g.outH, g.outW, c]) ?? true;
    },
    build(node: DelegateNode): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const [, inH, inW] = x.shape as [number, number, number, number];
      const { outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft } = geometry(node);
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
              pad_top: padTop,
              pad_left: padLeft,
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

// MAX_POOL_2D and AVERAGE_POOL_2D (shaders/pool2d.wgsl), from the CPU prepare's window.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { averagePool2dKernel, maxPool2dKernel, POOL_INPUTS, type PoolParams } from '../../src/kernels/pooling.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { activationConstant } from './common.js';

function pool(isMax: boolean): OpImpl {
  const kernel = isMax ? maxPool2dKernel : averagePool2dKernel;
  const prepared = (node: DelegateNode) => preparedBy<PoolParams>(node, kernel);
  return {
    name: isMax ? 'max_pool2d' : 'average_pool2d',
    isSupported(node) {
      // The float kernel's prepare checked the shapes, options and activation (TANH and SIGN_BIT fail there).
      return prepared(node) ? true : 'not prepared by the float32 pooling kernel';
    },
    build(node: DelegateNode): NodeProgram {
      const p = prepared(node) as PoolParams;
      const x = node.inputs[POOL_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'pool2d', constants: { ACTIVATION: activationConstant(p.activation, 'ACT_FINITE'), IS_MAX: isMax } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: poolWindowUniforms(p, layout),
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const maxPool2d = pool(true);
export const averagePool2d = pool(false);

/** The window of a prepared pool (float or integer) as the pool shaders' uniforms. */
export function poolWindowUniforms(
  p: Readonly<Record<'inH' | 'inW' | 'outH' | 'outW' | 'filterH' | 'filterW' | 'strideH' | 'strideW' | 'padTop' | 'padLeft', number>>,
  layout: { readonly channels: number; readonly slices: number },
) {
  return {
    channels: layout.channels,
    slices: layout.slices,
    in_h: p.inH,
    in_w: p.inW,
    out_h: p.outH,
    out_w: p.outW,
    filter_h: p.filterH,
    filter_w: p.filterW,
    stride_h: p.strideH,
    stride_w: p.strideW,
    pad_top: p.padTop,
    pad_left: p.padLeft,
  };
}

// Integer MAX_POOL_2D and AVERAGE_POOL_2D on int8 / uint8 / int16 (shaders/pool2d_int.wgsl), from
// the integer CPU prepare's window and activation range.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { POOL_INPUTS } from '../../src/kernels/pooling.js';
import { averagePool2dIntKernel, maxPool2dIntKernel, type PoolIntParams } from '../../src/kernels/pooling_int.js';
import { sliceLayout } from '../layout.js';
import { type IntStorage, integerStorage } from '../plan/precision.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { intSliceConstants, QUANTIZED_8_16, sameIntegerType } from './int_slice.js';
import { poolWindowUniforms } from './pool2d.js';

function poolInt(isMax: boolean): OpImpl {
  const kernel = isMax ? maxPool2dIntKernel : averagePool2dIntKernel;
  const prepared = (node: DelegateNode) => preparedBy<PoolIntParams>(node, kernel);
  return {
    name: isMax ? 'max_pool2d_int' : 'average_pool2d_int',
    integer: true,
    isSupported(node) {
      // The integer prepare checked the shapes, the shared quantization and the activation.
      if (!prepared(node)) return 'not prepared by the integer pooling kernel';
      return sameIntegerType([node.inputs[POOL_INPUTS.input], node.outputs[0]], QUANTIZED_8_16) ?? true;
    },
    build(node: DelegateNode): NodeProgram {
      const p = prepared(node) as PoolIntParams;
      const x = node.inputs[POOL_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(y.shape);
      const storage = integerStorage(x.dtype) as IntStorage;
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'pool2d_int', constants: { ...intSliceConstants(storage), IS_MAX: isMax } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { ...poolWindowUniforms(p, layout), lo: p.lo, hi: p.hi },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const maxPool2dInt = poolInt(true);
export const averagePool2dInt = poolInt(false);

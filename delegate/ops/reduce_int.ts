// Integer MEAN on int8 / uint8 / int16 (shaders/reduce_int.wgsl): the float builder's walk
// (reduceGeometry) and the integer CPU prepare's final step. The prepare's 'float' step (int16,
// or axes other than the spatial ones with differing quantization) divides in f32, which WGSL
// does not round correctly (2.5 ULP), so those nodes stay on the CPU.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { REDUCE_INPUTS } from '../../src/kernels/reduce.js';
import { type MeanIntParams, meanIntKernel } from '../../src/kernels/reduce_int.js';
import { type IntStorage, integerStorage } from '../plan/precision.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { intSliceConstants, QUANTIZED_8_16, sameIntegerType } from './int_slice.js';
import { reduceGeometry } from './reduce.js';

const MAX_RANK = 6;

const MODES: Record<MeanIntParams['mode'], string | null> = {
  fixed: 'MODE_FIXED',
  trunc: 'MODE_TRUNC',
  xnnpack: 'MODE_XNNPACK',
  float: null,
};

const prepared = (node: DelegateNode) => preparedBy<MeanIntParams>(node, meanIntKernel);

export const meanInt: OpImpl = {
  name: 'mean_int',
  integer: true,
  isSupported(node) {
    // The prepare resolved the constant axes, sized the output and chose the final step.
    const p = prepared(node);
    if (!p) return 'not prepared by the integer MEAN kernel';
    const why = sameIntegerType([node.inputs[REDUCE_INPUTS.input], node.outputs[0]], QUANTIZED_8_16);
    if (why) return why;
    if (!MODES[p.mode]) return "the CPU's float32 mean (a division WGSL does not round correctly) is not reproduced on the GPU";
    if (p.inTotal === 0 || p.outTotal === 0) return 'an empty input or output';
    const rank = (node.inputs[REDUCE_INPUTS.input] as RuntimeTensor).shape.length;
    return rank >= 1 && rank <= MAX_RANK ? true : `rank ${rank} is not in 1..${MAX_RANK}`;
  },
  build(node): NodeProgram {
    const p = prepared(node) as MeanIntParams;
    const x = node.inputs[REDUCE_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const g = reduceGeometry(x, y, p.reduced);
    const storage = integerStorage(x.dtype) as IntStorage;
    return {
      kind: 'dispatch',
      dispatches: [
        {
          shader: { template: 'reduce_int', constants: { ...intSliceConstants(storage), MODE: MODES[p.mode] as string, ...g.constants } },
          bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
          uniforms: {
            ...g.uniforms,
            subtract: p.subtract,
            multiplier: p.multiplier,
            shift: p.shift,
            scale: p.scale,
            add: p.add,
            lo: p.lo,
            hi: p.hi,
          },
          invocations: g.invocations,
        },
      ],
    };
  },
};

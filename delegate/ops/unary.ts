// Elementwise unary ops and standalone activations (shaders/unary.wgsl).
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { float32, inputCount, maxVersion, opt, optBool } from './common.js';

/** One implementation per op: the shader's OP constant (or a choice by options) and the newest version. */
function unaryOp(op: string, max: number, opConst: string | ((node: Parameters<OpImpl['build']>[0]) => string)): OpImpl {
  return {
    name: `unary_${op.toLowerCase()}`,
    isSupported(node) {
      const x = node.inputs[0] ?? null;
      const y = node.outputs[0];
      const why = maxVersion(node, max) ?? inputCount(node, 1) ?? float32(x, 'input');
      if (why) return why;
      if (!y || y.shape.join() !== (x as RuntimeTensor).shape.join()) return `output shape [${y?.shape}] differs from the input's`;
      return true;
    },
    build(node): NodeProgram {
      const x = node.inputs[0] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'unary', constants: { OP: typeof opConst === 'string' ? opConst : opConst(node) } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { channels: layout.channels, slices: layout.slices, alpha: opt(node, 'alpha', 0) },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

export const relu = unaryOp('RELU', 3, 'OP_RELU');
export const relu6 = unaryOp('RELU6', 3, 'OP_RELU6');
export const reluN1To1 = unaryOp('RELU_N1_TO_1', 2, 'OP_RELU_N1_TO_1');
export const relu0To1 = unaryOp('RELU_0_TO_1', 2, 'OP_RELU_0_TO_1');
export const logistic = unaryOp('LOGISTIC', 3, 'OP_LOGISTIC');
// TANH, SIN, COS, GELU are the shader's own functions, not WGSL's builtins (which promise little:
// sin / cos 2^-11 absolute on [-pi, pi] only, tanh losing small |x|): measured against f64 on
// SwiftShader, TANH, SIN and COS are within 2e-7 relative for every finite f32 (SIN / COS reduce
// the argument exactly, so 1e30 works too). GELU is TFLite's own float32 arithmetic (Eigen's fast
// erf / tanh, as the CPU kernel), so its cancelling negative tail matches TFLite's, not the exact
// value (a GPU that fuses multiply-adds can still move those tail bits).
export const tanh = unaryOp('TANH', 3, 'OP_TANH');
export const hardSwish = unaryOp('HARD_SWISH', 1, 'OP_HARD_SWISH');
export const leakyRelu = unaryOp('LEAKY_RELU', 2, 'OP_LEAKY_RELU');
export const elu = unaryOp('ELU', 1, 'OP_ELU');
export const exp = unaryOp('EXP', 2, 'OP_EXP');
export const log = unaryOp('LOG', 2, 'OP_LOG');
export const sqrt = unaryOp('SQRT', 2, 'OP_SQRT');
export const rsqrt = unaryOp('RSQRT', 3, 'OP_RSQRT');
export const square = unaryOp('SQUARE', 1, 'OP_SQUARE');
export const abs = unaryOp('ABS', 5, 'OP_ABS');
export const neg = unaryOp('NEG', 2, 'OP_NEG');
export const sin = unaryOp('SIN', 1, 'OP_SIN');
export const cos = unaryOp('COS', 1, 'OP_COS');
export const floor = unaryOp('FLOOR', 1, 'OP_FLOOR');
export const ceil = unaryOp('CEIL', 1, 'OP_CEIL');
export const round = unaryOp('ROUND', 1, 'OP_ROUND');
export const sign = unaryOp('SIGN', 2, 'OP_SIGN');
export const gelu = unaryOp('GELU', 2, (node) => (optBool(node, 'approximate') ? 'OP_GELU_TANH' : 'OP_GELU'));

// Elementwise unary ops and standalone activations (shaders/unary.wgsl). The options (LEAKY_RELU's
// alpha, GELU's approximate) come from the CPU kernels' prepare.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import {
  eluKernel,
  geluKernel,
  hardSwishKernel,
  leakyReluKernel,
  logisticKernel,
  relu0To1Kernel,
  relu6Kernel,
  reluKernel,
  reluN1To1Kernel,
  tanhKernel,
} from '../../src/kernels/activations.js';
import type { Kernel, RuntimeTensor } from '../../src/kernels/kernel.js';
import {
  absKernel,
  ceilKernel,
  cosKernel,
  expKernel,
  floorKernel,
  logKernel,
  negKernel,
  roundKernel,
  rsqrtKernel,
  signKernel,
  sinKernel,
  sqrtKernel,
  squareKernel,
  UNARY_INPUTS,
  type UnaryParams,
} from '../../src/kernels/unary.js';
import { sliceLayout } from '../layout.js';
import type { NodeProgram, OpImpl } from '../program.js';
import { float32, inputCount } from './common.js';

/** The shader's OP constant and its alpha uniform, from the CPU kernel's params. */
interface Shader {
  op: string;
  alpha: number;
}

function unaryOp<P>(name: string, kernel: Kernel<P>, shader: (p: P) => Shader): OpImpl {
  const prepared = (node: DelegateNode): P | null => preparedBy(node, kernel);
  return {
    name: `unary_${name.toLowerCase()}`,
    isSupported(node) {
      const why = inputCount(node, 1) ?? float32(node.inputs[UNARY_INPUTS.input] ?? null, 'input');
      if (why) return why;
      return prepared(node) === null ? 'not prepared by the float32 kernel' : true;
    },
    build(node): NodeProgram {
      const { op, alpha } = shader(prepared(node) as P);
      const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
      const y = node.outputs[0] as RuntimeTensor;
      const layout = sliceLayout(y.shape);
      return {
        kind: 'dispatch',
        dispatches: [
          {
            shader: { template: 'unary', constants: { OP: op } },
            bindings: { x: { kind: 'tensor', tensor: x }, y: { kind: 'tensor', tensor: y } },
            uniforms: { channels: layout.channels, slices: layout.slices, alpha },
            invocations: layout.sliceCount,
          },
        ],
      };
    },
  };
}

/** An op without options: one shader constant. */
function plain(name: string, kernel: Kernel<UnaryParams>): OpImpl {
  return unaryOp(name, kernel, () => ({ op: `OP_${name}`, alpha: 0 }));
}

export const relu = plain('RELU', reluKernel);
export const relu6 = plain('RELU6', relu6Kernel);
export const reluN1To1 = plain('RELU_N1_TO_1', reluN1To1Kernel);
export const relu0To1 = plain('RELU_0_TO_1', relu0To1Kernel);
export const logistic = plain('LOGISTIC', logisticKernel);
// TANH, SIN, COS, GELU are the shader's own functions, not WGSL's builtins (which promise little:
// sin / cos 2^-11 absolute on [-pi, pi] only, tanh losing small |x|): measured against f64 on
// SwiftShader, TANH, SIN and COS are within 2e-7 relative for every finite f32 (SIN / COS reduce
// the argument exactly, so 1e30 works too). GELU is TFLite's own float32 arithmetic (Eigen's fast
// erf / tanh, as the CPU kernel), so its cancelling negative tail matches TFLite's, not the exact
// value (a GPU that fuses multiply-adds can still move those tail bits).
export const tanh = plain('TANH', tanhKernel);
export const hardSwish = plain('HARD_SWISH', hardSwishKernel);
export const leakyRelu = unaryOp('LEAKY_RELU', leakyReluKernel, (p) => ({ op: 'OP_LEAKY_RELU', alpha: p.alpha }));
export const elu = plain('ELU', eluKernel);
export const exp = plain('EXP', expKernel);
export const log = plain('LOG', logKernel);
export const sqrt = plain('SQRT', sqrtKernel);
export const rsqrt = plain('RSQRT', rsqrtKernel);
export const square = plain('SQUARE', squareKernel);
export const abs = plain('ABS', absKernel);
export const neg = plain('NEG', negKernel);
export const sin = plain('SIN', sinKernel);
export const cos = plain('COS', cosKernel);
export const floor = plain('FLOOR', floorKernel);
export const ceil = plain('CEIL', ceilKernel);
export const round = plain('ROUND', roundKernel);
export const sign = plain('SIGN', signKernel);
export const gelu = unaryOp('GELU', geluKernel, (p) => ({ op: p.approximate ? 'OP_GELU_TANH' : 'OP_GELU', alpha: 0 }));

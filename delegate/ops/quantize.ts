// QUANTIZE and DEQUANTIZE with integer activations (shaders/quantize.wgsl): float -> int8 / uint8 /
// int16, integer -> integer requantization and int8 / uint8 / int16 -> float, from the CPU
// prepare's params (src/kernels/quantize.ts, src/kernels/dequantize.ts): scales, zero points,
// clamps, tables and multipliers as it computed them.
import { type DelegateNode, preparedBy } from '../../src/interpreter/delegate.js';
import { type DequantizeParams, dequantizeKernel } from '../../src/kernels/dequantize.js';
import type { RuntimeTensor } from '../../src/kernels/kernel.js';
import { type QuantizeParams, quantizeKernel } from '../../src/kernels/quantize.js';
import { UNARY_INPUTS } from '../../src/kernels/unary.js';
import { sliceLayout } from '../layout.js';
import type { DispatchSpec, NodeProgram, OpImpl } from '../program.js';
import { inputCount } from './common.js';
import { elementConstant } from './int_slice.js';

/** The shader's element constant of a QUANTIZE / DEQUANTIZE side: an integer type, or float. */
const elementOf = (dtype: string): string | undefined => elementConstant(dtype) ?? (dtype === 'float32' ? 'ELEM_FLOAT' : undefined);

/** The smallest normal float32. */
const MIN_NORMAL = 2 ** -126;

/** Every uniform of the shader's Params at 0, for the entry points that leave some unused. */
const NO_PARAMS = {
  zero_point: 0,
  out_zero_point: 0,
  lo: 0,
  hi: 0,
  scale: 0,
  multiplier: 0,
  shift: 0,
  table_offset: 0,
  inner: 1,
  channel_count: 1,
};

const NO_TABLE = new Int32Array(4);

function dispatch(
  entryPoint: 'quantize' | 'requantize' | 'dequantize',
  mode: string,
  x: RuntimeTensor,
  y: RuntimeTensor,
  uniforms: Partial<typeof NO_PARAMS>,
  table: Int32Array,
): DispatchSpec {
  const layout = sliceLayout(y.shape);
  const xName = entryPoint === 'quantize' ? 'x_float' : 'x_int';
  const yName = entryPoint === 'dequantize' ? 'y_float' : 'y_int';
  return {
    shader: {
      template: 'quantize',
      entryPoint,
      constants: { IN_ELEMENT: elementOf(x.dtype) as string, OUT_ELEMENT: elementOf(y.dtype) as string, MODE: mode },
    },
    bindings: {
      [xName]: { kind: 'tensor', tensor: x },
      [yName]: { kind: 'tensor', tensor: y },
      ...(entryPoint === 'quantize' ? {} : { table: { kind: 'raw', data: table } }),
    },
    uniforms: { channels: layout.channels, slices: layout.slices, ...NO_PARAMS, ...uniforms },
    invocations: layout.sliceCount,
  };
}

function quantizeUnsupported(p: QuantizeParams, x: RuntimeTensor): string | null {
  switch (p.mode) {
    case 'tensor':
    case 'xnnpack': {
      const scale = p.mode === 'tensor' ? p.scale : p.invScale;
      if (!(scale >= MIN_NORMAL && scale < Number.POSITIVE_INFINITY)) return `scale ${scale} is not a positive normal float`;
      return x.dtype === 'float32' ? null : `input dtype ${x.dtype} is not float32`;
    }
    case 'channel':
      // PerChannelQuantize rounds a correctly rounded float32 quotient, which WGSL's division is not.
      return 'per-channel quantization is not supported on the GPU';
    case 'table':
      return null;
    case 'requantize':
      return p.shift < -31 || p.shift > 31 ? `requantize shift ${p.shift} is out of [-31, 31]` : null;
  }
}

export const quantizeInt: OpImpl = {
  name: 'quantize_int',
  integer: true,
  isSupported(node: DelegateNode) {
    const why = inputCount(node, 1);
    if (why) return why;
    const p = preparedBy(node, quantizeKernel);
    if (!p) return 'not prepared by the QUANTIZE kernel';
    const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    if (!elementOf(x.dtype) || !elementOf(y.dtype) || y.dtype === 'float32') return `QUANTIZE ${x.dtype} -> ${y.dtype} is not supported`;
    return quantizeUnsupported(p, x) ?? true;
  },
  build(node): NodeProgram {
    const p = preparedBy(node, quantizeKernel) as QuantizeParams;
    const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    let spec: DispatchSpec;
    switch (p.mode) {
      case 'tensor':
        spec = dispatch('quantize', 'QUANTIZE_TENSOR', x, y, { scale: p.scale, zero_point: p.zeroPoint, lo: p.lo, hi: p.hi }, NO_TABLE);
        break;
      case 'xnnpack':
        spec = dispatch('quantize', 'QUANTIZE_XNNPACK', x, y, { scale: p.invScale, zero_point: p.zeroPoint, lo: p.lo, hi: p.hi }, NO_TABLE);
        break;
      case 'table':
        spec = dispatch('requantize', 'REQUANTIZE_TABLE', x, y, { table_offset: p.offset }, p.table);
        break;
      case 'requantize':
        spec = dispatch(
          'requantize',
          'REQUANTIZE_INT32',
          x,
          y,
          { multiplier: p.multiplier, shift: p.shift, zero_point: p.inZeroPoint, out_zero_point: p.outZeroPoint, lo: p.lo, hi: p.hi },
          NO_TABLE,
        );
        break;
      case 'channel':
        throw new Error('per-channel QUANTIZE is not supported on the GPU');
    }
    return { kind: 'dispatch', dispatches: [spec] };
  },
};

/** (scale bits, zero point) per channel. */
function channelTable(scales: readonly number[], zeroPoints: readonly number[]): Int32Array {
  const table = new Int32Array(scales.length * 2);
  const bits = new Float32Array(table.buffer);
  scales.forEach((s, c) => {
    bits[2 * c] = s;
    table[2 * c + 1] = zeroPoints[c] ?? 0;
  });
  return table;
}

export const dequantizeInt: OpImpl = {
  name: 'dequantize_int',
  integer: true,
  isSupported(node: DelegateNode) {
    const why = inputCount(node, 1);
    if (why) return why;
    const p = preparedBy(node, dequantizeKernel);
    if (!p) return 'not prepared by the DEQUANTIZE kernel';
    const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
    if (p.mode === 'half' || !['int8', 'uint8', 'int16'].includes(x.dtype)) return `DEQUANTIZE of ${x.dtype} is not supported`;
    return true;
  },
  build(node): NodeProgram {
    const p = preparedBy(node, dequantizeKernel) as Exclude<DequantizeParams, { mode: 'half' }>;
    const x = node.inputs[UNARY_INPUTS.input] as RuntimeTensor;
    const y = node.outputs[0] as RuntimeTensor;
    const spec =
      p.mode === 'tensor'
        ? dispatch('dequantize', 'DEQUANTIZE_TENSOR', x, y, { scale: p.scale, zero_point: p.zeroPoint }, NO_TABLE)
        : dispatch(
            'dequantize',
            'DEQUANTIZE_CHANNEL',
            x,
            y,
            { inner: p.inner, channel_count: p.channels },
            channelTable(p.scales, p.zeroPoints),
          );
    return { kind: 'dispatch', dispatches: [spec] };
  },
};

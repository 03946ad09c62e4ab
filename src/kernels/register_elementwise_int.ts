// Integer (quantized) elementwise, activation, softmax, pooling, reduction, resize, arg-min/max and
// quantize kernels, bit-exact with TFLite's builtin kernels. Versions as
// tensorflow/lite/core/kernels/register.cc.
import {
  eluIntKernel,
  geluIntKernel,
  hardSwishIntKernel,
  leakyReluIntKernel,
  logisticIntKernel,
  preluIntKernel,
  relu0To1IntKernel,
  relu6IntKernel,
  reluIntKernel,
  reluN1To1IntKernel,
  tanhIntKernel,
} from './activations_int.js';
import { argMaxKernel, argMinKernel } from './arg_minmax.js';
import { maximumKernel, minimumKernel } from './binary.js';
import { addIntKernel, divIntKernel, mulInt16ToInt8Kernel, mulIntKernel, squaredDifferenceIntKernel, subIntKernel } from './binary_int.js';
import { type KernelRegistration, reg } from './kernel.js';
import { averagePool2dIntKernel, maxPool2dIntKernel } from './pooling_int.js';
import { quantizeKernel } from './quantize.js';
import { meanIntKernel } from './reduce_int.js';
import { resizeBilinearIntKernel } from './resize_int.js';
import { softmaxIntKernel } from './softmax_int.js';
import { absIntKernel, rsqrtIntKernel } from './unary.js';

const QTYPES = ['int8', 'uint8', 'int16'] as const;
const BYTE_TYPES = ['int8', 'uint8'] as const;

export const elementwiseIntKernels: KernelRegistration[] = [
  // Binary arithmetic with broadcasting (same dtype in and out).
  ...QTYPES.map((t) => reg('ADD', [1, 6], `${t},${t}`, addIntKernel, t)),
  ...QTYPES.map((t) => reg('SUB', [1, 5], `${t},${t}`, subIntKernel, t)),
  ...QTYPES.map((t) => reg('MUL', [1, 8], `${t},${t}`, mulIntKernel, t)),
  reg('MUL', [1, 8], 'int16,int16', mulInt16ToInt8Kernel, 'int8'),
  // Raw-integer comparisons (maximum_minimum.cc), and int8 SQUARED_DIFFERENCE (v2).
  ...QTYPES.map((t) => reg('MAXIMUM', [1, 4], `${t},${t}`, maximumKernel, t)),
  ...QTYPES.map((t) => reg('MINIMUM', [1, 4], `${t},${t}`, minimumKernel, t)),
  reg('SQUARED_DIFFERENCE', [1, 2], 'int8,int8', squaredDifferenceIntKernel, 'int8'),
  reg('DIV', [1, 2], 'uint8,uint8', divIntKernel, 'uint8'),

  // Unary math (elementwise.cc): ABS int8 (v3+) / int16 (v4+), RSQRT int8 (v2+).
  reg('ABS', [1, 5], 'int8', absIntKernel),
  reg('ABS', [1, 5], 'int16', absIntKernel),
  reg('RSQRT', [1, 3], 'int8', rsqrtIntKernel),

  // Activations.
  ...QTYPES.map((t) => reg('LOGISTIC', [1, 3], t, logisticIntKernel)),
  ...QTYPES.map((t) => reg('TANH', [1, 3], t, tanhIntKernel)),
  ...QTYPES.map((t) => reg('LEAKY_RELU', [1, 2], t, leakyReluIntKernel)),
  ...BYTE_TYPES.map((t) => reg('HARD_SWISH', [1, 1], t, hardSwishIntKernel)),
  ...BYTE_TYPES.map((t) => reg('PRELU', [1, 1], `${t},${t}`, preluIntKernel, t)),
  reg('ELU', [1, 1], 'int8', eluIntKernel),
  ...BYTE_TYPES.map((t) => reg('GELU', [1, 2], t, geluIntKernel)),
  ...QTYPES.map((t) => reg('RELU', [1, 3], t, reluIntKernel)),
  ...QTYPES.map((t) => reg('RELU6', [1, 3], t, relu6IntKernel)),
  ...BYTE_TYPES.map((t) => reg('RELU_N1_TO_1', [1, 1], t, reluN1To1IntKernel)),
  ...BYTE_TYPES.map((t) => reg('RELU_0_TO_1', [1, 1], t, relu0To1IntKernel)),
  ...QTYPES.map((t) => reg('SOFTMAX', [1, 4], t, softmaxIntKernel)),

  // Pooling, reduction, resize.
  ...QTYPES.map((t) => reg('AVERAGE_POOL_2D', [1, 3], t, averagePool2dIntKernel)),
  ...QTYPES.map((t) => reg('MAX_POOL_2D', [1, 3], t, maxPool2dIntKernel)),
  ...QTYPES.map((t) => reg('MEAN', [1, 3], `${t},*`, meanIntKernel)),
  ...QTYPES.map((t) => reg('RESIZE_BILINEAR', [1, 4], `${t},int32`, resizeBilinearIntKernel)),

  // Index of the largest / smallest value along an axis (any numeric input).
  reg('ARG_MAX', [1, 3], '*', argMaxKernel),
  reg('ARG_MIN', [1, 3], '*', argMinKernel),

  // Float -> integer quantization and integer requantization.
  ...['float32', 'int8', 'uint8', 'int16', 'int32'].map((t) => reg('QUANTIZE', [1, 6], t, quantizeKernel)),
];

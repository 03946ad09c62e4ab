// Elementwise, activation, softmax, reduction, pooling, select, cast, dequantize and densify kernels.
// Version ranges follow tensorflow/lite/core/kernels/register.cc (float semantics do not change
// across those versions; quantized variants are registered elsewhere by dtype).
import {
  eluKernel,
  geluKernel,
  hardSwishKernel,
  leakyReluKernel,
  logisticKernel,
  preluKernel,
  relu0To1Kernel,
  relu6Kernel,
  reluKernel,
  reluN1To1Kernel,
  tanhKernel,
} from './activations.js';
import {
  addKernel,
  divKernel,
  floorDivKernel,
  floorModKernel,
  maximumKernel,
  minimumKernel,
  mulKernel,
  squaredDifferenceKernel,
  subKernel,
} from './binary.js';
import { castKernel } from './cast.js';
import { densifyKernel } from './densify.js';
import { dequantizeKernel } from './dequantize.js';
import { type KernelRegistration, reg } from './kernel.js';
import { averagePool2dKernel, maxPool2dKernel } from './pooling.js';
import { meanKernel, reduceMaxKernel, reduceMinKernel, reduceProdKernel, sumKernel } from './reduce.js';
import { selectKernelV1, selectV2Kernel } from './select.js';
import { logSoftmaxKernel, softmaxKernel } from './softmax.js';
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
} from './unary.js';

export const elementwiseKernels: KernelRegistration[] = [
  // Binary arithmetic with broadcasting.
  reg('ADD', [1, 5], 'float32,float32', addKernel),
  reg('ADD', [1, 5], 'int32,int32', addKernel),
  reg('SUB', [1, 5], 'float32,float32', subKernel),
  reg('SUB', [1, 5], 'int32,int32', subKernel),
  reg('MUL', [1, 7], 'float32,float32', mulKernel),
  reg('MUL', [1, 7], 'int32,int32', mulKernel),
  reg('DIV', [1, 2], 'float32,float32', divKernel),
  reg('DIV', [1, 2], 'int32,int32', divKernel),
  reg('MAXIMUM', [1, 4], 'float32,float32', maximumKernel),
  reg('MAXIMUM', [1, 4], 'int32,int32', maximumKernel),
  reg('MINIMUM', [1, 4], 'float32,float32', minimumKernel),
  reg('MINIMUM', [1, 4], 'int32,int32', minimumKernel),
  reg('SQUARED_DIFFERENCE', [1, 2], 'float32,float32', squaredDifferenceKernel),
  reg('SQUARED_DIFFERENCE', [1, 2], 'int32,int32', squaredDifferenceKernel),
  reg('FLOOR_DIV', [1, 3], 'float32,float32', floorDivKernel),
  reg('FLOOR_DIV', [1, 3], 'int32,int32', floorDivKernel),
  reg('FLOOR_MOD', [1, 2], 'float32,float32', floorModKernel),
  reg('FLOOR_MOD', [1, 2], 'int32,int32', floorModKernel),

  // Unary math.
  reg('ABS', [1, 5], 'float32', absKernel),
  reg('ABS', [1, 5], 'int32', absKernel),
  reg('NEG', [1, 2], 'float32', negKernel),
  reg('NEG', [1, 2], 'int32', negKernel),
  reg('SIGN', [1, 2], 'float32', signKernel),
  reg('SIGN', [1, 2], 'int32', signKernel),
  reg('SQUARE', [1, 1], 'float32', squareKernel),
  reg('SQRT', [1, 1], 'float32', sqrtKernel),
  reg('RSQRT', [1, 3], 'float32', rsqrtKernel),
  reg('EXP', [1, 2], 'float32', expKernel),
  reg('LOG', [1, 2], 'float32', logKernel),
  reg('SIN', [1, 1], 'float32', sinKernel),
  reg('COS', [1, 1], 'float32', cosKernel),
  reg('FLOOR', [1, 1], 'float32', floorKernel),
  reg('CEIL', [1, 1], 'float32', ceilKernel),
  reg('ROUND', [1, 1], 'float32', roundKernel),

  // Activations.
  reg('LOGISTIC', [1, 3], 'float32', logisticKernel),
  reg('TANH', [1, 3], 'float32', tanhKernel),
  reg('RELU', [1, 3], 'float32', reluKernel),
  reg('RELU6', [1, 3], 'float32', relu6Kernel),
  reg('RELU_N1_TO_1', [1, 1], 'float32', reluN1To1Kernel),
  reg('RELU_0_TO_1', [1, 1], 'float32', relu0To1Kernel),
  reg('LEAKY_RELU', [1, 2], 'float32', leakyReluKernel),
  reg('PRELU', [1, 1], 'float32,float32', preluKernel),
  reg('HARD_SWISH', [1, 1], 'float32', hardSwishKernel),
  reg('ELU', [1, 1], 'float32', eluKernel),
  reg('GELU', [1, 2], 'float32', geluKernel),
  reg('SOFTMAX', [1, 3], 'float32', softmaxKernel),
  reg('LOG_SOFTMAX', [1, 2], 'float32', logSoftmaxKernel),

  // Reductions over a constant int32 axis tensor.
  reg('MEAN', [1, 3], 'float32,int32', meanKernel),
  reg('MEAN', [1, 3], 'int32,int32', meanKernel),
  reg('SUM', [1, 2], 'float32,int32', sumKernel),
  reg('SUM', [1, 2], 'int32,int32', sumKernel),
  reg('REDUCE_PROD', [1, 2], 'float32,int32', reduceProdKernel),
  reg('REDUCE_PROD', [1, 2], 'int32,int32', reduceProdKernel),
  reg('REDUCE_MAX', [1, 3], 'float32,int32', reduceMaxKernel),
  reg('REDUCE_MAX', [1, 3], 'int32,int32', reduceMaxKernel),
  reg('REDUCE_MIN', [1, 3], 'float32,int32', reduceMinKernel),
  reg('REDUCE_MIN', [1, 3], 'int32,int32', reduceMinKernel),

  // Pooling.
  reg('AVERAGE_POOL_2D', [1, 3], 'float32', averagePool2dKernel),
  reg('MAX_POOL_2D', [1, 3], 'float32', maxPool2dKernel),

  // Data movement and conversion.
  reg('SELECT', [1, 4], 'bool,*,*', selectKernelV1),
  reg('SELECT_V2', [1, 2], 'bool,*,*', selectV2Kernel),
  reg('CAST', [1, 7], '*', castKernel),
  reg('DEQUANTIZE', [1, 6], 'float16', dequantizeKernel, 'float32'),
  reg('DEQUANTIZE', [1, 6], 'int8', dequantizeKernel, 'float32'),
  reg('DEQUANTIZE', [1, 6], 'uint8', dequantizeKernel, 'float32'),
  reg('DEQUANTIZE', [1, 6], 'int16', dequantizeKernel, 'float32'),
  reg('DENSIFY', [1, 1], '*', densifyKernel),
];

// Convolutions and matrix products on integer activations (int8, legacy uint8, 16x8), bit-exact
// with TFLite's integer kernels. Versions as tensorflow/lite/core/kernels/register.cc.
import { batchMatMulInt } from './batch_matmul_int.js';
import { conv2dInt } from './conv_int.js';
import { depthwiseConv2dInt } from './depthwise_conv_int.js';
import { fullyConnectedInt } from './fully_connected_int.js';
import type { KernelRegistration } from './kernel.js';
import { reg } from './kernel.js';
import { transposeConvInt } from './transpose_conv_int.js';

export const convIntKernels: KernelRegistration[] = [
  reg('CONV_2D', [1, 8], 'int8,int8', conv2dInt, 'int8'),
  reg('CONV_2D', [1, 8], 'uint8,uint8', conv2dInt, 'uint8'),
  reg('CONV_2D', [1, 8], 'int16,int8', conv2dInt, 'int16'),
  reg('DEPTHWISE_CONV_2D', [1, 7], 'int8,int8', depthwiseConv2dInt, 'int8'),
  reg('DEPTHWISE_CONV_2D', [1, 7], 'uint8,uint8', depthwiseConv2dInt, 'uint8'),
  reg('DEPTHWISE_CONV_2D', [1, 7], 'int16,int8', depthwiseConv2dInt, 'int16'),
  reg('FULLY_CONNECTED', [1, 14], 'int8,int8', fullyConnectedInt, 'int8'),
  reg('FULLY_CONNECTED', [1, 14], 'uint8,uint8', fullyConnectedInt, 'uint8'),
  reg('FULLY_CONNECTED', [1, 14], 'int16,int8', fullyConnectedInt, 'int16'),
  reg('TRANSPOSE_CONV', [1, 5], 'int32,int8,int8', transposeConvInt, 'int8'),
  reg('TRANSPOSE_CONV', [1, 5], 'int32,int8,int16', transposeConvInt, 'int16'),
  reg('BATCH_MATMUL', [1, 4], 'int8,int8', batchMatMulInt),
  reg('BATCH_MATMUL', [1, 4], 'int16,int8', batchMatMulInt, 'int16'),
  reg('BATCH_MATMUL', [1, 4], 'int16,int16', batchMatMulInt, 'int16'),
];

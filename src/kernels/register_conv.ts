// Convolutions and matrix products with float32 activations: float32 weights, and the hybrid
// (dynamic-range) forms with constant int8 weights. Versions as tensorflow/lite/core/kernels/register.cc.
import { batchMatMulFloat } from './batch_matmul.js';
import { conv2dFloat, conv2dHybrid } from './conv.js';
import { depthwiseConv2dFloat, depthwiseConv2dHybrid } from './depthwise_conv.js';
import { fullyConnectedFloat, fullyConnectedHybrid } from './fully_connected.js';
import type { KernelRegistration } from './kernel.js';
import { reg } from './kernel.js';
import { transposeConvFloat } from './transpose_conv.js';
import { convolution2dTransposeBias } from './transpose_conv_bias.js';
import { transposeConvHybrid } from './transpose_conv_hybrid.js';

export const convKernels: KernelRegistration[] = [
  reg('CONV_2D', [1, 8], 'float32,float32', conv2dFloat, 'float32'),
  reg('CONV_2D', [1, 8], 'float32,int8', conv2dHybrid, 'float32'),
  reg('DEPTHWISE_CONV_2D', [1, 7], 'float32,float32', depthwiseConv2dFloat, 'float32'),
  reg('DEPTHWISE_CONV_2D', [1, 7], 'float32,int8', depthwiseConv2dHybrid, 'float32'),
  reg('TRANSPOSE_CONV', [1, 5], 'int32,float32,float32', transposeConvFloat, 'float32'),
  reg('TRANSPOSE_CONV', [1, 5], 'int32,int8,float32', transposeConvHybrid, 'float32'),
  reg('CUSTOM:Convolution2DTransposeBias', [1, 1000], 'float32,float32,float32', convolution2dTransposeBias, 'float32'),
  reg('FULLY_CONNECTED', [1, 14], 'float32,float32', fullyConnectedFloat, 'float32'),
  reg('FULLY_CONNECTED', [1, 14], 'float32,int8', fullyConnectedHybrid, 'float32'),
  reg('BATCH_MATMUL', [1, 4], 'float32,float32', batchMatMulFloat, 'float32'),
];

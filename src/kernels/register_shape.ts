// Shape and data-movement kernels. Version ranges are those of TFLite's builtin op resolver
// (tensorflow/lite/core/kernels/register.cc). Ops that only move elements take any dtype ('*')
// and reject the ones without a typed-array view (int4, string) in prepare.
import { concatenationKernel, packKernel, unpackKernel } from './concat.js';
import { gatherKernel, gatherNdKernel } from './gather.js';
import type { KernelRegistration } from './kernel.js';
import { reg } from './kernel.js';
import { unidirectionalSequenceLstmKernel } from './lstm.js';
import { mirrorPadKernel, padKernel } from './pad.js';
import { expandDimsKernel, reshapeKernel, squeezeKernel } from './reshape.js';
import { resizeBilinearKernel, resizeNearestNeighborKernel } from './resize.js';
import { reverseV2Kernel } from './reverse.js';
import { broadcastToKernel, fillKernel, rangeKernel, shapeKernel, tileKernel, zerosLikeKernel } from './shape_ops.js';
import { sliceKernel, stridedSliceKernel } from './slice.js';
import { batchToSpaceNdKernel, depthToSpaceKernel, spaceToBatchNdKernel, spaceToDepthKernel } from './space_depth.js';
import { transposeKernel } from './transpose.js';

export const shapeKernels: KernelRegistration[] = [
  reg('RESHAPE', [1, 1], '*', reshapeKernel),
  reg('SQUEEZE', [1, 2], '*', squeezeKernel),
  reg('EXPAND_DIMS', [1, 1], '*', expandDimsKernel),
  reg('TRANSPOSE', [1, 9], '*', transposeKernel),
  reg('CONCATENATION', [1, 7], '*', concatenationKernel),
  reg('PACK', [1, 5], '*', packKernel),
  reg('UNPACK', [1, 6], '*', unpackKernel),
  reg('PAD', [1, 6], '*', padKernel),
  reg('PADV2', [1, 6], '*', padKernel),
  reg('MIRROR_PAD', [1, 3], '*', mirrorPadKernel),
  reg('SLICE', [1, 8], '*', sliceKernel),
  reg('STRIDED_SLICE', [1, 8], '*', stridedSliceKernel),
  reg('GATHER', [1, 8], '*', gatherKernel),
  reg('GATHER_ND', [1, 6], '*', gatherNdKernel),
  reg('SHAPE', [1, 1], '*', shapeKernel),
  reg('FILL', [1, 5], '*', fillKernel),
  reg('RANGE', [1, 2], '*', rangeKernel),
  reg('ZEROS_LIKE', [1, 1], '*', zerosLikeKernel),
  reg('TILE', [1, 3], '*', tileKernel),
  reg('REVERSE_V2', [1, 3], '*', reverseV2Kernel),
  reg('BROADCAST_TO', [2, 4], '*', broadcastToKernel),
  reg('RESIZE_BILINEAR', [1, 4], 'float32', resizeBilinearKernel),
  reg('RESIZE_NEAREST_NEIGHBOR', [1, 4], 'float32', resizeNearestNeighborKernel),
  reg('RESIZE_NEAREST_NEIGHBOR', [1, 4], 'int32', resizeNearestNeighborKernel),
  reg('RESIZE_NEAREST_NEIGHBOR', [1, 4], 'uint8', resizeNearestNeighborKernel),
  reg('RESIZE_NEAREST_NEIGHBOR', [1, 4], 'int8', resizeNearestNeighborKernel),
  reg('RESIZE_NEAREST_NEIGHBOR', [1, 4], 'int16', resizeNearestNeighborKernel),
  reg('DEPTH_TO_SPACE', [1, 2], '*', depthToSpaceKernel),
  reg('SPACE_TO_DEPTH', [1, 2], '*', spaceToDepthKernel),
  reg('SPACE_TO_BATCH_ND', [1, 4], '*', spaceToBatchNdKernel),
  reg('BATCH_TO_SPACE_ND', [1, 4], '*', batchToSpaceNdKernel),
  // Float LSTM: float32 input and float32 input_to_forget weights (input 1 may be omitted: CIFG).
  reg('UNIDIRECTIONAL_SEQUENCE_LSTM', [1, 4], 'float32,*,float32', unidirectionalSequenceLstmKernel),
];

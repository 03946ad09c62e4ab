// Sequence and detection kernels: SVDF (float32 and full-integer int8 with int16 state), the
// full-integer UNIDIRECTIONAL_SEQUENCE_LSTM (8x8->16) and the TFLite_Detection_PostProcess
// custom op. Versions as tensorflow/lite/core/kernels/register.cc.
import { detectionPostProcess } from './detection_postprocess.js';
import type { KernelRegistration } from './kernel.js';
import { reg } from './kernel.js';
import { unidirectionalSequenceLstmInt8 } from './lstm_int.js';
import { svdfFloat, svdfInt8 } from './svdf.js';

export const sequenceIntKernels: KernelRegistration[] = [
  reg('SVDF', [1, 4], 'float32,float32', svdfFloat, 'float32'),
  reg('SVDF', [1, 4], 'int8,int8', svdfInt8, 'int8'),
  // Input 1 (input_to_input weights) is omitted in CIFG LSTMs.
  reg('UNIDIRECTIONAL_SEQUENCE_LSTM', [1, 4], 'int8,*,int8', unidirectionalSequenceLstmInt8, 'int8'),
  // float32 or uint8 inputs (checked in prepare); float32 outputs.
  reg('CUSTOM:TFLite_Detection_PostProcess', [1, 1000], '*,*,*', detectionPostProcess),
];

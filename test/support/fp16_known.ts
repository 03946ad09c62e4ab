/**
 * Models on which WebGPU fp16 storage misses the 1e-2 bar with verify's noise inputs (issue 6 stays
 * open for them; `verify --per-node` shows where): selfie segmentation's output is a sigmoid whose
 * largest value sits deep in its tail, so the relative error there is the logits' absolute error;
 * the hybrid model's CPU nodes requantize to int8, so f16 rounding upstream flips quantization
 * steps. Tests hold them to FP16_KNOWN_MISS_BOUND instead, by name.
 */
export const FP16_KNOWN_MISSES = new Set([
  'selfie_segmentation',
  'selfie_segmentation_fp16',
  'selfie_segmentation_landscape',
  'mobilenet_v2_035_96_embedder_hybrid',
]);

export const FP16_KNOWN_MISS_BOUND = 1e-1;

/** The model name of a corpus key ("npm:pkg/name.tflite", "shared:name.tflite"). */
export function modelName(key: string): string {
  return key.replace(/^.*[:/]/, '').replace(/\.tflite$/, '');
}

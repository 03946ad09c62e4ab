// Corpus access for tests: warns visibly once when ../shared is absent (its tests then skip).
import { corpusModels, SHARED_MODELS_DIR, sharedModelsAvailable } from '../../harness/corpus.js';

export const hasShared = sharedModelsAvailable();
if (!hasShared) {
  console.warn(
    `\n[tflite-webgpu tests] ${SHARED_MODELS_DIR} is absent: tests on the shared corpus are SKIPPED; npm-shipped models still run.\n`,
  );
}

export { corpusModels, SHARED_MODELS_DIR };

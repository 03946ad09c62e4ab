// Model variants for tests: the harness's unpack / pack (harness/model_variant.ts).
export { packModel, unpackModel } from '../../harness/model_variant.js';

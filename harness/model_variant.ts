// Model variants built in code (the original file is never edited): the writer of src/model
// (unpack with flatc's object API, change the plain objects, pack again). Used by the culprit
// finder (harness/culprit.ts) and the fuzzer.

import { schema as fb } from '../src/index.js';

export { packModel, unpackModel } from '../src/index.js';
export { fb };

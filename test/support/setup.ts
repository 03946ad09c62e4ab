// Runs before every test file: lets Dawn find an adapter (SwiftShader when there is no GPU).
import { configureNodeWebGpu } from '../../harness/node_gpu.js';

configureNodeWebGpu();

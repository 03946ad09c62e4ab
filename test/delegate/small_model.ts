// A small float model built in code for the GPU I/O and profile tests.
import { buildModel, GraphBuilder } from '../../harness/fuzz/graph.js';

/**
 * x [1,4,4,3] -> ADD c -> a (output; 3 channels: slice conversions at both edges) -> LOGISTIC ->
 * MUL x -> y (output); z [1,2,2,8] -> TANH -> w (output; dense layout: no conversion).
 */
export function smallModel(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('float32', [1, 4, 4, 3]);
  const z = g.input('float32', [1, 2, 2, 8]);
  const c = g.constant('float32', [3], [0.5, -0.25, 1]);
  const a = g.output('float32', [1, 4, 4, 3]);
  const s = g.activation('float32', [1, 4, 4, 3]);
  const y = g.output('float32', [1, 4, 4, 3]);
  const w = g.output('float32', [1, 2, 2, 8]);
  g.node('ADD', [x, c], [a], { type: 'AddOptions', values: { fusedActivationFunction: 0 } });
  g.node('LOGISTIC', [a], [s]);
  g.node('MUL', [s, x], [y], { type: 'MulOptions', values: { fusedActivationFunction: 0 } });
  g.node('TANH', [z], [w]);
  return buildModel(g.graph);
}

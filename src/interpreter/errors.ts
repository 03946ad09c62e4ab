/** A wrong call on the interpreter: bad tensor index, dtype, shape or byte size. */
export class TensorError extends Error {
  override name = 'TensorError';
}

export interface UnsupportedNode {
  node: number;
  op: string;
  version: number;
  inputs: string[];
  outputs: string[];
  reason: string;
}

/** The model has nodes that no kernel (and no delegate) can run. */
export class UnsupportedOpError extends Error {
  override name = 'UnsupportedOpError';
  constructor(readonly nodes: UnsupportedNode[]) {
    const shown = nodes
      .slice(0, 8)
      .map((n) => `node ${n.node} ${n.op} v${n.version} (${n.inputs.join(', ')}) -> (${n.outputs.join(', ')}): ${n.reason}`);
    const more = nodes.length > 8 ? `; and ${nodes.length - 8} more` : '';
    super(`${nodes.length} node(s) cannot run: ${shown.join('; ')}${more}`);
  }
}

/** A model the quantizer cannot handle in the asked mode: the message names the node or tensor. */
export class QuantizeError extends Error {
  override name = 'QuantizeError';
  /** Where in the model, e.g. "subgraph 0 node 3 (SQUARED_DIFFERENCE)". */
  readonly where: string;
  constructor(message: string, where = '') {
    super(where ? `${where}: ${message}` : message);
    this.where = where;
  }
}

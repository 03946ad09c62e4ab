/** A .tflite file that cannot be read: the message says what is wrong and where. */
export class ModelError extends Error {
  override name = 'ModelError';
  /** Where in the model the problem is, e.g. "subgraph 0 tensor 12 'conv1/weights'". */
  readonly where: string;
  constructor(message: string, where = '') {
    super(where ? `${where}: ${message}` : message);
    this.where = where;
  }
}

/** Thrown by the bounds-checked byte reader; turned into a ModelError with a location. */
export class OutOfBoundsError extends Error {
  override name = 'OutOfBoundsError';
}

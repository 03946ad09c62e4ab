// Typed access to a node's builtin options. The reader keeps each options table as decoded by
// reflection, under the schema's own field names (Operator.options); each op family's
// parse<Op>Options reads it once through builtinOptions, which types the fields after the
// schema's generated object-API class (e.g. Conv2DOptionsT), so a misspelt field or a wrong
// table is a compile error, and kernels never look options up by string.
import { ModelError } from './errors.js';
import type * as fb from './schema/tflite_generated.js';
import type { Operator } from './types.js';

type Schema = typeof fb;

/** Names of the schema's options tables that have an object-API class (`<Name>T`). */
export type OptionsTable = {
  [K in keyof Schema]: K extends `${infer Base}OptionsT` ? `${Base}Options` : never;
}[keyof Schema];

// biome-ignore lint/complexity/noBannedTypes: filters out the generated classes' pack/unpack methods
type DataFields<T> = { [K in keyof T as T[K] extends Function ? never : K]?: T[K] extends bigint ? number : T[K] };

/** The fields of one options table; absent fields are undefined (their schema defaults apply). */
export type OptionsOf<K extends OptionsTable> = `${K}T` extends keyof Schema
  ? Schema[`${K}T`] extends abstract new (
      ...args: never[]
    ) => infer T
    ? DataFields<T>
    : never
  : never;

/**
 * The node's options as the table `table` (all fields undefined when the model omits the
 * table, as TFLite then uses the schema defaults). Throws a ModelError naming the node when the
 * node carries a different table.
 */
export function builtinOptions<K extends OptionsTable>(op: Operator, table: K): OptionsOf<K> {
  if (op.optionsType !== null && op.optionsType !== table) {
    throw new ModelError(`node ${op.index} (${op.op}): builtin options are ${op.optionsType}, expected ${table}`);
  }
  return op.options as OptionsOf<K>;
}

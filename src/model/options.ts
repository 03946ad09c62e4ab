// Typed access to a node's builtin options. The reader keeps each options table as decoded by
// reflection, under the schema's own field names (Operator.options); each op family's
// parse<Op>Options reads it once through builtinOptions, which types the fields after the
// schema's generated object-API class (e.g. Conv2DOptionsT), so a misspelt field or a wrong
// table is a compile error, and kernels never look options up by string.
import { readVector } from './checked.js';
import { ModelError } from './errors.js';
import * as fb from './schema/tflite_generated.js';
import type { Operator, Options, OptionValue } from './types.js';

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

function decodeOptionsTable(table: object): Options {
  const out: Options = {};
  const proto = Object.getPrototypeOf(table) as Record<string, unknown>;
  const methods = Object.getOwnPropertyNames(proto).filter(
    (m) => m !== 'constructor' && !m.startsWith('__') && typeof proto[m] === 'function',
  );
  const call = (m: string, ...args: number[]) => (proto[m] as (...a: number[]) => unknown).apply(table, args);
  for (const m of methods) {
    // Union discriminators (fooType beside foo) are skipped; scalar enums named *Type (quantized_bias_type,
    // out_type, output_type) are options like any other.
    if (m.endsWith('Length') || m.endsWith('Array') || (m.endsWith('Type') && methods.includes(m.slice(0, -4)))) continue;
    const fn = proto[m] as (...a: unknown[]) => unknown;
    let value: OptionValue;
    if (methods.includes(`${m}Length`)) {
      const n = call(`${m}Length`) as number;
      value = readVector(n, (i) => call(m, i) as number | null, m).map(Number);
    } else if (fn.length === 0) {
      const v = call(m);
      if (typeof v === 'bigint') value = Number(v);
      else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v === null) value = v;
      else continue; // nested tables (StableHLO options) are not decoded
    } else continue;
    out[m] = value;
  }
  return out;
}

/** The node's builtin options table, decoded by reflection under the schema's field names. */
export function readOptions(op: fb.Operator): { optionsType: string | null; options: Options } {
  const type1 = op.builtinOptionsType();
  if (type1 !== fb.BuiltinOptions.NONE) {
    const table = fb.unionToBuiltinOptions(type1, (obj) => op.builtinOptions(obj));
    if (!table) throw new ModelError(`unknown builtin_options type ${type1}`);
    return { optionsType: fb.BuiltinOptions[type1] ?? null, options: decodeOptionsTable(table) };
  }
  const type2 = op.builtinOptions2Type();
  if (type2 !== fb.BuiltinOptions2.NONE) {
    const table = fb.unionToBuiltinOptions2(type2, (obj) => op.builtinOptions2(obj));
    if (!table) throw new ModelError(`unknown builtin_options_2 type ${type2}`);
    return { optionsType: fb.BuiltinOptions2[type2] ?? null, options: decodeOptionsTable(table) };
  }
  return { optionsType: null, options: {} };
}

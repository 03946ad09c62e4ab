// The `params` uniform struct of a shader, laid out by wgsl_reflect, and filled from a plain
// record keyed by member name: the TS side never hand-computes WGSL offsets, and a member the
// record misses (or a key the struct lacks) is an error instead of a silent zero.
import type { MemberInfo, TypeInfo, VariableInfo } from 'wgsl_reflect/wgsl_reflect.module.js';
import { ShaderError } from './errors.js';

type Scalar = 'f32' | 'u32' | 'i32';

interface UniformMember {
  name: string;
  offset: number;
  scalar: Scalar;
  /** Components per element (1 for a scalar, N for vecN). */
  components: number;
  /** Elements (1 unless an array). */
  elements: number;
  /** Bytes between array elements. */
  stride: number;
}

export interface UniformLayout {
  /** The uniform variable's name in the shader. */
  variable: string;
  size: number;
  members: UniformMember[];
}

export type UniformValues = Readonly<Record<string, number | readonly number[]>>;

const SCALARS = new Set(['f32', 'u32', 'i32']);

function scalarAndComponents(type: TypeInfo, where: string): [Scalar, number] {
  if (SCALARS.has(type.name)) return [type.name as Scalar, 1];
  const m = /^vec([234])$/.exec(type.name);
  const format = (type as TypeInfo & { format?: TypeInfo | null }).format;
  if (m && format && SCALARS.has(format.name)) return [format.name as Scalar, Number(m[1])];
  throw new ShaderError(`${where}: uniform type ${type.getTypeName()} is not supported (use scalars, vectors and arrays of them)`);
}

function member(m: MemberInfo, where: string): UniformMember {
  if (m.isArray) {
    const format = m.format;
    if (!format) throw new ShaderError(`${where}: uniform array ${m.name} has no element type`);
    const [scalar, components] = scalarAndComponents(format, `${where}.${m.name}`);
    return { name: m.name, offset: m.offset, scalar, components, elements: m.count, stride: m.stride };
  }
  const [scalar, components] = scalarAndComponents(m.type, `${where}.${m.name}`);
  return { name: m.name, offset: m.offset, scalar, components, elements: 1, stride: 0 };
}

export function uniformLayout(variable: VariableInfo, where: string): UniformLayout {
  const members = variable.members;
  if (!members) throw new ShaderError(`${where}: uniform ${variable.name} must be a struct`);
  return { variable: variable.name, size: variable.size, members: members.map((m) => member(m, where)) };
}

/** Writes `values` into `view` at byteOffset following the layout. */
export function packUniforms(layout: UniformLayout, values: UniformValues, view: DataView, byteOffset: number, where: string): void {
  const known = new Set(layout.members.map((m) => m.name));
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (unknown.length) throw new ShaderError(`${where}: uniform values ${unknown.join(', ')} are not members of ${layout.variable}`);
  for (const m of layout.members) {
    const v = values[m.name];
    if (v === undefined) throw new ShaderError(`${where}: uniform member ${layout.variable}.${m.name} has no value`);
    const flat = typeof v === 'number' ? [v] : v;
    const capacity = m.components * m.elements;
    if (flat.length > capacity || (m.elements === 1 && flat.length !== capacity)) {
      throw new ShaderError(`${where}: ${layout.variable}.${m.name} takes ${capacity} number(s), got ${flat.length}`);
    }
    for (let i = 0; i < flat.length; i++) {
      const at = byteOffset + m.offset + Math.floor(i / m.components) * m.stride + (i % m.components) * 4;
      const x = flat[i] as number;
      if (m.scalar === 'f32') view.setFloat32(at, x, true);
      else if (m.scalar === 'u32') {
        if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new ShaderError(`${where}: ${m.name}[${i}] = ${x} is not a u32`);
        view.setUint32(at, x, true);
      } else {
        if (!Number.isInteger(x) || x < -0x80000000 || x > 0x7fffffff)
          throw new ShaderError(`${where}: ${m.name}[${i}] = ${x} is not an i32`);
        view.setInt32(at, x, true);
      }
    }
  }
}

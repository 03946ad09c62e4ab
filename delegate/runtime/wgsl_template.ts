// Shader templates: a .wgsl file with named placeholders `{{NAME}}`, each standing for one
// compile-time value of a `const` declaration (a number, a bool, or the name of a const the
// shader declares, e.g. ACT_RELU6). Placeholders never stand for code. The one exception is a
// block of lines between `// #if NAME` and `// #endif`, kept only when the boolean NAME is true:
// for declarations that must not exist otherwise (a binding an entry point would use, so the
// pipeline layout would ask for it, e.g. the epilogue's residual).
import { ShaderError } from './errors.js';

export type TemplateValue = number | boolean | string;

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BLOCK = /^\/\/ #if ([A-Z][A-Z0-9_]*)\n([\s\S]*?)^\/\/ #endif\n/gm;

/** The placeholder names a template uses (conditional blocks' names included). */
export function placeholders(source: string): Set<string> {
  return new Set([
    ...Array.from(source.matchAll(PLACEHOLDER), (m) => m[1] as string),
    ...Array.from(source.matchAll(BLOCK), (m) => m[1] as string),
  ]);
}

function render(template: string, name: string, value: TemplateValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ShaderError(`${template}: {{${name}}} = ${value} is not finite`);
    return Number.isInteger(value) ? String(value) : value.toExponential();
  }
  if (!IDENTIFIER.test(value)) throw new ShaderError(`${template}: {{${name}}} = '${value}' is not a WGSL identifier`);
  return value;
}

/** The template with every placeholder replaced; a missing or unknown value is an error. */
export function instantiate(template: string, source: string, values: Readonly<Record<string, TemplateValue>>): string {
  const wanted = placeholders(source);
  const missing = [...wanted].filter((n) => !(n in values));
  const unknown = Object.keys(values).filter((n) => !wanted.has(n));
  if (missing.length || unknown.length) {
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''];
    throw new ShaderError(`${template}: template values ${parts.filter(Boolean).join('; ')}`);
  }
  const kept = source.replace(BLOCK, (_, n: string, body: string) => {
    const on = values[n];
    if (typeof on !== 'boolean') throw new ShaderError(`${template}: block #if ${n} needs a boolean, got ${String(on)}`);
    return on ? body : '';
  });
  return kept.replace(PLACEHOLDER, (_, n: string) => render(template, n, values[n] as TemplateValue));
}

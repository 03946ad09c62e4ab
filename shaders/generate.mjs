#!/usr/bin/env node
// Collects every shaders/*.wgsl into shaders/sources.json (name -> source), which shaders/index.ts
// imports, so the delegate gets its WGSL the same way in Node and in browser bundles (no file
// reads, no bundler plugin). Run after editing a .wgsl file: `node shaders/generate.mjs`
// (`--check` exits 1 when stale).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The generated JSON text for the .wgsl files in `dir`. */
export function renderIndex(dir = here) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.wgsl'))
    .sort();
  const sources = {};
  for (const f of files) {
    const name = f.slice(0, -'.wgsl'.length);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`shader file name ${f} must be lower_snake_case`);
    sources[name] = readFileSync(join(dir, f), 'utf8').replace(/\r\n/g, '\n');
  }
  return `${JSON.stringify(sources, null, 1)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(here, 'sources.json');
  const text = renderIndex();
  if (process.argv.includes('--check')) {
    const current = readFileSync(out, 'utf8');
    if (current !== text) {
      console.error('shaders/sources.json is out of date: run `node shaders/generate.mjs`');
      process.exit(1);
    }
  } else {
    writeFileSync(out, text);
  }
}

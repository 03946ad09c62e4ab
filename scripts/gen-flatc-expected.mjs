// Writes test/data/flatc_expected.json: for every corpus model, the op, tensor-dtype and I/O
// facts that flatc's own JSON dump of the model gives. The model-reader tests compare against
// this, so the reader is checked against flatc, never against itself. Needs Debian's flatc.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const schema = join(root, '../shared/spec/schema_flatc2.fbs');
const dirs = [
  join(root, '../shared/models'),
  ...['face_detection', 'selfie_segmentation', 'hands', 'pose', 'objectron'].map((p) => join(root, 'node_modules/@mediapipe', p)),
];

// BuiltinOperator numbers by name, read from the schema text itself.
const enumBody = readFileSync(schema, 'utf8').match(/enum BuiltinOperator : int32 \{([^}]*)\}/)[1];
const opByNumber = new Map();
for (const m of enumBody.matchAll(/^\s*([A-Z0-9_]+)\s*=\s*(-?\d+)/gm)) opByNumber.set(Number(m[2]), m[1]);
const numberByOp = new Map([...opByNumber].map(([n, name]) => [name, n]));

const out = {};
const tmp = mkdtempSync(join(tmpdir(), 'flatc-json-'));
for (const dir of dirs) {
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.tflite'))
    .sort()) {
    const path = join(dir, file);
    execFileSync('flatc', ['--json', '--strict-json', '--raw-binary', '--defaults-json', '-o', tmp, schema, '--', path]);
    const jsonPath = join(tmp, `${basename(file, '.tflite')}.json`);
    const model = JSON.parse(readFileSync(jsonPath, 'utf8'));
    rmSync(jsonPath);
    const names = model.operator_codes.map((c) => {
      const code = Math.max(numberByOp.get(c.builtin_code), c.deprecated_builtin_code);
      const name = opByNumber.get(code);
      return name === 'CUSTOM' ? `CUSTOM:${c.custom_code}` : name;
    });
    const ops = {};
    const tensorTypes = {};
    for (const sg of model.subgraphs) {
      for (const op of sg.operators) ops[names[op.opcode_index ?? 0]] = (ops[names[op.opcode_index ?? 0]] ?? 0) + 1;
      for (const t of sg.tensors) tensorTypes[t.type] = (tensorTypes[t.type] ?? 0) + 1;
    }
    const sg0 = model.subgraphs[0];
    const io = (list) =>
      list.map((i) => ({ name: sg0.tensors[i].name ?? '', dtype: sg0.tensors[i].type.toLowerCase(), shape: sg0.tensors[i].shape ?? [] }));
    const key = dir.includes('node_modules') ? `npm:${basename(dir)}/${file}` : `shared:${file}`;
    out[key] = {
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      ops,
      tensorTypes,
      subgraphs: model.subgraphs.length,
      inputs: io(sg0.inputs),
      outputs: io(sg0.outputs),
    };
    console.log(key);
  }
}
rmSync(tmp, { recursive: true, force: true });
writeFileSync(join(root, 'test/data/flatc_expected.json'), `${JSON.stringify(out, null, 1)}\n`);

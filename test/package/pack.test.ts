// "A package that installs": the tarball `npm pack` makes, installed into an empty app the way a
// user installs it, works there — the public API in Node ESM (the CPU and WebGPU through Dawn,
// which the app installs itself: `webgpu` is an optional peer), in a Vite browser build, and its
// types under moduleResolution nodenext and bundler. The install runs without the network: the
// app gets a lockfile built from this repo's package-lock.json (the tarballs `npm ci` put in the
// npm cache) and `npm ci --offline`. dist/ is compiled afresh into a staging copy of the package,
// so the working tree's dist/ is neither trusted nor rewritten while other tests read it.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MODEL = join(REPO, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite');
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const VITE = join(REPO, 'node_modules/vite/bin/vite.js');

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
type LockEntry = PackageJson & { resolved?: string; integrity?: string; [k: string]: unknown };

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;

/** Runs a command; a failure throws with its exit status, stderr and stdout. */
function sh(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const env = { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1' };
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return done({ stdout, stderr });
      const how = err.killed ? `killed after ${timeoutMs} ms` : `exit ${err.code}`;
      fail(new Error(`${cmd} ${args.join(' ')} (in ${cwd}): ${how}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`));
    });
  });
}
const node = (args: string[], cwd: string, timeoutMs?: number) => sh(process.execPath, args, cwd, timeoutMs);
const npm = (args: string[], cwd: string) => sh('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], cwd);

/**
 * The app's lockfile: the tarball, and every package its dependencies (plus `extra`, the app's own)
 * need, copied from this repo's package-lock.json at the same paths (a subset of a valid tree
 * resolves the same way). A dependency missing from the repo's lock is an error, not a download.
 */
function appLock(tgz: string, integrity: string, packed: PackageJson, extra: Record<string, string>): object {
  const repoLock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const out: Record<string, LockEntry> = {};
  const add = (key: string, entry: LockEntry): void => {
    const { dev: _d, devOptional: _o, peer: _p, ...kept } = entry;
    out[key] = kept;
    const needs = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const [name] of Object.entries(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[name]?.optional) needs[name] = '';
    }
    for (const name of Object.keys(needs)) visit(name, key, name in (entry.optionalDependencies ?? {}));
  };
  const visit = (name: string, from: string, optional: boolean): void => {
    for (let base = from; ; ) {
      const key = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (out[key]) return;
      const entry = repoLock.packages[key];
      if (entry) {
        add(key, entry);
        return;
      }
      if (!base) {
        if (optional) return;
        throw new Error(`${name} (needed by ${from || 'the app'}) is not in package-lock.json`);
      }
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
  };
  const spec = `file:${tgz}`;
  add('node_modules/tflite-webgpu', {
    name: packed.name,
    version: packed.version,
    resolved: spec,
    integrity,
    license: packed.license,
    dependencies: packed.dependencies,
    peerDependencies: packed.peerDependencies,
    peerDependenciesMeta: packed.peerDependenciesMeta,
    bin: packed.bin,
    engines: packed.engines,
  });
  for (const name of Object.keys(extra)) visit(name, '', false);
  const root = { name: 'app', version: '1.0.0', dependencies: { 'tflite-webgpu': spec, ...extra } };
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': root, ...out } };
}

/** Bare specifiers reachable from `entry` through relative imports: static ones and literal import()s. */
function bareImports(entry: string): { staticImports: Set<string>; dynamicImports: Set<string>; files: number } {
  const staticImports = new Set<string>();
  const dynamicImports = new Set<string>();
  const seen = new Set<string>();
  const re =
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]\s*\)/g;
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(re)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!existsSync(target)) throw new Error(`${file} imports ${spec}, which is not in the package`);
        if (target.endsWith('.js')) walk(target);
      } else (m[3] ? dynamicImports : staticImports).add(spec);
    }
  };
  walk(entry);
  return { staticImports, dynamicImports, files: seen.size };
}
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);

// The Node app: the README's snippet on the CPU and on WebGPU (Dawn), with the same inputs.
const NODE_APP = `import { readFileSync, writeFileSync } from 'node:fs';
import { Interpreter, WebGpuDelegate } from 'tflite-webgpu';

const bytes = readFileSync(process.argv[2]);

async function run(delegates) {
  const interpreter = await Interpreter.create(bytes, { delegates });
  await interpreter.allocateTensors();
  for (const input of interpreter.getInputDetails()) {
    const data = new Float32Array(input.shape.reduce((a, b) => a * b, 1));
    let s = 12345;
    for (let i = 0; i < data.length; i++) data[i] = ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    interpreter.setTensor(input.index, data);
  }
  await interpreter.invoke();
  const outputs = interpreter.getOutputDetails().map((o) => ({ name: o.name, shape: o.shape, data: Array.from(interpreter.getTensor(o.index)) }));
  const placement = interpreter.placement().summary;
  interpreter.dispose();
  return { outputs, placement };
}

const cpu = await run([]);
const delegate = await WebGpuDelegate.create({ precisionLossAllowed: false });
const adapter = (await delegate.info()).adapter;
const gpu = await run([delegate]);
writeFileSync(process.argv[3], JSON.stringify({ cpu, gpu, adapter }));
`;

// The app without `webgpu`: the CPU works, and the delegate says what is missing.
const BARE_APP = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GpuUnavailableError, Interpreter, WebGpuDelegate } from 'tflite-webgpu';

const interpreter = await Interpreter.create(readFileSync(process.argv[2]));
await interpreter.allocateTensors();
const [input] = interpreter.getInputDetails();
interpreter.setTensor(input.index, new Float32Array(input.shape.reduce((a, b) => a * b, 1)));
await interpreter.invoke();
const outputs = interpreter.getOutputDetails().map((o) => interpreter.getTensor(o.index).length);
let error = '';
try {
  await WebGpuDelegate.create();
} catch (e) {
  error = \`\${e instanceof GpuUnavailableError ? e.name : 'another error'}: \${e.message}\`;
}
const version = createRequire(import.meta.url)('tflite-webgpu/package.json').version;
console.log(JSON.stringify({ outputs, error, version }));
`;

// The browser app: the same API on fetched bytes, bundled by Vite.
const BROWSER_APP = `import { Interpreter, WebGpuDelegate } from 'tflite-webgpu';

async function main() {
  const bytes = new Uint8Array(await (await fetch('/model.tflite')).arrayBuffer());
  const delegates = navigator.gpu ? [await WebGpuDelegate.create()] : [];
  const interpreter = await Interpreter.create(bytes, { delegates });
  await interpreter.allocateTensors();
  document.body.textContent = interpreter.placement().summary;
}
main();
`;

// Type-checked against the installed package's declarations; @ts-expect-error proves they are not \`any\`.
const TYPES_APP = `import { Interpreter, type Placement, type TensorDetails, WebGpuDelegate } from 'tflite-webgpu';

export async function run(bytes: Uint8Array): Promise<string> {
  const delegate: WebGpuDelegate = await WebGpuDelegate.create({ precisionLossAllowed: true });
  const interpreter = await Interpreter.create(bytes, { delegates: [delegate] });
  await interpreter.allocateTensors();
  const [input]: TensorDetails[] = interpreter.getInputDetails();
  interpreter.setTensor(input.index, new Float32Array(input.shape.reduce((a, b) => a * b, 1)));
  await interpreter.invoke();
  const placement: Placement = interpreter.placement();
  // @ts-expect-error: no such method
  interpreter.invokeTwice();
  return placement.summary;
}
`;

let work = '';
let app = '';
let bareApp = '';
let packed: { filename: string; integrity: string; files: { path: string }[] };
let packedPkg: PackageJson;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tflite-webgpu-pack-'));
  // Stage the package: the files npm packs from the repo, except dist/, which is compiled afresh.
  const stage = join(work, 'stage');
  const [dry] = JSON.parse((await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], REPO)).stdout) as (typeof packed)[];
  for (const { path } of dry.files) {
    if (path.startsWith('dist/')) continue;
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    cpSync(join(REPO, path), join(stage, path));
  }
  await node([TSC, '-p', join(REPO, 'tsconfig.json'), '--outDir', join(stage, 'dist')], REPO);
  [packed] = JSON.parse((await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage)).stdout);
  packedPkg = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));

  // Empty apps that depend on the tarball, installed offline: one with Dawn (for WebGPU in
  // Node), as the README says, and one with nothing else.
  const install = async (name: string, extra: Record<string, string>): Promise<string> => {
    const dir = join(work, name);
    mkdirSync(dir);
    const spec = `../${packed.filename}`;
    const appPkg = {
      name: 'app',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: { 'tflite-webgpu': `file:${spec}`, ...extra },
    };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(appPkg, null, 2)}\n`);
    writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(appLock(spec, packed.integrity, packedPkg, extra), null, 2)}\n`);
    await npm(['ci', '--offline'], dir);
    return dir;
  };
  app = await install('app', { webgpu: pkg.peerDependencies?.webgpu ?? '*' });
  bareApp = await install('bare-app', {});
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs what runs, and not the tests, sources or source maps', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of [
      'package.json',
      'README.md',
      'bin/tflite-webgpu.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/shaders/sources.json',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths.filter((p) => p.startsWith('dist/test/') || p.endsWith('.map') || /\.(?<!d\.)ts$/.test(p))).toEqual([]);
  });

  it('declares every package the library and the CLI import', () => {
    const root = join(app, 'node_modules/tflite-webgpu');
    const deps = new Set(Object.keys(packedPkg.dependencies ?? {}));
    const optionalPeers = new Set(
      Object.keys(packedPkg.peerDependencies ?? {}).filter((n) => packedPkg.peerDependenciesMeta?.[n]?.optional),
    );
    // The library: only dependencies, and no Node built-ins (it runs in browsers too); Dawn
    // (`webgpu`) comes through a computed import() only when Node asks for WebGPU.
    const lib = bareImports(join(root, 'dist/src/index.js'));
    expect(lib.files).toBeGreaterThan(50);
    expect([...lib.staticImports, ...lib.dynamicImports].map(packageOf).filter((p) => !deps.has(p))).toEqual([]);
    expect(readFileSync(join(root, 'dist/delegate/runtime/device.js'), 'utf8')).toMatch(/const specifier = 'webgpu'/);
    // The CLI: dependencies and built-ins statically; optional peers (the oracles) on demand.
    // puppeteer-core and vite are imported only by `verify --browser`, which builds the repo's
    // harness/web page and so runs from a clone, not from the package.
    const cli = bareImports(join(root, 'bin/tflite-webgpu.js'));
    const cliMain = bareImports(join(root, 'dist/cli/main.js'));
    const statics = [...cli.staticImports, ...cliMain.staticImports].filter((s) => !isBuiltin(s)).map(packageOf);
    expect(statics.filter((p) => !deps.has(p))).toEqual([]);
    const dynamics = [...cliMain.dynamicImports].filter((s) => !isBuiltin(s)).map(packageOf);
    expect(dynamics.filter((p) => !deps.has(p) && !optionalPeers.has(p) && p !== 'puppeteer-core' && p !== 'vite')).toEqual([]);
  });
});

describe('the installed package', () => {
  it('runs a model in Node ESM on the CPU and on WebGPU (Dawn), with the same outputs', { timeout: 180_000 }, async () => {
    writeFileSync(join(app, 'main.mjs'), NODE_APP);
    await node(['main.mjs', MODEL, 'result.json'], app, 170_000);
    const result = JSON.parse(readFileSync(join(app, 'result.json'), 'utf8')) as {
      cpu: { outputs: { name: string; shape: number[]; data: number[] }[]; placement: string };
      gpu: { outputs: { name: string; shape: number[]; data: number[] }[]; placement: string };
      adapter: { description: string };
    };
    expect(result.cpu.outputs.map((o) => o.shape)).toEqual([
      [1, 896, 16],
      [1, 896, 1],
    ]);
    expect(result.gpu.placement).toMatch(/^[1-9]\d* nodes on webgpu in [1-9]\d* partition\(s\)/);
    result.cpu.outputs.forEach((c, i) => {
      const g = result.gpu.outputs[i];
      expect(g.shape).toEqual(c.shape);
      expect(c.data.every(Number.isFinite) && g.data.every(Number.isFinite)).toBe(true);
      const scale = Math.max(...c.data.map(Math.abs));
      const diff = Math.max(...c.data.map((v, j) => Math.abs(v - g.data[j])));
      expect(scale).toBeGreaterThan(0);
      expect(diff / scale, `${c.name} on ${result.adapter.description}`).toBeLessThanOrEqual(1e-4);
    });
  });

  it('runs on the CPU without its optional peers, and says what WebGPU in Node needs', async () => {
    const installed = readdirSync(join(bareApp, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed.sort()).toEqual(['flatbuffers', 'tflite-webgpu', 'wgsl_reflect']);
    writeFileSync(join(bareApp, 'main.mjs'), BARE_APP);
    const { stdout } = await node(['main.mjs', MODEL], bareApp);
    const result = JSON.parse(stdout) as { outputs: number[]; error: string; version: string };
    expect(result.version).toBe(pkg.version);
    expect(result.outputs).toEqual([896 * 16, 896]);
    expect(result.error).toMatch(
      /^GpuUnavailableError: cannot load the `webgpu` package: .*In Node, WebGPU comes from the `webgpu` npm package/,
    );
  });

  it('runs its CLI (inspect)', async () => {
    const { stdout } = await node([join(app, 'node_modules/.bin/tflite-webgpu'), 'inspect', MODEL, '--json'], app);
    expect(JSON.parse(stdout)).toMatchObject({ ops: { CONV_2D: expect.any(Number) } });
  });

  it('bundles for the browser with Vite, without Dawn or Node built-ins', { timeout: 180_000 }, async () => {
    const web = join(app, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n');
    writeFileSync(join(web, 'main.js'), BROWSER_APP);
    const { stdout, stderr } = await node([VITE, 'build', '--logLevel', 'warn', '--outDir', join(web, 'dist'), web], app, 170_000);
    expect(`${stdout}${stderr}`).not.toMatch(/externalized for browser compatibility/);
    const assets = join(web, 'dist/assets');
    const files = readdirSync(assets);
    expect(files.filter((f) => !/\.(js|css)$/.test(f))).toEqual([]);
    const bundle = files
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(bundle).toContain('allocateTensors'); // the interpreter
    expect(bundle).toContain('@compute'); // the WGSL shaders (sources.json)
    expect(bundle).not.toMatch(/dawn\.node|deviceDestroyUnmapsBuffers|createRequire|node:fs|node:path/); // Dawn's index.js, Node
    // Dawn stays outside: no static import of it; the minifier folds the delegate's computed
    // specifier into import(`webgpu`), which only runs in Node (navigator.gpu is tried first).
    expect(bundle).not.toMatch(/\bfrom\s*["'`]webgpu["'`]|\bimport\s*["'`]webgpu["'`]/);
  });

  it.each([
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks an app under moduleResolution %s', { timeout: 120_000 }, async (name, options) => {
    const dir = join(app, `types-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.ts'), TYPES_APP);
    // As a WebGPU app is set up: WebGPU's types from @webgpu/types (here through Dawn's package), and
    // skipLibCheck as `tsc --init` and Vite's templates set it.
    const compilerOptions = {
      ...options,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: ['@webgpu/types'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
    await node([TSC, '-p', join(dir, 'tsconfig.json')], dir).catch((e: Error) => {
      throw new Error(`${e.message}\n(resolution: ${relative(app, dir)})`);
    });
  });
});

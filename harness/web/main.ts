// The verify page: pick a model (corpus list, URL or file drop), run it on the CPU interpreter and
// (when the delegate is built) the WebGPU delegate in fp32 and fp16, and compare each run with
// the oracle in this page (LiteRT.js or tfjs-tflite, picked as in Node). The comparison is
// harness/verify.ts's, as in `tflite-webgpu verify`.
import type { VerifyReport } from '../verify.js';
import { worstError } from '../verify.js';
import { availableBackends } from './backends.js';
import { byId, el, formatBytes, formatMs, onFilePicked } from './dom.js';
import { capabilities, fetchBytes, installPageApi, verifyBytes } from './page_verify.js';
import { MODEL_INDEX_URL, type ModelIndexEntry, type PageCapabilities } from './protocol.js';

installPageApi();

const modelSelect = byId<HTMLSelectElement>('model');
const urlInput = byId<HTMLInputElement>('url');
const fileInput = byId<HTMLInputElement>('file');
const drop = byId('drop');
const seedInput = byId<HTMLInputElement>('seed');
const runsInput = byId<HTMLInputElement>('runs');
const backendsBox = byId('backends');
const runButton = byId<HTMLButtonElement>('run');
const runAllButton = byId<HTMLButtonElement>('run-all');
const statusLine = byId('status');
const results = byId<HTMLTableSectionElement>('results');
const envLine = byId('env');

let corpus: ModelIndexEntry[] = [];
let dropped: { name: string; bytes: Uint8Array } | null = null;
let caps: PageCapabilities | null = null;

function describeEnv(c: PageCapabilities): string {
  const gpu = c.webgpu
    ? `WebGPU adapter: ${c.webgpu.vendor || '?'} / ${c.webgpu.architecture || '?'}${c.webgpu.isFallbackAdapter ? ' (fallback)' : ''}`
    : `no WebGPU adapter (${c.webgpuError ?? 'unknown'})`;
  const delegate = c.delegate ? 'WebGPU delegate built in' : 'WebGPU delegate not built yet (CPU only)';
  return `${gpu}; ${delegate}; oracles: LiteRT.js and tfjs-tflite (wasm) in this page`;
}

function backendChoices(c: PageCapabilities): void {
  backendsBox.replaceChildren();
  for (const b of availableBackends(c.webgpu !== null)) {
    const id = `be-${b.backend}-${b.precision}`;
    backendsBox.append(
      el(
        'label',
        { for: id },
        el('input', { type: 'checkbox', id, checked: true, 'data-backend': b.backend, 'data-precision': b.precision }),
        ` ${b.backend}${b.backend === 'cpu' ? '' : ` ${b.precision}`}`,
      ),
    );
  }
}

function chosenBackends(): { backend: 'cpu' | 'webgpu'; precision: 'fp32' | 'fp16' }[] {
  return Array.from(backendsBox.querySelectorAll<HTMLInputElement>('input:checked')).map((i) => ({
    backend: i.dataset.backend as 'cpu' | 'webgpu',
    precision: i.dataset.precision as 'fp32' | 'fp16',
  }));
}

function statusCell(r: VerifyReport): HTMLElement {
  const text = r.status === 'unsupported' ? 'NOT YET SUPPORTED' : r.status.toUpperCase();
  return el('td', { class: `status ${r.status}` }, text);
}

function addReport(r: VerifyReport): void {
  const detail =
    r.status === 'unsupported' ? `missing: ${r.missingOps?.join(' ')}` : r.error ? `${r.error.type}: ${r.error.message}` : worstError(r);
  const other = r.other ? ('maxAbs' in r.other ? `${r.other.oracle} differs by ${r.other.maxAbs.toExponential(2)}` : r.other.error) : '';
  const failures = r.outputs.filter((o) => !o.pass).map((o) => `output '${o.name}': ${o.problem}`);
  results.append(
    el(
      'tr',
      {},
      el('td', {}, r.model),
      el('td', {}, r.backend === 'cpu' ? 'cpu' : `${r.backend} ${r.precision}`),
      el('td', {}, r.mode),
      statusCell(r),
      el('td', {}, r.oracle ?? ''),
      el('td', { class: 'detail', title: failures.join('\n') }, detail),
      el('td', { class: 'detail' }, other),
      el('td', { class: 'num' }, formatMs(r.msPerInvoke)),
      el('td', { class: 'detail' }, r.placement?.summary ?? ''),
    ),
  );
}

function addError(model: string, why: string): void {
  results.append(
    el(
      'tr',
      {},
      el('td', {}, model),
      el('td', {}, ''),
      el('td', {}, ''),
      el('td', { class: 'status error' }, 'ERROR'),
      el('td', {}, ''),
      el('td', { class: 'detail', colspan: 5 }, why),
    ),
  );
}

async function verifyOne(name: string, bytes: Uint8Array): Promise<void> {
  for (const b of chosenBackends()) {
    statusLine.textContent = `verifying ${name} on ${b.backend} ${b.precision}...`;
    const settings = {
      ...b,
      seed: Number(seedInput.value) || 1,
      timingRuns: Math.max(0, Number(runsInput.value) || 0),
    };
    try {
      addReport((await verifyBytes(name, bytes, settings)).report);
    } catch (e) {
      addError(name, `${b.backend} ${b.precision}: ${(e as Error).message}`);
    }
  }
}

async function run(all: boolean): Promise<void> {
  runButton.disabled = runAllButton.disabled = true;
  const t0 = performance.now();
  try {
    if (all) {
      for (const m of corpus) await verifyOne(m.key, await fetchBytes(m.url));
    } else if (dropped && modelSelect.value === '__dropped') {
      await verifyOne(dropped.name, dropped.bytes);
    } else {
      const url = urlInput.value.trim() || modelSelect.value;
      if (!url) throw new Error('choose a model');
      const entry = corpus.find((m) => m.url === url);
      await verifyOne(entry?.key ?? url.split('/').pop() ?? url, await fetchBytes(url));
    }
    statusLine.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  } catch (e) {
    statusLine.textContent = `error: ${(e as Error).message}`;
  } finally {
    runButton.disabled = runAllButton.disabled = false;
  }
}

function useFile(file: File): void {
  void file.arrayBuffer().then((buf) => {
    dropped = { name: file.name.replace(/\.tflite$/, ''), bytes: new Uint8Array(buf) };
    modelSelect.querySelector('option[value="__dropped"]')?.remove();
    modelSelect.prepend(el('option', { value: '__dropped' }, `${file.name} (dropped, ${formatBytes(buf.byteLength)})`));
    modelSelect.value = '__dropped';
    urlInput.value = '';
  });
}

async function init(): Promise<void> {
  caps = await capabilities();
  envLine.textContent = describeEnv(caps);
  backendChoices(caps);
  try {
    corpus = (await (await fetch(MODEL_INDEX_URL)).json()) as ModelIndexEntry[];
  } catch {
    corpus = [];
  }
  modelSelect.replaceChildren(...corpus.map((m) => el('option', { value: m.url }, `${m.key} (${formatBytes(m.bytes)})`)));
  runButton.addEventListener('click', () => void run(false));
  runAllButton.addEventListener('click', () => void run(true));
  onFilePicked(fileInput, drop, useFile);
  statusLine.textContent = 'ready';
  document.body.dataset.ready = 'true';
}

void init();

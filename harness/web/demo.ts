// The demo page: a corpus model (default: MediaPipe selfie segmentation) on the sample portrait or
// your image, on a chosen backend; the mask overlay or face boxes; timings; and the graph
// partition from Interpreter.placement() as a picture.
import type { TypedArray } from '../../src/index.js';
import { makeModelInputs } from '../oracle/inputs.js';
import { readModelInfo } from '../oracle/model_info.js';
import type { Backend, Precision } from '../verify.js';
import { availableBackends } from './backends.js';
import { type DemoRun, runModel } from './demo_run.js';
import { byId, el, formatBytes, formatMs, onFilePicked } from './dom.js';
import { backendColor, foldedSummary, renderPlacement } from './graph_view.js';
import { capabilities, fetchBytes } from './page_verify.js';
import { DEMO_STATE, type DemoState, MODEL_INDEX_URL, type ModelIndexEntry } from './protocol.js';
import { decodeFaces, drawFaces, drawSamplePortrait, imageToTensor, overlayMask } from './vision.js';

const modelSelect = byId<HTMLSelectElement>('model');
const backendSelect = byId<HTMLSelectElement>('backend');
const fileInput = byId<HTMLInputElement>('file');
const drop = byId('drop');
const runButton = byId<HTMLButtonElement>('run');
const statusLine = byId('status');
const view = byId<HTMLCanvasElement>('view');
const resultLine = byId('result');
const timings = byId<HTMLTableSectionElement>('timings');
const partitionsBox = byId('partitions');
const graphBox = byId('graph');
const hoverLine = byId('hover');
const foldedLine = byId('folded');
const legend = byId('legend');

/** Default models, best first. */
const DEFAULTS = [
  'npm:selfie_segmentation/selfie_segmentation.tflite',
  'shared:selfie_segmentation_fp16.tflite',
  'npm:face_detection/face_detection_short_range.tflite',
];

type Task = 'segmentation' | 'faces' | 'generic';

function taskOf(name: string): Task {
  if (/selfie_segmentation/.test(name)) return 'segmentation';
  if (/face_detection|blazeface/.test(name)) return 'faces';
  return 'generic';
}

let corpus: ModelIndexEntry[] = [];
let source: CanvasImageSource | null = null;
const lastRuns = new Map<string, DemoRun>();

function setState(s: DemoState): void {
  (globalThis as unknown as Record<string, DemoState>)[DEMO_STATE] = s;
}

function sampleImage(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = 512;
  c.height = 512;
  drawSamplePortrait(c);
  return c;
}

/** Model input [1, H, W, 3] → { h, w }, or null for other inputs. */
function imageInput(shape: readonly number[]): { h: number; w: number } | null {
  if (shape.length !== 4 || shape[0] !== 1 || shape[3] !== 3) return null;
  return { h: shape[1] as number, w: shape[2] as number };
}

function renderTimings(): void {
  timings.replaceChildren(
    ...[...lastRuns.values()].map((r) =>
      el(
        'tr',
        {},
        el('td', {}, r.backend === 'cpu' ? 'cpu' : `${r.backend} ${r.precision}`),
        el('td', { class: 'num' }, formatMs(r.msFirstInvoke)),
        el('td', { class: 'num' }, formatMs(r.msPerInvoke)),
        el('td', { class: 'detail' }, r.placement.summary),
      ),
    ),
  );
}

/** A partition's describe() facts: scalars as they are, objects by their size (details go to the graph's tooltips). */
function formatInfo(info: Record<string, unknown>): string {
  return Object.entries(info)
    .map(([k, v]) => {
      if (v === null || typeof v !== 'object') return `${k}: ${String(v)}`;
      return `${k}: ${Array.isArray(v) ? v.length : Object.keys(v).length} entries`;
    })
    .join(', ');
}

function renderPartitions(run: DemoRun): void {
  const stepMs = new Map<number, number>();
  const nodeMs = new Map<number, number>();
  for (const s of run.profile?.steps ?? []) {
    if (s.partition !== null) stepMs.set(s.partition, (stepMs.get(s.partition) ?? 0) + s.ms);
    else for (const n of s.nodes) nodeMs.set(n, s.ms);
  }
  const parts = run.placement.partitions;
  const rows = parts.map((p) =>
    el(
      'tr',
      {},
      el('td', {}, p.id),
      el('td', {}, p.backend),
      el('td', { class: 'num' }, p.nodes.length),
      el('td', { class: 'num' }, formatBytes(p.bytesIn)),
      el('td', { class: 'num' }, formatBytes(p.bytesOut)),
      el('td', { class: 'num' }, run.profile ? formatMs(stepMs.get(p.id)) : 'n/a'),
      el('td', { class: 'detail' }, formatInfo(p.info)),
    ),
  );
  const cpuNodes = run.placement.nodes.filter((n) => n.backend === 'cpu');
  const table = el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...['partition', 'backend', 'nodes', 'in', 'out', 'ms', 'info'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows),
  );
  const note = run.profile
    ? null
    : el(
        'p',
        { class: 'env' },
        'Per-partition and per-op times need an Interpreter profiling hook (invoke({ profile: true }), see demo_run.ts); totals are above.',
      );
  const slowest = run.profile
    ? [...nodeMs.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([n, ms]) => `#${n} ${run.placement.nodes[n]?.op ?? '?'} ${formatMs(ms)} ms`)
        .join(', ')
    : '';
  partitionsBox.replaceChildren(
    parts.length ? table : el('p', {}, `No delegated partitions: ${cpuNodes.length} nodes run on the CPU interpreter.`),
    ...(note ? [note] : []),
    ...(slowest ? [el('p', { class: 'env' }, `Slowest CPU nodes: ${slowest}`)] : []),
  );
}

function renderGraph(run: DemoRun): void {
  const backends = [...new Set(run.placement.nodes.map((n) => n.backend))].filter((b) => b !== 'folded');
  legend.replaceChildren(
    ...backends.map((b) => el('span', {}, el('i', { style: `background:${backendColor(b)}` }), b)),
    el('span', {}, 'dashed box: a delegated partition; yellow dot: a reason it stays on the CPU'),
  );
  graphBox.replaceChildren(renderPlacement(run.placement, (text) => (hoverLine.textContent = text ?? '')));
  const folded = foldedSummary(run.placement);
  foldedLine.textContent = folded ? `Folded at prepare (not drawn): ${folded}` : '';
}

async function run(): Promise<void> {
  const entry = corpus.find((m) => m.url === modelSelect.value);
  if (!entry) return;
  const [backend, precision] = backendSelect.value.split(' ') as [Backend, Precision];
  runButton.disabled = true;
  setState({ status: 'running', model: entry.key });
  statusLine.textContent = `running ${entry.name} on ${backendSelect.value}…`;
  try {
    const bytes = await fetchBytes(entry.url);
    const task = taskOf(entry.name);
    const inputs = makeModelInputs(bytes, 1) as TypedArray[];
    const first = inputs[0];
    const shape = readModelInfo(bytes).inputs[0]?.shape ?? [];
    const img = imageInput(shape);
    const image = source ?? sampleImage();
    if (task !== 'generic' && img && first instanceof Float32Array) {
      inputs[0] = task === 'segmentation' ? imageToTensor(image, img.w, img.h, 0, 1) : imageToTensor(image, img.w, img.h, -1, 1);
    }
    const result = await runModel(bytes, inputs, backend, precision);
    lastRuns.set(`${backend} ${precision}`, result);

    view.width = 512;
    view.height = img ? Math.round((512 * img.h) / img.w) : 512;
    const g = view.getContext('2d');
    if (!g) throw new Error('no 2D canvas');
    g.drawImage(image, 0, 0, view.width, view.height);
    const state: DemoState = { status: 'done', model: entry.key, msPerInvoke: { [`${backend} ${precision}`]: result.msPerInvoke } };
    const out0 = result.outputs[0];
    if (task === 'segmentation' && out0 && out0.data instanceof Float32Array && img) {
      const share = overlayMask(view, out0.data, out0.shape[2] ?? img.w, out0.shape[1] ?? img.h);
      state.foregroundShare = share;
      resultLine.textContent = `Person mask: ${(share * 100).toFixed(1)}% of the image is foreground (green), the rest background.`;
    } else if (task === 'faces' && result.outputs.length >= 2) {
      const [reg, cls] = result.outputs as [DemoRun['outputs'][number], DemoRun['outputs'][number]];
      const faces = decodeFaces(reg.data as Float32Array, cls.data as Float32Array);
      drawFaces(view, faces);
      state.faces = faces.length;
      resultLine.textContent = faces.length
        ? `${faces.length} face(s): ${faces.map((f) => `${(f.score * 100).toFixed(0)}%`).join(', ')}`
        : 'No face above 50% confidence.';
    } else {
      g.fillStyle = 'rgba(0,0,0,0.6)';
      g.fillRect(0, 0, view.width, view.height);
      resultLine.textContent = `No picture for this model (random inputs). Outputs: ${result.outputs
        .map((o) => `${o.name} [${o.shape}]`)
        .join(', ')}`;
    }
    renderTimings();
    renderPartitions(result);
    renderGraph(result);
    statusLine.textContent = result.delegateFailure
      ? `done on the CPU: the WebGPU delegate failed (${result.delegateFailure}); the next run starts on a new device`
      : `done: ${formatMs(result.msPerInvoke)} ms per invoke on ${backendSelect.value}`;
    setState(state);
  } catch (e) {
    const message = (e as Error).message;
    statusLine.textContent = `error: ${message}`;
    setState({ status: 'error', model: entry.key, error: message });
  } finally {
    runButton.disabled = false;
  }
}

function useImage(file: File): void {
  void createImageBitmap(file).then((bitmap) => {
    source = bitmap;
    void run();
  });
}

async function init(): Promise<void> {
  setState({ status: 'running' });
  const caps = await capabilities();
  byId('env').textContent = caps.webgpu
    ? `WebGPU: ${caps.webgpu.vendor || '?'} / ${caps.webgpu.architecture || '?'}${caps.delegate ? '' : ' — the WebGPU delegate is not built yet, so everything runs on the CPU interpreter'}`
    : `No WebGPU adapter (${caps.webgpuError ?? '?'}): CPU interpreter only.`;
  backendSelect.replaceChildren(
    ...availableBackends(caps.webgpu !== null).map((b) =>
      el('option', { value: `${b.backend} ${b.precision}` }, b.backend === 'cpu' ? 'cpu' : `${b.backend} ${b.precision}`),
    ),
  );
  corpus = (await (await fetch(MODEL_INDEX_URL)).json()) as ModelIndexEntry[];
  modelSelect.replaceChildren(...corpus.map((m) => el('option', { value: m.url }, `${m.key} (${formatBytes(m.bytes)})`)));
  const params = new URLSearchParams(location.search);
  const wanted = [params.get('model'), ...DEFAULTS].find((k) => k && corpus.some((m) => m.key === k || m.name === k));
  const chosen = corpus.find((m) => m.key === wanted || m.name === wanted) ?? corpus[0];
  if (chosen) modelSelect.value = chosen.url;
  const be = params.get('backend');
  if (be && Array.from(backendSelect.options).some((o) => o.value === be)) backendSelect.value = be;
  modelSelect.addEventListener('change', () => void run());
  backendSelect.addEventListener('change', () => void run());
  runButton.addEventListener('click', () => void run());
  onFilePicked(fileInput, drop, useImage);
  if (!chosen) {
    statusLine.textContent = 'no models served';
    setState({ status: 'error', error: 'no models served' });
    return;
  }
  await run();
}

void init();

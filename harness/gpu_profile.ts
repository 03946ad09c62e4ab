// The GPU profile of a model: the WebGPU delegate's per-dispatch GPU times (its profile option,
// 'timestamp-query') merged with the interpreter's CPU step timings (harness/profile.ts) over
// several runs, as a structured report and as Markdown: the top dispatches by GPU time with
// shape and variant, the CPU fallback nodes, the partitions' boundary transfers, GPU memory as
// planned against a buffer per tensor, and the JS heap after the runs.
import type { DelegateProfile, Interpreter, PartitionProfile } from '../src/index.js';
import { type InvokeProfile, invokeProfiled } from './profile.js';

/** What profileModel needs of a delegate (WebGpuDelegate created with `profile: true`). */
export interface ProfiledDelegate {
  lastProfile(): DelegateProfile | null;
}

export interface DispatchReport {
  /** The node it runs, or null for a partition-edge layout conversion. */
  node: number | null;
  op: string;
  variant: string;
  shape: number[];
  /** Median GPU ms over the runs; null without timestamps. */
  gpuMs: number | null;
  /** Share of all dispatches' GPU time. */
  share: number | null;
}

export interface CpuNodeReport {
  node: number;
  op: string;
  /** Median CPU ms over the runs. */
  ms: number;
}

export interface PartitionReport {
  label: string;
  nodes: number;
  dispatches: number;
  /** Median ms of the whole partition step as the CPU waits for it (upload, GPU, readback). */
  stepMs: number;
  /** Median GPU ms of its dispatches added up; null without timestamps. */
  gpuMs: number | null;
  /** Median CPU ms: writing inputs, waiting from submit to mapped outputs, copying outputs out. */
  uploadMs: number;
  waitMs: number;
  readbackMs: number;
  uploadBytes: number;
  readbackBytes: number;
}

export interface GpuMemoryReport {
  /** Tensor bytes of every partition as planned (pooled buffers reused by lifetime). */
  plannedTensorBytes: number;
  /** The same tensors with a buffer each. */
  naiveTensorBytes: number;
  /** Every buffer the partitions hold (tensors, weights, staging, uniforms, readback). */
  totalBufferBytes: number;
}

export interface GpuProfileReport {
  runs: number;
  /** Whether GPU times were measured; false: the profile is CPU-side only. */
  timestamps: boolean;
  /** Why the profile is CPU-side only (or null when it is not). */
  cpuSideOnly: string | null;
  /** Median ms of a whole invoke. */
  invokeMs: number;
  /** Median GPU ms of all dispatches; null without timestamps. */
  gpuMs: number | null;
  /** The dispatches by GPU time (by order when there are no timestamps), at most `top`. */
  topDispatches: DispatchReport[];
  /** GPU ms per op over all its dispatches (median per dispatch, added up), largest first. */
  opTotals: { op: string; dispatches: number; gpuMs: number }[];
  cpuNodes: CpuNodeReport[];
  partitions: PartitionReport[];
  memory: GpuMemoryReport | null;
  /** process.memoryUsage().heapUsed after the runs (Node); null elsewhere. */
  jsHeapBytes: number | null;
}

export interface ProfileModelOptions {
  /** Dispatches listed (default 10). */
  top?: number;
  /** Invokes run first and not counted (default 1: pipelines and buffers warm). */
  warmup?: number;
}

/**
 * Runs the interpreter `runs` times (after `warmup` runs), timing every step on the CPU and
 * reading the delegate's GPU profile after each run. The interpreter must be allocated and its
 * inputs set. `delegate` null (or one without the profile option) gives a CPU-side report.
 */
export async function profileModel(
  interpreter: Interpreter,
  delegate: ProfiledDelegate | null,
  runs = 10,
  options: ProfileModelOptions = {},
): Promise<GpuProfileReport> {
  if (!(runs >= 1)) throw new RangeError(`runs must be >= 1, got ${runs}`);
  for (let i = 0; i < (options.warmup ?? 1); i++) await interpreter.invoke();
  const cpu: InvokeProfile[] = [];
  const gpu: DelegateProfile[] = [];
  for (let i = 0; i < runs; i++) {
    cpu.push(await invokeProfiled(interpreter));
    const p = delegate?.lastProfile() ?? null;
    if (p) gpu.push(p);
  }
  const heap = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number } } }).process?.memoryUsage?.().heapUsed ?? null;
  return buildReport(cpu, gpu, delegate, options.top ?? 10, heap);
}

function buildReport(
  cpu: readonly InvokeProfile[],
  gpu: readonly DelegateProfile[],
  delegate: ProfiledDelegate | null,
  top: number,
  jsHeapBytes: number | null,
): GpuProfileReport {
  const runs = cpu.length;
  const timestamps = gpu.length === runs && gpu.every((p) => p.timestamps);
  const cpuSideOnly = timestamps
    ? null
    : !delegate
      ? 'no GPU delegate: the profile is CPU-side only'
      : gpu.length === 0
        ? 'the delegate was not created with profile: true (or ran nothing): the profile is CPU-side only'
        : "the device has no 'timestamp-query': the profile is CPU-side only";

  // Per partition (same order every run), per dispatch: median over the runs.
  const first = gpu[0]?.partitions ?? [];
  const partitionAt = (k: number) => gpu.map((p) => p.partitions[k]).filter((x): x is PartitionProfile => x !== undefined);
  const dispatches: DispatchReport[] = [];
  const partitionGpu: (number | null)[] = [];
  first.forEach((p, k) => {
    const runsOf = partitionAt(k);
    let sum: number | null = timestamps ? 0 : null;
    p.dispatches.forEach((d, i) => {
      const ms = timestamps ? median(runsOf.map((r) => r.dispatches[i]?.gpuMs ?? 0)) : null;
      if (sum !== null && ms !== null) sum += ms;
      dispatches.push({ node: d.node, op: d.op, variant: d.variant, shape: [...d.shape], gpuMs: ms, share: null });
    });
    partitionGpu.push(sum);
  });
  const gpuMs = timestamps ? dispatches.reduce((a, d) => a + (d.gpuMs ?? 0), 0) : null;
  if (gpuMs) for (const d of dispatches) d.share = (d.gpuMs ?? 0) / gpuMs;
  const topDispatches = (timestamps ? [...dispatches].sort((a, b) => (b.gpuMs ?? 0) - (a.gpuMs ?? 0)) : dispatches).slice(0, top);
  const totals = new Map<string, { op: string; dispatches: number; gpuMs: number }>();
  for (const d of dispatches) {
    const t = totals.get(d.op) ?? { op: d.op, dispatches: 0, gpuMs: 0 };
    t.dispatches++;
    t.gpuMs += d.gpuMs ?? 0;
    totals.set(d.op, t);
  }
  const opTotals = [...totals.values()].sort((a, b) => b.gpuMs - a.gpuMs);

  // CPU steps: the fallback nodes, and each partition's whole step.
  const stepsAt = (k: number) => cpu.map((r) => r.steps[k]).filter((s) => s !== undefined);
  const cpuNodes: CpuNodeReport[] = [];
  const partitionStepMs: number[] = [];
  (cpu[0]?.steps ?? []).forEach((s, k) => {
    const ms = median(stepsAt(k).map((x) => x.ms));
    if (s.backend === 'cpu') cpuNodes.push({ node: s.nodes[0] as number, op: s.op, ms });
    else partitionStepMs.push(ms);
  });
  cpuNodes.sort((a, b) => b.ms - a.ms);
  const partitions: PartitionReport[] = first.map((p, k) => {
    const runsOf = partitionAt(k);
    const med = (f: (r: PartitionProfile) => number) => median(runsOf.map(f));
    return {
      label: p.label,
      nodes: p.nodes.length,
      dispatches: p.dispatches.length,
      stepMs: partitionStepMs[k] ?? Number.NaN,
      gpuMs: partitionGpu[k] ?? null,
      uploadMs: med((r) => r.uploadMs),
      waitMs: med((r) => r.waitMs),
      readbackMs: med((r) => r.readbackMs),
      uploadBytes: p.uploadBytes,
      readbackBytes: p.readbackBytes,
    };
  });
  const memory = first.length
    ? {
        plannedTensorBytes: first.reduce((a, p) => a + p.plannedTensorBytes, 0),
        naiveTensorBytes: first.reduce((a, p) => a + p.naiveTensorBytes, 0),
        totalBufferBytes: first.reduce((a, p) => a + p.totalBufferBytes, 0),
      }
    : null;
  return {
    runs,
    timestamps,
    cpuSideOnly,
    invokeMs: median(cpu.map((r) => r.totalMs)),
    gpuMs,
    topDispatches,
    opTotals,
    cpuNodes,
    partitions,
    memory,
    jsHeapBytes,
  };
}

function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const ms = (v: number | null) => (v === null || Number.isNaN(v) ? '-' : v.toFixed(3));
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

/** The report as Markdown (the bench's --profile output). */
export function renderProfile(report: GpuProfileReport): string {
  const out: string[] = [];
  out.push(`## Profile (${report.runs} runs, medians)`, '');
  out.push(`invoke: ${ms(report.invokeMs)} ms${report.gpuMs === null ? '' : `; GPU time of all dispatches: ${ms(report.gpuMs)} ms`}`);
  if (report.cpuSideOnly) out.push('', `> ${report.cpuSideOnly}.`);
  if (report.topDispatches.length) {
    out.push('', report.timestamps ? `### Top ${report.topDispatches.length} dispatches by GPU time` : '### Dispatches (no GPU times)', '');
    out.push('| node | op | variant | output shape | GPU ms | share |', '|---:|---|---|---|---:|---:|');
    for (const d of report.topDispatches) {
      const share = d.share === null ? '-' : `${(100 * d.share).toFixed(1)}%`;
      out.push(`| ${d.node ?? 'edge'} | ${d.op} | ${d.variant} | [${d.shape.join(', ')}] | ${ms(d.gpuMs)} | ${share} |`);
    }
  }
  if (report.timestamps && report.opTotals.length) {
    out.push('', '### GPU time per op', '', '| op | dispatches | GPU ms |', '|---|---:|---:|');
    for (const t of report.opTotals) out.push(`| ${t.op} | ${t.dispatches} | ${ms(t.gpuMs)} |`);
  }
  out.push('', '### CPU fallback nodes', '');
  if (report.cpuNodes.length) {
    out.push('| node | op | CPU ms |', '|---:|---|---:|');
    for (const n of report.cpuNodes) out.push(`| ${n.node} | ${n.op} | ${ms(n.ms)} |`);
  } else out.push('none');
  if (report.partitions.length) {
    out.push('', '### Partitions and boundary transfers (CPU ms)', '');
    out.push(
      '| partition | nodes | dispatches | step ms | GPU ms | upload ms | wait ms | readback ms | bytes in | bytes out |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const p of report.partitions) {
      out.push(
        `| ${p.label} | ${p.nodes} | ${p.dispatches} | ${ms(p.stepMs)} | ${ms(p.gpuMs)} | ${ms(p.uploadMs)} | ${ms(p.waitMs)} | ${ms(p.readbackMs)} | ${p.uploadBytes} | ${p.readbackBytes} |`,
      );
    }
  }
  out.push('', '### Memory', '');
  if (report.memory) {
    const { plannedTensorBytes: planned, naiveTensorBytes: naive, totalBufferBytes: total } = report.memory;
    const saved = naive ? ` (${((100 * planned) / naive).toFixed(0)}% of naive)` : '';
    out.push(`- GPU tensor bytes planned: ${kib(planned)}${saved}; a buffer per tensor: ${kib(naive)}`);
    out.push(`- GPU buffers in all (tensors, weights, staging, uniforms): ${kib(total)}`);
  }
  out.push(`- JS heap after the runs: ${report.jsHeapBytes === null ? 'unknown' : kib(report.jsHeapBytes)}`);
  return `${out.join('\n')}\n`;
}

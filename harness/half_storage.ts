// The CPU reference of f16 activation storage (halfStorageObserver): values rounded to IEEE
// binary16 after each CPU node, math in float32. WGSL converts a float32 that
// is not exactly representable to either neighbouring half (the WebGPU CTS accepts both), so
// every rounding below is valid f16 storage: nearest (ties to even, what pack2x16float does on
// most devices), toward zero, away from zero, and stochastic (the upper neighbour with
// probability proportional to closeness, from a fixed hash, so runs are reproducible).
import { floatToHalf, halfToFloatTable, readModel, type StepObserver } from '../src/index.js';

export type HalfRounding = 'nearest' | 'toward-zero' | 'away-from-zero' | 'stochastic';

const MAX_HALF = 65504;

/** A uniform value in [0, 1) from (salt, i): splitmix-style mixing, deterministic. */
function hashUnit(salt: number, i: number): number {
  let h = Math.imul(salt ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Rounds `values` in place to halves. `salt` varies the stochastic choices between tensors.
 * Overflow saturates at +-65504 except under 'nearest', which follows the IEEE conversion (to inf).
 */
export function roundToHalf(values: Float32Array, rounding: HalfRounding, salt = 0): void {
  const half = halfToFloatTable();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const h = floatToHalf(v);
    const nearest = half[h] as number;
    if (rounding === 'nearest' || nearest === v || Number.isNaN(v)) {
      values[i] = nearest;
      continue;
    }
    // The two neighbours of v: the nearest half and the one on v's other side (halves are
    // monotone in their magnitude bits, so that neighbour is h +- 1 in the same sign).
    const a = Math.abs(v);
    const outer = Math.abs(nearest) > a;
    const inner = outer ? (half[h - 1] as number) : nearest;
    const upper = outer ? nearest : Math.abs(nearest) >= MAX_HALF ? nearest : (half[h + 1] as number);
    const lo = Math.abs(inner);
    const hi = Math.min(Math.abs(upper), MAX_HALF);
    let m: number;
    if (rounding === 'toward-zero') m = lo;
    else if (rounding === 'away-from-zero') m = hi;
    else m = hi > lo && hashUnit(salt, i) < (a - lo) / (hi - lo) ? hi : lo;
    values[i] = v < 0 ? -m : m;
  }
}

/**
 * An interpreter observer that rounds every float32 activation a CPU node writes to f16 after
 * the node ran, except the subgraph's outputs: the CPU reference of a GPU that stores
 * activations in f16 (TFLite's precision-loss-allowed mode), so an f16 delegate is judged
 * against what f16 storage itself costs.
 */
export function halfStorageObserver(modelBytes: Uint8Array, rounding: HalfRounding = 'nearest', subgraph = 0): StepObserver {
  const outputs = new Set(readModel(modelBytes).subgraphs[subgraph]?.outputs ?? []);
  return {
    afterStep(step) {
      if (step.backend !== 'cpu') return;
      for (const t of step.outputs) {
        if (t.dtype === 'float32' && t.kind === 'activation' && !outputs.has(t.index))
          roundToHalf(t.data as Float32Array, rounding, t.index);
      }
    },
  };
}

// Loader of the WebAssembly SIMD kernels (kernels.wat, embedded by kernels_wasm.ts) and the one
// growable memory they work in. The module is small, so it is compiled synchronously on first
// use. Where WebAssembly SIMD is unavailable (or the kernels are switched off, as the tests do to
// reach the JS reference loops) `wasmKernels()` returns null and the kernels keep their JS path.
//
// Memory: kernels keep their packed weights resident (a `WasmResident`, filled once) and take
// per-call scratch above them. When the resident data would pass ARENA_SOFT_LIMIT, everything is
// dropped at once (the epoch changes) and each kernel refills its weights at its next call, so
// many short-lived interpreters cannot grow the memory without bound.
import { KERNELS_WASM_BASE64 } from './kernels_wasm.js';

/** The module's exports (kernels.wat documents each one's arguments). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  matmul_f64(
    a: number,
    aStride: number,
    rows: number,
    K: number,
    w: number,
    count: number,
    bias: number,
    hasBias: number,
    out: number,
    outStride: number,
    lo: number,
    hi: number,
  ): void;
  depthwise_f32(
    x: number,
    inH: number,
    inW: number,
    C: number,
    w: number,
    fH: number,
    fW: number,
    sH: number,
    sW: number,
    dH: number,
    dW: number,
    padH: number,
    padW: number,
    outH: number,
    outW: number,
    bias: number,
    hasBias: number,
    out: number,
    lo: number,
    hi: number,
    tab: number,
  ): void;
  dot_i16(a: number, aStride: number, rows: number, K8: number, w: number, count: number, out: number, outStride: number): void;
  depthwise_i32(
    x: number,
    inH: number,
    inW: number,
    C: number,
    w: number,
    fH: number,
    fW: number,
    sH: number,
    sW: number,
    dH: number,
    dW: number,
    padH: number,
    padW: number,
    outH: number,
    outW: number,
    out: number,
    tab: number,
  ): void;
  tconv_f32(
    x: number,
    inH: number,
    inW: number,
    inC: number,
    w: number,
    fH: number,
    fW: number,
    sH: number,
    sW: number,
    padH: number,
    padW: number,
    outH: number,
    outW: number,
    outC: number,
    bias: number,
    hasBias: number,
    out: number,
    lo: number,
    hi: number,
  ): void;
  add_i16(x: number, n: number, offset: number): void;
  pool_f32(
    x: number,
    inH: number,
    inW: number,
    C: number,
    outH: number,
    outW: number,
    sH: number,
    sW: number,
    fH: number,
    fW: number,
    padTop: number,
    padLeft: number,
    isMax: number,
    out: number,
  ): void;
  patches_i16(
    x: number,
    inH: number,
    inW: number,
    inC: number,
    chan0: number,
    fH: number,
    fW: number,
    fC: number,
    sW: number,
    dH: number,
    dW: number,
    iy0: number,
    padW: number,
    outW: number,
    out: number,
    stride: number,
    padValue: number,
  ): void;
  patches_f64(
    x: number,
    inH: number,
    inW: number,
    inC: number,
    chan0: number,
    fH: number,
    fW: number,
    fC: number,
    sW: number,
    dH: number,
    dW: number,
    iy0: number,
    padW: number,
    outW: number,
    out: number,
  ): void;
  relu_f32(x: number, o: number, n: number): void;
  relu6_f32(x: number, o: number, n: number): void;
  relu_n1_to_1_f32(x: number, o: number, n: number): void;
  hard_swish_f32(x: number, o: number, n: number): void;
  add_f32(a: number, b: number, o: number, rows: number, C: number, bStride: number): void;
  sub_f32(a: number, b: number, o: number, rows: number, C: number, bStride: number): void;
  mul_f32(a: number, b: number, o: number, rows: number, C: number, bStride: number): void;
  prelu_f32(a: number, b: number, o: number, rows: number, C: number, bStride: number): void;
  requant_ref(acc: number, rows: number, C: number, par: number, outOffset: number, lo: number, hi: number, out: number): void;
  requant_fp32(
    acc: number,
    rows: number,
    C: number,
    addend: number,
    scale: number,
    outOffset: number,
    lo: number,
    hi: number,
    out: number,
  ): void;
}

/** Data a kernel keeps in wasm memory across calls (its packed weights). */
export interface WasmResident {
  /** Size in bytes. */
  bytes: number;
  /** Writes the data at byte offset `ptr` (the views are current). */
  fill: (k: WasmKernels, ptr: number) => void;
  /** False for weights that change between evals: refilled at every call. */
  constant: boolean;
  /** Where it is, valid while `epoch` is the memory's epoch. */
  ptr: number;
  epoch: number;
}

/** The 16-byte-aligned byte offset after a region of `bytes` at `ptr`. */
export function alignedAfter(ptr: number, bytes: number): number {
  return (ptr + bytes + 15) & ~15;
}

/** The byte offset after a region of `bytes` at `ptr`, aligned, with 16 bytes of slack (kernels' last lanes may spill). */
export function after(ptr: number, bytes: number): number {
  return alignedAfter(ptr, bytes + 16);
}

/** A resident block, not yet placed. */
export function wasmResident(bytes: number, constant: boolean, fill: (k: WasmKernels, ptr: number) => void): WasmResident {
  return { bytes, fill, constant, ptr: 0, epoch: -1 };
}

const PAGE = 65536;
/** The first bytes stay unused, so a null pointer never aliases data. */
const HEAP_START = 64;
const ARENA_SOFT_LIMIT = 512 * 1024 * 1024;

/** Rounds up to 16 bytes (v128 alignment, and slack for the kernels' 16-byte tail loads). */
function align16(n: number): number {
  return (n + 31) & ~15;
}

/** The instantiated kernels, their memory and typed views of it. */
export class WasmKernels {
  readonly exports: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private top = HEAP_START;
  private epoch = 0;
  private buffer: ArrayBuffer | null = null;
  private views: { f32: Float32Array; f64: Float64Array; i16: Int16Array; i32: Int32Array } | null = null;

  constructor(exports: KernelExports) {
    this.exports = exports;
    this.memory = exports.memory;
  }

  /**
   * Places `resident` (when given and not placed yet, or not constant) and returns the byte offset
   * of `scratchBytes` of scratch above it, valid until the next call; null when memory cannot grow.
   */
  call(resident: WasmResident | null, scratchBytes: number): number | null {
    const stale = resident !== null && (resident.epoch !== this.epoch || !resident.constant);
    const need = (stale ? align16(resident.bytes) : 0) + align16(scratchBytes);
    if (this.top + need > ARENA_SOFT_LIMIT && this.top > HEAP_START) {
      this.epoch++;
      this.top = HEAP_START;
      return this.call(resident, scratchBytes);
    }
    if (stale) {
      // A non-constant block is refilled in place when it has a place in this epoch.
      const placed = resident.epoch === this.epoch;
      const ptr = placed ? resident.ptr : this.top;
      if (!this.ensure((placed ? this.top : ptr + align16(resident.bytes)) + align16(scratchBytes))) return null;
      if (!placed) this.top = ptr + align16(resident.bytes);
      resident.ptr = ptr;
      resident.epoch = this.epoch;
      resident.fill(this, ptr);
    } else if (!this.ensure(this.top + align16(scratchBytes))) {
      return null;
    }
    return this.top;
  }

  private ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      return true;
    } catch {
      return false;
    }
  }

  private current() {
    const buffer = this.memory.buffer;
    if (this.views === null || this.buffer !== buffer) {
      this.buffer = buffer;
      this.views = {
        f32: new Float32Array(buffer),
        f64: new Float64Array(buffer),
        i16: new Int16Array(buffer),
        i32: new Int32Array(buffer),
      };
    }
    return this.views;
  }

  /** Views of the whole memory (re-made after growth; take them after `call`). */
  get f32(): Float32Array {
    return this.current().f32;
  }
  get f64(): Float64Array {
    return this.current().f64;
  }
  get i16(): Int16Array {
    return this.current().i16;
  }
  get i32(): Int32Array {
    return this.current().i32;
  }
}

let enabled = true;
let loaded: WasmKernels | null | undefined;

/** Switches the wasm fast paths on or off (tests compare them with the JS reference loops). */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The kernels, or null when they are switched off or WebAssembly SIMD is unavailable. */
export function wasmKernels(): WasmKernels | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = instantiate();
  return loaded;
}

function instantiate(): WasmKernels | null {
  try {
    if (typeof WebAssembly === 'undefined' || typeof atob !== 'function') return null;
    const text = atob(KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD support
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return new WasmKernels(instance.exports as unknown as KernelExports);
  } catch {
    return null;
  }
}

// shaders/quant.wgsl against the JS it reproduces (src/quant/, src/kernels/int/requant.ts, BigInt
// for the 64-bit helpers): each function runs once on the GPU over a batch of edge cases and
// seeded random cases, and every result must equal the JS to the bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type GpuContext } from '../../delegate/runtime/device.js';
import { BufferUsage, MapMode } from '../../delegate/runtime/gpu_flags.js';
import { reflectEntry } from '../../delegate/runtime/pipeline_cache.js';
import { WGSL_SOURCES } from '../../shaders/index.js';
import { ruyMultiplyByQuantizedMultiplier } from '../../src/kernels/int/requant.js';
import { roundHalfEven } from '../../src/kernels/int/xnnpack_rounding.js';
import {
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../src/quant/index.js';
import { gpuAvailable } from './support.js';

let gpu: GpuContext | null = null;
beforeAll(async () => {
  if (await gpuAvailable()) gpu = await acquireGpu();
});
afterAll(() => gpu?.release());

const RANDOM_CASES = 3000;

/** Seeded uint32 stream (mulberry32). */
function uint32Stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Random int32 values of every magnitude: a random bit width, then random bits below it. */
function int32Stream(seed: number): () => number {
  const next = uint32Stream(seed);
  return () => {
    const bits = (next() % 32) + 1;
    return bits === 32 ? next() | 0 : (next() >>> (32 - bits)) * (next() & 1 ? -1 : 1);
  };
}

/**
 * Runs `body` once per case on the GPU: case i reads its `inStride` int32 arguments with
 * `arg(k)` and writes its `outStride` int32 results with `put(k, v)`.
 */
async function runCases(
  ctx: GpuContext,
  body: string,
  args: Int32Array<ArrayBuffer>,
  inStride: number,
  outStride: number,
): Promise<Int32Array> {
  const { device } = ctx;
  const cases = args.length / inStride;
  const code = `${WGSL_SOURCES.prelude_fp32}\n${WGSL_SOURCES.common}\n${WGSL_SOURCES.quant}
@group(0) @binding(0) var<storage, read> case_args: array<i32>;
@group(0) @binding(1) var<storage, read_write> case_results: array<i32>;
const CASE_IN: u32 = ${inStride}u;
const CASE_OUT: u32 = ${outStride}u;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = invocation_index(gid, nwg);
  if (i >= ${cases}u) {
    return;
  }
  ${body.replace(/\barg\(/g, 'arg_of(i, ').replace(/\bput\(/g, 'put_of(i, ')}
}
fn arg_of(i: u32, k: u32) -> i32 {
  return case_args[i * CASE_IN + k];
}
fn put_of(i: u32, k: u32, v: i32) {
  case_results[i * CASE_OUT + k] = v;
}`;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  expect(errors.map((m) => `line ${m.lineNum}: ${m.message}`).join('\n')).toBe('');
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const input = device.createBuffer({ size: args.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
  device.queue.writeBuffer(input, 0, args);
  const outBytes = cases * outStride * 4;
  const output = device.createBuffer({ size: outBytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC });
  const readback = device.createBuffer({ size: outBytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: input } },
      { binding: 1, resource: { buffer: output } },
    ],
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const workgroups = Math.ceil(cases / 64);
  expect(workgroups).toBeLessThanOrEqual(65535);
  pass.dispatchWorkgroups(workgroups);
  pass.end();
  encoder.copyBufferToBuffer(output, 0, readback, 0, outBytes);
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  expect(error?.message ?? '').toBe('');
  await readback.mapAsync(MapMode.READ);
  const results = new Int32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  for (const b of [input, output, readback]) b.destroy();
  return results;
}

/** The first mismatches of a batch, as readable lines (empty when everything agrees). */
function mismatches(
  got: Int32Array,
  want: ArrayLike<number>,
  outStride: number,
  describeCase: (i: number) => string,
  limit = 10,
): string[] {
  const lines: string[] = [];
  for (let j = 0; j < want.length && lines.length < limit; j++) {
    if (got[j] !== want[j]) {
      const i = Math.floor(j / outStride);
      lines.push(`${describeCase(i)} result ${j % outStride}: GPU ${got[j]}, JS ${want[j]}`);
    }
  }
  return lines;
}

const EDGE_INT32 = [
  0,
  1,
  -1,
  2,
  -2,
  3,
  -3,
  127,
  -128,
  255,
  32767,
  -32768,
  65535,
  65536,
  -65536,
  (1 << 24) - 1,
  1 << 24,
  -(1 << 24),
  (1 << 24) + 1,
  -(1 << 24) - 1,
  1 << 30,
  -(1 << 30),
  (1 << 30) - 1,
  -(1 << 30) + 1,
  INT32_MAX,
  INT32_MIN,
  INT32_MAX - 1,
  INT32_MIN + 1,
];

const EDGE_MULTIPLIERS = [
  0,
  1,
  1 << 30,
  (1 << 30) + 1,
  1518500250,
  0x7fff0000 - 1,
  0x7fff0000,
  0x7fff7fff,
  0x7fff8000,
  INT32_MAX - 1,
  INT32_MAX,
];

const words = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
const fromWords = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);

describe('shaders/quant.wgsl', () => {
  it('parses for the reflection the pipeline cache does, after every precision prelude and common.wgsl', () => {
    const entry = `
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  out[gid.x] = pack_i8(unpack_i8(out[gid.x])) + bitcast<u32>(mbqm(1, 1 << 30, 0));
}`;
    for (const prelude of ['prelude_fp32', 'prelude_fp16', 'prelude_fp16_storage'] as const) {
      const code = `${WGSL_SOURCES[prelude]}\n${WGSL_SOURCES.common}\n${WGSL_SOURCES.quant}\n${entry}`;
      expect(reflectEntry(code, 'main', `quant after ${prelude}`).workgroupSize).toBe(64);
    }
    expect(WGSL_SOURCES.quant).not.toMatch(/@compute|@group|@binding/);
  });

  it('I64: from i32, add, add i32, multiply, shift right, truncate (against BigInt)', async (t) => {
    if (!gpu) return t.skip();
    const next = int32Stream(101);
    const rows: number[][] = [];
    for (const a of EDGE_INT32) for (const b of EDGE_INT32) rows.push([a, b, next(), next(), next() & 63]);
    for (let i = 0; i < RANDOM_CASES; i++) rows.push([next(), next(), next(), next(), next() & 63]);
    for (let s = 0; s < 64; s++) rows.push([INT32_MIN, INT32_MIN, 0, INT32_MIN, s], [1, -1, -1, INT32_MAX, s]);
    const body = `
  let a = arg(0u);
  let b = arg(1u);
  let c = I64(bitcast<u32>(arg(2u)), arg(3u));
  let s = u32(arg(4u));
  let p = i64_mul_i32(a, b);
  let sum = i64_add(p, c);
  let sum_i32 = i64_add_i32(c, a);
  let shifted = i64_shr(c, s);
  let widened = i64_from_i32(a);
  let product = i64_mul(c, I64(bitcast<u32>(b), a));
  let results = array<I64, 6>(p, sum, sum_i32, shifted, widened, product);
  for (var k = 0u; k < 6u; k++) {
    put(2u * k, bitcast<i32>(results[k].lo));
    put(2u * k + 1u, results[k].hi);
  }
  put(12u, i64_to_i32(c));`;
    const got = await runCases(gpu, body, Int32Array.from(rows.flat()), 5, 13);
    const want = rows.flatMap(([a, b, lo, hi, s]) => {
      const [A, B] = [BigInt(a as number), BigInt(b as number)];
      const c = fromWords(lo as number, hi as number);
      const p = A * B;
      const product = BigInt.asIntN(64, c * fromWords(b as number, a as number));
      return [
        ...words(p),
        ...words(BigInt.asIntN(64, p + c)),
        ...words(BigInt.asIntN(64, c + A)),
        ...words(c >> BigInt(s as number)),
        ...words(A),
        ...words(product),
        lo as number,
      ];
    });
    expect(mismatches(got, want, 13, (i) => `case ${rows[i]}`)).toEqual([]);
  });

  it('srdhm equals saturatingRoundingDoublingHighMul', async (t) => {
    if (!gpu) return t.skip();
    const next = int32Stream(102);
    const rows: number[][] = [];
    const edges = [...EDGE_INT32, ...EDGE_MULTIPLIERS];
    for (const a of edges) for (const b of edges) rows.push([a, b]);
    // Ties: a*b an odd multiple of 2^30 (positive and negative).
    for (let k = 0; k < 30; k++) rows.push([1 << k, 3 << (30 - k - 1)], [-(1 << k), 3 << (30 - k - 1)], [1 << k, -(1 << (30 - k))]);
    for (let i = 0; i < RANDOM_CASES; i++) rows.push([next(), next()]);
    const got = await runCases(gpu, 'put(0u, srdhm(arg(0u), arg(1u)));', Int32Array.from(rows.flat()), 2, 1);
    const want = rows.map(([a, b]) => saturatingRoundingDoublingHighMul(a as number, b as number));
    expect(want[rows.findIndex(([a, b]) => a === INT32_MIN && b === INT32_MIN)]).toBe(INT32_MAX);
    expect(mismatches(got, want, 1, (i) => `srdhm(${rows[i]})`)).toEqual([]);
  });

  it('rdbpot equals roundingDivideByPOT', async (t) => {
    if (!gpu) return t.skip();
    const next = int32Stream(103);
    const rows: number[][] = [];
    for (let e = 0; e < 32; e++) {
      for (const x of EDGE_INT32) rows.push([x, e]);
      // Exact halves and their neighbours, both signs.
      if (e > 0) {
        for (const k of [0, 1, 2, 5, 1000]) {
          const half = k * 2 ** e + 2 ** (e - 1);
          for (const d of [-1, 0, 1]) if (half + d <= INT32_MAX) rows.push([half + d, e], [-(half + d), e]);
        }
      }
    }
    for (let i = 0; i < RANDOM_CASES; i++) rows.push([next(), next() & 31]);
    const got = await runCases(gpu, 'put(0u, rdbpot(arg(0u), arg(1u)));', Int32Array.from(rows.flat()), 2, 1);
    const want = rows.map(([x, e]) => roundingDivideByPOT(x as number, e as number));
    expect(mismatches(got, want, 1, (i) => `rdbpot(${rows[i]})`)).toEqual([]);
  });

  /** (x, m, shift) cases for the multiply-by-quantized-multiplier family. */
  function multiplierCases(seed: number, shifts: number[]): number[][] {
    const next = int32Stream(seed);
    const bits = uint32Stream(seed + 1);
    const rows: number[][] = [];
    for (const shift of shifts) for (const m of EDGE_MULTIPLIERS) for (const x of EDGE_INT32) rows.push([x, m, shift]);
    for (let i = 0; i < RANDOM_CASES; i++) {
      // Multipliers as QuantizeMultiplier makes them ([2^30, 2^31)), sometimes any non-negative value.
      const m = bits() % 4 === 0 ? bits() >>> 1 : 0x40000000 + (bits() >>> 2);
      rows.push([next(), m, shifts[bits() % shifts.length] as number]);
    }
    return rows;
  }
  const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

  it('mbqm equals multiplyByQuantizedMultiplier (double rounding)', async (t) => {
    if (!gpu) return t.skip();
    const rows = multiplierCases(104, range(-31, 31));
    // Ties of the final rounding: srdhm(3 * 2^e, 2^30) = 3 * 2^(e-1), an exact half of 2^e.
    for (let e = 1; e < 30; e++) rows.push([3 << e, 1 << 30, -e], [-(3 << e), 1 << 30, -e]);
    const got = await runCases(gpu, 'put(0u, mbqm(arg(0u), arg(1u), arg(2u)));', Int32Array.from(rows.flat()), 3, 1);
    const want = rows.map(([x, m, s]) => multiplyByQuantizedMultiplier(x as number, m as number, s as number));
    expect(mismatches(got, want, 1, (i) => `mbqm(${rows[i]})`)).toEqual([]);
  });

  it('mbqm_single equals ruyMultiplyByQuantizedMultiplier (single rounding, int32 wrap)', async (t) => {
    if (!gpu) return t.skip();
    const rows = multiplierCases(105, range(-31, 30));
    // Ties: x * m an odd multiple of 2^(t-1), t = 31 - shift, both signs.
    for (let j = 0; j < 30; j++) rows.push([3 << j, 1 << 30, -j], [-(3 << j), 1 << 30, -j]); // 3 * 2^(30+j)
    for (let j = 0; j <= 30; j++) rows.push([2 ** j, 3 << 29, 1 - j], [-(2 ** j), 3 << 29, 1 - j]); // 3 * 2^(29+j)
    for (let shift = 1; shift <= 7; shift++) {
      for (const x of [1, 3, -1, -3, 12345, -12345]) rows.push([x, 2 ** 30 + 2 ** (30 - shift), shift]);
    }
    // Wraps: a saturated accumulator times a multiplier above 1.
    for (let shift = 0; shift <= 7; shift++)
      rows.push([INT32_MAX, INT32_MAX, shift], [INT32_MIN, INT32_MAX, shift], [INT32_MIN, 1 << 30, shift]);
    const got = await runCases(gpu, 'put(0u, mbqm_single(arg(0u), arg(1u), arg(2u)));', Int32Array.from(rows.flat()), 3, 1);
    // The JS itself against TFLite's exact int64 arithmetic (BigInt), on every row.
    const exact = (x: number, m: number, s: number) => {
      const t = BigInt(31 - s);
      return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m) + (1n << (t - 1n))) >> t));
    };
    const want = rows.map(([x, m, s]) => ruyMultiplyByQuantizedMultiplier(x as number, m as number, s as number));
    expect(rows.filter(([x, m, s], i) => want[i] !== exact(x as number, m as number, s as number))).toEqual([]);
    expect(mismatches(got, want, 1, (i) => `mbqm_single(${rows[i]})`)).toEqual([]);
  });

  it('mbqm_i64 equals multiplyByQuantizedMultiplierInt64 (16-bit multiplier, int32 wrap)', async (t) => {
    if (!gpu) return t.skip();
    const bits = uint32Stream(106);
    const shifts = range(-31, 7);
    const xs: bigint[] = [0n, 1n, -1n, 2n ** 47n, -(2n ** 47n), 2n ** 47n - 1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, -(2n ** 32n) + 1n];
    for (const v of EDGE_INT32) xs.push(BigInt(v));
    const rows: number[][] = [];
    const push = (x: bigint, m: number, shift: number) => rows.push([...words(x), m, shift]);
    for (const shift of shifts) for (const m of EDGE_MULTIPLIERS) for (const x of xs) push(x, m, shift);
    // Ties of the rounding: x * m16 an odd multiple of 2^(t-1), both signs (m16 = 1 from m = 2^16).
    for (const shift of shifts) {
      const t = 15 - shift;
      for (const k of [1n, 3n, 5n]) {
        push(k << BigInt(t - 1), 1 << 16, shift);
        push(-(k << BigInt(t - 1)), 1 << 16, shift);
      }
    }
    for (let i = 0; i < RANDOM_CASES; i++) {
      const width = BigInt((bits() % 48) + 1);
      const magnitude = ((BigInt(bits()) << 32n) | BigInt(bits())) & ((1n << width) - 1n);
      const m = bits() % 4 === 0 ? bits() >>> 1 : 0x40000000 + (bits() >>> 2);
      push(bits() & 1 ? -magnitude : magnitude, m, shifts[bits() % shifts.length] as number);
    }
    const body = 'put(0u, mbqm_i64(I64(bitcast<u32>(arg(0u)), arg(1u)), arg(2u), arg(3u)));';
    const got = await runCases(gpu, body, Int32Array.from(rows.flat()), 4, 1);
    const want = rows.map(([lo, hi, m, s]) =>
      multiplyByQuantizedMultiplierInt64(Number(fromWords(lo as number, hi as number)), m as number, s as number),
    );
    const describeCase = (i: number) => {
      const [lo, hi, m, s] = rows[i] as number[];
      return `mbqm_i64(${fromWords(lo as number, hi as number)}, ${m}, ${s})`;
    };
    expect(mismatches(got, want, 1, describeCase)).toEqual([]);
  });

  it('xnn_requant equals the fp32Scales path of requantize', async (t) => {
    if (!gpu) return t.skip();
    const bits = uint32Stream(107);
    const next = int32Stream(108);
    const accs: number[] = [...EDGE_INT32];
    // Conversion ties: 24 significant bits kept, the dropped bits exactly half (and +-1 around).
    for (let dropped = 1; dropped <= 7; dropped++) {
      for (const k of [0, 1, 2, 3, 0x7ffffe, 0x7fffff]) {
        const tie = 2 ** (23 + dropped) + k * 2 ** dropped + 2 ** (dropped - 1);
        for (const d of [-1, 0, 1]) accs.push(tie + d, -(tie + d));
      }
    }
    accs.push(INT32_MAX - 63, INT32_MAX - 64, INT32_MAX - 65, INT32_MIN + 64, INT32_MIN + 65);
    const scales = [1, 0.5, 0.25, 2 ** -10, 2 ** -24, 2 ** -30, 2 ** -126, 3, 1.5, 0.1, 1e-5, 123.456, 2 ** 20, 3.4e38].map(Math.fround);
    const rows: number[][] = [];
    const f32Bits = new Int32Array(1);
    const f32View = new Float32Array(f32Bits.buffer);
    const push = (acc: number, scale: number) => {
      f32View[0] = scale;
      rows.push([acc, f32Bits[0] as number]);
    };
    for (const acc of accs) for (const scale of scales) push(acc, scale);
    // Ties of the final rounding: odd accumulators times 2^-1, odd multiples of 2^(k-1) times 2^-k.
    for (let k = 1; k < 20; k++) for (const odd of [1, 3, 5, -1, -3, -5, 1001]) push(odd * 2 ** (k - 1), 2 ** -k);
    for (let i = 0; i < RANDOM_CASES; i++) {
      // Scales of many magnitudes: a random exponent in [-40, 10], a random mantissa.
      const scale = Math.fround((1 + bits() / 2 ** 32) * 2 ** ((bits() % 51) - 40));
      push(next(), scale);
    }
    const got = await runCases(gpu, 'put(0u, xnn_requant(arg(0u), bitcast<f32>(arg(1u))));', Int32Array.from(rows.flat()), 2, 1);
    const want = rows.map(([acc, scaleBits]) => {
      f32Bits[0] = scaleBits as number;
      const rounded = roundHalfEven(Math.fround(Math.fround(acc as number) * (f32View[0] as number)));
      // The WGSL clamps to +-2^30 (beyond every output range, so the clamped output is the same).
      return Math.min(Math.max(rounded, -(2 ** 30)), 2 ** 30);
    });
    const describeCase = (i: number) => {
      const [acc, scaleBits] = rows[i] as number[];
      f32Bits[0] = scaleBits as number;
      return `xnn_requant(${acc}, ${f32View[0]})`;
    };
    expect(mismatches(got, want, 1, describeCase)).toEqual([]);
  });

  it('int8 / uint8 / int16 pack and unpack are the bytes of the dense typed arrays', async (t) => {
    if (!gpu) return t.skip();
    // All 256 byte values in every lane position, then random words.
    const bytes = new Uint8Array(4 * 256 + 4 * 256);
    for (let i = 0; i < 256; i++) bytes.set([i, (i + 1) & 255, (i + 128) & 255, 255 - i], 4 * i);
    const next = uint32Stream(109);
    for (let i = 4 * 256; i < bytes.length; i++) bytes[i] = next() & 255;
    const wordsIn = new Int32Array(bytes.buffer);
    const int8 = new Int8Array(bytes.buffer);
    const int16 = new Int16Array(bytes.buffer);
    const extremes = [-32768, 32767, -1, 0, 1, -32767, 32766, 255, -256, 256];
    int16.set([...extremes, ...extremes.slice().reverse()], 0);
    const cases = wordsIn.length / 2; // two words each: 8 int8, 8 uint8, 4 int16 elements
    const rows: number[][] = [];
    for (let i = 0; i < cases; i++) {
      const w = [wordsIn[2 * i] as number, wordsIn[2 * i + 1] as number];
      rows.push([...w, ...int8.subarray(8 * i, 8 * i + 8), ...bytes.subarray(8 * i, 8 * i + 8), ...int16.subarray(4 * i, 4 * i + 4)]);
    }
    const body = `
  let w = vec2<u32>(bitcast<u32>(arg(0u)), bitcast<u32>(arg(1u)));
  let i8a = unpack_i8(w.x);
  let i8b = unpack_i8(w.y);
  let u8a = unpack_u8(w.x);
  let u8b = unpack_u8(w.y);
  let i16 = unpack_i16(w);
  for (var k = 0u; k < 4u; k++) {
    put(k, i8a[k]);
    put(4u + k, i8b[k]);
    put(8u + k, u8a[k]);
    put(12u + k, u8b[k]);
    put(16u + k, i16[k]);
  }
  let v = array<vec4<i32>, 5>(
    vec4<i32>(arg(2u), arg(3u), arg(4u), arg(5u)),
    vec4<i32>(arg(6u), arg(7u), arg(8u), arg(9u)),
    vec4<i32>(arg(10u), arg(11u), arg(12u), arg(13u)),
    vec4<i32>(arg(14u), arg(15u), arg(16u), arg(17u)),
    vec4<i32>(arg(18u), arg(19u), arg(20u), arg(21u)),
  );
  put(20u, bitcast<i32>(pack_i8(v[0])));
  put(21u, bitcast<i32>(pack_i8(v[1])));
  put(22u, bitcast<i32>(pack_u8(v[2])));
  put(23u, bitcast<i32>(pack_u8(v[3])));
  let p16 = pack_i16(v[4]);
  put(24u, bitcast<i32>(p16.x));
  put(25u, bitcast<i32>(p16.y));`;
    const got = await runCases(gpu, body, Int32Array.from(rows.flat()), 22, 26);
    // Unpacked: the typed arrays' elements; packed back: the words themselves.
    const want = rows.flatMap((r) => [...r.slice(2), r[0], r[1], r[0], r[1], r[0], r[1]] as number[]);
    expect(mismatches(got, want, 26, (i) => `words ${rows[i]?.slice(0, 2)}`)).toEqual([]);
  });
});

// Integer arithmetic shared by the integer op shaders: a library (no entry points, no bindings)
// compiled after the precision prelude and common.wgsl, before an integer op's template.
//
// Each function equals, to the bit, the JS function named in its comment (src/quant/,
// src/kernels/int/requant.ts), which reproduces TFLite's. Runtime i32/u32 arithmetic and shifts
// in WGSL wrap (two's complement, shift amounts taken mod 32), like the JS `| 0` and `<<`.
//
// Storage of integer tensors: int8 / uint8 four per u32 (element 4k+j in byte j of word k, i.e.
// the bytes of the dense Int8Array / Uint8Array, little-endian), int16 two per u32 (element 2k+j
// in half j of word k).

// Integer element types, as template constants name them (delegate/ops/int_slice.ts elementConstant).
const ELEM_I8: u32 = 0u;
const ELEM_U8: u32 = 1u;
const ELEM_I16: u32 = 2u;
const ELEM_I32: u32 = 3u;

const I32_MIN: i32 = -2147483648;
const I32_MAX: i32 = 2147483647;

// ---- 64-bit integers ----

// A signed 64-bit integer in two 32-bit words: value = hi * 2^32 + lo (lo unsigned, hi signed),
// the two halves of its two's complement bits. Arithmetic wraps modulo 2^64 like C++ int64 in
// practice.
struct I64 {
  lo: u32,
  hi: i32,
}

fn i64_from_i32(x: i32) -> I64 {
  return I64(bitcast<u32>(x), x >> 31u);
}

fn i64_add(a: I64, b: I64) -> I64 {
  let lo = a.lo + b.lo;
  return I64(lo, a.hi + b.hi + select(0, 1, lo < a.lo));
}

fn i64_add_i32(a: I64, b: i32) -> I64 {
  return i64_add(a, i64_from_i32(b));
}

// 2^k, k in [0, 62].
fn i64_pow2(k: u32) -> I64 {
  if (k < 32u) {
    return I64(1u << k, 0);
  }
  return I64(0u, 1 << (k - 32u));
}

// The exact 64-bit product of two u32, as (low word, high word): four 16x16-bit partial products,
// each below 2^32.
fn u32_mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu); // < 3 * 2^16
  return vec2<u32>((mid << 16u) | (p00 & 0xffffu), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}

// int64(a) * int64(b), exact: the unsigned product with the high word corrected for the signs.
fn i64_mul_i32(a: i32, b: i32) -> I64 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let p = u32_mul_wide(ua, ub);
  let hi = p.y - select(0u, ub, a < 0) - select(0u, ua, b < 0);
  return I64(p.x, bitcast<i32>(hi));
}

// a * b modulo 2^64 (exact when the product fits int64).
fn i64_mul(a: I64, b: I64) -> I64 {
  let p = u32_mul_wide(a.lo, b.lo);
  let hi = p.y + a.lo * bitcast<u32>(b.hi) + bitcast<u32>(a.hi) * b.lo;
  return I64(p.x, bitcast<i32>(hi));
}

// Arithmetic shift right (floor(a / 2^s)), s in [0, 63].
fn i64_shr(a: I64, s: u32) -> I64 {
  if (s == 0u) {
    return a;
  }
  if (s < 32u) {
    return I64((a.lo >> s) | (bitcast<u32>(a.hi) << (32u - s)), a.hi >> s);
  }
  return I64(bitcast<u32>(a.hi >> (s - 32u)), a.hi >> 31u);
}

// The C++ cast int64 -> int32: the low word.
fn i64_to_i32(a: I64) -> i32 {
  return bitcast<i32>(a.lo);
}

// ---- gemmlowp / TFLite fixed point ----

// gemmlowp SaturatingRoundingDoublingHighMul (fixed_point.ts saturatingRoundingDoublingHighMul):
// floor((a*b + 2^30) / 2^31); INT32_MIN * INT32_MIN saturates to INT32_MAX.
fn srdhm(a: i32, b: i32) -> i32 {
  if (a == I32_MIN && b == I32_MIN) {
    return I32_MAX;
  }
  return i64_to_i32(i64_shr(i64_add(i64_mul_i32(a, b), I64(0x40000000u, 0)), 31u));
}

// gemmlowp RoundingDivideByPOT (fixed_point.ts roundingDivideByPOT): x / 2^exponent rounded to
// nearest, ties away from zero. exponent in [0, 31].
fn rdbpot(x: i32, exponent: i32) -> i32 {
  let e = u32(exponent);
  let mask = bitcast<i32>((1u << e) - 1u);
  let remainder = x & mask;
  let threshold = (mask >> 1u) + select(0, 1, x < 0);
  return (x >> e) + select(0, 1, remainder > threshold);
}

// TFLite MultiplyByQuantizedMultiplier(int32, m, shift) with gemmlowp's double rounding
// (multiplier.ts multiplyByQuantizedMultiplier): RDBPOT(SRDHM(x << max(shift, 0), m), max(-shift, 0)).
// The left shift wraps, as C++'s int32 product does in practice. shift in [-31, 31].
fn mbqm(x: i32, m: i32, shift: i32) -> i32 {
  let left = u32(max(shift, 0));
  return rdbpot(srdhm(x << left, m), max(-shift, 0));
}

// MultiplyByQuantizedMultiplier with ruy's single rounding, as TFLite's optimized kernels apply it
// through cpu_backend_gemm (requant.ts ruyMultiplyByQuantizedMultiplier): with t = 31 - shift,
// (int64(x) * m + 2^(t-1)) >> t, cast (wrapped) to int32. shift in [-31, 30].
fn mbqm_single(x: i32, m: i32, shift: i32) -> i32 {
  let t = u32(31 - shift);
  return i64_to_i32(i64_shr(i64_add(i64_mul_i32(x, m), i64_pow2(t - 1u)), t));
}

// TFLite MultiplyByQuantizedMultiplier(int64, m, shift) of the 16x8 kernels' 64-bit accumulators
// (multiplier.ts multiplyByQuantizedMultiplierInt64): m cut to 16 bits ((m + 2^15) >> 16, 0x7fff
// from 0x7fff0000 on), then (x * m16 + 2^(t-1)) >> t with t = 15 - shift, cast (wrapped) to int32.
// m >= 0, shift in [-31, 7], |x| * m16 < 2^63 (TFLite assumes |x| <= 2^47).
fn mbqm_i64(x: I64, m: i32, shift: i32) -> i32 {
  let reduced = select(0x7fff, (m + 0x8000) >> 16u, m < 0x7fff0000);
  let t = u32(15 - shift);
  return i64_to_i32(i64_shr(i64_add(i64_mul(x, i64_from_i32(reduced)), i64_pow2(t - 1u)), t));
}

// ---- XNNPACK fp32 requantization ----

// Math.fround(x): x rounded to f32, to nearest with ties to even, for every i32. WGSL leaves the
// rounding of f32(x) open for |x| >= 2^24, so x is first rounded to 24 significant bits here.
fn i32_to_f32_rne(x: i32) -> f32 {
  let magnitude = select(bitcast<u32>(x), 0u - bitcast<u32>(x), x < 0); // |INT32_MIN| = 2^31 fits
  let width = 32u - countLeadingZeros(magnitude);
  if (width <= 24u) {
    return f32(x);
  }
  let dropped = width - 24u; // 1 to 8 low bits
  let half = 1u << (dropped - 1u);
  let rest = magnitude & ((1u << dropped) - 1u);
  var kept = magnitude >> dropped;
  if (rest > half || (rest == half && (kept & 1u) == 1u)) {
    kept += 1u; // at most 2^24: still exact in f32
  }
  let v = ldexp(f32(kept), i32(dropped));
  return select(v, -v, x < 0);
}

// Beyond any output clamp of an 8- or 16-bit type, whatever the output offset.
const XNN_REQUANT_LIMIT: f32 = 1073741824.0; // 2^30

// XNNPACK's fp32 requantization (requant.ts requantize with fp32Scales, before the output offset):
// lrintf(float(acc) * scale), the product rounded to f32 and then to nearest, ties to even. The
// result is clamped to [-2^30, 2^30] so that adding the output offset cannot wrap; the caller's
// clamp to the output range then gives what the JS gives. scale is a normal float.
fn xnn_requant(acc: i32, scale: f32) -> i32 {
  let scaled = i32_to_f32_rne(acc) * scale;
  return i32(round(clamp(scaled, -XNN_REQUANT_LIMIT, XNN_REQUANT_LIMIT)));
}

// ---- Packed 8- and 16-bit storage ----

// The four int8 elements of a word, sign-extended.
fn unpack_i8(w: u32) -> vec4<i32> {
  return bitcast<vec4<i32>>(vec4<u32>(w) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u);
}

// The four uint8 elements of a word.
fn unpack_u8(w: u32) -> vec4<i32> {
  return bitcast<vec4<i32>>((vec4<u32>(w) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu));
}

// Four int8 values (already in [-128, 127]) as one word.
fn pack_i8(v: vec4<i32>) -> u32 {
  let b = (bitcast<vec4<u32>>(v) & vec4<u32>(0xffu)) << vec4<u32>(0u, 8u, 16u, 24u);
  return b.x | b.y | b.z | b.w;
}

// Four uint8 values (already in [0, 255]) as one word.
fn pack_u8(v: vec4<i32>) -> u32 {
  let b = bitcast<vec4<u32>>(v) << vec4<u32>(0u, 8u, 16u, 24u);
  return b.x | b.y | b.z | b.w;
}

// The four int16 elements of two words, sign-extended.
fn unpack_i16(w: vec2<u32>) -> vec4<i32> {
  let u = vec4<u32>(w.x, w.x, w.y, w.y) << vec4<u32>(16u, 0u, 16u, 0u);
  return bitcast<vec4<i32>>(u) >> vec4<u32>(16u);
}

// Four int16 values (already in [-32768, 32767]) as two words.
fn pack_i16(v: vec4<i32>) -> vec2<u32> {
  let h = bitcast<vec4<u32>>(v) & vec4<u32>(0xffffu);
  return vec2<u32>(h.x | (h.y << 16u), h.z | (h.w << 16u));
}

// ---- 4-lane dot products of packed 8-bit words ----

// dot4I8Packed / dot4U8Packed without the packed_4x8_integer_dot_product language feature: the
// same values. Shaders call the one delegate/ops/int_dot.ts names (placeholders DOT_I8, DOT_U8), so
// the packed builtins appear in no module an implementation without them has to compile.
fn dot4_i8_plain(a: u32, b: u32) -> i32 {
  return dot(unpack_i8(a), unpack_i8(b));
}

fn dot4_u8_plain(a: u32, b: u32) -> u32 {
  return bitcast<u32>(dot(unpack_u8(a), unpack_u8(b)));
}

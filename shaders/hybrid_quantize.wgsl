// include: quant

// Hybrid (dynamic-range) ops, step 1: quantizes each batch row of a float input to int8, as
// src/kernels/hybrid.ts does (tensor_utils Symmetric/AsymmetricQuantizeFloats). One workgroup per
// batch row: the row's min/max (or max |x|) by a workgroup reduction, then one invocation derives
// the scale and zero point, then every invocation quantizes its slices.
// TFLite (and the CPU kernel) compute the scale and zero point in double precision; WGSL has no
// f64, so those few operations run on a software double (SD below), correctly rounded like IEEE
// binary64, which also gives the correctly rounded f32 divisions (scale, 1 / scale).
// Outputs: q (int8 four to a u32, the input's slice layout, padded lanes 0) and per batch row
// factors[2b] = the float scale (times fold_scale when FOLD), factors[2b + 1] = the zero point.

const ASYMMETRIC: bool = {{ASYMMETRIC}};
// Multiply the row's scale by fold_scale (a per-tensor filter scale: EvalHybrid, FC), in f32.
const FOLD: bool = {{FOLD}};

struct Params {
  invocations: u32,
  // Slices of one batch row, and of one pixel (channel row) with its channels.
  row_slices: u32,
  in_slices: u32,
  in_c: u32,
  fold_scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> q: array<u32>;
@group(0) @binding(2) var<storage, read_write> factors: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

// ---- Software binary64: value = m * 2^(e - 63), m a normalized 64-bit integer (hi, lo) with its
// low 11 bits zero (53 significant bits); zero has m = 0 and a very small e. ----
struct SD {
  neg: bool,
  e: i32,
  m: vec2<u32>, // (hi, lo)
}

const SD_ZERO_E: i32 = -100000;

fn sd_zero() -> SD {
  return SD(false, SD_ZERO_E, vec2<u32>(0u));
}

fn sd_is_zero(a: SD) -> bool {
  return a.m.x == 0u && a.m.y == 0u;
}

fn shl64(m: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) {
    return m;
  }
  if (s >= 64u) {
    return vec2<u32>(0u);
  }
  if (s >= 32u) {
    return vec2<u32>(m.y << (s - 32u), 0u);
  }
  return vec2<u32>((m.x << s) | (m.y >> (32u - s)), m.y << s);
}

// m >> s, with the shifted-out bits ORed into bit 0 (sticky), so that rounding stays correct.
fn shr64_sticky(m: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) {
    return m;
  }
  if (s >= 64u) {
    return vec2<u32>(0u, select(0u, 1u, m.x != 0u || m.y != 0u));
  }
  var r: vec2<u32>;
  var lost: bool;
  if (s >= 32u) {
    let t = s - 32u;
    r = vec2<u32>(0u, select(m.x >> t, 0u, t == 32u));
    lost = m.y != 0u || (t > 0u && (m.x << (32u - t)) != 0u);
  } else {
    r = vec2<u32>(m.x >> s, (m.y >> s) | (m.x << (32u - s)));
    lost = (m.y << (32u - s)) != 0u;
  }
  return vec2<u32>(r.x, r.y | select(0u, 1u, lost));
}

fn clz64(m: vec2<u32>) -> u32 {
  return select(countLeadingZeros(m.x), 32u + countLeadingZeros(m.y), m.x == 0u);
}

fn lt64(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.x < b.x || (a.x == b.x && a.y < b.y);
}

fn sub64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let borrow = select(0u, 1u, a.y < b.y);
  return vec2<u32>(a.x - b.x - borrow, a.y - b.y);
}

// Normalizes m and rounds it to 53 bits, to nearest, ties to even (sticky: nonzero bits below m).
fn sd_round(neg: bool, e: i32, m: vec2<u32>, sticky: bool) -> SD {
  if (m.x == 0u && m.y == 0u) {
    return sd_zero();
  }
  let s = clz64(m);
  var n = shl64(m, s);
  var ex = e - i32(s);
  let rest = n.y & 0x7ffu;
  var kept = vec2<u32>(n.x, n.y & ~0x7ffu);
  let odd = (n.y & 0x800u) != 0u;
  if (rest > 0x400u || (rest == 0x400u && (sticky || odd))) {
    let lo = kept.y + 0x800u;
    let carry = select(0u, 1u, lo < kept.y);
    kept = vec2<u32>(kept.x + carry, lo);
    if (kept.x == 0u && carry == 1u) {
      kept = vec2<u32>(0x80000000u, 0u);
      ex += 1;
    }
  }
  return SD(neg, ex, kept);
}

fn sd_from_f32(v: f32) -> SD {
  let bits = bitcast<u32>(v);
  let field = (bits >> 23u) & 0xffu;
  var mant = bits & 0x7fffffu;
  var exp = i32(field);
  if (field == 0u) {
    exp = 1; // subnormal
  } else {
    mant |= 0x800000u;
  }
  if (mant == 0u) {
    return sd_zero();
  }
  let s = countLeadingZeros(mant);
  return SD((bits >> 31u) == 1u, exp - 119 - i32(s), vec2<u32>(mant << s, 0u));
}

// Math.fround: to nearest f32, ties to even (normal results; the scales here are).
fn sd_to_f32(a: SD) -> f32 {
  if (sd_is_zero(a)) {
    return 0.0;
  }
  var mant = a.m.x >> 8u;
  let rest_hi = a.m.x & 0xffu;
  let above = rest_hi > 0x80u || (rest_hi == 0x80u && a.m.y != 0u);
  let tie = rest_hi == 0x80u && a.m.y == 0u;
  var e = a.e;
  if (above || (tie && (mant & 1u) == 1u)) {
    mant += 1u;
    if (mant == 0x1000000u) {
      mant = 0x800000u;
      e += 1;
    }
  }
  let field = u32(clamp(e + 127, 1, 254));
  return bitcast<f32>(select(0u, 0x80000000u, a.neg) | (field << 23u) | (mant & 0x7fffffu));
}

fn sd_neg(a: SD) -> SD {
  return SD(!a.neg, a.e, a.m);
}

fn sd_abs(a: SD) -> SD {
  return SD(false, a.e, a.m);
}

// |a| < |b|
fn sd_mag_lt(a: SD, b: SD) -> bool {
  return a.e < b.e || (a.e == b.e && lt64(a.m, b.m));
}

fn sd_add(a: SD, b: SD) -> SD {
  if (sd_is_zero(a)) {
    return b;
  }
  if (sd_is_zero(b)) {
    return a;
  }
  var big = a;
  var small = b;
  if (sd_mag_lt(a, b)) {
    big = b;
    small = a;
  }
  let d = u32(big.e - small.e);
  let s = shr64_sticky(small.m, d);
  if (big.neg == small.neg) {
    let lo = big.m.y + s.y;
    let carry = lo < big.m.y;
    let hi = big.m.x + s.x + select(0u, 1u, carry);
    let overflow = select(hi < big.m.x, hi <= big.m.x, carry);
    if (overflow) {
      // 65-bit sum: shift right by one, keeping the lost bit as sticky.
      let r = vec2<u32>((hi >> 1u) | 0x80000000u, (lo >> 1u) | (hi << 31u) | (lo & 1u));
      return sd_round(big.neg, big.e + 1, r, false);
    }
    return sd_round(big.neg, big.e, vec2<u32>(hi, lo), false);
  }
  return sd_round(big.neg, big.e, sub64(big.m, s), false);
}

fn sd_div(a: SD, b: SD) -> SD {
  if (sd_is_zero(a)) {
    return sd_zero();
  }
  var r = a.m;
  var carry = false;
  var quo = vec2<u32>(0u);
  for (var i = 0u; i < 64u; i++) {
    quo = shl64(quo, 1u);
    if (carry || !lt64(r, b.m)) {
      r = sub64(r, b.m);
      quo.y |= 1u;
    }
    carry = (r.x >> 31u) == 1u;
    r = shl64(r, 1u);
  }
  return sd_round(a.neg != b.neg, a.e - b.e, quo, carry || r.x != 0u || r.y != 0u);
}

// The hybrid.ts roundHalfAway of a double: floor(|x| + 0.5) (that add rounded in double), signed.
fn sd_round_half_away(x: SD) -> i32 {
  let y = sd_add(sd_abs(x), sd_from_f32(0.5));
  var whole = 0;
  if (!sd_is_zero(y) && y.e >= 0) {
    whole = i32(y.m.x >> u32(31 - min(y.e, 30)));
  }
  return select(whole, -whole, x.neg);
}

// std::round on f32: half away from zero (WGSL round() ties to even; x + 0.5 can round in f32).
fn round_half_away(v: f32) -> f32 {
  let t = trunc(v);
  return select(t, t + sign(v), abs(v - t) >= 0.5);
}

// ---- The quantization ----

var<workgroup> lows: array<f32, WG>;
var<workgroup> highs: array<f32, WG>;
var<workgroup> row_inv: f32;
var<workgroup> row_zero: i32;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // invocations is WG per batch row: no early return (the barriers need uniform control flow).
  let row = invocation_index(gid, nwg) / WG;
  let first = row * params.row_slices;
  // Padded lanes are 0: harmless to both ranges (asymmetric ranges always hold 0; a max |x| too).
  var lo = 0.0;
  var hi = 0.0;
  for (var s = lid; s < params.row_slices; s += WG) {
    let v = vec4<f32>(ld(x[first + s]));
    lo = min(lo, min(min(v.x, v.y), min(v.z, v.w)));
    hi = max(hi, max(max(v.x, v.y), max(v.z, v.w)));
  }
  lows[lid] = lo;
  highs[lid] = hi;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      lows[lid] = min(lows[lid], lows[lid + stride]);
      highs[lid] = max(highs[lid], highs[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let mn = lows[0];
    let mx = highs[0];
    var scale = 1.0;
    var inv = 0.0; // all-zero rows quantize to 0
    var zero = 0;
    if (ASYMMETRIC) {
      if (mn != mx) {
        let range = sd_div(sd_add(sd_from_f32(mx), sd_neg(sd_from_f32(mn))), sd_from_f32(255.0));
        let a = sd_div(sd_from_f32(mn), range);
        let b = sd_div(sd_from_f32(mx), range);
        let from_min = sd_add(sd_from_f32(-128.0), sd_neg(a));
        let from_max = sd_add(sd_from_f32(127.0), sd_neg(b));
        let err_min = sd_add(sd_from_f32(128.0), sd_abs(a));
        let err_max = sd_add(sd_from_f32(127.0), sd_abs(b));
        var zp = from_max;
        if (sd_mag_lt(err_min, err_max)) {
          zp = from_min;
        }
        zero = clamp(sd_round_half_away(zp), -128, 127);
        scale = sd_to_f32(range);
        inv = sd_to_f32(sd_div(sd_from_f32(1.0), sd_from_f32(scale)));
      }
    } else {
      let range = max(abs(mn), abs(mx));
      if (range != 0.0) {
        scale = sd_to_f32(sd_div(sd_from_f32(range), sd_from_f32(127.0)));
        inv = sd_to_f32(sd_div(sd_from_f32(127.0), sd_from_f32(range)));
      }
    }
    if (FOLD) {
      scale = scale * params.fold_scale;
    }
    row_inv = inv;
    row_zero = zero;
    factors[2u * row] = bitcast<u32>(scale);
    factors[2u * row + 1u] = bitcast<u32>(zero);
  }
  workgroupBarrier();
  let inv = workgroupUniformLoad(&row_inv);
  let zero = f32(row_zero);
  let lo_q = select(-127.0, -128.0, ASYMMETRIC);
  for (var s = lid; s < params.row_slices; s += WG) {
    let v = vec4<f32>(ld(x[first + s]));
    var r: vec4<f32>;
    for (var k = 0u; k < 4u; k++) {
      r[k] = clamp(round_half_away(zero + v[k] * inv), lo_q, 127.0);
    }
    // Padded lanes 0, as in every slice-layout buffer.
    let lanes = lane_mask(s % params.in_slices, params.in_c);
    q[first + s] = pack_i8(select(vec4<i32>(0), vec4<i32>(r), lanes));
  }
}

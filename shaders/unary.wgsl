// Elementwise unary ops and activations. One invocation computes one slice; lanes past the
// last channel are re-zeroed (most of these map 0 to something else).
// Semantics follow TFLite's float kernels (activations.cc, elementwise.cc).

const OP_RELU: u32 = 0u;
const OP_RELU6: u32 = 1u;
const OP_RELU_N1_TO_1: u32 = 2u;
const OP_RELU_0_TO_1: u32 = 3u;
const OP_LOGISTIC: u32 = 4u;
const OP_TANH: u32 = 5u;
const OP_HARD_SWISH: u32 = 6u;
const OP_LEAKY_RELU: u32 = 7u;
const OP_ELU: u32 = 8u;
const OP_EXP: u32 = 9u;
const OP_LOG: u32 = 10u;
const OP_SQRT: u32 = 11u;
const OP_RSQRT: u32 = 12u;
const OP_SQUARE: u32 = 13u;
const OP_ABS: u32 = 14u;
const OP_NEG: u32 = 15u;
const OP_SIN: u32 = 16u;
const OP_COS: u32 = 17u;
const OP_FLOOR: u32 = 18u;
const OP_CEIL: u32 = 19u;
const OP_ROUND: u32 = 20u;
const OP_SIGN: u32 = 21u;
const OP_GELU: u32 = 22u;
const OP_GELU_TANH: u32 = 23u;

const OP: u32 = {{OP}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  // LEAKY_RELU's slope.
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

// tanh to a few ULP relative everywhere. WGSL's tanh (SwiftShader: from exp) loses small |x|
// entirely (tanh(1e-30) = 0), so: the odd Taylor series below |x| = 0.5 (through x^13, error
// under 4e-8 relative; x itself once x^2 underflows), and 1 - 2 / (e^2|x| + 1) above, with |x|
// capped at 10 where tanh is 1 in f32.
// Eigen's fast float erf (generic_fast_erf_float), as TFLite's GELU computes it: x clamped to
// [-4, 4], x P(x^2) / Q(x^2).
fn eigen_erf4(a: vec4<f32>) -> vec4<f32> {
  let x = clamp(a, vec4<f32>(-4.0), vec4<f32>(4.0));
  let x2 = x * x;
  var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-8;
  p = x2 * p + -2.10102402082508e-6;
  p = x2 * p + -5.69250639462346e-5;
  p = x2 * p + -7.34990630326855e-4;
  p = x2 * p + -2.95459980854025e-3;
  p = x2 * p + -1.60960333262415e-2;
  p = x * p;
  var q = x2 * -1.45660718464996e-5 + -2.13374055278905e-4;
  q = x2 * q + -1.68282697438203e-3;
  q = x2 * q + -7.37332916720468e-3;
  q = x2 * q + -1.42647390514189e-2;
  return p / q;
}

// Eigen's fast float tanh (generic_fast_tanh_float): x clamped to +-7.9053111, an odd 13th-degree
// over an even 6th-degree polynomial; x itself below |x| = 0.0004.
fn eigen_tanh4(a: vec4<f32>) -> vec4<f32> {
  let x = clamp(a, vec4<f32>(-7.9053111), vec4<f32>(7.9053111));
  let x2 = x * x;
  var p = x2 * -2.76076847742355e-16 + 2.00018790482477e-13;
  p = x2 * p + -8.60467152213735e-11;
  p = x2 * p + 5.12229709037114e-8;
  p = x2 * p + 1.48572235717979e-5;
  p = x2 * p + 6.37261928875436e-4;
  p = x2 * p + 4.89352455891786e-3;
  p = x * p;
  var q = x2 * 1.19825839466702e-6 + 1.18534705686654e-4;
  q = x2 * q + 2.268434632439e-3;
  q = x2 * q + 4.89352518554385e-3;
  return select(p / q, x, abs(a) < vec4<f32>(0.0004));
}

fn tanh4(f: vec4<f32>) -> vec4<f32> {
  let a = abs(f);
  let x2 = f * f;
  let series = f + f * x2 * (-0.33333333 + x2 * (0.13333333 + x2 * (-0.053968254 + x2 * (0.021869489 + x2 * (-0.0088632355 + x2 * 0.0035921280)))));
  let e = exp(2.0 * min(a, vec4<f32>(10.0)));
  return select(sign(f) * (1.0 - 2.0 / (e + 1.0)), series, a < vec4<f32>(0.5));
}

// 2/pi in binary, 32 bits a word, after a zero word for the integer part: enough bits for the
// reduction of any finite f32 (the largest, 2^128, needs bits to 2^-230).
const TWO_OVER_PI = array<u32, 9>(
  0u, 0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u, 0xfe5163abu, 0xdebbc561u,
);

// 32 x 32 -> 64 bit product as (low word, high word), from 16-bit halves.
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>((ll & 0xffffu) | (mid << 16u), ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u));
}

// Bits 32 * w + sh ... + 31 of TWO_OVER_PI as one word.
fn two_over_pi_bits(table: ptr<function, array<u32, 9>>, w: u32, sh: u32) -> u32 {
  let hi = (*table)[w];
  let lo = (*table)[min(w + 1u, 8u)];
  return select((hi << sh) | (lo >> (32u - sh)), hi, sh == 0u);
}

// sin and cos of one f32, to about 2e-7 relative for every finite x. WGSL only promises 2^-11
// absolute for its sin / cos on [-pi, pi] and nothing beyond (SwiftShader gives NaN for 1e30),
// and Cody-Waite reduction with a split pi runs out of bits once k * pi needs more than f32
// holds. So the reduction is exact (Payne-Hanek, in integers): x = m * 2^e with a 24-bit m, and
// x * 2/pi mod 4 = m * (the 96 bits of 2/pi from 2^(1-e)) / 2^94 mod 4, the bits above adding
// multiples of 4 and those below under 2^-70. Its top two integer bits are the quadrant q, the
// next 64 the fraction, rounded to the nearest quadrant and normalized before the conversion to
// f32 (x within 2^-30 of a multiple of pi/2 keeps 34 significant bits). Then Taylor
// polynomials on |r| <= pi/4 (truncation under 2e-9).
fn sincos1(x: f32) -> vec2<f32> {
  var q = 0u;
  var r = x;
  if (abs(x) > 0.7853981633974483) {
    var table = TWO_OVER_PI;
    let bits = bitcast<u32>(x);
    let m = (bits & 0x7fffffu) | 0x800000u;
    // The first bit of 2/pi kept: 2^(1-e) with e = exponent - 150 is bit 32 + (e - 2) of the table.
    let j0 = ((bits >> 23u) & 0xffu) - 120u;
    let w = min(j0 >> 5u, 5u);
    let sh = j0 & 31u;
    let p2 = mul_wide(m, two_over_pi_bits(&table, w + 2u, sh));
    let p1 = mul_wide(m, two_over_pi_bits(&table, w + 1u, sh));
    let p0 = mul_wide(m, two_over_pi_bits(&table, w, sh));
    // The product's words 0..2 (word 3 holds only multiples of 4).
    let r0 = p2.x;
    let r1 = p2.y + p1.x;
    let c1 = select(0u, 1u, r1 < p1.x);
    let r2 = p1.y + p0.x + c1;
    q = r2 >> 30u;
    var fh = (r2 << 2u) | (r1 >> 30u);
    var fl = (r1 << 2u) | (r0 >> 30u);
    let up = fh >= 0x80000000u;
    if (up) {
      // Fraction >= 1/2: the next quadrant, and r = (fraction - 1) * pi/2 (negate the 64 bits).
      q = q + 1u;
      fl = ~fl + 1u;
      fh = ~fh + select(0u, 1u, fl == 0u);
    }
    var scale = -32;
    if (fh == 0u) {
      fh = fl;
      fl = 0u;
      scale = -64;
    }
    let lz = countLeadingZeros(fh);
    let n = select((fh << lz) | (fl >> (32u - lz)), fh, lz == 0u);
    r = ldexp(f32(n), scale - i32(lz)) * 1.5707963267948966;
    if (up) {
      r = -r;
    }
    if (x < 0.0) {
      r = -r;
      q = 4u - q;
    }
  }
  let r2 = r * r;
  let s = r + r * r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 * (1.0 / 362880.0))));
  let c = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0 + r2 * (-1.0 / 3628800.0)))));
  switch (q & 3u) {
    case 0u: {
      return vec2<f32>(s, c);
    }
    case 1u: {
      return vec2<f32>(c, -s);
    }
    case 2u: {
      return vec2<f32>(-s, -c);
    }
    default: {
      return vec2<f32>(-c, s);
    }
  }
}

// Lane by lane: .x of each lane is sin, .y cos.
fn sin4(v: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(sincos1(v.x).x, sincos1(v.y).x, sincos1(v.z).x, sincos1(v.w).x);
}

fn cos4(v: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(sincos1(v.x).y, sincos1(v.y).y, sincos1(v.z).y, sincos1(v.w).y);
}

fn apply(v: T4) -> T4 {
  switch OP {
    case OP_RELU: {
      return max(v, T4(0));
    }
    case OP_RELU6: {
      return clamp(v, T4(0), T4(6));
    }
    case OP_RELU_N1_TO_1: {
      return clamp(v, T4(-1), T4(1));
    }
    case OP_RELU_0_TO_1: {
      return clamp(v, T4(0), T4(1));
    }
    case OP_LOGISTIC: {
      // As TFLite's builtin (optimized) kernel: accurate in the tails. e = exp(-|x|) never
      // overflows; s = e / (1 + e) for x < 0 and 1 - s for x >= 0 (not 1 / (1 + e): 1 + e rounds
      // to 1 once e < 2^-24, giving 1.0 where the result is 1 - 2^-24, and ARG_MAX over
      // near-saturated scores then breaks TFLite's ties differently).
      let f = vec4<f32>(v);
      let e = exp(-abs(f));
      let s = e / (1.0 + e);
      return to_t4(select(s, 1.0 - s, f >= vec4<f32>(0.0)));
    }
    case OP_TANH: {
      return to_t4(tanh4(vec4<f32>(v)));
    }
    case OP_HARD_SWISH: {
      return v * clamp(v + T4(3), T4(0), T4(6)) / T4(6);
    }
    case OP_LEAKY_RELU: {
      return select(v * to_t(params.alpha), v, v > T4(0));
    }
    case OP_ELU: {
      return select(to_t4(exp(vec4<f32>(v)) - 1.0), v, v >= T4(0));
    }
    case OP_EXP: {
      return to_t4(exp(vec4<f32>(v)));
    }
    case OP_LOG: {
      return log(v);
    }
    case OP_SQRT: {
      return sqrt(v);
    }
    case OP_RSQRT: {
      return T4(1) / sqrt(v);
    }
    case OP_SQUARE: {
      return v * v;
    }
    case OP_ABS: {
      return abs(v);
    }
    case OP_NEG: {
      return -v;
    }
    case OP_SIN: {
      return to_t4(sin4(vec4<f32>(v)));
    }
    case OP_COS: {
      return to_t4(cos4(vec4<f32>(v)));
    }
    case OP_FLOOR: {
      return floor(v);
    }
    case OP_CEIL: {
      return ceil(v);
    }
    case OP_ROUND: {
      // WGSL's round() takes halves to the even neighbour, like TFLite's RoundToNearest.
      return round(v);
    }
    case OP_SIGN: {
      return sign(v);
    }
    case OP_GELU: {
      // TFLite's own arithmetic (the CPU kernel's): 0.5 x (1 + erf(x / sqrt 2)) with Eigen's fast
      // float erf, so the negative tail cancels exactly as TFLite's does.
      let f = vec4<f32>(v);
      return to_t4((0.5 * f) * (1.0 + eigen_erf4(f * 0.70710677)));
    }
    case OP_GELU_TANH: {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with Eigen's fast float tanh (TFLite's).
      let f = vec4<f32>(v);
      let cube = 0.044715 * ((f * f) * f);
      return to_t4((0.5 * f) * (1.0 + eigen_tanh4(0.7978846 * (f + cube))));
    }
    default: {
      return v;
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  y[id] = st(zero_tail(apply(ld(x[id])), id % params.slices, params.channels));
}

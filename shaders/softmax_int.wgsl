// Integer SOFTMAX over the last axis, one invocation per row, the CPU kernel's algorithm step by
// step (src/kernels/softmax_int.ts):
// - MODE_TABLE (int8 / uint8 input; int8, uint8 or int16 output): optimized_ops::Softmax with the
//   prepare's float32 exp table (binding `table`, 256 f32): a float32 sum in element order, then
//   1 / (sum * output_scale) and each table entry times it, rounded. The two products and the
//   reciprocal are computed exactly rounded in integer arithmetic (f32_mul, f32_recip), so neither
//   WGSL's 2.5-ULP division nor a fused multiply-add can move a bit.
// - MODE_INT16 (int16 in and out): reference_ops::SoftmaxInt16 with the prepare's exp and
//   1/(1+x) tables (binding `table`, 513 + 513 i32).
// include: quant

const MODE_TABLE: u32 = 0u;
const MODE_INT16: u32 = 1u;
const MODE: u32 = {{MODE}};
// Input and output element types: 1 = int8, 2 = uint8, 3 = int16.
const IN_TYPE: u32 = {{IN_TYPE}};
const OUT_TYPE: u32 = {{OUT_TYPE}};


struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  // MODE_TABLE: the output quantization.
  output_scale: f32,
  output_zero_point: i32,
  // MODE_INT16: the input rescaling (MultiplyByQuantizedMultiplier) and where the 1/(1+x) table starts.
  input_multiplier: i32,
  input_shift: i32,
  reciprocal_table: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

// Element c of the row whose first slice is `row`.
fn load(row: u32, c: u32) -> i32 {
  if (IN_TYPE == ELEM_I16) {
    let w = x[row * 2u + c / 2u];
    return bitcast<i32>(w << (16u - 16u * (c % 2u))) >> 16u;
  }
  let w = x[row + c / 4u];
  if (IN_TYPE == ELEM_I8) {
    return bitcast<i32>(w << (24u - 8u * (c % 4u))) >> 24u;
  }
  return i32((w >> (8u * (c % 4u))) & 0xffu);
}

// Slice s of the output row starting at slice `row`, lanes past the last channel 0.
fn store(row: u32, s: u32, v: vec4<i32>) {
  let o = select(vec4<i32>(0), v, lane_mask(s, params.channels));
  let at = row + s;
  if (OUT_TYPE == ELEM_I16) {
    let w = pack_i16(o);
    y[at * 2u] = w.x;
    y[at * 2u + 1u] = w.y;
  } else if (OUT_TYPE == ELEM_I8) {
    y[at] = pack_i8(o);
  } else {
    y[at] = pack_u8(o);
  }
}

fn row_max(row: u32) -> i32 {
  var m = load(row, 0u);
  for (var c = 1u; c < params.channels; c++) {
    m = max(m, load(row, c));
  }
  return m;
}

// ---- MODE_TABLE: exactly rounded float32 arithmetic on positive normal numbers ----

// Math.fround(a * b) for positive a, b with normal operands; a zero or subnormal operand, or a
// product below the normal range, gives 0 (such probabilities round to output 0 anyway).
fn f32_mul(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let ea = i32(ua >> 23u);
  let eb = i32(ub >> 23u);
  if (ea == 0 || eb == 0) {
    return 0.0;
  }
  let p = u32_mul_wide((ua & 0x7fffffu) | 0x800000u, (ub & 0x7fffffu) | 0x800000u); // [2^46, 2^48)
  let wide = (p.y >> 15u) != 0u; // product >= 2^47
  let dropped = select(23u, 24u, wide);
  var kept = (p.y << (32u - dropped)) | (p.x >> dropped); // 24 bits
  let rest = p.x & ((1u << dropped) - 1u);
  let half = 1u << (dropped - 1u);
  var e = ea + eb - 127 + select(0, 1, wide);
  if (rest > half || (rest == half && (kept & 1u) == 1u)) {
    kept += 1u;
    if (kept == 0x1000000u) {
      kept = 0x800000u;
      e += 1;
    }
  }
  if (e <= 0) {
    return 0.0;
  }
  if (e >= 255) {
    return 3.4028234e38; // overflow: the node's support check rules it out
  }
  return bitcast<f32>((u32(e) << 23u) | (kept & 0x7fffffu));
}

// Math.fround(1 / d) for a positive normal d whose reciprocal is normal: 2^47 / mantissa by long
// division, rounded to nearest (a tie would need the mantissa to divide 2^48: a power of two,
// whose reciprocal is exact).
fn f32_recip(d: f32) -> f32 {
  let u = bitcast<u32>(d);
  let e = i32(u >> 23u);
  let m = (u & 0x7fffffu) | 0x800000u;
  if (m == 0x800000u) {
    return bitcast<f32>(u32(254 - e) << 23u);
  }
  var rem = 0x800000u; // 2^47 = 2^23 * 2^24: 24 quotient bits to produce
  var q = 0u;
  for (var i = 0u; i < 24u; i++) {
    rem = rem << 1u;
    q = q << 1u;
    if (rem >= m) {
      rem -= m;
      q |= 1u;
    }
  }
  var biased = 253 - e;
  if (2u * rem > m) {
    q += 1u;
    if (q == 0x1000000u) {
      q = 0x800000u;
      biased += 1;
    }
  }
  return bitcast<f32>((u32(biased) << 23u) | (q & 0x7fffffu));
}

fn table_f32(i: i32) -> f32 {
  return bitcast<f32>(table[u32(i)]);
}

// The output of probability p (>= 0): (int)(p + 0.5f) for uint8 output (the zero point ignored,
// as the C++), else round(p) (half away from zero) + zero point; clamped to the output type.
fn quantize_probability(p: f32) -> i32 {
  let capped = min(p, 1048576.0); // beyond every output type either way
  var q: i32;
  if (OUT_TYPE == ELEM_U8) {
    q = i32(trunc(capped + 0.5));
    return clamp(q, 0, 255);
  }
  let r = floor(capped);
  q = i32(r) + select(0, 1, capped - r >= 0.5) + params.output_zero_point;
  if (OUT_TYPE == ELEM_I8) {
    return clamp(q, -128, 127);
  }
  return clamp(q, -32768, 32767);
}

fn softmax_table(row: u32) {
  let base = 255 - row_max(row);
  var sum = 0.0;
  for (var c = 0u; c < params.channels; c++) {
    sum = sum + table_f32(base + load(row, c));
  }
  let inv = f32_recip(f32_mul(sum, params.output_scale));
  for (var s = 0u; s < params.slices; s++) {
    var v = vec4<i32>(0);
    for (var j = 0u; j < 4u; j++) {
      let c = s * 4u + j;
      if (c < params.channels) {
        v[j] = quantize_probability(f32_mul(table_f32(base + load(row, c)), inv));
      }
    }
    store(row, s, v);
  }
}

// ---- MODE_INT16 ----

// LUTLookup of a 513-entry int16 table starting at `first` (lut.ts lutLookupInt16).
fn lut_lookup_i16(value: i32, first: u32) -> i32 {
  let index = first + u32(256 + (value >> 7u));
  let offset = value & 0x7f;
  let base = bitcast<i32>(table[index]);
  let slope = ((bitcast<i32>(table[index + 1u]) - base) << 16u) >> 16u;
  let delta = (slope * offset + 64) >> 7u;
  return ((base + delta) << 16u) >> 16u;
}

// exp(x - max) of one element, int16 on the symmetric range.
fn exp_i16(v: i32, m: i32) -> i32 {
  let scaled = mbqm(v - m, params.input_multiplier, params.input_shift);
  return lut_lookup_i16(clamp(scaled + 32767, -32768, 32767), 0u);
}

fn softmax_int16(row: u32) {
  let m = row_max(row);
  var sum = 0u; // wraps like the C++ int32 sum
  for (var c = 0u; c < params.channels; c++) {
    sum += bitcast<u32>(exp_i16(load(row, c), m));
  }
  let headroom_plus_one = countLeadingZeros(sum); // the row maximum alone adds 32767: at most 17
  let shifted_sum = i32(((sum << (headroom_plus_one - 1u)) + 8192u) >> 14u);
  let reciprocal = lut_lookup_i16(clamp(shifted_sum - 98304, -32768, 32767), params.reciprocal_table);
  let right_shift = 31u - headroom_plus_one;
  let round = select(0, 1 << (right_shift - 1u), right_shift > 0u);
  for (var s = 0u; s < params.slices; s++) {
    var v = vec4<i32>(0);
    for (var j = 0u; j < 4u; j++) {
      let c = s * 4u + j;
      if (c < params.channels) {
        let e = exp_i16(load(row, c), m);
        v[j] = clamp((e * reciprocal + round) >> right_shift, 0, 32767);
      }
    }
    store(row, s, v);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let row = id * params.slices; // the row's first slice
  if (MODE == MODE_INT16) {
    softmax_int16(row);
  } else {
    softmax_table(row);
  }
}

// Integer elementwise binary ops with broadcasting (delegate/ops/binary_int.ts): quantized ADD,
// SUB, MUL, SQUARED_DIFFERENCE, DIV and integer MAXIMUM / MINIMUM, bit-exact with the CPU kernels
// (src/kernels/binary_int.ts). One invocation computes one output slice. The broadcast walk is
// shaders/binary.wgsl's: outer dimensions collapsed, innermost first, with each input's row
// stride; an input whose last dimension is 1 against a wider output is splatted.
//
// The element math is the CPU prepare's: for 8-bit types its table of all 65536 input pairs
// (every quantized 8-bit path, XNNPACK's included, is one), for int16 the power-of-two or general
// ADD / SUB and MUL constants, for MAXIMUM / MINIMUM the raw comparison.
// include: quant
// include: broadcast


const MATH_PAIR_TABLE: u32 = 0u;
const MATH_ADD_SUB_POT: u32 = 1u;
const MATH_ADD_SUB_GENERAL: u32 = 2u;
const MATH_MUL_INT16: u32 = 3u;
const MATH_MAXIMUM: u32 = 4u;
const MATH_MINIMUM: u32 = 5u;

const ELEMENT: u32 = {{ELEMENT}};
const MATH: u32 = {{MATH}};
const IS_SUB: bool = {{IS_SUB}};
const RANK: u32 = {{OUTER_RANK}};
const A_SPLAT: bool = {{A_SPLAT}};
const B_SPLAT: bool = {{B_SPLAT}};
// Both inputs have the output's shape: slice id of each, no index arithmetic.
const SAME_SHAPE: bool = {{SAME_SHAPE}};

// 32-bit words per stored slice: 4 int8 / uint8 in one, 4 int16 in two, 4 int32 in four.
const WORDS: u32 = select(select(4u, 2u, ELEMENT == ELEM_I16), 1u, ELEMENT <= ELEM_U8);

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  a_slices: u32,
  b_slices: u32,
  // Output clamp (int16 paths).
  lo: i32,
  hi: i32,
  // int16 ADD / SUB: left shift, input multipliers and shifts (pot: the two RDBPOT exponents in
  // shift1 / shift2), output multiplier and shift; MUL: output multiplier and shift.
  left_shift: u32,
  multiplier1: i32,
  shift1: i32,
  multiplier2: i32,
  shift2: i32,
  out_multiplier: i32,
  out_shift: i32,
  // Outer dimensions, innermost first: x = size, y = a's row stride, z = b's row stride.
  dims: array<vec4<u32>, 5>,
}

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
// The 8-bit pair table, four outputs to a word (a placeholder word for the other paths).
@group(0) @binding(3) var<storage, read> pair_table: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

fn unpack_words(w: vec4<u32>) -> vec4<i32> {
  switch ELEMENT {
    case ELEM_I8: {
      return unpack_i8(w.x);
    }
    case ELEM_U8: {
      return unpack_u8(w.x);
    }
    case ELEM_I16: {
      return unpack_i16(w.xy);
    }
    default: {
      return bitcast<vec4<i32>>(w);
    }
  }
}

fn load_a(slice: u32) -> vec4<i32> {
  let base = slice * WORDS;
  var w = vec4<u32>(a[base], 0u, 0u, 0u);
  if (WORDS > 1u) {
    w.y = a[base + 1u];
  }
  if (WORDS > 2u) {
    w.z = a[base + 2u];
    w.w = a[base + 3u];
  }
  return unpack_words(w);
}

fn load_b(slice: u32) -> vec4<i32> {
  let base = slice * WORDS;
  var w = vec4<u32>(b[base], 0u, 0u, 0u);
  if (WORDS > 1u) {
    w.y = b[base + 1u];
  }
  if (WORDS > 2u) {
    w.z = b[base + 2u];
    w.w = b[base + 3u];
  }
  return unpack_words(w);
}

fn store_y(slice: u32, v: vec4<i32>) {
  let base = slice * WORDS;
  switch ELEMENT {
    case ELEM_I8: {
      y[base] = pack_i8(v);
    }
    case ELEM_U8: {
      y[base] = pack_u8(v);
    }
    case ELEM_I16: {
      let w = pack_i16(v);
      y[base] = w.x;
      y[base + 1u] = w.y;
    }
    default: {
      let w = bitcast<vec4<u32>>(v);
      y[base] = w.x;
      y[base + 1u] = w.y;
      y[base + 2u] = w.z;
      y[base + 3u] = w.w;
    }
  }
}

// The table's output for the raw bytes of a and b.
fn pair_lookup(u: i32, v: i32) -> i32 {
  let i = ((bitcast<u32>(u) & 0xffu) << 8u) | (bitcast<u32>(v) & 0xffu);
  let byte = (pair_table[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu;
  if (ELEMENT == ELEM_I8) {
    return bitcast<i32>(byte << 24u) >> 24u;
  }
  return i32(byte);
}

// TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp: RDBPOT(SRDHM(x, m), -shift).
fn scale_down(x: i32, m: i32, shift: i32) -> i32 {
  return rdbpot(srdhm(x, m), -shift);
}

fn element(u: i32, v: i32) -> i32 {
  switch MATH {
    case MATH_PAIR_TABLE: {
      return pair_lookup(u, v);
    }
    case MATH_ADD_SUB_POT: {
      let x = rdbpot(u, params.shift1);
      let z = rdbpot(v, params.shift2);
      return clamp(select(x + z, x - z, IS_SUB), params.lo, params.hi);
    }
    case MATH_ADD_SUB_GENERAL: {
      let x = scale_down(u << params.left_shift, params.multiplier1, params.shift1);
      let z = scale_down(v << params.left_shift, params.multiplier2, params.shift2);
      return clamp(scale_down(select(x + z, x - z, IS_SUB), params.out_multiplier, params.out_shift), params.lo, params.hi);
    }
    case MATH_MUL_INT16: {
      return clamp(mbqm(u * v, params.out_multiplier, params.out_shift), params.lo, params.hi);
    }
    case MATH_MAXIMUM: {
      return max(u, v);
    }
    default: {
      return min(u, v);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.slices;
  let reads = broadcast_reads(id);
  let ia = reads.x;
  let ib = reads.y;
  var u = load_a(ia);
  if (A_SPLAT) {
    u = vec4<i32>(u.x);
  }
  var v = load_b(ib);
  if (B_SPLAT) {
    v = vec4<i32>(v.x);
  }
  let r = vec4<i32>(element(u.x, v.x), element(u.y, v.y), element(u.z, v.z), element(u.w, v.w));
  store_y(id, select(vec4<i32>(0), r, lane_mask(s, params.channels)));
}

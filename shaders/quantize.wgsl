// QUANTIZE and DEQUANTIZE (delegate/ops/quantize.ts), bit-exact with the CPU kernels
// (src/kernels/quantize.ts, src/kernels/dequantize.ts). One invocation per slice.
//   quantize    float (the node's storage, ld) -> int8 / uint8 / int16
//   requantize  integer -> integer: the CPU's table of every input value, or Requantize for int32
//   dequantize  int8 / uint8 / int16 -> float (st), per tensor or per channel
// include: quant

// The float side of quantize / dequantize (IN_ELEMENT or OUT_ELEMENT).
const ELEM_FLOAT: u32 = 4u;

// quantize: optimized_ops::AffineQuantize (std::round of the double quotient) or XNNPACK's convert.
const QUANTIZE_TENSOR: u32 = 0u;
const QUANTIZE_XNNPACK: u32 = 1u;
// requantize
const REQUANTIZE_TABLE: u32 = 2u;
const REQUANTIZE_INT32: u32 = 3u;
// dequantize
const DEQUANTIZE_TENSOR: u32 = 4u;
const DEQUANTIZE_CHANNEL: u32 = 5u;

const IN_ELEMENT: u32 = {{IN_ELEMENT}};
const OUT_ELEMENT: u32 = {{OUT_ELEMENT}};
const MODE: u32 = {{MODE}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  // quantize: the output's; dequantize / requantize: the input's.
  zero_point: i32,
  out_zero_point: i32,
  // Output clamp (quantize, requantize).
  lo: i32,
  hi: i32,
  // quantize: the scale (QUANTIZE_TENSOR) or its float reciprocal (QUANTIZE_XNNPACK); dequantize: the scale.
  scale: f32,
  multiplier: i32,
  shift: i32,
  table_offset: i32,
  // Per-channel dequantize: elements per channel step and channel count.
  inner: u32,
  channel_count: u32,
}

@group(0) @binding(0) var<storage, read> x_float: array<S4>;
@group(0) @binding(1) var<storage, read> x_int: array<u32>;
@group(0) @binding(2) var<storage, read_write> y_int: array<u32>;
@group(0) @binding(3) var<storage, read_write> y_float: array<S4>;
// requantize: the CPU's output per input value (index value + table_offset); per-channel
// dequantize: (scale bits, zero point) per channel.
@group(0) @binding(4) var<storage, read> table: array<i32>;
@group(0) @binding(5) var<uniform> params: Params;

fn words(element: u32) -> u32 {
  return select(select(4u, 2u, element == ELEM_I16), 1u, element <= ELEM_U8);
}

fn load_int(slice: u32) -> vec4<i32> {
  let base = slice * words(IN_ELEMENT);
  switch IN_ELEMENT {
    case ELEM_I8: {
      return unpack_i8(x_int[base]);
    }
    case ELEM_U8: {
      return unpack_u8(x_int[base]);
    }
    case ELEM_I16: {
      return unpack_i16(vec2<u32>(x_int[base], x_int[base + 1u]));
    }
    default: {
      return bitcast<vec4<i32>>(vec4<u32>(x_int[base], x_int[base + 1u], x_int[base + 2u], x_int[base + 3u]));
    }
  }
}

fn store_int(slice: u32, v: vec4<i32>) {
  let base = slice * words(OUT_ELEMENT);
  switch OUT_ELEMENT {
    case ELEM_I8: {
      y_int[base] = pack_i8(v);
    }
    case ELEM_U8: {
      y_int[base] = pack_u8(v);
    }
    case ELEM_I16: {
      let w = pack_i16(v);
      y_int[base] = w.x;
      y_int[base + 1u] = w.y;
    }
    default: {
      let w = bitcast<vec4<u32>>(v);
      y_int[base] = w.x;
      y_int[base + 1u] = w.y;
      y_int[base + 2u] = w.z;
      y_int[base + 3u] = w.w;
    }
  }
}

// Beyond every clamp of an 8- or 16-bit output whatever its zero point.
const SATURATED: i32 = 1048576; // 2^20

// round(m / scale) for a normal float m >= 2^-126 and a normal scale, half away from zero, of the
// exact quotient (which std::round of the double quotient gives: for results below 2^17 a double
// rounding cannot reach or cross a half). SATURATED past 2^17.
fn rounded_quotient(m: f32, scale: f32) -> i32 {
  let mb = bitcast<u32>(m);
  let sb = bitcast<u32>(scale);
  // m = mx 2^(em - 150), scale = ms 2^(es - 150), mx and ms in [2^23, 2^24): m / scale in (2^(d-1), 2^(d+1)).
  let d = i32(mb >> 23u) - i32(sb >> 23u);
  if (d < -1) {
    return 0; // below 1/2
  }
  if (d > 17) {
    return SATURATED;
  }
  let mx = (mb & 0x7fffffu) | 0x800000u;
  let ms = (sb & 0x7fffffu) | 0x800000u;
  // A candidate within one of the result (f32 division is accurate to a few ulp).
  let c = u32(floor(m / scale + 0.5));
  // r = 2^(d+1) mx - (2c + 1) ms = 2 ms (m / scale - c - 1/2), exact: |r| < 2^27, so the
  // wrapping u32 arithmetic gives it.
  let r = bitcast<i32>((mx << u32(d + 1)) - (2u * c + 1u) * ms);
  if (r >= 0) {
    return i32(c) + 1;
  }
  if (r + 2 * i32(ms) < 0) {
    return i32(c) - 1;
  }
  return i32(c);
}

fn quantize_value(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let magnitude = bits & 0x7fffffffu;
  let zp = params.zero_point;
  if (MODE == QUANTIZE_XNNPACK) {
    if (magnitude > 0x7f800000u) {
      return 0; // NaN: the CPU's NaN store
    }
    // x times the reciprocal in f32, clamped to the offset range, rounded to nearest even.
    let v = clamp(x * params.scale, f32(params.lo - zp), f32(params.hi - zp));
    return i32(round(v)) + zp;
  }
  var k = 0; // NaN and subnormals: 0
  if (magnitude == 0x7f800000u) {
    k = SATURATED;
  } else if (magnitude >= 0x00800000u && magnitude < 0x7f800000u) {
    k = rounded_quotient(bitcast<f32>(magnitude), params.scale);
  }
  let q = select(k, -k, (bits >> 31u) != 0u);
  return clamp(q, params.lo - zp, params.hi - zp) + zp;
}

@compute @workgroup_size(WG)
fn quantize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let v = vec4<f32>(ld(x_float[id]));
  let q = vec4<i32>(quantize_value(v.x), quantize_value(v.y), quantize_value(v.z), quantize_value(v.w));
  store_int(id, select(vec4<i32>(0), q, lane_mask(id % params.slices, params.channels)));
}

fn requantize_value(x: i32) -> i32 {
  if (MODE == REQUANTIZE_TABLE) {
    return table[x + params.table_offset];
  }
  // reference_ops::Requantize: the offset input (wrapping, as the int32 subtraction) rescaled.
  let zo = params.out_zero_point;
  return clamp(mbqm(x - params.zero_point, params.multiplier, params.shift), params.lo - zo, params.hi - zo) + zo;
}

@compute @workgroup_size(WG)
fn requantize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let x = load_int(id);
  let q = vec4<i32>(requantize_value(x.x), requantize_value(x.y), requantize_value(x.z), requantize_value(x.w));
  store_int(id, select(vec4<i32>(0), q, lane_mask(id % params.slices, params.channels)));
}

@compute @workgroup_size(WG)
fn dequantize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.slices;
  var scale = vec4<f32>(params.scale);
  var zp = vec4<i32>(params.zero_point);
  if (MODE == DEQUANTIZE_CHANNEL) {
    // Channel of each lane's element: (flat index / inner) % channel count.
    let first = (id / params.slices) * params.channels + s * 4u;
    for (var lane = 0u; lane < 4u; lane++) {
      let c = ((first + lane) / params.inner) % params.channel_count;
      scale[lane] = bitcast<f32>(table[2u * c]);
      zp[lane] = table[2u * c + 1u];
    }
  }
  // scale * (q - zero_point): the difference is exact in f32, the product rounds once.
  let v = vec4<f32>(load_int(id) - zp) * scale;
  y_float[id] = st(zero_tail(to_t4(v), s, params.channels));
}

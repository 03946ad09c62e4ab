// FULLY_CONNECTED on integer activations (int8, uint8, int16 with int8 weights), bit-exact with
// src/kernels/fully_connected_int.ts: exact integer dot products wrapped to 32 bits (as TFLite's
// int32 accumulators wrap), then the output pipeline of requant.wgsl.
//
// With raw values x and w and the weights' offset wo (minus the zero point of per-tensor
// weights), sum((x + xo) * (w + wo)) = sum(x * w) + wo * sum(x) + [xo * sum(w + wo) + bias]:
// the bracket is per unit and folded on the CPU side into channel_bias. Padded lanes of x and of
// the weights are 0, so they add nothing to any of the sums.
//
// One invocation computes one output slice (4 units) of one row. Weights: per output slice and
// input slice, 4 words (one per unit) of 4 packed bytes.

// include: quant
// include: requant

const REQUANT_MODE: u32 = {{REQUANT_MODE}};
const IN_TYPE: u32 = {{IN_TYPE}};


struct Params {
  invocations: u32,
  in_slices: u32,
  out_slices: u32,
  units: u32,
  weights_offset: i32,
  output_offset: i32,
  lo: i32,
  hi: i32,
}

// The input and output in their integer storage: one word per 8-bit slice, two per int16 slice.
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
// Per unit (padded to the output slices): the folded constant term, wrapped to int32.
@group(0) @binding(2) var<storage, read> channel_bias: array<vec4<i32>>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const ONES: u32 = 0x01010101u;

// The dot product of two words of four 8-bit values of the input's signedness.
fn dot8(a: u32, b: u32) -> i32 {
  // DOT_I8 / DOT_U8: the packed builtins or quant.wgsl's plain forms (delegate/ops/int_dot.ts).
  if (IN_TYPE == ELEM_U8) {
    return bitcast<i32>({{DOT_U8}}(a, b));
  }
  return {{DOT_I8}}(a, b);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let os = id % params.out_slices;
  let row = id / params.out_slices;
  let n = params.in_slices;
  let wb = os * n;
  var acc = vec4<i32>(0);
  var xsum = 0;
  for (var k = 0u; k < n; k++) {
    let w = weights[wb + k];
    if (IN_TYPE == ELEM_I16) {
      let i = (row * n + k) * 2u;
      let v = unpack_i16(vec2<u32>(x[i], x[i + 1u]));
      acc += vec4<i32>(dot(v, unpack_i8(w.x)), dot(v, unpack_i8(w.y)), dot(v, unpack_i8(w.z)), dot(v, unpack_i8(w.w)));
      xsum += v.x + v.y + v.z + v.w;
    } else {
      let v = x[row * n + k];
      acc += vec4<i32>(dot8(v, w.x), dot8(v, w.y), dot8(v, w.z), dot8(v, w.w));
      xsum += dot8(v, ONES);
    }
  }
  acc += params.weights_offset * xsum + channel_bias[os];
  var out = vec4<i32>(0);
  for (var j = 0u; j < 4u; j++) {
    let u = os * 4u + j;
    if (u < params.units) {
      out[j] = requantize(acc[j], u, params.output_offset, params.lo, params.hi);
    }
  }
  let o = row * params.out_slices + os;
  if (IN_TYPE == ELEM_I16) {
    let h = pack_i16(out);
    y[2u * o] = h.x;
    y[2u * o + 1u] = h.y;
  } else if (IN_TYPE == ELEM_U8) {
    y[o] = pack_u8(out);
  } else {
    y[o] = pack_i8(out);
  }
}

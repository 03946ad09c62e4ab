// TRANSPOSE_CONV on integer activations (int8, or int16 with int8 weights), bit-exact with
// src/kernels/transpose_conv_int.ts, read as a gather like transpose_conv.wgsl: output pixel
// (oy, ox) sums input pixel (iy, ix) times filter tap (fy, fx) wherever
// oy + pad_top = iy * stride_h + fy (and likewise for x).
//
// sum((x + xo) * w) over the taps that land = sum(x * w) + sum over those taps of xo * sum_c(w):
// the second term comes from tap_offsets (xo * sum_c w per output channel and tap, wrapped to
// int32). 32-bit accumulators wrap like TFLite's; WIDE (16x8 with an int64 bias) keeps 64-bit
// sums: each int16 x int8 product is at most 2^22 in magnitude, so 64 words (256 products) add up
// exactly in an i32 before joining the I64 accumulator.
//
// One invocation computes one output slice (4 channels) of one pixel. Weights: per output slice,
// tap and input slice, 4 words (one per output channel) of 4 packed int8.

// include: quant
// include: requant

const REQUANT_MODE: u32 = {{REQUANT_MODE}};
const IN_TYPE: u32 = {{IN_TYPE}};
const WIDE: bool = {{WIDE}};


// Input words summed in i32 before joining a 64-bit accumulator (see above).
const WIDE_CHUNK_MASK: u32 = 63u;

struct Params {
  invocations: u32,
  in_h: u32,
  in_w: u32,
  in_slices: u32,
  out_h: u32,
  out_w: u32,
  out_slices: u32,
  out_c: u32,
  filter_h: u32,
  filter_w: u32,
  stride_h: u32,
  stride_w: u32,
  pad_top: u32,
  pad_left: u32,
  output_offset: i32,
  lo: i32,
  hi: i32,
}

// The input and output in their integer storage: one word per int8 slice, two per int16 slice.
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
// Per output slice and tap: the input offset times the tap's weight sum, per channel.
@group(0) @binding(2) var<storage, read> tap_offsets: array<vec4<i32>>;
// Per output channel: the int32 bias, or (WIDE) the int64 bias as (low word, high word).
@group(0) @binding(3) var<storage, read> channel_bias: array<i32>;
@group(0) @binding(4) var<storage, read_write> y: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

// Input slice xi (4 channels) times the 4 weight words of one output slice: 4 dot products.
fn slice_dots(xi: u32, w: vec4<u32>) -> vec4<i32> {
  if (IN_TYPE == ELEM_I16) {
    let v = unpack_i16(vec2<u32>(x[2u * xi], x[2u * xi + 1u]));
    return vec4<i32>(dot(v, unpack_i8(w.x)), dot(v, unpack_i8(w.y)), dot(v, unpack_i8(w.z)), dot(v, unpack_i8(w.w)));
  }
  // DOT_I8: dot4I8Packed or quant.wgsl's plain form (delegate/ops/int_dot.ts).
  let a = x[xi];
  return vec4<i32>({{DOT_I8}}(a, w.x), {{DOT_I8}}(a, w.y), {{DOT_I8}}(a, w.z), {{DOT_I8}}(a, w.w));
}

fn add_wide(acc: ptr<function, array<I64, 4>>, part: vec4<i32>) {
  for (var j = 0u; j < 4u; j++) {
    (*acc)[j] = i64_add_i32((*acc)[j], part[j]);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let os = id % params.out_slices;
  let pixel = id / params.out_slices;
  let ox = pixel % params.out_w;
  let row = pixel / params.out_w;
  let oy = row % params.out_h;
  let n = row / params.out_h;
  // Taps with oy + pad_top = iy * stride + fy: fy runs over yy % stride + j * stride and iy
  // down from yy / stride, so the loops need no division.
  let yy = oy + params.pad_top;
  let xx = ox + params.pad_left;
  let qy = yy / params.stride_h;
  let qx = xx / params.stride_w;
  let ns = params.in_slices;
  var acc = vec4<i32>(0);
  var wide: array<I64, 4>;
  var iy = i32(qy);
  for (var fy = yy - qy * params.stride_h; fy < params.filter_h; fy += params.stride_h) {
    if (iy >= 0 && u32(iy) < params.in_h) {
      var ix = i32(qx);
      for (var fx = xx - qx * params.stride_w; fx < params.filter_w; fx += params.stride_w) {
        if (ix >= 0 && u32(ix) < params.in_w) {
          let xi = ((n * params.in_h + u32(iy)) * params.in_w + u32(ix)) * ns;
          let tap = (os * params.filter_h + fy) * params.filter_w + fx;
          let wi = tap * ns;
          acc += tap_offsets[tap];
          for (var k = 0u; k < ns; k++) {
            acc += slice_dots(xi + k, weights[wi + k]);
            if (WIDE && (k & WIDE_CHUNK_MASK) == WIDE_CHUNK_MASK) {
              add_wide(&wide, acc);
              acc = vec4<i32>(0);
            }
          }
          if (WIDE) {
            add_wide(&wide, acc);
            acc = vec4<i32>(0);
          }
        }
        ix -= 1;
      }
    }
    iy -= 1;
  }
  var out = vec4<i32>(0);
  for (var j = 0u; j < 4u; j++) {
    let c = os * 4u + j;
    if (c < params.out_c) {
      if (WIDE) {
        let bias = I64(bitcast<u32>(channel_bias[2u * c]), channel_bias[2u * c + 1u]);
        out[j] = requantize_wide(i64_add(wide[j], bias), c, params.output_offset, params.lo, params.hi);
      } else {
        out[j] = requantize(acc[j] + channel_bias[c], c, params.output_offset, params.lo, params.hi);
      }
    }
  }
  if (IN_TYPE == ELEM_I16) {
    let h = pack_i16(out);
    y[2u * id] = h.x;
    y[2u * id + 1u] = h.y;
  } else {
    y[id] = pack_i8(out);
  }
}

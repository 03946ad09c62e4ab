// include: quant

// Hybrid (dynamic-range) CONV_2D, FULLY_CONNECTED (a 1x1 convolution of 1x1 images, one per batch
// row) and DEPTHWISE_CONV_2D, step 2: integer dot products of the int8 input quantized by
// hybrid_quantize.wgsl with the constant int8 weights, then the float rescale in the CPU kernel's
// f32 operation order (src/kernels/conv.ts, depthwise_conv.ts, fully_connected.ts), bias and
// activation. One invocation: one output pixel x one output slice.
//
// Accumulator: sum over the taps inside the image of (q - zero_point) * w, computed as
// dot(q, w) - zero_point * (sum of w over the tap), the tap sums precomputed (tap_sums).

// How the accumulator becomes a float (s: the batch row's factor, c: the channel's scale):
const RESCALE_BATCH: u32 = 0u; // acc * s (s already holds the per-tensor filter scale)
const RESCALE_CHANNEL_FIRST: u32 = 1u; // acc * (c * s): conv per-channel (optimized order), FC per-channel
const RESCALE_GROUPED: u32 = 2u; // (acc * c) * s: grouped conv (reference order)
const RESCALE_DEPTHWISE: u32 = 3u; // (acc * s) * c
const RESCALE: u32 = {{RESCALE}};
const HAS_BIAS: bool = {{HAS_BIAS}};
const ACT: u32 = {{ACTIVATION}};
const MULTIPLIER_ONE: bool = {{MULTIPLIER_ONE}};

struct Params {
  invocations: u32,
  in_h: u32,
  in_w: u32,
  in_slices: u32,
  out_h: u32,
  out_w: u32,
  out_slices: u32,
  filter_h: u32,
  filter_w: u32,
  stride_h: u32,
  stride_w: u32,
  dilation_h: u32,
  dilation_w: u32,
  pad_top: i32,
  pad_left: i32,
  multiplier: u32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> factors: array<u32>;
// conv: [out_slice][tap][in_slice][4 output lanes] words of 4 input channels;
// depthwise: [tap][out_slice] words of 4 output channels.
@group(0) @binding(2) var<storage, read> weights: array<u32>;
// conv: [out_slice][tap] sums of each output channel's weights.
@group(0) @binding(3) var<storage, read> tap_sums: array<vec4<i32>>;
@group(0) @binding(4) var<storage, read> channel_scales: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> y: array<S4>;
@group(0) @binding(7) var<uniform> params: Params;

struct Pixel {
  batch: u32,
  oy: u32,
  ox: u32,
  os: u32,
}

fn pixel_of(id: u32) -> Pixel {
  let os = id % params.out_slices;
  let p = id / params.out_slices;
  let ox = p % params.out_w;
  let r = p / params.out_w;
  return Pixel(r / params.out_h, r % params.out_h, ox, os);
}

// The image row (or -1 outside) of a tap.
fn tap_y(px: Pixel, fy: u32) -> i32 {
  let iy = i32(px.oy * params.stride_h + fy * params.dilation_h) - params.pad_top;
  return select(-1, iy, iy >= 0 && iy < i32(params.in_h));
}

fn tap_x(px: Pixel, fx: u32) -> i32 {
  let ix = i32(px.ox * params.stride_w + fx * params.dilation_w) - params.pad_left;
  return select(-1, ix, ix >= 0 && ix < i32(params.in_w));
}

// DOT_I8: dot4I8Packed or quant.wgsl's plain form (delegate/ops/int_dot.ts).
fn dot_i8(a: u32, b: u32) -> i32 {
  return {{DOT_I8}}(a, b);
}

// Rescale, bias, activation, store.
fn finish(px: Pixel, acc: vec4<i32>) {
  let s = bitcast<f32>(factors[2u * px.batch]);
  let c = channel_scales[px.os];
  let a = vec4<f32>(i32_to_f32_rne(acc.x), i32_to_f32_rne(acc.y), i32_to_f32_rne(acc.z), i32_to_f32_rne(acc.w));
  var v: vec4<f32>;
  switch RESCALE {
    case RESCALE_BATCH: {
      v = a * s;
    }
    case RESCALE_CHANNEL_FIRST: {
      v = a * (c * s);
    }
    case RESCALE_GROUPED: {
      v = (a * c) * s;
    }
    default: {
      v = (a * s) * c;
    }
  }
  if (HAS_BIAS) {
    v = v + bias[px.os];
  }
  let o = ((px.batch * params.out_h + px.oy) * params.out_w + px.ox) * params.out_slices + px.os;
  y[o] = st(activate(to_t4(v), ACT));
}

fn conv(id: u32) {
  let px = pixel_of(id);
  let zero = bitcast<i32>(factors[2u * px.batch + 1u]);
  let n = params.in_slices;
  let taps = params.filter_h * params.filter_w;
  var acc = vec4<i32>(0);
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = tap_y(px, fy);
    if (iy < 0) {
      continue;
    }
    for (var fx = 0u; fx < params.filter_w; fx++) {
      let ix = tap_x(px, fx);
      if (ix < 0) {
        continue;
      }
      let tap = fy * params.filter_w + fx;
      let xi = ((px.batch * params.in_h + u32(iy)) * params.in_w + u32(ix)) * n;
      var wi = ((px.os * taps + tap) * n) * 4u;
      for (var k = 0u; k < n; k++) {
        let v = q[xi + k];
        acc += vec4<i32>(
          dot_i8(v, weights[wi]),
          dot_i8(v, weights[wi + 1u]),
          dot_i8(v, weights[wi + 2u]),
          dot_i8(v, weights[wi + 3u]),
        );
        wi += 4u;
      }
      acc -= zero * tap_sums[px.os * taps + tap];
    }
  }
  finish(px, acc);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  conv(id);
}


// Byte `lane` of word w, sign-extended.
fn byte_i8(w: u32, lane: u32) -> i32 {
  return bitcast<i32>(w << (24u - 8u * lane)) >> 24u;
}

// DEPTHWISE_CONV_2D: output channel oc reads input channel oc / multiplier.
@compute @workgroup_size(WG)
fn depthwise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let px = pixel_of(id);
  let zero = vec4<i32>(bitcast<i32>(factors[2u * px.batch + 1u]));
  let n = params.in_slices;
  var acc = vec4<i32>(0);
  // The input channel of each output lane (lanes past the channels read weights 0).
  let ic = (vec4<u32>(px.os * 4u) + vec4<u32>(0u, 1u, 2u, 3u)) / params.multiplier;
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = tap_y(px, fy);
    if (iy < 0) {
      continue;
    }
    for (var fx = 0u; fx < params.filter_w; fx++) {
      let ix = tap_x(px, fx);
      if (ix < 0) {
        continue;
      }
      let xi = ((px.batch * params.in_h + u32(iy)) * params.in_w + u32(ix)) * n;
      let w = unpack_i8(weights[(fy * params.filter_w + fx) * params.out_slices + px.os]);
      var v: vec4<i32>;
      if (MULTIPLIER_ONE) {
        v = unpack_i8(q[xi + px.os]);
      } else {
        let last = n - 1u; // lanes past the channels: any real word (their weights are 0)
        v = vec4<i32>(
          byte_i8(q[xi + min(ic.x / 4u, last)], ic.x % 4u),
          byte_i8(q[xi + min(ic.y / 4u, last)], ic.y % 4u),
          byte_i8(q[xi + min(ic.z / 4u, last)], ic.z % 4u),
          byte_i8(q[xi + min(ic.w / 4u, last)], ic.w % 4u),
        );
      }
      acc += (v - zero) * w;
    }
  }
  finish(px, acc);
}

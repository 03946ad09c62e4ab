// Integer CONCATENATION, the placement of shaders/concat.wgsl (one dispatch per input, in input
// order; block mode copies whole slices, lane mode merges this input's lanes into the output's
// slices) on int8 / uint8 / int16 / int32 slices. RESCALE: a uint8 input whose quantization
// differs from the output's is requantized as the CPU does (ConcatenationWithScaling):
// round_half_away(f32(f32(q * scale) + bias)) + out_zero_point, clamped to [0, 255].
// include: int_slice

const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const SIGNED: bool = {{SIGNED}};
const LANEWISE: bool = {{LANEWISE}};
const RESCALE: bool = {{RESCALE}};

struct Params {
  invocations: u32,
  in_block: u32,
  out_block: u32,
  slice_offset: u32,
  in_c: u32,
  in_slices: u32,
  out_c: u32,
  out_slices: u32,
  channel_offset: u32,
  first_slice: u32,
  span: u32,
  scale: f32,
  bias: f32,
  out_zero_point: i32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

fn load_x(slice: u32) -> vec4<i32> {
  var w = vec4<u32>(0u);
  for (var k = 0u; k < slice_words(); k++) {
    w[k] = x[slice * slice_words() + k];
  }
  return unpack_slice(w);
}

fn load_y(slice: u32) -> vec4<i32> {
  var w = vec4<u32>(0u);
  for (var k = 0u; k < slice_words(); k++) {
    w[k] = y[slice * slice_words() + k];
  }
  return unpack_slice(w);
}

fn store_y(slice: u32, v: vec4<i32>) {
  let w = pack_slice(v);
  for (var k = 0u; k < slice_words(); k++) {
    y[slice * slice_words() + k] = w[k];
  }
}

// std::round of an f32: halves away from zero (x - trunc(x) is exact).
fn round_half_away(v: f32) -> f32 {
  let t = trunc(v);
  return select(t, t + sign(v), abs(v - t) >= 0.5);
}

fn rescale(v: vec4<i32>) -> vec4<i32> {
  if (!RESCALE) {
    return v;
  }
  var r = vec4<i32>(0);
  for (var l = 0u; l < 4u; l++) {
    // The product is rounded to f32 before the add, as the CPU (no fused multiply-add).
    let product = bitcast<f32>(bitcast<u32>(f32(v[l]) * params.scale));
    let q = round_half_away(product + params.bias);
    r[l] = clamp(i32(q) + params.out_zero_point, 0, 255);
  }
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  if (!LANEWISE) {
    var v = rescale(load_x(id));
    if (RESCALE) {
      // Padded input lanes are 0, which rescale does not keep.
      v = select(vec4<i32>(0), v, lane_mask(id % params.in_slices, params.in_c));
    }
    store_y((id / params.in_block) * params.out_block + params.slice_offset + id % params.in_block, v);
    return;
  }
  let row = id / params.span;
  let s = params.first_slice + id % params.span;
  let out_index = row * params.out_slices + s;
  var v = load_y(out_index);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.channel_offset && c < params.channel_offset + params.in_c) {
      let ci = c - params.channel_offset;
      v[l] = rescale(load_x(row * params.in_slices + ci / 4u))[ci % 4u];
    } else if (c >= params.out_c) {
      v[l] = 0;
    }
  }
  store_y(out_index, v);
}

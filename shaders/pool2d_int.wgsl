// Integer MAX_POOL_2D and AVERAGE_POOL_2D (TFLite reference_integer_ops pooling, as
// src/kernels/pooling_int.ts) on NHWC int8 / uint8 / int16 in slice layout. Input and output
// share quantization: max is the window maximum; average is the int32 window sum over the input
// pixels inside the window, divided by their count with the half count added away from zero and
// C's truncation; both clamped to the prepared activation range. One invocation per output slice.
// include: int_slice

const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const SIGNED: bool = {{SIGNED}};
const IS_MAX: bool = {{IS_MAX}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  filter_h: u32,
  filter_w: u32,
  stride_h: u32,
  stride_w: u32,
  pad_top: i32,
  pad_left: i32,
  lo: i32,
  hi: i32,
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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.slices;
  let pixel = id / params.slices;
  let ox = pixel % params.out_w;
  let row = pixel / params.out_w;
  let oy = row % params.out_h;
  let n = row / params.out_h;
  let y0 = i32(oy * params.stride_h) - params.pad_top;
  let x0 = i32(ox * params.stride_w) - params.pad_left;
  let y_start = u32(max(y0, 0));
  let y_end = u32(clamp(y0 + i32(params.filter_h), 0, i32(params.in_h)));
  let x_start = u32(max(x0, 0));
  let x_end = u32(clamp(x0 + i32(params.filter_w), 0, i32(params.in_w)));
  // Max starts from the clamp's floor, as the CPU (an empty window gives the floor).
  var acc = select(vec4<i32>(0), vec4<i32>(params.lo), IS_MAX);
  for (var iy = y_start; iy < y_end; iy++) {
    let base = (n * params.in_h + iy) * params.in_w;
    for (var ix = x_start; ix < x_end; ix++) {
      let v = load_x((base + ix) * params.slices + s);
      if (IS_MAX) {
        acc = max(acc, v);
      } else {
        acc += v;
      }
    }
  }
  var v = acc;
  if (!IS_MAX) {
    let count = max(max(i32(y_end) - i32(y_start), 0) * max(i32(x_end) - i32(x_start), 0), 1);
    let half = vec4<i32>(count >> 1u);
    v = select(acc - half, acc + half, acc > vec4<i32>(0)) / vec4<i32>(count);
  }
  v = select(vec4<i32>(0), clamp(v, vec4<i32>(params.lo), vec4<i32>(params.hi)), lane_mask(s, params.channels));
  let w = pack_slice(v);
  for (var k = 0u; k < slice_words(); k++) {
    y[id * slice_words() + k] = w[k];
  }
}

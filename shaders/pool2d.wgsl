// MAX_POOL_2D and AVERAGE_POOL_2D (TFLite reference_ops pooling) on NHWC tensors in slice
// layout. The window is clipped to the input; the average divides by the number of input pixels
// inside the window, not by the filter area. One invocation computes one output slice.

const ACT: u32 = {{ACTIVATION}};
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
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

const FLT_MAX: f32 = 3.4028234e38;

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
  var acc = select(A4(0), A4(-FLT_MAX), IS_MAX);
  for (var iy = y_start; iy < y_end; iy++) {
    let base = (n * params.in_h + iy) * params.in_w;
    for (var ix = x_start; ix < x_end; ix++) {
      let v = A4(ld(x[(base + ix) * params.slices + s]));
      if (IS_MAX) {
        acc = max(acc, v);
      } else {
        acc += v;
      }
    }
  }
  if (!IS_MAX) {
    let count = max(i32(y_end) - i32(y_start), 0) * max(i32(x_end) - i32(x_start), 0);
    acc = acc / f32(max(count, 1));
  }
  y[id] = st(zero_tail(activate(to_t4(acc), ACT), s, params.channels));
}

// DEPTHWISE_CONV_2D (TFLite reference_ops::DepthwiseConv) on NHWC tensors in slice layout.
// Output channel oc reads input channel oc / multiplier. One invocation computes PX horizontally
// adjacent output pixels of one output slice. Weights (delegate/ops/depthwise_conv2d.ts):
// [fy][fx][out_slice] vec4s, padded channels 0.

const ACT: u32 = {{ACTIVATION}};
const PX: u32 = {{PIXELS_PER_INVOCATION}};
// With a depth multiplier of 1 an output slice reads the input slice of the same index.
const MULTIPLIER_ONE: bool = {{MULTIPLIER_ONE}};

struct Params {
  invocations: u32,
  in_h: u32,
  in_w: u32,
  in_c: u32,
  in_slices: u32,
  out_h: u32,
  out_w: u32,
  out_slices: u32,
  x_blocks: u32,
  filter_h: u32,
  filter_w: u32,
  stride_h: u32,
  stride_w: u32,
  dilation_h: u32,
  dilation_w: u32,
  multiplier: u32,
  pad_top: i32,
  pad_left: i32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read> weights: array<W4>;
@group(0) @binding(2) var<storage, read> bias: array<W4>;
@group(0) @binding(3) var<storage, read_write> y: array<S4>;
@group(0) @binding(4) var<uniform> params: Params;

// The 4 input values that output slice os of input pixel `pixel` multiplies.
fn load_input(pixel: u32, os: u32) -> T4 {
  if (MULTIPLIER_ONE) {
    return ld(x[pixel * params.in_slices + os]);
  }
  var v = T4(0);
  for (var l = 0u; l < 4u; l++) {
    // Padded output lanes (past in_c * multiplier) have zero weights: any input channel will do.
    let ic = min((os * 4u + l) / params.multiplier, params.in_c - 1u);
    v[l] = ld(x[pixel * params.in_slices + ic / 4u])[ic % 4u];
  }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let os = id % params.out_slices;
  let strip = id / params.out_slices;
  let xb = strip % params.x_blocks;
  let row = strip / params.x_blocks; // n * out_h + oy
  let oy = row % params.out_h;
  let n = row / params.out_h;
  let ox0 = xb * PX;
  let iy0 = i32(oy * params.stride_h) - params.pad_top;
  let ix0 = i32(ox0 * params.stride_w) - params.pad_left;
  let in_w = i32(params.in_w);
  var acc: array<A4, PX>;
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = iy0 + i32(fy * params.dilation_h);
    if (iy < 0 || iy >= i32(params.in_h)) {
      continue;
    }
    let in_row = (n * params.in_h + u32(iy)) * params.in_w;
    for (var fx = 0u; fx < params.filter_w; fx++) {
      let w = ldw(weights[(fy * params.filter_w + fx) * params.out_slices + os]);
      let ixf = ix0 + i32(fx * params.dilation_w);
      for (var p = 0u; p < PX; p++) {
        let ix = ixf + i32(p * params.stride_w);
        if (ix >= 0 && ix < in_w) {
          acc[p] += A4(load_input(in_row + u32(ix), os) * w);
        }
      }
    }
  }
  let b = A4(ldw(bias[os]));
  for (var p = 0u; p < PX; p++) {
    let ox = ox0 + p;
    if (ox < params.out_w) {
      y[(row * params.out_w + ox) * params.out_slices + os] = st(activate(to_t4(acc[p] + b), ACT));
    }
  }
}

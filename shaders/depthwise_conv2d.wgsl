// DEPTHWISE_CONV_2D (TFLite reference_ops::DepthwiseConv) on NHWC tensors in slice layout.
// Output channel oc reads input channel oc / multiplier. One invocation computes PX (8)
// horizontally adjacent output pixels of one output slice, in named registers. Weights (delegate/ops/depthwise_conv2d.ts):
// [fy][fx][out_slice] vec4s, padded channels 0.

// include: epilogue

const ACT: u32 = {{ACTIVATION}};
const PX: u32 = {{PIXELS_PER_INVOCATION}};
// With a depth multiplier of 1 an output slice reads the input slice of the same index.
const MULTIPLIER_ONE: bool = {{MULTIPLIER_ONE}};
// Stride 1 and no dilation along x (a pipeline of its own, so each variant's code stays small).
const SLIDING: bool = {{SLIDING}};

struct Params {
  invocations: u32,
  // Output channels (the epilogue keeps padded lanes 0), and the slices of a residual row.
  out_c: u32,
  residual_slices: u32,
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

// The input slice at column ix of input row `row` (its first pixel), 0 outside the row.
fn load_at(row: u32, ix: i32, os: u32) -> A4 {
  let in_w = i32(params.in_w);
  let v = A4(load_input(row + u32(clamp(ix, 0, in_w - 1)), os));
  return select(A4(0), v, ix >= 0 && ix < in_w);
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
  let sw = i32(params.stride_w);
  let dw = i32(params.dilation_w);
  let fw = params.filter_w;
  let step = params.out_slices;
  // PX is 8: one named accumulator per pixel (registers, not an indexed array).
  var a0 = A4(0);
  var a1 = A4(0);
  var a2 = A4(0);
  var a3 = A4(0);
  var a4 = A4(0);
  var a5 = A4(0);
  var a6 = A4(0);
  var a7 = A4(0);
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = iy0 + i32(fy * params.dilation_h);
    if (iy < 0 || iy >= i32(params.in_h)) {
      continue;
    }
    let in_row = (n * params.in_h + u32(iy)) * params.in_w;
    var wi = fy * fw * step + os;
    if (SLIDING) {
      // Stride 1, no dilation: pixel p at tap fx reads column ix0 + p + fx, so each tap loads
      // one new column and shifts the others.
      var v0 = load_at(in_row, ix0, os);
      var v1 = load_at(in_row, ix0 + 1, os);
      var v2 = load_at(in_row, ix0 + 2, os);
      var v3 = load_at(in_row, ix0 + 3, os);
      var v4 = load_at(in_row, ix0 + 4, os);
      var v5 = load_at(in_row, ix0 + 5, os);
      var v6 = load_at(in_row, ix0 + 6, os);
      for (var fx = 0u; fx < fw; fx++) {
        let v7 = load_at(in_row, ix0 + i32(fx) + 7, os);
        let w = A4(ldw(weights[wi]));
        wi += step;
        a0 += v0 * w;
        a1 += v1 * w;
        a2 += v2 * w;
        a3 += v3 * w;
        a4 += v4 * w;
        a5 += v5 * w;
        a6 += v6 * w;
        a7 += v7 * w;
        v0 = v1;
        v1 = v2;
        v2 = v3;
        v3 = v4;
        v4 = v5;
        v5 = v6;
        v6 = v7;
      }
    } else {
      for (var fx = 0u; fx < fw; fx++) {
        let ix = ix0 + i32(fx) * dw;
        let w = A4(ldw(weights[wi]));
        wi += step;
        a0 += load_at(in_row, ix, os) * w;
        a1 += load_at(in_row, ix + sw, os) * w;
        a2 += load_at(in_row, ix + 2 * sw, os) * w;
        a3 += load_at(in_row, ix + 3 * sw, os) * w;
        a4 += load_at(in_row, ix + 4 * sw, os) * w;
        a5 += load_at(in_row, ix + 5 * sw, os) * w;
        a6 += load_at(in_row, ix + 6 * sw, os) * w;
        a7 += load_at(in_row, ix + 7 * sw, os) * w;
      }
    }
  }
  let b = A4(ldw(bias[os]));
  let px = row * params.out_w + ox0;
  let left = params.out_w - ox0;
  store(px, os, to_t4(a0 + b));
  if (left > 1u) {
    store(px + 1u, os, to_t4(a1 + b));
  }
  if (left > 2u) {
    store(px + 2u, os, to_t4(a2 + b));
  }
  if (left > 3u) {
    store(px + 3u, os, to_t4(a3 + b));
  }
  if (left > 4u) {
    store(px + 4u, os, to_t4(a4 + b));
  }
  if (left > 5u) {
    store(px + 5u, os, to_t4(a5 + b));
  }
  if (left > 6u) {
    store(px + 6u, os, to_t4(a6 + b));
  }
  if (left > 7u) {
    store(px + 7u, os, to_t4(a7 + b));
  }
}

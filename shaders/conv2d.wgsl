// CONV_2D (TFLite reference_ops::Conv) on NHWC tensors in slice layout.
// One invocation computes PX horizontally adjacent output pixels of one output slice, so each
// 4x4 weight block it loads serves PX pixels. Weights (delegate/ops/conv2d.ts packs them):
// [out_slice][fy][fx][in_slice] blocks of 4 vec4s; vec j of a block holds input channel
// 4 * in_slice + j for the 4 output channels of the slice. Padded channels are 0, so padded
// output lanes come out 0.

// include: epilogue

const ACT: u32 = {{ACTIVATION}};
const PX: u32 = {{PIXELS_PER_INVOCATION}};

struct Params {
  invocations: u32,
  // Output channels (the epilogue keeps padded lanes 0), and the slices of a residual row.
  out_c: u32,
  residual_slices: u32,
  in_h: u32,
  in_w: u32,
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
  pad_top: i32,
  pad_left: i32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read> weights: array<W4>;
@group(0) @binding(2) var<storage, read> bias: array<W4>;
@group(0) @binding(3) var<storage, read_write> y: array<S4>;
@group(0) @binding(4) var<uniform> params: Params;

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
      let ixf = ix0 + i32(fx * params.dilation_w);
      var wi = ((os * params.filter_h + fy) * params.filter_w + fx) * params.in_slices * 4u;
      for (var k = 0u; k < params.in_slices; k++) {
        let w0 = ldw(weights[wi]);
        let w1 = ldw(weights[wi + 1u]);
        let w2 = ldw(weights[wi + 2u]);
        let w3 = ldw(weights[wi + 3u]);
        wi += 4u;
        for (var p = 0u; p < PX; p++) {
          let ix = ixf + i32(p * params.stride_w);
          if (ix >= 0 && ix < in_w) {
            let v = ld(x[(in_row + u32(ix)) * params.in_slices + k]);
            acc[p] += A4(w0 * v.x + w1 * v.y + w2 * v.z + w3 * v.w);
          }
        }
      }
    }
  }
  let b = A4(ldw(bias[os]));
  for (var p = 0u; p < PX; p++) {
    let ox = ox0 + p;
    if (ox < params.out_w) {
      store(row * params.out_w + ox, os, to_t4(acc[p] + b));
    }
  }
}

// The input slice k at column ix of input row `in_row` (its first pixel), 0 outside the row.
fn load_at(in_row: u32, ix: i32, k: u32) -> A4 {
  let in_w = i32(params.in_w);
  let v = A4(ld(x[(in_row + u32(clamp(ix, 0, in_w - 1))) * params.in_slices + k]));
  return select(A4(0), v, ix >= 0 && ix < in_w);
}

// 8 pixels x 2 output slices in named registers (no indexed arrays), whatever PX: used when
// out_slices is even. Each input slice loaded serves 2 output slices, each weight block 8 pixels.
@compute @workgroup_size(WG)
fn main_8x2(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let out_blocks = params.out_slices / 2u;
  let os = (id % out_blocks) * 2u;
  let strip = id / out_blocks;
  let xb = strip % params.x_blocks;
  let row = strip / params.x_blocks; // n * out_h + oy
  let oy = row % params.out_h;
  let n = row / params.out_h;
  let ox0 = xb * 8u;
  let iy0 = i32(oy * params.stride_h) - params.pad_top;
  let ix0 = i32(ox0 * params.stride_w) - params.pad_left;
  let sw = i32(params.stride_w);
  let ks = params.in_slices;
  // Weight blocks of output slice os + 1 follow those of os by this many vec4s.
  let wstep = params.filter_h * params.filter_w * ks * 4u;
  var a00 = A4(0);
  var a01 = A4(0);
  var a10 = A4(0);
  var a11 = A4(0);
  var a20 = A4(0);
  var a21 = A4(0);
  var a30 = A4(0);
  var a31 = A4(0);
  var a40 = A4(0);
  var a41 = A4(0);
  var a50 = A4(0);
  var a51 = A4(0);
  var a60 = A4(0);
  var a61 = A4(0);
  var a70 = A4(0);
  var a71 = A4(0);
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = iy0 + i32(fy * params.dilation_h);
    if (iy < 0 || iy >= i32(params.in_h)) {
      continue;
    }
    let in_row = (n * params.in_h + u32(iy)) * params.in_w;
    for (var fx = 0u; fx < params.filter_w; fx++) {
      let ix = ix0 + i32(fx * params.dilation_w);
      var wi = ((os * params.filter_h + fy) * params.filter_w + fx) * ks * 4u;
      for (var k = 0u; k < ks; k++) {
        let m0 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
        let m1 = mat4x4<f32>(A4(ldw(weights[wi + wstep])), A4(ldw(weights[wi + wstep + 1u])), A4(ldw(weights[wi + wstep + 2u])), A4(ldw(weights[wi + wstep + 3u])));
        let v0 = load_at(in_row, ix, k);
        a00 += m0 * v0;
        a01 += m1 * v0;
        let v1 = load_at(in_row, ix + sw, k);
        a10 += m0 * v1;
        a11 += m1 * v1;
        let v2 = load_at(in_row, ix + 2 * sw, k);
        a20 += m0 * v2;
        a21 += m1 * v2;
        let v3 = load_at(in_row, ix + 3 * sw, k);
        a30 += m0 * v3;
        a31 += m1 * v3;
        let v4 = load_at(in_row, ix + 4 * sw, k);
        a40 += m0 * v4;
        a41 += m1 * v4;
        let v5 = load_at(in_row, ix + 5 * sw, k);
        a50 += m0 * v5;
        a51 += m1 * v5;
        let v6 = load_at(in_row, ix + 6 * sw, k);
        a60 += m0 * v6;
        a61 += m1 * v6;
        let v7 = load_at(in_row, ix + 7 * sw, k);
        a70 += m0 * v7;
        a71 += m1 * v7;
        wi += 4u;
      }
    }
  }
  let b0 = A4(ldw(bias[os + 0u]));
  let b1 = A4(ldw(bias[os + 1u]));
  let px = row * params.out_w + ox0;
  let left = params.out_w - ox0;
  store(px + 0u, os + 0u, to_t4(a00 + b0));
  store(px + 0u, os + 1u, to_t4(a01 + b1));
  if (left > 1u) {
    store(px + 1u, os + 0u, to_t4(a10 + b0));
    store(px + 1u, os + 1u, to_t4(a11 + b1));
  }
  if (left > 2u) {
    store(px + 2u, os + 0u, to_t4(a20 + b0));
    store(px + 2u, os + 1u, to_t4(a21 + b1));
  }
  if (left > 3u) {
    store(px + 3u, os + 0u, to_t4(a30 + b0));
    store(px + 3u, os + 1u, to_t4(a31 + b1));
  }
  if (left > 4u) {
    store(px + 4u, os + 0u, to_t4(a40 + b0));
    store(px + 4u, os + 1u, to_t4(a41 + b1));
  }
  if (left > 5u) {
    store(px + 5u, os + 0u, to_t4(a50 + b0));
    store(px + 5u, os + 1u, to_t4(a51 + b1));
  }
  if (left > 6u) {
    store(px + 6u, os + 0u, to_t4(a60 + b0));
    store(px + 6u, os + 1u, to_t4(a61 + b1));
  }
  if (left > 7u) {
    store(px + 7u, os + 0u, to_t4(a70 + b0));
    store(px + 7u, os + 1u, to_t4(a71 + b1));
  }
}

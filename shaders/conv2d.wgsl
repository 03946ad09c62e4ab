// CONV_2D (TFLite reference_ops::Conv) on NHWC tensors in slice layout.
// One invocation computes PX horizontally adjacent output pixels of one output slice, so each
// 4x4 weight block it loads serves PX pixels. Weights (delegate/ops/conv2d.ts packs them):
// [out_slice][fy][fx][in_slice] blocks of 4 vec4s; vec j of a block holds input channel
// 4 * in_slice + j for the 4 output channels of the slice. Padded channels are 0, so padded
// output lanes come out 0.

const ACT: u32 = {{ACTIVATION}};
const PX: u32 = {{PIXELS_PER_INVOCATION}};

struct Params {
  invocations: u32,
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
      y[(row * params.out_w + ox) * params.out_slices + os] = st(activate(to_t4(acc[p] + b), ACT));
    }
  }
}

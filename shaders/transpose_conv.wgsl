// TRANSPOSE_CONV (TFLite reference_ops::TransposeConv) and MediaPipe's
// Convolution2DTransposeBias, read as a gather: output pixel (oy, ox) sums input pixel (iy, ix)
// times filter tap (fy, fx) wherever oy + pad_top = iy * stride_h + fy (and likewise for x).
// One invocation computes one output slice of one pixel. Weights are packed like conv2d.wgsl:
// [out_slice][fy][fx][in_slice] blocks of 4 vec4s.

const ACT: u32 = {{ACTIVATION}};

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
  pad_top: u32,
  pad_left: u32,
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
  let pixel = id / params.out_slices;
  let ox = pixel % params.out_w;
  let row = pixel / params.out_w;
  let oy = row % params.out_h;
  let n = row / params.out_h;
  let yy = oy + params.pad_top;
  let xx = ox + params.pad_left;
  var acc = A4(0);
  for (var fy = 0u; fy < params.filter_h && fy <= yy; fy++) {
    let ty = yy - fy;
    let iy = ty / params.stride_h;
    if (ty % params.stride_h != 0u || iy >= params.in_h) {
      continue;
    }
    for (var fx = 0u; fx < params.filter_w && fx <= xx; fx++) {
      let tx = xx - fx;
      let ix = tx / params.stride_w;
      if (tx % params.stride_w != 0u || ix >= params.in_w) {
        continue;
      }
      let xi = ((n * params.in_h + iy) * params.in_w + ix) * params.in_slices;
      var wi = ((os * params.filter_h + fy) * params.filter_w + fx) * params.in_slices * 4u;
      for (var k = 0u; k < params.in_slices; k++) {
        let v = ld(x[xi + k]);
        acc += A4(ldw(weights[wi]) * v.x + ldw(weights[wi + 1u]) * v.y + ldw(weights[wi + 2u]) * v.z + ldw(weights[wi + 3u]) * v.w);
        wi += 4u;
      }
    }
  }
  y[id] = st(activate(to_t4(acc + A4(ldw(bias[os]))), ACT));
}

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
  // Taps with oy + pad_top = iy * stride + fy: fy runs over yy % stride + j * stride and iy
  // down from yy / stride, so the loops need no division (slow on CPU-backed adapters).
  let yy = oy + params.pad_top;
  let xx = ox + params.pad_left;
  let qy = yy / params.stride_h;
  let qx = xx / params.stride_w;
  let wrow = params.in_slices * 4u;
  var acc = A4(0);
  var iy = i32(qy);
  for (var fy = yy - qy * params.stride_h; fy < params.filter_h; fy += params.stride_h) {
    if (iy >= 0 && u32(iy) < params.in_h) {
      var ix = i32(qx);
      for (var fx = xx - qx * params.stride_w; fx < params.filter_w; fx += params.stride_w) {
        if (ix >= 0 && u32(ix) < params.in_w) {
          let xi = ((n * params.in_h + u32(iy)) * params.in_w + u32(ix)) * params.in_slices;
          var wi = ((os * params.filter_h + fy) * params.filter_w + fx) * wrow;
          for (var k = 0u; k < params.in_slices; k++) {
            let v = ld(x[xi + k]);
            acc += A4(ldw(weights[wi]) * v.x + ldw(weights[wi + 1u]) * v.y + ldw(weights[wi + 2u]) * v.z + ldw(weights[wi + 3u]) * v.w);
            wi += 4u;
          }
        }
        ix -= 1;
      }
    }
    iy -= 1;
  }
  y[id] = st(activate(to_t4(acc + A4(ldw(bias[os]))), ACT));
}

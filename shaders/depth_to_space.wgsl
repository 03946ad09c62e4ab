// DEPTH_TO_SPACE and SPACE_TO_DEPTH (TFLite reference_ops, NHWC, block size b):
//   depth_to_space: out[n, y, x, c] = in[n, y / b, x / b, ((y % b) * b + x % b) * out_c + c]
//   space_to_depth: out[n, y, x, (dy * b + dx) * in_c + c] = in[n, y * b + dy, x * b + dx, c]
// One invocation gathers the 4 lanes of one output slice.

const SPACE_TO_DEPTH: bool = {{SPACE_TO_DEPTH}};

struct Params {
  invocations: u32,
  block: u32,
  in_h: u32,
  in_w: u32,
  in_c: u32,
  in_slices: u32,
  out_h: u32,
  out_w: u32,
  out_c: u32,
  out_slices: u32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.out_slices;
  let p = id / params.out_slices;
  let ox = p % params.out_w;
  let r = p / params.out_w;
  let oy = r % params.out_h;
  let n = r / params.out_h;
  let b = params.block;
  var v = T4(0);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.out_c) {
      break;
    }
    var iy: u32;
    var ix: u32;
    var ic: u32;
    if (SPACE_TO_DEPTH) {
      let blk = c / params.in_c;
      ic = c % params.in_c;
      iy = oy * b + blk / b;
      ix = ox * b + blk % b;
    } else {
      iy = oy / b;
      ix = ox / b;
      ic = ((oy % b) * b + ox % b) * params.out_c + c;
    }
    v[l] = ld(x[((n * params.in_h + iy) * params.in_w + ix) * params.in_slices + ic / 4u])[ic % 4u];
  }
  y[id] = st(v);
}

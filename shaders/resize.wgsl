// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC tensors in slice layout. The sample
// positions come from per-row and per-column tables that delegate/ops/resize.ts computes on the
// CPU exactly as TFLite does (align_corners, half_pixel_centers, float32 coordinate math), so
// the GPU samples the same pixels: rows[oy] = (y0, y1, dy, 0), cols[ox] = (x0, x1, dx, 0);
// nearest neighbour uses only y0 / x0.

const BILINEAR: bool = {{BILINEAR}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read> rows: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> cols: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<S4>;
@group(0) @binding(4) var<uniform> params: Params;

fn pixel(n: u32, iy: f32, ix: f32, s: u32) -> vec4<f32> {
  return vec4<f32>(ld(x[((n * params.in_h + u32(iy)) * params.in_w + u32(ix)) * params.slices + s]));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.slices;
  let p = id / params.slices;
  let ox = p % params.out_w;
  let r = p / params.out_w;
  let oy = r % params.out_h;
  let n = r / params.out_h;
  let ty = rows[oy];
  let tx = cols[ox];
  if (!BILINEAR) {
    y[id] = x[((n * params.in_h + u32(ty.x)) * params.in_w + u32(tx.x)) * params.slices + s];
    return;
  }
  let dy = ty.z;
  let dx = tx.z;
  let v = pixel(n, ty.x, tx.x, s) * ((1.0 - dy) * (1.0 - dx)) + pixel(n, ty.y, tx.x, s) * (dy * (1.0 - dx)) +
    pixel(n, ty.x, tx.y, s) * ((1.0 - dy) * dx) + pixel(n, ty.y, tx.y, s) * (dy * dx);
  y[id] = st(to_t4(v));
}

// RESHAPE (SQUEEZE, EXPAND_DIMS) when the slice layouts differ (the last dimension changes and
// is not a multiple of 4 on both sides; otherwise the delegate aliases the buffer and runs
// nothing). Output element e (row-major) is input element e. One invocation computes one output
// slice.

struct Params {
  invocations: u32,
  in_c: u32,
  in_slices: u32,
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
  let row = id / params.out_slices;
  var v = T4(0);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.out_c) {
      break;
    }
    let e = row * params.out_c + c;
    let ci = e % params.in_c;
    v[l] = ld(x[(e / params.in_c) * params.in_slices + ci / 4u])[ci % 4u];
  }
  y[id] = st(v);
}

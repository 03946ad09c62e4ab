// Conversions at a partition's edges between the CPU's dense row-major f32 tensors and the
// delegate's slice layout in the partition's precision. Skipped when they would be plain copies
// (f32 precision and a last dimension that is a multiple of 4).

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
}

@group(0) @binding(0) var<storage, read> dense_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> sliced_out: array<S4>;
@group(0) @binding(2) var<storage, read> sliced_in: array<S4>;
@group(0) @binding(3) var<storage, read_write> dense_out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// One invocation per output slice.
@compute @workgroup_size(WG)
fn to_slices(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.slices;
  let first = (id / params.slices) * params.channels;
  var v = vec4<f32>(0.0);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c < params.channels) {
      v[l] = dense_in[first + c];
    }
  }
  sliced_out[id] = st(to_t4(v));
}

// One invocation per output element.
@compute @workgroup_size(WG)
fn to_dense(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let c = id % params.channels;
  let row = id / params.channels;
  dense_out[id] = f32(ld(sliced_in[row * params.slices + c / 4u])[c % 4u]);
}

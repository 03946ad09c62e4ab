// Conversions at a partition's edges between the CPU's dense row-major f32 tensors and the
// delegate's slice layout in the partition's precision. Skipped when they would be plain copies
// (f32 precision and a last dimension that is a multiple of 4).
// Also storage conversions inside a partition, slice by slice, between f32 slices and this
// precision's S4 (f16 partitions keep the tensors at their boundary in f32; see partition_kernel.ts).

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
@group(0) @binding(5) var<storage, read> f32_in: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> f32_out: array<vec4<f32>>;

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

// f32 slices -> S4 slices (rounded to nearest even, saturated, where S4 is narrower). One invocation per slice.
@compute @workgroup_size(WG)
fn from_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  sliced_out[id] = st(to_t4(f32_in[id]));
}

// S4 slices -> f32 slices (exact). One invocation per slice.
@compute @workgroup_size(WG)
fn to_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  f32_out[id] = vec4<f32>(ld(sliced_in[id]));
}

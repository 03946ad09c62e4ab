// CONCATENATION: one dispatch per input copies it into its place in the output (so any number
// of inputs fits the storage-buffer limit). Dispatches run in input order.
// - Block mode (axis before the last, or a last-axis offset that is a multiple of 4): slices are
//   copied unchanged. Viewing both tensors as [outer, block] slices, input slice j lands at
//   (j / in_block) * out_block + slice_offset + j % in_block.
// - Lane mode (last axis at an offset that is not a multiple of 4): each output slice the input
//   touches is read, its lanes from this input replaced, lanes past the output's channels zeroed,
//   and written back; the other inputs' lanes are kept.

const LANEWISE: bool = {{LANEWISE}};

struct Params {
  invocations: u32,
  in_block: u32,
  out_block: u32,
  slice_offset: u32,
  in_c: u32,
  in_slices: u32,
  out_c: u32,
  out_slices: u32,
  channel_offset: u32,
  first_slice: u32,
  span: u32,
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
  if (!LANEWISE) {
    y[(id / params.in_block) * params.out_block + params.slice_offset + id % params.in_block] = x[id];
    return;
  }
  let row = id / params.span;
  let s = params.first_slice + id % params.span;
  let out_index = row * params.out_slices + s;
  var v = ld(y[out_index]);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.channel_offset && c < params.channel_offset + params.in_c) {
      let ci = c - params.channel_offset;
      v[l] = ld(x[row * params.in_slices + ci / 4u])[ci % 4u];
    } else if (c >= params.out_c) {
      v[l] = T(0);
    }
  }
  y[out_index] = st(v);
}

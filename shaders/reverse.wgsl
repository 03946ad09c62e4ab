// REVERSE_V2: the tensor's rows (slice layout) viewed as [outer, middle, inner] with the reversed
// axes merged into middle (delegate/ops/reverse.ts); output row (o, m, i) reads input row
// (o, middle - 1 - m, i). When the last axis is reversed too (LANEWISE), output channel c reads
// input channel channels - 1 - c, lane by lane; else slices are copied whole.
// One invocation writes one output slice.

const LANEWISE: bool = {{LANEWISE}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  middle_rows: u32,
  inner_rows: u32,
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
  let s = id % params.slices;
  let row = id / params.slices;
  let i = row % params.inner_rows;
  let rest = row / params.inner_rows;
  let m = rest % params.middle_rows;
  let o = rest / params.middle_rows;
  let first = ((o * params.middle_rows + params.middle_rows - 1u - m) * params.inner_rows + i) * params.slices;
  if (!LANEWISE) {
    y[id] = x[first + s];
    return;
  }
  var v = T4(0);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.channels) {
      break;
    }
    let src = params.channels - 1u - c;
    v[l] = ld(x[first + src / 4u])[src % 4u];
  }
  y[id] = st(v);
}

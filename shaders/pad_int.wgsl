// Integer PAD / PADV2 (the prepared constant) and MIRROR_PAD (REFLECT / SYMMETRIC) on int8 /
// uint8 / int16 / int32 slices, with the walk of shaders/pad.wgsl (delegate/ops/pad.ts
// padGeometry): output coordinate c of a dimension with `before` leading pads reads input
// coordinate c - before, mirrored back inside in the MIRROR modes. One invocation computes one
// output slice; when the last dimension is not padded the slice is copied whole.
// include: int_slice

const MODE_CONSTANT: u32 = 0u;
const MODE_REFLECT: u32 = 1u;
const MODE_SYMMETRIC: u32 = 2u;

const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const SIGNED: bool = {{SIGNED}};
const MODE: u32 = {{MODE}};
const RANK: u32 = {{OUTER_RANK}};
const LANEWISE: bool = {{LANEWISE}};

struct Params {
  invocations: u32,
  in_c: u32,
  in_slices: u32,
  out_c: u32,
  out_slices: u32,
  c_before: i32,
  value: i32,
  // Outer dimensions, innermost first: x = output size, y = input size, z = before,
  // w = input row stride.
  dims: array<vec4<i32>, 5>,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

fn load_x(slice: u32) -> vec4<i32> {
  var w = vec4<u32>(0u);
  for (var k = 0u; k < slice_words(); k++) {
    w[k] = x[slice * slice_words() + k];
  }
  return unpack_slice(w);
}

// Input coordinate for c in a dimension of n, or -1 for a padded (constant) position.
fn source(c: i32, n: i32) -> i32 {
  if (c >= 0 && c < n) {
    return c;
  }
  switch MODE {
    case MODE_REFLECT: {
      return select(2 * n - 2 - c, -c, c < 0);
    }
    case MODE_SYMMETRIC: {
      return select(2 * n - 1 - c, -c - 1, c < 0);
    }
    default: {
      return -1;
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.out_slices;
  var rest = id / params.out_slices;
  var row = 0;
  var inside = true;
  for (var i = 0u; i < RANK; i++) {
    let d = params.dims[i];
    let coord = i32(rest % u32(d.x));
    rest = rest / u32(d.x);
    let m = source(coord - d.z, d.y);
    inside = inside && m >= 0;
    row += m * d.w;
  }
  var v = vec4<i32>(params.value);
  if (inside) {
    let first = u32(row) * params.in_slices;
    if (!LANEWISE) {
      v = load_x(first + s);
    } else {
      for (var l = 0u; l < 4u; l++) {
        let m = source(i32(s * 4u + l) - params.c_before, i32(params.in_c));
        if (m >= 0) {
          v[l] = load_x(first + u32(m) / 4u)[u32(m) % 4u];
        }
      }
    }
  }
  v = select(vec4<i32>(0), v, lane_mask(s, params.out_c));
  let w = pack_slice(v);
  for (var k = 0u; k < slice_words(); k++) {
    y[id * slice_words() + k] = w[k];
  }
}

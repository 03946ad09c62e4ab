// PAD / PADV2 (a constant value) and MIRROR_PAD (REFLECT or SYMMETRIC), any rank up to 6.
// Output coordinate c of a dimension with `before` leading pads reads input coordinate
// c - before, mirrored back inside in the MIRROR modes. One invocation computes one output
// slice; when the last dimension is not padded the slice is copied whole.

const MODE_CONSTANT: u32 = 0u;
const MODE_REFLECT: u32 = 1u;
const MODE_SYMMETRIC: u32 = 2u;

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
  value: f32,
  // Outer dimensions, innermost first: x = output size, y = input size, z = before,
  // w = input row stride.
  dims: array<vec4<i32>, 5>,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

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
  var v = T4(to_t(params.value));
  if (inside) {
    let first = u32(row) * params.in_slices;
    if (!LANEWISE) {
      v = ld(x[first + s]);
    } else {
      for (var l = 0u; l < 4u; l++) {
        let m = source(i32(s * 4u + l) - params.c_before, i32(params.in_c));
        if (m >= 0) {
          v[l] = ld(x[first + u32(m) / 4u])[u32(m) % 4u];
        }
      }
    }
  }
  y[id] = st(zero_tail(v, s, params.out_c));
}

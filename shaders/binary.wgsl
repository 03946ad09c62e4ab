// Elementwise binary ops with NumPy broadcasting: ADD SUB MUL DIV MAXIMUM MINIMUM
// SQUARED_DIFFERENCE PRELU. One invocation computes one output slice.
// The output's outer dimensions (all but the last) are collapsed by delegate/ops/binary.ts
// (size-1 dimensions dropped, neighbours merged where both inputs walk them contiguously) and
// passed innermost first with each input's row stride (0 where it broadcasts). An input whose
// last dimension is 1 against a wider output is splatted across the lanes.
// include: broadcast

const OP_ADD: u32 = 0u;
const OP_SUB: u32 = 1u;
const OP_MUL: u32 = 2u;
const OP_DIV: u32 = 3u;
const OP_MAXIMUM: u32 = 4u;
const OP_MINIMUM: u32 = 5u;
const OP_SQUARED_DIFFERENCE: u32 = 6u;
const OP_PRELU: u32 = 7u;

const OP: u32 = {{OP}};
const ACT: u32 = {{ACTIVATION}};
const RANK: u32 = {{OUTER_RANK}};
const A_SPLAT: bool = {{A_SPLAT}};
const B_SPLAT: bool = {{B_SPLAT}};
// Both inputs have the output's shape: slice id of each, no index arithmetic (integer division
// is slow on CPU-backed adapters). Padded lanes stay 0 (op(0, 0) = 0 and every activation keeps
// 0) except for DIV, whose 0 / 0 is masked as usual.
const SAME_SHAPE: bool = {{SAME_SHAPE}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  a_slices: u32,
  b_slices: u32,
  // Outer dimensions, innermost first: x = size, y = a's row stride, z = b's row stride.
  dims: array<vec4<u32>, 5>,
}

@group(0) @binding(0) var<storage, read> a: array<S4>;
@group(0) @binding(1) var<storage, read> b: array<S4>;
@group(0) @binding(2) var<storage, read_write> y: array<S4>;
@group(0) @binding(3) var<uniform> params: Params;

fn apply(u: T4, v: T4) -> T4 {
  switch OP {
    case OP_ADD: {
      return u + v;
    }
    case OP_SUB: {
      return u - v;
    }
    case OP_MUL: {
      return u * v;
    }
    case OP_DIV: {
      return u / v;
    }
    case OP_MAXIMUM: {
      return max(u, v);
    }
    case OP_MINIMUM: {
      return min(u, v);
    }
    case OP_SQUARED_DIFFERENCE: {
      let d = u - v;
      return d * d;
    }
    case OP_PRELU: {
      return select(u * v, u, u >= T4(0));
    }
    default: {
      return u;
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  if (SAME_SHAPE) {
    var w = activate(apply(ld(a[id]), ld(b[id])), ACT);
    if (OP == OP_DIV) {
      w = zero_tail(w, id % params.slices, params.channels);
    }
    y[id] = st(w);
    return;
  }
  let s = id % params.slices;
  let reads = broadcast_reads(id);
  var u = ld(a[reads.x]);
  if (A_SPLAT) {
    u = T4(u.x);
  }
  var v = ld(b[reads.y]);
  if (B_SPLAT) {
    v = T4(v.x);
  }
  y[id] = st(zero_tail(activate(apply(u, v), ACT), s, params.channels));
}

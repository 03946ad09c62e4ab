// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD over a set of axes (TFLite reference_ops
// reduce), accumulating in f32. The input's outer dimensions (all but the last) are split by
// delegate/ops/reduce.ts into kept and reduced groups (each collapsed, innermost first, with the
// input row stride of each). One invocation computes one output slice.
// - Last axis kept: the output slice sums the same input slice over every reduced row.
// - Last axis reduced: each output lane is a separate output element, folding whole input rows.

const OP_SUM: u32 = 0u;
const OP_MEAN: u32 = 1u;
const OP_MAX: u32 = 2u;
const OP_MIN: u32 = 3u;
const OP_PROD: u32 = 4u;

const OP: u32 = {{OP}};
const REDUCE_LAST: bool = {{REDUCE_LAST}};
const KEPT_RANK: u32 = {{KEPT_RANK}};
const REDUCED_RANK: u32 = {{REDUCED_RANK}};

struct Params {
  invocations: u32,
  in_channels: u32,
  in_slices: u32,
  out_channels: u32,
  out_slices: u32,
  // Input elements folded into each output (the MEAN divisor).
  count: u32,
  // Number of reduced rows (product of the reduced outer dimensions).
  reduced_rows: u32,
  // Innermost first: x = size, y = input row stride.
  kept: array<vec4<u32>, 5>,
  reduced: array<vec4<u32>, 5>,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

const FLT_MAX: f32 = 3.4028234e38;

fn init() -> f32 {
  switch OP {
    case OP_MAX: {
      return -FLT_MAX;
    }
    case OP_MIN: {
      return FLT_MAX;
    }
    case OP_PROD: {
      return 1.0;
    }
    default: {
      return 0.0;
    }
  }
}

fn combine(acc: A4, v: A4) -> A4 {
  switch OP {
    case OP_MAX: {
      return max(acc, v);
    }
    case OP_MIN: {
      return min(acc, v);
    }
    case OP_PROD: {
      return acc * v;
    }
    default: {
      return acc + v;
    }
  }
}

fn finish(acc: A4) -> A4 {
  if (OP == OP_MEAN) {
    return acc / f32(params.count);
  }
  return acc;
}

// Input row of kept index k (decomposed over the kept dimensions).
fn kept_row(k: u32) -> u32 {
  var rest = k;
  var row = 0u;
  for (var i = 0u; i < KEPT_RANK; i++) {
    let d = params.kept[i];
    row += (rest % d.x) * d.y;
    rest = rest / d.x;
  }
  return row;
}

// Input row offset of reduced index j.
fn reduced_row(j: u32) -> u32 {
  var rest = j;
  var row = 0u;
  for (var i = 0u; i < REDUCED_RANK; i++) {
    let d = params.reduced[i];
    row += (rest % d.x) * d.y;
    rest = rest / d.x;
  }
  return row;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.out_slices;
  let out_row = id / params.out_slices;
  if (!REDUCE_LAST) {
    let base = kept_row(out_row);
    var acc = A4(init());
    for (var j = 0u; j < params.reduced_rows; j++) {
      acc = combine(acc, A4(ld(x[(base + reduced_row(j)) * params.in_slices + s])));
    }
    y[id] = st(zero_tail(to_t4(finish(acc)), s, params.out_channels));
    return;
  }
  var out = A4(0);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.out_channels) {
      break;
    }
    let base = kept_row(out_row * params.out_channels + c);
    var acc = A4(init());
    for (var j = 0u; j < params.reduced_rows; j++) {
      let first = (base + reduced_row(j)) * params.in_slices;
      for (var k = 0u; k < params.in_slices; k++) {
        // Padded lanes take the identity so they change nothing.
        acc = combine(acc, select(A4(init()), A4(ld(x[first + k])), lane_mask(k, params.in_channels)));
      }
    }
    // Fold the 4 lanes.
    let folded = combine(combine(A4(acc.x), A4(acc.y)), combine(A4(acc.z), A4(acc.w)));
    out[l] = finish(folded).x;
  }
  y[id] = st(to_t4(out));
}

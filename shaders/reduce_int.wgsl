// Integer MEAN on int8 / uint8 / int16 (src/kernels/reduce_int.ts) with the walk of
// shaders/reduce.wgsl (kept and reduced outer dimensions from delegate/ops/reduce.ts): the exact
// int32 sum of each output's elements, then the CPU prepare's final step (MODE):
// - MODE_FIXED: clamp(mbqm(sum - subtract, multiplier, shift) + add) (optimized Mean);
// - MODE_TRUNC: sum / count, truncated toward zero (reference Mean, equal quantization);
// - MODE_XNNPACK: clamp(round_even(f32(sum - subtract) * scale) + add) (XNNPACK global average).
// One invocation computes one output slice.
// include: quant
// include: int_slice

const MODE_FIXED: u32 = 0u;
const MODE_TRUNC: u32 = 1u;
const MODE_XNNPACK: u32 = 2u;

const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const SIGNED: bool = {{SIGNED}};
const MODE: u32 = {{MODE}};
const REDUCE_LAST: bool = {{REDUCE_LAST}};
const KEPT_RANK: u32 = {{KEPT_RANK}};
const REDUCED_RANK: u32 = {{REDUCED_RANK}};

struct Params {
  invocations: u32,
  in_channels: u32,
  in_slices: u32,
  out_channels: u32,
  out_slices: u32,
  // Input elements folded into each output.
  count: u32,
  // Number of reduced rows (product of the reduced outer dimensions).
  reduced_rows: u32,
  // Innermost first: x = size, y = input row stride.
  kept: array<vec4<u32>, 5>,
  reduced: array<vec4<u32>, 5>,
  subtract: i32,
  multiplier: i32,
  shift: i32,
  scale: f32,
  add: i32,
  lo: i32,
  hi: i32,
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

fn finish(sum: i32) -> i32 {
  switch MODE {
    case MODE_FIXED: {
      return clamp(mbqm(sum - params.subtract, params.multiplier, params.shift) + params.add, params.lo, params.hi);
    }
    case MODE_TRUNC: {
      return sum / i32(params.count);
    }
    default: {
      let scaled = round(i32_to_f32_rne(sum - params.subtract) * params.scale);
      // Beyond any output range, so the conversion to i32 cannot overflow.
      return clamp(i32(clamp(scaled, -XNN_REQUANT_LIMIT, XNN_REQUANT_LIMIT)) + params.add, params.lo, params.hi);
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
  let out_row = id / params.out_slices;
  var out = vec4<i32>(0);
  if (!REDUCE_LAST) {
    let base = kept_row(out_row);
    var acc = vec4<i32>(0);
    for (var j = 0u; j < params.reduced_rows; j++) {
      acc += load_x((base + reduced_row(j)) * params.in_slices + s);
    }
    for (var l = 0u; l < 4u; l++) {
      out[l] = finish(acc[l]);
    }
    out = select(vec4<i32>(0), out, lane_mask(s, params.out_channels));
  } else {
    for (var l = 0u; l < 4u; l++) {
      let c = s * 4u + l;
      if (c >= params.out_channels) {
        break;
      }
      let base = kept_row(out_row * params.out_channels + c);
      var acc = vec4<i32>(0);
      for (var j = 0u; j < params.reduced_rows; j++) {
        let first = (base + reduced_row(j)) * params.in_slices;
        for (var k = 0u; k < params.in_slices; k++) {
          // Padded lanes hold 0.
          acc += load_x(first + k);
        }
      }
      out[l] = finish(acc.x + acc.y + acc.z + acc.w);
    }
  }
  let w = pack_slice(out);
  for (var k = 0u; k < slice_words(); k++) {
    y[id * slice_words() + k] = w[k];
  }
}

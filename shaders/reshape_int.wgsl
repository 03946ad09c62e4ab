// Integer RESHAPE (SQUEEZE, EXPAND_DIMS) when the slice layouts differ, as shaders/reshape.wgsl:
// output element e (row-major) is input element e. Byte moves on int8 / uint8 / int16 / int32
// slices; one invocation computes one output slice.
// include: int_slice

const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const SIGNED: bool = {{SIGNED}};

struct Params {
  invocations: u32,
  in_c: u32,
  in_slices: u32,
  out_c: u32,
  out_slices: u32,
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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.out_slices;
  let row = id / params.out_slices;
  var v = vec4<i32>(0);
  for (var l = 0u; l < 4u; l++) {
    let c = s * 4u + l;
    if (c >= params.out_c) {
      break;
    }
    let e = row * params.out_c + c;
    let ci = e % params.in_c;
    v[l] = load_x((e / params.in_c) * params.in_slices + ci / 4u)[ci % 4u];
  }
  let w = pack_slice(v);
  for (var k = 0u; k < slice_words(); k++) {
    y[id * slice_words() + k] = w[k];
  }
}

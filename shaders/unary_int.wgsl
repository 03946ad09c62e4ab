// Integer elementwise activations and unary ops (LOGISTIC, TANH, LEAKY_RELU, HARD_SWISH, the RELU
// family, ELU, GELU, ABS, RSQRT on int8 / uint8 / int16): every output depends on one input value,
// and the CPU kernel's prepare tabulated that function over the whole input type. The shader looks
// each element up in that table (uploaded as is): table[x + offset]. One invocation per slice;
// lanes past the last channel are written 0 (the table maps 0 to something else).
// include: quant

// 1: int8 / uint8 (one word per slice), 2: int16 (two words per slice).
const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const SIGNED: bool = {{SIGNED}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  // Index of input value 0 in the table (minus the type's lowest value).
  offset: i32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

fn lookup(v: vec4<i32>) -> vec4<i32> {
  let i = vec4<u32>(v + vec4<i32>(params.offset));
  return vec4<i32>(table[i.x], table[i.y], table[i.z], table[i.w]);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let live = lane_mask(id % params.slices, params.channels);
  if (ELEMENT_BYTES == 2u) {
    let v = unpack_i16(vec2<u32>(x[2u * id], x[2u * id + 1u]));
    let w = pack_i16(select(vec4<i32>(0), lookup(v), live));
    y[2u * id] = w.x;
    y[2u * id + 1u] = w.y;
  } else if (SIGNED) {
    y[id] = pack_i8(select(vec4<i32>(0), lookup(unpack_i8(x[id])), live));
  } else {
    y[id] = pack_u8(select(vec4<i32>(0), lookup(unpack_u8(x[id])), live));
  }
}

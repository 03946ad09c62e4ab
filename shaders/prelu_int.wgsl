// Integer PRELU (int8 / uint8) with NumPy broadcasting: the CPU kernel's prepare tabulated every
// (input, alpha) pair, table[(x & 0xff) << 8 | (alpha & 0xff)]; the shader walks the broadcast as
// shaders/binary.wgsl does (outer dimensions collapsed, row strides, splatted last dimension) and
// looks each pair up. One invocation per output slice; lanes past the last channel are written 0.
// include: quant
// include: broadcast

const SIGNED: bool = {{SIGNED}};
const RANK: u32 = {{OUTER_RANK}};
const A_SPLAT: bool = {{A_SPLAT}};
const B_SPLAT: bool = {{B_SPLAT}};
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

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<storage, read> table: array<i32>;
@group(0) @binding(4) var<uniform> params: Params;

// The four bytes of a word as table index parts (their bit patterns, 0..255).
fn bytes_of(w: u32) -> vec4<u32> {
  return (vec4<u32>(w) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let s = id % params.slices;
  let reads = broadcast_reads(id);
  let ia = reads.x;
  let ib = reads.y;
  var u = bytes_of(a[ia]);
  if (A_SPLAT) {
    u = vec4<u32>(u.x);
  }
  var v = bytes_of(b[ib]);
  if (B_SPLAT) {
    v = vec4<u32>(v.x);
  }
  let i = (u << vec4<u32>(8u)) | v;
  let r = select(vec4<i32>(0), vec4<i32>(table[i.x], table[i.y], table[i.z], table[i.w]), lane_mask(s, params.channels));
  if (SIGNED) {
    y[id] = pack_i8(r);
  } else {
    y[id] = pack_u8(r);
  }
}

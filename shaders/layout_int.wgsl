// Integer tensors between the CPU's dense arrays and the slice layout: byte moves, the same for
// signed and unsigned types. ELEMENT_BYTES is 1 (int8 / uint8, four per word), 2 (int16, two per
// word) or 4 (int32); element i of a buffer is bits (i % per word) * bits of word i / per word
// (little-endian, as the CPU's typed arrays). One invocation per 32-bit word written.

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  elements: u32,
}

@group(0) @binding(0) var<storage, read> dense_in: array<u32>;
@group(0) @binding(1) var<storage, read_write> sliced_out: array<u32>;
@group(0) @binding(2) var<storage, read> sliced_in: array<u32>;
@group(0) @binding(3) var<storage, read_write> dense_out: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const ELEMENT_BYTES: u32 = {{ELEMENT_BYTES}}u;
const PER_WORD: u32 = 4u / ELEMENT_BYTES;
const BITS: u32 = 8u * ELEMENT_BYTES;
const MASK: u32 = 0xffffffffu >> (32u - BITS);

fn dense_element(i: u32) -> u32 {
  return (dense_in[i / PER_WORD] >> ((i % PER_WORD) * BITS)) & MASK;
}

fn sliced_element(i: u32) -> u32 {
  return (sliced_in[i / PER_WORD] >> ((i % PER_WORD) * BITS)) & MASK;
}

@compute @workgroup_size(WG)
fn to_slices(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let padded = params.slices * 4u;
  var word = 0u;
  for (var j = 0u; j < PER_WORD; j++) {
    let e = id * PER_WORD + j;
    let c = e % padded;
    if (c < params.channels) {
      word |= dense_element((e / padded) * params.channels + c) << (j * BITS);
    }
  }
  sliced_out[id] = word;
}

@compute @workgroup_size(WG)
fn to_dense(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  var word = 0u;
  for (var j = 0u; j < PER_WORD; j++) {
    let e = id * PER_WORD + j;
    if (e < params.elements) {
      word |= sliced_element((e / params.channels) * params.slices * 4u + e % params.channels) << (j * BITS);
    }
  }
  dense_out[id] = word;
}

// The broadcast walk of the binary ops (binary.wgsl, binary_int.wgsl, prelu_int.wgsl): a library.
// The template defines RANK, A_SPLAT, B_SPLAT, SAME_SHAPE and `params` with slices, a_slices,
// b_slices and dims (outer dimensions innermost first: x = size, y = a's row stride, z = b's),
// as delegate/ops/binary.ts broadcastWalk fills them.

// The slices of a and b that output slice `id` reads (a splatted input reads its first slice).
fn broadcast_reads(id: u32) -> vec2<u32> {
  if (SAME_SHAPE) {
    return vec2<u32>(id);
  }
  let s = id % params.slices;
  var rest = id / params.slices;
  var ra = 0u;
  var rb = 0u;
  for (var i = 0u; i < RANK; i++) {
    let d = params.dims[i];
    let coord = rest % d.x;
    rest = rest / d.x;
    ra += coord * d.y;
    rb += coord * d.z;
  }
  return vec2<u32>(ra * params.a_slices + select(s, 0u, A_SPLAT), rb * params.b_slices + select(s, 0u, B_SPLAT));
}

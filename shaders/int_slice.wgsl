// Slices of integer tensors bound as array<u32> (the slice layout of delegate/plan/precision.ts):
// a slice of four ELEMENT_BYTES-byte elements is slice_words() consecutive words, little-endian
// (int8 / uint8: one word, int16: two, int32: four). The including template declares
// ELEMENT_BYTES (1, 2 or 4) and SIGNED (sign- or zero-extend on unpacking); byte moves may unpack
// either way, since packing keeps only the low ELEMENT_BYTES bytes of each lane. (Functions, not
// module constants: libraries precede the template's constants.)

fn slice_words() -> u32 {
  return ELEMENT_BYTES;
}

// Lane l of a slice's words (words past slice_words() are ignored).
fn slice_lane(w: vec4<u32>, l: u32) -> i32 {
  let bits = 8u * ELEMENT_BYTES;
  let per_word = 4u / ELEMENT_BYTES;
  let word = w[l / per_word];
  let offset = (l % per_word) * bits;
  if (SIGNED) {
    return bitcast<i32>(word << (32u - bits - offset)) >> (32u - bits);
  }
  return bitcast<i32>((word >> offset) & (0xffffffffu >> (32u - bits)));
}

// The four elements of a slice's words.
fn unpack_slice(w: vec4<u32>) -> vec4<i32> {
  return vec4<i32>(slice_lane(w, 0u), slice_lane(w, 1u), slice_lane(w, 2u), slice_lane(w, 3u));
}

// Four elements (already in the type's range, or truncated to it) as a slice's words.
fn pack_slice(v: vec4<i32>) -> vec4<u32> {
  let bits = 8u * ELEMENT_BYTES;
  let per_word = 4u / ELEMENT_BYTES;
  let mask = 0xffffffffu >> (32u - bits);
  var w = vec4<u32>(0u);
  for (var l = 0u; l < 4u; l++) {
    let word = l / per_word;
    w[word] = w[word] | ((bitcast<u32>(v[l]) & mask) << ((l % per_word) * bits));
  }
  return w;
}

// Shared by every delegate shader; follows the precision prelude (S4, T, T4, A4, T_MAX, ld, st,
// to_t, to_t4).
//
// Slice layout: a tensor's last dimension (its channels, c) is padded to a multiple of 4 and
// stored as vec4 slices, row-major over the other dimensions: element (row, ch) is lane ch % 4 of
// slice row * slices + ch / 4, where slices = ceil(c / 4). Lanes past the last channel hold 0;
// every shader that writes a tensor keeps it so (zero_tail), and readers may rely on it.
//
// Dispatch: 1-D workgroups of WG invocations, folded into y when there are more workgroups than
// one dimension allows. Every shader's Params starts with `invocations` (filled by the runtime)
// and returns early at or past it.

const WG: u32 = 64u;

fn invocation_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// Lanes of slice s that hold real channels, in a row of c channels.
fn lane_mask(s: u32, c: u32) -> vec4<bool> {
  return vec4<u32>(s * 4u) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(c);
}

// v with the lanes past the last channel set to 0.
fn zero_tail(v: T4, s: u32, c: u32) -> T4 {
  return select(T4(0), v, lane_mask(s, c));
}

// Fused activations. ACT_FINITE is TFLite's float clamp to +-FLT_MAX that binary ops apply even
// without an activation.
const ACT_NONE: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_RELU_N1_TO_1: u32 = 2u;
const ACT_RELU6: u32 = 3u;
const ACT_FINITE: u32 = 4u;

fn activate(v: T4, act: u32) -> T4 {
  switch act {
    case ACT_RELU: {
      return max(v, T4(0));
    }
    case ACT_RELU_N1_TO_1: {
      return clamp(v, T4(-1), T4(1));
    }
    case ACT_RELU6: {
      return clamp(v, T4(0), T4(6));
    }
    case ACT_FINITE: {
      return clamp(v, T4(-T_MAX), T4(T_MAX));
    }
    default: {
      return v;
    }
  }
}

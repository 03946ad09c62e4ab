// CONV_2D on integer activations, bit-exact with the CPU kernel (src/kernels/conv_int.ts
// conv2dInt): int8 x int8, uint8 x uint8 (legacy, filter zero point) and 16x8 (int16 x int8, 32- or
// 64-bit accumulators). One invocation computes PX horizontally adjacent output pixels of OS output
// slices (4 channels each), so each weight word it loads serves PX pixels and each input word 4 * OS
// channels.
//
// Tensors are in the integer slice layout (int8 / uint8: one u32 per slice, int16: two).
// Weights (delegate/ops/conv2d_int.ts packs them): [out_slice][fy][fx][in_slice] vec4<u32>; lane j
// holds the 4 raw weight bytes (input channels 4 * in_slice .. + 3) of output channel
// 4 * out_slice + j. Grouped convolutions come expanded to all input channels, the weights outside
// a channel's group equal to the filter zero point (their offset weight is 0).
//
// The sums, as the CPU's: sum over every tap of x * (w - zw) (padded taps read the input zero point
// zx, so (x - zx) is 0 there), plus the per-channel constant bias + inputOffset * rowSums, folded
// at build time (`bias`). 8-bit products go through the raw bytes: sum x * w - zw * sum x, with
// i32 wrap-around like the CPU's `acc | 0`. 64-bit (WIDE) sums add i32 partial sums of at most
// CHUNK slices (each below 2^24 in magnitude) into I64 accumulators; `bias` then holds I64 words.
//
// include: quant
// include: requant

const ELEMENT: u32 = {{ELEMENT}};
const REQUANT_MODE: u32 = {{REQUANT_MODE}};
const WIDE: bool = {{WIDE}};
// The uint8 filter zero point (0 otherwise) and the input zero point's byte (the padding value).
const FILTER_ZERO_POINT: i32 = {{FILTER_ZERO_POINT}};
const PAD_BYTE: u32 = {{PAD_BYTE}}u;
const PX: u32 = {{PIXELS_PER_INVOCATION}};
const OS: u32 = {{OUT_SLICES_PER_INVOCATION}};
const ACCS: u32 = PX * OS;
// 16-bit products are below 2^22 in magnitude: 64 slices of 4 stay below 2^30.
const CHUNK: u32 = 64u;

struct Params {
  invocations: u32,
  in_h: u32,
  in_w: u32,
  in_c: u32,
  in_slices: u32,
  out_h: u32,
  out_w: u32,
  out_c: u32,
  out_slices: u32,
  x_blocks: u32,
  filter_h: u32,
  filter_w: u32,
  stride_h: u32,
  stride_w: u32,
  dilation_h: u32,
  dilation_w: u32,
  pad_top: i32,
  pad_left: i32,
  out_offset: i32,
  out_lo: i32,
  out_hi: i32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> bias: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

fn dot8(a: u32, b: u32) -> i32 {
  return bitcast<i32>({{DOT}}(a, b));
}

// The raw word of a padded tap in input slice k: zx in the lanes of real channels, 0 past them
// (as the stored padded lanes).
fn pad_word(k: u32) -> u32 {
  let real = min(params.in_c - min(params.in_c, k * 4u), 4u);
  let mask = select((1u << (real * 8u)) - 1u, 0xffffffffu, real == 4u);
  return (PAD_BYTE * 0x01010101u) & mask;
}

struct Block {
  os0: u32,
  row: u32, // n * out_h + oy
  ox0: u32,
  n: u32,
  iy0: i32,
  ix0: i32,
}

fn block_of(id: u32) -> Block {
  let blocks = params.out_slices / OS;
  let os0 = (id % blocks) * OS;
  let strip = id / blocks;
  let xb = strip % params.x_blocks;
  let row = strip / params.x_blocks;
  let oy = row % params.out_h;
  let ox0 = xb * PX;
  return Block(os0, row, ox0, row / params.out_h, i32(oy * params.stride_h) - params.pad_top, i32(ox0 * params.stride_w) - params.pad_left);
}

// Requantizes channel oc's sum (bias included); 0 for padded lanes.
fn output_lane(acc: i32, oc: u32) -> i32 {
  return select(requantize(acc, oc, params.out_offset, params.out_lo, params.out_hi), 0, oc >= params.out_c);
}

fn output_lane_wide(acc: I64, oc: u32) -> i32 {
  let sum = i64_add(acc, I64(bitcast<u32>(bias[2u * oc]), bias[2u * oc + 1u]));
  return select(requantize_wide(sum, oc, params.out_offset, params.out_lo, params.out_hi), 0, oc >= params.out_c);
}

fn store(b: Block, p: u32, s: u32, v: vec4<i32>) {
  let i = (b.row * params.out_w + b.ox0 + p) * params.out_slices + b.os0 + s;
  switch ELEMENT {
    case ELEM_I16: {
      let w = pack_i16(v);
      y[2u * i] = w.x;
      y[2u * i + 1u] = w.y;
    }
    case ELEM_U8: {
      y[i] = pack_u8(v);
    }
    default: {
      y[i] = pack_i8(v);
    }
  }
}

// int8 and uint8 activations.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let b = block_of(id);
  let ks = params.in_slices;
  let in_w = i32(params.in_w);
  // Weight vectors of output slice os0 + 1 follow those of os0 by this many.
  let wstep = params.filter_h * params.filter_w * ks;
  var acc: array<vec4<i32>, ACCS>;
  var xsum: array<i32, PX>;
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = b.iy0 + i32(fy * params.dilation_h);
    let row_inside = iy >= 0 && iy < i32(params.in_h);
    let in_row = (b.n * params.in_h + u32(clamp(iy, 0, i32(params.in_h) - 1))) * params.in_w;
    for (var fx = 0u; fx < params.filter_w; fx++) {
      let ixf = b.ix0 + i32(fx * params.dilation_w);
      let wi = ((b.os0 * params.filter_h + fy) * params.filter_w + fx) * ks;
      for (var k = 0u; k < ks; k++) {
        let pad = pad_word(k);
        var v: array<u32, PX>;
        for (var p = 0u; p < PX; p++) {
          let ix = ixf + i32(p * params.stride_w);
          let inside = row_inside && ix >= 0 && ix < in_w;
          v[p] = select(pad, x[(in_row + u32(clamp(ix, 0, in_w - 1))) * ks + k], inside);
        }
        if (FILTER_ZERO_POINT != 0) {
          for (var p = 0u; p < PX; p++) {
            xsum[p] += dot8(v[p], 0x01010101u);
          }
        }
        for (var s = 0u; s < OS; s++) {
          let w = weights[wi + s * wstep + k];
          for (var p = 0u; p < PX; p++) {
            acc[s * PX + p] += vec4<i32>(dot8(v[p], w.x), dot8(v[p], w.y), dot8(v[p], w.z), dot8(v[p], w.w));
          }
        }
      }
    }
  }
  for (var p = 0u; p < PX; p++) {
    if (b.ox0 + p >= params.out_w) {
      break;
    }
    let zero_point_term = vec4<i32>(FILTER_ZERO_POINT * xsum[p]);
    for (var s = 0u; s < OS; s++) {
      let oc = (b.os0 + s) * 4u;
      let t = acc[s * PX + p] - zero_point_term + vec4<i32>(bias[oc], bias[oc + 1u], bias[oc + 2u], bias[oc + 3u]);
      store(b, p, s, vec4<i32>(output_lane(t.x, oc), output_lane(t.y, oc + 1u), output_lane(t.z, oc + 2u), output_lane(t.w, oc + 3u)));
    }
  }
}

// 16x8: int16 activations (zero point 0, so padded taps add nothing and are skipped), int8
// weights; 32-bit sums, or 64-bit when WIDE.
@compute @workgroup_size(WG)
fn main_16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let b = block_of(id);
  let ks = params.in_slices;
  let in_w = i32(params.in_w);
  let wstep = params.filter_h * params.filter_w * ks;
  var acc: array<vec4<i32>, ACCS>;
  var wide: array<array<I64, 4>, ACCS>;
  var pending = 0u;
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = b.iy0 + i32(fy * params.dilation_h);
    if (iy < 0 || iy >= i32(params.in_h)) {
      continue;
    }
    let in_row = (b.n * params.in_h + u32(iy)) * params.in_w;
    for (var fx = 0u; fx < params.filter_w; fx++) {
      let ixf = b.ix0 + i32(fx * params.dilation_w);
      let wi = ((b.os0 * params.filter_h + fy) * params.filter_w + fx) * ks;
      for (var k = 0u; k < ks; k++) {
        var v: array<vec4<i32>, PX>;
        for (var p = 0u; p < PX; p++) {
          let ix = ixf + i32(p * params.stride_w);
          let e = 2u * ((in_row + u32(clamp(ix, 0, in_w - 1))) * ks + k);
          v[p] = select(vec4<i32>(0), unpack_i16(vec2<u32>(x[e], x[e + 1u])), ix >= 0 && ix < in_w);
        }
        for (var s = 0u; s < OS; s++) {
          let w = weights[wi + s * wstep + k];
          let w0 = unpack_i8(w.x);
          let w1 = unpack_i8(w.y);
          let w2 = unpack_i8(w.z);
          let w3 = unpack_i8(w.w);
          for (var p = 0u; p < PX; p++) {
            acc[s * PX + p] += vec4<i32>(dot(v[p], w0), dot(v[p], w1), dot(v[p], w2), dot(v[p], w3));
          }
        }
        if (WIDE) {
          pending++;
          if (pending == CHUNK) {
            pending = 0u;
            for (var i = 0u; i < ACCS; i++) {
              for (var j = 0u; j < 4u; j++) {
                wide[i][j] = i64_add_i32(wide[i][j], acc[i][j]);
              }
              acc[i] = vec4<i32>(0);
            }
          }
        }
      }
    }
  }
  for (var p = 0u; p < PX; p++) {
    if (b.ox0 + p >= params.out_w) {
      break;
    }
    for (var s = 0u; s < OS; s++) {
      let oc = (b.os0 + s) * 4u;
      let a = acc[s * PX + p];
      var result: vec4<i32>;
      if (WIDE) {
        for (var j = 0u; j < 4u; j++) {
          result[j] = output_lane_wide(i64_add_i32(wide[s * PX + p][j], a[j]), oc + j);
        }
      } else {
        let t = a + vec4<i32>(bias[oc], bias[oc + 1u], bias[oc + 2u], bias[oc + 3u]);
        result = vec4<i32>(output_lane(t.x, oc), output_lane(t.y, oc + 1u), output_lane(t.z, oc + 2u), output_lane(t.w, oc + 3u));
      }
      store(b, p, s, result);
    }
  }
}

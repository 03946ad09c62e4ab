// DEPTHWISE_CONV_2D on integer activations (TFLite reference_integer_ops DepthwiseConvPerChannel,
// reference_ops DepthwiseConv for uint8), bit-exact with src/kernels/depthwise_conv_int.ts.
// NHWC in slice layout: int8 / uint8 one u32 per 4-channel slice, int16 two. Output channel oc
// reads input channel oc / multiplier. One invocation computes PX (4) horizontally adjacent
// output pixels of one output slice, in named registers.
//
// The CPU's sum is S = bias + sum over taps inside the image of (x + input_offset) * w. Here
// (delegate/ops/depthwise_conv2d_int.ts folds the constants):
//   S = channel_bias + sum over all taps of x' * w,  x' = x inside, the input zero point outside,
// with channel_bias = bias + input_offset * sum of all w: a padded tap adds -input_offset * w,
// which cancels its share of the folded term. A whole row outside the image adds its precomputed
// row_correction instead of loading. On the 32-bit paths everything wraps modulo 2^32 like the
// CPU's `acc | 0`; on the wide (16x8, int64) path input_offset is 0 and the tap sum is exact in
// i32 (the builder bounds the tap count), then added to the I64 bias.

// include: quant
// include: requant

const REQUANT_MODE: u32 = {{REQUANT_MODE}};
const PX: u32 = 4u;
// With a depth multiplier of 1 an output slice reads the input slice of the same index.
const MULTIPLIER_ONE: bool = {{MULTIPLIER_ONE}};
// Stride 1 and no dilation along x: each tap loads one new column and shifts the others.
const SLIDING: bool = {{SLIDING}};
// int16 activations (two words per slice); else 8-bit, one word per slice.
const INT16: bool = {{INT16}};
// uint8 activations and weights (the legacy kernel); else int8 weights (and int8 / int16 input).
const UNSIGNED: bool = {{UNSIGNED}};
// 64-bit accumulation (16x8 with the int64 reference kernel).
const WIDE: bool = {{WIDE}};

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
  multiplier: u32,
  pad_top: i32,
  pad_left: i32,
  // What a tap outside the image reads: the input zero point (-input_offset).
  input_zero_point: i32,
  // Added to each stored weight byte (minus the uint8 filter zero point; 0 for int8).
  weight_offset: i32,
  output_offset: i32,
  output_lo: i32,
  output_hi: i32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
// [tap][out_slice]: the slice's 4 weight bytes in one word (channel 4 * slice + j in byte j).
@group(0) @binding(1) var<storage, read> weights: array<u32>;
// 32-bit: [out_slice] folded bias. Wide: [out_slice][low words, high words] of the I64 bias.
@group(0) @binding(2) var<storage, read> channel_bias: array<vec4<i32>>;
// [fy][out_slice]: what filter row fy adds when its whole input row is outside the image.
@group(0) @binding(3) var<storage, read> row_correction: array<vec4<i32>>;
@group(0) @binding(4) var<storage, read_write> y: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

// Input slice s of pixel `pixel` (n * in_h + iy) * in_w + ix.
fn load_slice(pixel: u32, s: u32) -> vec4<i32> {
  let i = pixel * params.in_slices + s;
  if (INT16) {
    return unpack_i16(vec2<u32>(x[2u * i], x[2u * i + 1u]));
  }
  if (UNSIGNED) {
    return unpack_u8(x[i]);
  }
  return unpack_i8(x[i]);
}

// The 4 input values that output slice os of pixel `pixel` multiplies.
fn load_input(pixel: u32, os: u32) -> vec4<i32> {
  if (MULTIPLIER_ONE) {
    return load_slice(pixel, os);
  }
  // Output lanes 4os..4os+3 read input channels (4os + l) / multiplier: at most two slices.
  // Padded output lanes (past in_c * multiplier) have zero weights: any input channel will do.
  let last = params.in_c - 1u;
  let c0 = min(os * 4u / params.multiplier, last);
  let first = load_slice(pixel, c0 / 4u);
  let second = load_slice(pixel, min((os * 4u + 3u) / params.multiplier, last) / 4u);
  var v = vec4<i32>(0);
  for (var l = 0u; l < 4u; l++) {
    let ic = min((os * 4u + l) / params.multiplier, last);
    v[l] = select(first[ic % 4u], second[ic % 4u], ic / 4u != c0 / 4u);
  }
  return v;
}

// The input at column ix of input row `row` (its first pixel); the zero point outside the row.
fn load_at(row: u32, ix: i32, os: u32) -> vec4<i32> {
  let in_w = i32(params.in_w);
  let v = load_input(row + u32(clamp(ix, 0, in_w - 1)), os);
  return select(vec4<i32>(params.input_zero_point), v, ix >= 0 && ix < in_w);
}

fn load_weights(i: u32) -> vec4<i32> {
  let w = weights[i];
  if (UNSIGNED) {
    return unpack_u8(w) + vec4<i32>(params.weight_offset);
  }
  return unpack_i8(w) + vec4<i32>(params.weight_offset);
}

// Requantizes one output pixel's slice and stores it, padded lanes 0.
fn store(o: u32, os: u32, acc: vec4<i32>) {
  var v = vec4<i32>(0);
  for (var l = 0u; l < 4u; l++) {
    let c = os * 4u + l;
    if (WIDE) {
      let bias = I64(bitcast<u32>(channel_bias[2u * os][l]), channel_bias[2u * os + 1u][l]);
      v[l] = requantize_wide(i64_add_i32(bias, acc[l]), c, params.output_offset, params.output_lo, params.output_hi);
    } else {
      v[l] = requantize(acc[l], c, params.output_offset, params.output_lo, params.output_hi);
    }
  }
  v = select(vec4<i32>(0), v, lane_mask(os, params.out_c));
  if (INT16) {
    let words = pack_i16(v);
    y[2u * o] = words.x;
    y[2u * o + 1u] = words.y;
  } else if (UNSIGNED) {
    y[o] = pack_u8(v);
  } else {
    y[o] = pack_i8(v);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let os = id % params.out_slices;
  let strip = id / params.out_slices;
  let xb = strip % params.x_blocks;
  let row = strip / params.x_blocks; // n * out_h + oy
  let oy = row % params.out_h;
  let n = row / params.out_h;
  let ox0 = xb * PX;
  let iy0 = i32(oy * params.stride_h) - params.pad_top;
  let ix0 = i32(ox0 * params.stride_w) - params.pad_left;
  let sw = i32(params.stride_w);
  let dw = i32(params.dilation_w);
  let fw = params.filter_w;
  let step = params.out_slices;
  var a0 = vec4<i32>(0);
  var a1 = vec4<i32>(0);
  var a2 = vec4<i32>(0);
  var a3 = vec4<i32>(0);
  // Rows outside the image, shared by the PX pixels (zero on the wide path).
  var skipped = vec4<i32>(0);
  for (var fy = 0u; fy < params.filter_h; fy++) {
    let iy = iy0 + i32(fy * params.dilation_h);
    if (iy < 0 || iy >= i32(params.in_h)) {
      skipped += row_correction[fy * step + os];
      continue;
    }
    let in_row = (n * params.in_h + u32(iy)) * params.in_w;
    var wi = fy * fw * step + os;
    if (SLIDING) {
      var v0 = load_at(in_row, ix0, os);
      var v1 = load_at(in_row, ix0 + 1, os);
      var v2 = load_at(in_row, ix0 + 2, os);
      for (var fx = 0u; fx < fw; fx++) {
        let v3 = load_at(in_row, ix0 + i32(fx) + 3, os);
        let w = load_weights(wi);
        wi += step;
        a0 += v0 * w;
        a1 += v1 * w;
        a2 += v2 * w;
        a3 += v3 * w;
        v0 = v1;
        v1 = v2;
        v2 = v3;
      }
    } else {
      for (var fx = 0u; fx < fw; fx++) {
        let ix = ix0 + i32(fx) * dw;
        let w = load_weights(wi);
        wi += step;
        a0 += load_at(in_row, ix, os) * w;
        a1 += load_at(in_row, ix + sw, os) * w;
        a2 += load_at(in_row, ix + 2 * sw, os) * w;
        a3 += load_at(in_row, ix + 3 * sw, os) * w;
      }
    }
  }
  // The 32-bit paths start from the folded bias; the wide path adds its I64 bias in store().
  var base = skipped;
  if (!WIDE) {
    base += channel_bias[os];
  }
  let o = (row * params.out_w + ox0) * step + os;
  let left = params.out_w - ox0;
  store(o, os, a0 + base);
  if (left > 1u) {
    store(o + step, os, a1 + base);
  }
  if (left > 2u) {
    store(o + 2u * step, os, a2 + base);
  }
  if (left > 3u) {
    store(o + 3u * step, os, a3 + base);
  }
}

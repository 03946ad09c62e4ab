// The output pipeline of the integer convolution family (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED, TRANSPOSE_CONV...): exact accumulators to outputs, as the CPU's
// src/kernels/int/requant.ts requantize() does, per output channel. A library after quant.wgsl
// (a template includes both: `// include: quant` then `// include: requant`).
//
// The template defines `const REQUANT_MODE: u32 = <placeholder REQUANT_MODE>;` (one of the modes below,
// from delegate/ops/requant.ts); this library declares the per-channel table it reads.

const REQUANT_DOUBLE: u32 = 0u; // TFLite's reference kernels: gemmlowp double rounding
const REQUANT_SINGLE: u32 = 1u; // TFLite's optimized kernels through ruy: one rounding
const REQUANT_XNNPACK: u32 = 2u; // XNNPACK: float32 scale, ties to even
const REQUANT_WIDE: u32 = 3u; // 16x8 with 64-bit accumulators: the int64 multiplier

// Per output channel: (multiplier, shift, float32 scale bits, 0).
@group(0) @binding(15) var<storage, read> channel_requant: array<vec4<i32>>;

// The output value of channel c from its int32 accumulator (bias included), offset and clamped.
fn requantize(acc: i32, c: u32, offset: i32, lo: i32, hi: i32) -> i32 {
  let q = channel_requant[c];
  var v: i32;
  switch REQUANT_MODE {
    case REQUANT_SINGLE: {
      v = mbqm_single(acc, q.x, q.y);
    }
    case REQUANT_XNNPACK: {
      v = xnn_requant(acc, bitcast<f32>(q.z));
    }
    default: {
      v = mbqm(acc, q.x, q.y);
    }
  }
  return clamp(v + offset, lo, hi);
}

// The output value of channel c from its 64-bit accumulator (REQUANT_WIDE).
fn requantize_wide(acc: I64, c: u32, offset: i32, lo: i32, hi: i32) -> i32 {
  let q = channel_requant[c];
  return clamp(mbqm_i64(acc, q.x, q.y) + offset, lo, hi);
}

// Precision prelude 'fp16-storage': tensors stored as IEEE half floats, two per u32
// (pack2x16float, round to nearest even), math in f32. For adapters without the 'shader-f16'
// feature. Weights and biases stay f32: the math is f32 anyway, and rounding them to f16 is
// what costs most accuracy (mobilenet_v1: 5.9e-2 of its 6.3e-2 output error).
// See prelude_fp32.wgsl for the names every prelude defines.

alias S4 = vec2<u32>;
alias W4 = vec4<f32>;
alias T = f32;
alias T4 = vec4<f32>;
alias A4 = vec4<f32>;

const T_MAX: f32 = 3.4028234e38;
// pack2x16float is undefined outside the finite f16 range: saturate first.
const F16_MAX: f32 = 65504.0;

fn ld(v: S4) -> T4 {
  return vec4<f32>(unpack2x16float(v.x), unpack2x16float(v.y));
}

fn st(v: T4) -> S4 {
  let c = clamp(v, vec4<f32>(-F16_MAX), vec4<f32>(F16_MAX));
  return vec2<u32>(pack2x16float(c.xy), pack2x16float(c.zw));
}

fn ldw(v: W4) -> T4 {
  return v;
}

fn to_t(v: f32) -> T {
  return v;
}

fn to_t4(v: vec4<f32>) -> T4 {
  return v;
}

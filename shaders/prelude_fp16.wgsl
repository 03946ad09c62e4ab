// Precision prelude 'fp16': tensors stored and computed in f16 (the 'shader-f16' feature);
// sums (conv, matmul, reductions) accumulate in f32, like TFLite's F32_F16 mode.
// See prelude_fp32.wgsl for the names every prelude defines.

enable f16;

alias S4 = vec4<f16>;
alias W4 = vec4<f16>;
alias T = f16;
alias T4 = vec4<f16>;
alias A4 = vec4<f32>;

const T_MAX: f16 = 65504.0h;
const F16_MAX: f32 = 65504.0;

fn ld(v: S4) -> T4 {
  return v;
}

fn st(v: T4) -> S4 {
  return v;
}

fn ldw(v: W4) -> T4 {
  return v;
}

// f32 -> f16 is undefined outside the finite f16 range: saturate first.
fn to_t(v: f32) -> T {
  return f16(clamp(v, -F16_MAX, F16_MAX));
}

fn to_t4(v: vec4<f32>) -> T4 {
  return vec4<f16>(clamp(v, vec4<f32>(-F16_MAX), vec4<f32>(F16_MAX)));
}

// Precision prelude 'fp32': tensors stored and computed in f32.
// Every delegate shader is this prelude (or another precision's), then common.wgsl, then the op's
// template. The names below are the whole contract between a shader and its precision:
//   S4        one stored slice (4 channels) of a tensor
//   W4        one stored slice of constant weights and biases (conv, depthwise, FC, transpose conv)
//   T, T4     the math scalar and vector
//   A4        the accumulator of sums (conv, matmul, reductions): always f32
//   T_MAX     the largest finite T
//   ld, st    S4 <-> T4
//   ldw       W4 -> T4
//   to_t, to_t4  f32 -> T (saturating where T is narrower)

alias S4 = vec4<f32>;
alias W4 = vec4<f32>;
alias T = f32;
alias T4 = vec4<f32>;
alias A4 = vec4<f32>;

const T_MAX: f32 = 3.4028234e38;

fn ld(v: S4) -> T4 {
  return v;
}

fn st(v: T4) -> S4 {
  return v;
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

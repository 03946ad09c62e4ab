// Elementwise unary ops and activations. One invocation computes one slice; lanes past the
// last channel are re-zeroed (most of these map 0 to something else).
// Semantics follow TFLite's float kernels (activations.cc, elementwise.cc).

const OP_RELU: u32 = 0u;
const OP_RELU6: u32 = 1u;
const OP_RELU_N1_TO_1: u32 = 2u;
const OP_RELU_0_TO_1: u32 = 3u;
const OP_LOGISTIC: u32 = 4u;
const OP_TANH: u32 = 5u;
const OP_HARD_SWISH: u32 = 6u;
const OP_LEAKY_RELU: u32 = 7u;
const OP_ELU: u32 = 8u;
const OP_EXP: u32 = 9u;
const OP_LOG: u32 = 10u;
const OP_SQRT: u32 = 11u;
const OP_RSQRT: u32 = 12u;
const OP_SQUARE: u32 = 13u;
const OP_ABS: u32 = 14u;
const OP_NEG: u32 = 15u;
const OP_SIN: u32 = 16u;
const OP_COS: u32 = 17u;
const OP_FLOOR: u32 = 18u;
const OP_CEIL: u32 = 19u;
const OP_ROUND: u32 = 20u;
const OP_SIGN: u32 = 21u;
const OP_GELU: u32 = 22u;
const OP_GELU_TANH: u32 = 23u;

const OP: u32 = {{OP}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  // LEAKY_RELU's slope.
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

// erf(x) to 1.5e-7 (Abramowitz and Stegun 7.1.26); WGSL has no erf.
fn erf4(v: vec4<f32>) -> vec4<f32> {
  let z = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * z);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(v) * (1.0 - poly * exp(-z * z));
}

// sin to about 1e-7 for moderate |x|: WGSL only promises 2^-11 absolute for sin and cos, and
// SwiftShader is about that coarse. Reduce by multiples of pi (pi split in two for exactness),
// then a Taylor polynomial on [-pi/2, pi/2].
fn sin4(v: vec4<f32>) -> vec4<f32> {
  let k = round(v * 0.3183098861837907);
  let r = (v - k * 3.140625) - k * 9.676535897931160e-4;
  let r2 = r * r;
  let p = r * (1.0 + r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 * (1.0 / 362880.0 + r2 * (-1.0 / 39916800.0))))));
  return select(p, -p, (vec4<i32>(k) & vec4<i32>(1)) == vec4<i32>(1));
}

fn apply(v: T4) -> T4 {
  switch OP {
    case OP_RELU: {
      return max(v, T4(0));
    }
    case OP_RELU6: {
      return clamp(v, T4(0), T4(6));
    }
    case OP_RELU_N1_TO_1: {
      return clamp(v, T4(-1), T4(1));
    }
    case OP_RELU_0_TO_1: {
      return clamp(v, T4(0), T4(1));
    }
    case OP_LOGISTIC: {
      // As TFLite's builtin (optimized) kernel: accurate in the tails. e = exp(-|x|) never
      // overflows; 1 / (1 + e) for x >= 0, e / (1 + e) below.
      let f = vec4<f32>(v);
      let e = exp(-abs(f));
      return to_t4(select(e, vec4<f32>(1.0), f >= vec4<f32>(0.0)) / (1.0 + e));
    }
    case OP_TANH: {
      // tanh saturates to +-1 in f32 well before |x| = 10; clamping keeps exp-based
      // implementations away from inf / inf.
      return to_t4(tanh(clamp(vec4<f32>(v), vec4<f32>(-10.0), vec4<f32>(10.0))));
    }
    case OP_HARD_SWISH: {
      return v * clamp(v + T4(3), T4(0), T4(6)) / T4(6);
    }
    case OP_LEAKY_RELU: {
      return select(v * to_t(params.alpha), v, v > T4(0));
    }
    case OP_ELU: {
      return select(to_t4(exp(vec4<f32>(v)) - 1.0), v, v >= T4(0));
    }
    case OP_EXP: {
      return to_t4(exp(vec4<f32>(v)));
    }
    case OP_LOG: {
      return log(v);
    }
    case OP_SQRT: {
      return sqrt(v);
    }
    case OP_RSQRT: {
      return T4(1) / sqrt(v);
    }
    case OP_SQUARE: {
      return v * v;
    }
    case OP_ABS: {
      return abs(v);
    }
    case OP_NEG: {
      return -v;
    }
    case OP_SIN: {
      return to_t4(sin4(vec4<f32>(v)));
    }
    case OP_COS: {
      return to_t4(sin4(1.5707963267948966 - vec4<f32>(v)));
    }
    case OP_FLOOR: {
      return floor(v);
    }
    case OP_CEIL: {
      return ceil(v);
    }
    case OP_ROUND: {
      // WGSL's round() takes halves to the even neighbour, like TFLite's RoundToNearest.
      return round(v);
    }
    case OP_SIGN: {
      return sign(v);
    }
    case OP_GELU: {
      let f = vec4<f32>(v);
      return to_t4(0.5 * f * (1.0 + erf4(f * 0.7071067811865476)));
    }
    case OP_GELU_TANH: {
      let f = vec4<f32>(v);
      let inner = clamp(0.7978845608028654 * (f + 0.044715 * f * f * f), vec4<f32>(-10.0), vec4<f32>(10.0));
      return to_t4(0.5 * f * (1.0 + tanh(inner)));
    }
    default: {
      return v;
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  y[id] = st(zero_tail(apply(ld(x[id])), id % params.slices, params.channels));
}

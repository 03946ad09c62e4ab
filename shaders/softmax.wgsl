// SOFTMAX (exp((x - max) * beta) / sum) and LOG_SOFTMAX (x - max - log(sum exp(x - max))) over
// the last axis, in f32 whatever the storage. One invocation computes one row (three passes:
// max, sum, write).

const LOG_SOFTMAX: bool = {{LOG_SOFTMAX}};

struct Params {
  invocations: u32,
  channels: u32,
  slices: u32,
  beta: f32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read_write> y: array<S4>;
@group(0) @binding(2) var<uniform> params: Params;

const FLT_MAX: f32 = 3.4028234e38;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let first = id * params.slices;
  var m = -FLT_MAX;
  for (var k = 0u; k < params.slices; k++) {
    let v = select(vec4<f32>(-FLT_MAX), vec4<f32>(ld(x[first + k])), lane_mask(k, params.channels));
    m = max(m, max(max(v.x, v.y), max(v.z, v.w)));
  }
  let beta = select(params.beta, 1.0, LOG_SOFTMAX);
  var sum = 0.0;
  for (var k = 0u; k < params.slices; k++) {
    let e = select(vec4<f32>(0.0), exp((vec4<f32>(ld(x[first + k])) - m) * beta), lane_mask(k, params.channels));
    sum += e.x + e.y + e.z + e.w;
  }
  let log_sum = log(sum);
  for (var k = 0u; k < params.slices; k++) {
    let d = vec4<f32>(ld(x[first + k])) - m;
    var r: vec4<f32>;
    if (LOG_SOFTMAX) {
      r = d - log_sum;
    } else {
      r = exp(d * beta) / sum;
    }
    y[first + k] = st(zero_tail(to_t4(r), k, params.channels));
  }
}

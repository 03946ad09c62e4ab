// FULLY_CONNECTED, and CONV_2D with a 1x1 filter, stride 1 and no padding: a matrix product of
// `rows` input rows (slice layout) by the weights, plus bias, then the fused activation.
// One invocation computes ROWS rows of one output slice, so each 4x4 weight block it loads
// serves ROWS rows. Weights: [out_slice][in_slice] blocks of 4 vec4s, as in conv2d.wgsl.

const ACT: u32 = {{ACTIVATION}};
const ROWS: u32 = {{ROWS_PER_INVOCATION}};

struct Params {
  invocations: u32,
  rows: u32,
  in_slices: u32,
  out_slices: u32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read> weights: array<W4>;
@group(0) @binding(2) var<storage, read> bias: array<W4>;
@group(0) @binding(3) var<storage, read_write> y: array<S4>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let os = id % params.out_slices;
  let r0 = (id / params.out_slices) * ROWS;
  let last_row = params.rows - 1u;
  var acc: array<A4, ROWS>;
  var wi = os * params.in_slices * 4u;
  for (var k = 0u; k < params.in_slices; k++) {
    let w0 = ldw(weights[wi]);
    let w1 = ldw(weights[wi + 1u]);
    let w2 = ldw(weights[wi + 2u]);
    let w3 = ldw(weights[wi + 3u]);
    wi += 4u;
    for (var r = 0u; r < ROWS; r++) {
      // Rows past the end re-read the last row (never stored) instead of branching.
      let v = ld(x[min(r0 + r, last_row) * params.in_slices + k]);
      acc[r] += A4(w0 * v.x + w1 * v.y + w2 * v.z + w3 * v.w);
    }
  }
  let b = A4(ldw(bias[os]));
  for (var r = 0u; r < ROWS; r++) {
    if (r0 + r < params.rows) {
      y[(r0 + r) * params.out_slices + os] = st(activate(to_t4(acc[r] + b), ACT));
    }
  }
}

// FULLY_CONNECTED, and CONV_2D with a 1x1 filter, stride 1 and no padding: a matrix product of
// `rows` input rows (slice layout) by the weights, plus bias, then the fused activation.
// One invocation computes a register block of 8 rows x S output slices (S = 1, 2 or 4 dividing
// out_slices; entry points main, main_8x2, main_8x4), each accumulator a named variable (SwiftShader
// keeps those in registers, not indexed arrays): each 4x4 weight block loaded serves 8 rows, each
// input slice S output slices. Weights: [out_slice][in_slice] blocks of 4 vec4s, as in conv2d.wgsl.

// include: epilogue

const ACT: u32 = {{ACTIVATION}};

struct Params {
  invocations: u32,
  // Output channels (the epilogue keeps padded lanes 0), and the slices of a residual row.
  out_c: u32,
  residual_slices: u32,
  rows: u32,
  in_slices: u32,
  out_slices: u32,
}

@group(0) @binding(0) var<storage, read> x: array<S4>;
@group(0) @binding(1) var<storage, read> weights: array<W4>;
@group(0) @binding(2) var<storage, read> bias: array<W4>;
@group(0) @binding(3) var<storage, read_write> y: array<S4>;
@group(0) @binding(4) var<uniform> params: Params;

// 8 rows x 1 output slice(s) per invocation.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let out_blocks = params.out_slices / 1u;
  let os0 = (id % out_blocks) * 1u;
  let r0 = (id / out_blocks) * 8u;
  let last_row = params.rows - 1u;
  let n = params.in_slices;
  // Rows past the end re-read the last row (never stored) instead of branching.
  let x0 = min(r0 + 0u, last_row) * n;
  let x1 = min(r0 + 1u, last_row) * n;
  let x2 = min(r0 + 2u, last_row) * n;
  let x3 = min(r0 + 3u, last_row) * n;
  let x4 = min(r0 + 4u, last_row) * n;
  let x5 = min(r0 + 5u, last_row) * n;
  let x6 = min(r0 + 6u, last_row) * n;
  let x7 = min(r0 + 7u, last_row) * n;
  let wb = os0 * n * 4u;
  var a00 = A4(0);
  var a10 = A4(0);
  var a20 = A4(0);
  var a30 = A4(0);
  var a40 = A4(0);
  var a50 = A4(0);
  var a60 = A4(0);
  var a70 = A4(0);
  for (var k = 0u; k < n; k++) {
    let v0 = A4(ld(x[x0 + k]));
    let v1 = A4(ld(x[x1 + k]));
    let v2 = A4(ld(x[x2 + k]));
    let v3 = A4(ld(x[x3 + k]));
    let v4 = A4(ld(x[x4 + k]));
    let v5 = A4(ld(x[x5 + k]));
    let v6 = A4(ld(x[x6 + k]));
    let v7 = A4(ld(x[x7 + k]));
    let wi = wb + k * 4u;
    let m0 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    a00 += m0 * v0;
    a10 += m0 * v1;
    a20 += m0 * v2;
    a30 += m0 * v3;
    a40 += m0 * v4;
    a50 += m0 * v5;
    a60 += m0 * v6;
    a70 += m0 * v7;
  }
  let b0 = A4(ldw(bias[os0 + 0u]));
  if (r0 + 0u < params.rows) {
    store(r0 + 0u, os0 + 0u, to_t4(a00 + b0));
  }
  if (r0 + 1u < params.rows) {
    store(r0 + 1u, os0 + 0u, to_t4(a10 + b0));
  }
  if (r0 + 2u < params.rows) {
    store(r0 + 2u, os0 + 0u, to_t4(a20 + b0));
  }
  if (r0 + 3u < params.rows) {
    store(r0 + 3u, os0 + 0u, to_t4(a30 + b0));
  }
  if (r0 + 4u < params.rows) {
    store(r0 + 4u, os0 + 0u, to_t4(a40 + b0));
  }
  if (r0 + 5u < params.rows) {
    store(r0 + 5u, os0 + 0u, to_t4(a50 + b0));
  }
  if (r0 + 6u < params.rows) {
    store(r0 + 6u, os0 + 0u, to_t4(a60 + b0));
  }
  if (r0 + 7u < params.rows) {
    store(r0 + 7u, os0 + 0u, to_t4(a70 + b0));
  }
}

// 8 rows x 2 output slice(s) per invocation.
@compute @workgroup_size(WG)
fn main_8x2(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let out_blocks = params.out_slices / 2u;
  let os0 = (id % out_blocks) * 2u;
  let r0 = (id / out_blocks) * 8u;
  let last_row = params.rows - 1u;
  let n = params.in_slices;
  // Rows past the end re-read the last row (never stored) instead of branching.
  let x0 = min(r0 + 0u, last_row) * n;
  let x1 = min(r0 + 1u, last_row) * n;
  let x2 = min(r0 + 2u, last_row) * n;
  let x3 = min(r0 + 3u, last_row) * n;
  let x4 = min(r0 + 4u, last_row) * n;
  let x5 = min(r0 + 5u, last_row) * n;
  let x6 = min(r0 + 6u, last_row) * n;
  let x7 = min(r0 + 7u, last_row) * n;
  let wb = os0 * n * 4u;
  let ws = n * 4u;
  var a00 = A4(0);
  var a01 = A4(0);
  var a10 = A4(0);
  var a11 = A4(0);
  var a20 = A4(0);
  var a21 = A4(0);
  var a30 = A4(0);
  var a31 = A4(0);
  var a40 = A4(0);
  var a41 = A4(0);
  var a50 = A4(0);
  var a51 = A4(0);
  var a60 = A4(0);
  var a61 = A4(0);
  var a70 = A4(0);
  var a71 = A4(0);
  for (var k = 0u; k < n; k++) {
    let v0 = A4(ld(x[x0 + k]));
    let v1 = A4(ld(x[x1 + k]));
    let v2 = A4(ld(x[x2 + k]));
    let v3 = A4(ld(x[x3 + k]));
    let v4 = A4(ld(x[x4 + k]));
    let v5 = A4(ld(x[x5 + k]));
    let v6 = A4(ld(x[x6 + k]));
    let v7 = A4(ld(x[x7 + k]));
    var wi = wb + k * 4u;
    let m0 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    wi += ws;
    let m1 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    a00 += m0 * v0;
    a01 += m1 * v0;
    a10 += m0 * v1;
    a11 += m1 * v1;
    a20 += m0 * v2;
    a21 += m1 * v2;
    a30 += m0 * v3;
    a31 += m1 * v3;
    a40 += m0 * v4;
    a41 += m1 * v4;
    a50 += m0 * v5;
    a51 += m1 * v5;
    a60 += m0 * v6;
    a61 += m1 * v6;
    a70 += m0 * v7;
    a71 += m1 * v7;
  }
  let b0 = A4(ldw(bias[os0 + 0u]));
  let b1 = A4(ldw(bias[os0 + 1u]));
  if (r0 + 0u < params.rows) {
    store(r0 + 0u, os0 + 0u, to_t4(a00 + b0));
    store(r0 + 0u, os0 + 1u, to_t4(a01 + b1));
  }
  if (r0 + 1u < params.rows) {
    store(r0 + 1u, os0 + 0u, to_t4(a10 + b0));
    store(r0 + 1u, os0 + 1u, to_t4(a11 + b1));
  }
  if (r0 + 2u < params.rows) {
    store(r0 + 2u, os0 + 0u, to_t4(a20 + b0));
    store(r0 + 2u, os0 + 1u, to_t4(a21 + b1));
  }
  if (r0 + 3u < params.rows) {
    store(r0 + 3u, os0 + 0u, to_t4(a30 + b0));
    store(r0 + 3u, os0 + 1u, to_t4(a31 + b1));
  }
  if (r0 + 4u < params.rows) {
    store(r0 + 4u, os0 + 0u, to_t4(a40 + b0));
    store(r0 + 4u, os0 + 1u, to_t4(a41 + b1));
  }
  if (r0 + 5u < params.rows) {
    store(r0 + 5u, os0 + 0u, to_t4(a50 + b0));
    store(r0 + 5u, os0 + 1u, to_t4(a51 + b1));
  }
  if (r0 + 6u < params.rows) {
    store(r0 + 6u, os0 + 0u, to_t4(a60 + b0));
    store(r0 + 6u, os0 + 1u, to_t4(a61 + b1));
  }
  if (r0 + 7u < params.rows) {
    store(r0 + 7u, os0 + 0u, to_t4(a70 + b0));
    store(r0 + 7u, os0 + 1u, to_t4(a71 + b1));
  }
}

// 8 rows x 4 output slice(s) per invocation.
@compute @workgroup_size(WG)
fn main_8x4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = invocation_index(gid, nwg);
  if (id >= params.invocations) {
    return;
  }
  let out_blocks = params.out_slices / 4u;
  let os0 = (id % out_blocks) * 4u;
  let r0 = (id / out_blocks) * 8u;
  let last_row = params.rows - 1u;
  let n = params.in_slices;
  // Rows past the end re-read the last row (never stored) instead of branching.
  let x0 = min(r0 + 0u, last_row) * n;
  let x1 = min(r0 + 1u, last_row) * n;
  let x2 = min(r0 + 2u, last_row) * n;
  let x3 = min(r0 + 3u, last_row) * n;
  let x4 = min(r0 + 4u, last_row) * n;
  let x5 = min(r0 + 5u, last_row) * n;
  let x6 = min(r0 + 6u, last_row) * n;
  let x7 = min(r0 + 7u, last_row) * n;
  let wb = os0 * n * 4u;
  let ws = n * 4u;
  var a00 = A4(0);
  var a01 = A4(0);
  var a02 = A4(0);
  var a03 = A4(0);
  var a10 = A4(0);
  var a11 = A4(0);
  var a12 = A4(0);
  var a13 = A4(0);
  var a20 = A4(0);
  var a21 = A4(0);
  var a22 = A4(0);
  var a23 = A4(0);
  var a30 = A4(0);
  var a31 = A4(0);
  var a32 = A4(0);
  var a33 = A4(0);
  var a40 = A4(0);
  var a41 = A4(0);
  var a42 = A4(0);
  var a43 = A4(0);
  var a50 = A4(0);
  var a51 = A4(0);
  var a52 = A4(0);
  var a53 = A4(0);
  var a60 = A4(0);
  var a61 = A4(0);
  var a62 = A4(0);
  var a63 = A4(0);
  var a70 = A4(0);
  var a71 = A4(0);
  var a72 = A4(0);
  var a73 = A4(0);
  for (var k = 0u; k < n; k++) {
    let v0 = A4(ld(x[x0 + k]));
    let v1 = A4(ld(x[x1 + k]));
    let v2 = A4(ld(x[x2 + k]));
    let v3 = A4(ld(x[x3 + k]));
    let v4 = A4(ld(x[x4 + k]));
    let v5 = A4(ld(x[x5 + k]));
    let v6 = A4(ld(x[x6 + k]));
    let v7 = A4(ld(x[x7 + k]));
    var wi = wb + k * 4u;
    let m0 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    wi += ws;
    let m1 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    wi += ws;
    let m2 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    wi += ws;
    let m3 = mat4x4<f32>(A4(ldw(weights[wi])), A4(ldw(weights[wi + 1u])), A4(ldw(weights[wi + 2u])), A4(ldw(weights[wi + 3u])));
    a00 += m0 * v0;
    a01 += m1 * v0;
    a02 += m2 * v0;
    a03 += m3 * v0;
    a10 += m0 * v1;
    a11 += m1 * v1;
    a12 += m2 * v1;
    a13 += m3 * v1;
    a20 += m0 * v2;
    a21 += m1 * v2;
    a22 += m2 * v2;
    a23 += m3 * v2;
    a30 += m0 * v3;
    a31 += m1 * v3;
    a32 += m2 * v3;
    a33 += m3 * v3;
    a40 += m0 * v4;
    a41 += m1 * v4;
    a42 += m2 * v4;
    a43 += m3 * v4;
    a50 += m0 * v5;
    a51 += m1 * v5;
    a52 += m2 * v5;
    a53 += m3 * v5;
    a60 += m0 * v6;
    a61 += m1 * v6;
    a62 += m2 * v6;
    a63 += m3 * v6;
    a70 += m0 * v7;
    a71 += m1 * v7;
    a72 += m2 * v7;
    a73 += m3 * v7;
  }
  let b0 = A4(ldw(bias[os0 + 0u]));
  let b1 = A4(ldw(bias[os0 + 1u]));
  let b2 = A4(ldw(bias[os0 + 2u]));
  let b3 = A4(ldw(bias[os0 + 3u]));
  if (r0 + 0u < params.rows) {
    store(r0 + 0u, os0 + 0u, to_t4(a00 + b0));
    store(r0 + 0u, os0 + 1u, to_t4(a01 + b1));
    store(r0 + 0u, os0 + 2u, to_t4(a02 + b2));
    store(r0 + 0u, os0 + 3u, to_t4(a03 + b3));
  }
  if (r0 + 1u < params.rows) {
    store(r0 + 1u, os0 + 0u, to_t4(a10 + b0));
    store(r0 + 1u, os0 + 1u, to_t4(a11 + b1));
    store(r0 + 1u, os0 + 2u, to_t4(a12 + b2));
    store(r0 + 1u, os0 + 3u, to_t4(a13 + b3));
  }
  if (r0 + 2u < params.rows) {
    store(r0 + 2u, os0 + 0u, to_t4(a20 + b0));
    store(r0 + 2u, os0 + 1u, to_t4(a21 + b1));
    store(r0 + 2u, os0 + 2u, to_t4(a22 + b2));
    store(r0 + 2u, os0 + 3u, to_t4(a23 + b3));
  }
  if (r0 + 3u < params.rows) {
    store(r0 + 3u, os0 + 0u, to_t4(a30 + b0));
    store(r0 + 3u, os0 + 1u, to_t4(a31 + b1));
    store(r0 + 3u, os0 + 2u, to_t4(a32 + b2));
    store(r0 + 3u, os0 + 3u, to_t4(a33 + b3));
  }
  if (r0 + 4u < params.rows) {
    store(r0 + 4u, os0 + 0u, to_t4(a40 + b0));
    store(r0 + 4u, os0 + 1u, to_t4(a41 + b1));
    store(r0 + 4u, os0 + 2u, to_t4(a42 + b2));
    store(r0 + 4u, os0 + 3u, to_t4(a43 + b3));
  }
  if (r0 + 5u < params.rows) {
    store(r0 + 5u, os0 + 0u, to_t4(a50 + b0));
    store(r0 + 5u, os0 + 1u, to_t4(a51 + b1));
    store(r0 + 5u, os0 + 2u, to_t4(a52 + b2));
    store(r0 + 5u, os0 + 3u, to_t4(a53 + b3));
  }
  if (r0 + 6u < params.rows) {
    store(r0 + 6u, os0 + 0u, to_t4(a60 + b0));
    store(r0 + 6u, os0 + 1u, to_t4(a61 + b1));
    store(r0 + 6u, os0 + 2u, to_t4(a62 + b2));
    store(r0 + 6u, os0 + 3u, to_t4(a63 + b3));
  }
  if (r0 + 7u < params.rows) {
    store(r0 + 7u, os0 + 0u, to_t4(a70 + b0));
    store(r0 + 7u, os0 + 1u, to_t4(a71 + b1));
    store(r0 + 7u, os0 + 2u, to_t4(a72 + b2));
    store(r0 + 7u, os0 + 3u, to_t4(a73 + b3));
  }
}

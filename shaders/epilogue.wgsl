// The epilogue of the convolution family (conv2d, depthwise_conv2d, fully_connected): what
// happens to an output slice between its sum and its store. First the op's own fused clamp
// (the template's ACT), then what delegate/plan/fusion.ts absorbed into the op (delegate/ops/epilogue.ts):
//   EPI_PRE            an activation node right after the op (EPI_NONE: none),
//   EPI_RESIDUAL       an ADD of a tensor of the output's shape, slice for slice, then ADD's own
//                      clamp EPI_RESIDUAL_ACT (ACT_FINITE without one, as binary.wgsl); with
//                      EPI_RESIDUAL_NARROW the tensor has fewer channels (params.residual_slices
//                      slices a row) and the rest are 0: a zero PAD of the channels before the ADD,
//   EPI_POST           an activation node after that ADD.
// Each step is the same arithmetic as the node's own shader (unary.wgsl, binary.wgsl), so fp32
// results equal the unfused ones; f16 storage skips the rounding of the intermediates.
// A template that includes this defines `y` (its output), ACT, and params.out_c (output
// channels), params.out_slices and params.residual_slices; it stores through store().

const EPI_NONE: u32 = 0u;
const EPI_RELU: u32 = 1u;
const EPI_RELU6: u32 = 2u;
const EPI_RELU_N1_TO_1: u32 = 3u;
const EPI_RELU_0_TO_1: u32 = 4u;
const EPI_LOGISTIC: u32 = 5u;
const EPI_HARD_SWISH: u32 = 6u;
// PRELU with a constant alpha per channel (prelu_alpha, slice os of the row).
const EPI_PRELU: u32 = 7u;

const EPI_PRE: u32 = {{EPI_PRE}};
const EPI_RESIDUAL_ACT: u32 = {{EPI_RESIDUAL_ACT}};
const EPI_POST: u32 = {{EPI_POST}};
const EPI_RESIDUAL_NARROW: bool = {{EPI_RESIDUAL_NARROW}};

// #if EPI_RESIDUAL
@group(0) @binding(8) var<storage, read> residual: array<S4>;

fn residual_at(pixel: u32, at: u32, os: u32) -> T4 {
  if (EPI_RESIDUAL_NARROW) {
    // PAD stores 0 past the input's channels (its padded lanes are 0 already). A select, not a
    // branch: branches in each of an entry point's 16 or 32 stores make SwiftShader's compile
    // several times slower.
    let r = ld(residual[pixel * params.residual_slices + min(os, params.residual_slices - 1u)]);
    return select(T4(0), r, os < params.residual_slices);
  }
  return ld(residual[at]);
}
// #endif
// #if EPI_ALPHA
@group(0) @binding(9) var<storage, read> prelu_alpha: array<S4>;
// #endif

fn epi_activation(v: T4, op: u32, os: u32) -> T4 {
  switch op {
    case EPI_RELU: {
      return max(v, T4(0));
    }
    case EPI_RELU6: {
      return clamp(v, T4(0), T4(6));
    }
    case EPI_RELU_N1_TO_1: {
      return clamp(v, T4(-1), T4(1));
    }
    case EPI_RELU_0_TO_1: {
      return clamp(v, T4(0), T4(1));
    }
    case EPI_LOGISTIC: {
      // unary.wgsl's OP_LOGISTIC (see there why not 1 / (1 + e)).
      let f = vec4<f32>(v);
      let e = exp(-abs(f));
      let s = e / (1.0 + e);
      return to_t4(select(s, 1.0 - s, f >= vec4<f32>(0.0)));
    }
    case EPI_HARD_SWISH: {
      return v * clamp(v + T4(3), T4(0), T4(6)) / T4(6);
    }
// #if EPI_ALPHA
    case EPI_PRELU: {
      return select(v * ld(prelu_alpha[os]), v, v >= T4(0));
    }
// #endif
    default: {
      return v;
    }
  }
}

// Output slice os of output row (pixel) `pixel`, from the op's sum, stored.
fn store(pixel: u32, os: u32, sum: T4) {
  let at = pixel * params.out_slices + os;
  var v = epi_activation(activate(sum, ACT), EPI_PRE, os);
// #if EPI_RESIDUAL
  v = epi_activation(activate(v + residual_at(pixel, at, os), EPI_RESIDUAL_ACT), EPI_POST, os);
// #endif
  if (EPI_PRE == EPI_LOGISTIC || EPI_POST == EPI_LOGISTIC) {
    // The one step that maps 0 to something else: padded lanes must stay 0.
    v = zero_tail(v, os, params.out_c);
  }
  y[at] = st(v);
}

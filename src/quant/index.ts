// TFLite's integer arithmetic, bit-exact: fixed point, quantized multipliers, lookup tables,
// activation ranges and the quantized activation/softmax helpers built on them.
export * from './activation_range.js';
export * from './activations.js';
export * from './errors.js';
export * from './fixed_point.js';
export * from './lut.js';
export * from './multiplier.js';
export * from './rounding.js';
export * from './softmax.js';

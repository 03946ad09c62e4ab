// gemmlowp's fixed-point arithmetic (fixedpoint/fixedpoint.h) and the fixed-point helpers of
// TFLite's kernels/internal/common.h, bit-exact, on JS numbers.
//
// Values are plain numbers holding int32 (or int16) values. C++ computes a few products in 64
// bits; a double holds integers exactly only up to 2^53, so those products are split into
// 16-bit halves (each partial product stays below 2^47) instead of using BigInt, which would be
// far too slow for per-element work.
//
// gemmlowp's plain Add/Sub/Neg overflow in C++ (undefined, in practice wrapping); here they wrap.
//
// A gemmlowp FixedPoint<tRawType, tIntegerBits> becomes a raw integer plus an `integerBits`
// argument; `bits` (32 or 16) says whether tRawType is int32 or int16.

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT16_MIN = -32768;
export const INT16_MAX = 32767;

/** Raw integer width of a gemmlowp FixedPoint: int32 (most kernels) or int16 (LSTM, 16-bit activations). */
export type RawBits = 16 | 32;

const TWO_POW_M15 = 2 ** -15;
const TWO_POW_M16 = 2 ** -16;

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** Wraps an exact integer to int16, like a C++ cast to int16_t. */
export function wrapInt16(x: number): number {
  return (x << 16) >> 16;
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul for int32 (ARM VQRDMULH): (a*b + nudge) / 2^31 with
 * C++ truncating division, nudge = a*b >= 0 ? 2^30 : 1 - 2^30; INT32_MIN*INT32_MIN saturates to
 * INT32_MAX. That truncation with that nudge is exactly floor((a*b + 2^30) / 2^31): ties round
 * toward +infinity (0.5 -> 1, -0.5 -> 0).
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a*b reaches 2^62; split b = bHigh*2^16 + bLow so both partial products stay below 2^47.
  const bHigh = b >> 16; // signed, [-2^15, 2^15)
  const bLow = b & 0xffff; // unsigned, [0, 2^16)
  const low = a * bLow + 0x40000000; // + 2^30
  const high = a * bHigh;
  // floor((high*2^16 + low) / 2^31) = floor((high + floor(low / 2^16)) / 2^15), all exact.
  return Math.floor((high + Math.floor(low * TWO_POW_M16)) * TWO_POW_M15) | 0;
}

/** gemmlowp SaturatingRoundingDoublingHighMul for int16: floor((a*b + 2^14) / 2^15), -32768^2 -> 32767. */
export function saturatingRoundingDoublingHighMulInt16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  // |a*b| <= 2^30, so the int32 arithmetic shift is an exact floor.
  return (a * b + 0x4000) >> 15;
}

/**
 * TFLite's SaturatingDoublingHighMul (reference/hard_swish.h, ARM SQDMULH): like the rounding
 * version but truncating a*b / 2^15 toward zero.
 */
export function saturatingDoublingHighMulInt16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  return Math.trunc((a * b) / 32768) | 0;
}

/**
 * gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero, via the
 * remainder/threshold trick. exponent in [0, 31]. Also exact for int16 values with exponent <= 15.
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = ((1 << exponent) - 1) | 0; // exponent 31: (-2^31 - 1) | 0 = 0x7fffffff
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * gemmlowp RoundingDivideByPOT instantiated on int16_t, for any exponent in [0, 31]. From 16 on,
 * the mask (1 << exponent) - 1 truncated to int16 is -1, and the C++ result degenerates to
 * 1 for x >= 0 and -1 for x < 0; that is reproduced here.
 */
export function roundingDivideByPOTInt16(x: number, exponent: number): number {
  if (exponent < 16) return roundingDivideByPOT(x, exponent);
  return x < 0 ? -1 : 1;
}

/**
 * gemmlowp SaturatingRoundingMultiplyByPOT<exponent>: exponent > 0 multiplies by 2^exponent,
 * saturating to the raw type; exponent < 0 is RoundingDivideByPOT(x, -exponent). It also covers
 * TFLite's SaturatingRoundingMultiplyByPOTParam (exponent >= 0).
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number, bits: RawBits = 32): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const shifted = x * 2 ** exponent; // exact: |x| < 2^31, exponent < 32
  return bits === 32 ? clamp(shifted, INT32_MIN, INT32_MAX) : clamp(shifted, INT16_MIN, INT16_MAX);
}

/** gemmlowp RoundingHalfSum (ARM VRHADD): (a + b) / 2 rounded to nearest, ties away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact: |sum| <= 2^32
  // C++: (sum + sign) / 2 with truncating division.
  return sum >= 0 ? Math.floor((sum + 1) / 2) : -Math.floor((1 - sum) / 2);
}

/** TFLite SaturatingAddNonGemmlowp<int32>: a + b clamped to int32. */
export function saturatingAddInt32(a: number, b: number): number {
  const s = a + b;
  return clamp(s, INT32_MIN, INT32_MAX);
}

/** TFLite SaturatingSub<int32>: a - b clamped to int32. */
export function saturatingSubInt32(a: number, b: number): number {
  const s = a - b;
  return clamp(s, INT32_MIN, INT32_MAX);
}

/** gemmlowp SaturatingAdd<int16>: a + b clamped to int16. */
export function saturatingAddInt16(a: number, b: number): number {
  const s = a + b;
  return clamp(s, INT16_MIN, INT16_MAX);
}

/** TFLite SaturatingSub<int16>: a - b clamped to int16. */
export function saturatingSubInt16(a: number, b: number): number {
  const s = a - b;
  return clamp(s, INT16_MIN, INT16_MAX);
}

/** TFLite SaturatingLeftShift (reference/hard_swish.h): value * 2^amount clamped to int16. */
export function saturatingLeftShiftInt16(value: number, amount: number): number {
  return saturatingRoundingMultiplyByPOT(value, amount, 16);
}

/** TFLite CountLeadingZeros on the value as uint32 (32 for 0). */
export function countLeadingZeros32(x: number): number {
  return Math.clz32(x);
}

/** TFLite CountLeadingSignBits<int32>: redundant sign bits (31 for 0 and -1). */
export function countLeadingSignBits32(x: number): number {
  return Math.clz32(x < 0 ? ~x : x) - 1;
}

// ---- gemmlowp FixedPoint operations on raw values of either width ----

function fpMul(a: number, b: number, bits: RawBits): number {
  return bits === 32 ? saturatingRoundingDoublingHighMul(a, b) : saturatingRoundingDoublingHighMulInt16(a, b);
}

function fpAdd(a: number, b: number, bits: RawBits): number {
  return bits === 32 ? (a + b) | 0 : wrapInt16(a + b);
}

function fpSub(a: number, b: number, bits: RawBits): number {
  return bits === 32 ? (a - b) | 0 : wrapInt16(a - b);
}

function rawMax(bits: RawBits): number {
  return bits === 32 ? INT32_MAX : INT16_MAX;
}

/** FixedPoint::One(): 1 << fractional bits, or the raw maximum when there are no integer bits. */
function fpOne(integerBits: number, bits: RawBits): number {
  return integerBits === 0 ? rawMax(bits) : 1 << (bits - 1 - integerBits);
}

/**
 * GEMMLOWP_CHECKED_FIXEDPOINT_CONSTANT: constants are written as int32 raw values; for int16 they
 * are rounding-shifted right by 16.
 */
function fpConstant(raw32: number, bits: RawBits): number {
  return bits === 32 ? raw32 : roundingDivideByPOT(raw32, 16);
}

interface FixedPointConstants {
  expMinusOneEighth: number; // exp(-1/8), Q0
  oneThird: number; // 1/3, Q0
  barrel: number[]; // exp(-2^k) for k = -2..4, Q0
  fortyEightOver17: number; // 48/17, Q2
  minusThirtyTwoOver17: number; // -32/17, Q2
  oneHalf: number; // 0.5, Q0
}

const BARREL_EXPONENTS = [-2, -1, 0, 1, 2, 3, 4];

function makeConstants(bits: RawBits): FixedPointConstants {
  return {
    expMinusOneEighth: fpConstant(1895147668, bits),
    oneThird: fpConstant(715827883, bits),
    barrel: [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242].map((c) => fpConstant(c, bits)),
    fortyEightOver17: fpConstant(1515870810, bits),
    minusThirtyTwoOver17: fpConstant(-1010580540, bits),
    oneHalf: fpConstant(1 << 30, bits),
  };
}

const CONSTANTS_32 = makeConstants(32);
const CONSTANTS_16 = makeConstants(16);

/** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: exp(a) for a in [-1/4, 0), Q0 in and out. */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number, bits: RawBits = 32): number {
  const k = bits === 32 ? CONSTANTS_32 : CONSTANTS_16;
  // Taylor expansion around -1/8: x = a + 1/8.
  const x = fpAdd(a, 1 << (bits - 4), bits);
  const x2 = fpMul(x, x, bits);
  const x3 = fpMul(x2, x, bits);
  const x4 = fpMul(x2, x2, bits);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(fpAdd(fpMul(fpAdd(x4Over4, x3, bits), k.oneThird, bits), x2, bits), 1);
  const product = fpMul(k.expMinusOneEighth, fpAdd(x, poly, bits), bits);
  // AddSaturatingIf16Bit: saturating only for int16.
  return bits === 32 ? fpAdd(k.expMinusOneEighth, product, 32) : saturatingAddInt16(k.expMinusOneEighth, product);
}

/**
 * gemmlowp exp_on_negative_values: exp(a) for a <= 0 given in Q(integerBits), result in Q0
 * (a = 0 gives the raw maximum, i.e. 1).
 */
export function expOnNegativeValues(a: number, integerBits: number, bits: RawBits = 32): number {
  const k = bits === 32 ? CONSTANTS_32 : CONSTANTS_16;
  const fractionalBits = bits - 1 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const aModQuarterMinusOneQuarter = fpSub(a & (oneQuarter - 1), oneQuarter, bits);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits, bits), // Rescale<0>
    bits,
  );
  const remainder = fpSub(aModQuarterMinusOneQuarter, a, bits);
  // Barrel shifter: multiply by exp(-2^e) for each bit of the remaining multiple of 1/4.
  for (let i = 0; i < BARREL_EXPONENTS.length; i++) {
    const e = BARREL_EXPONENTS[i] as number;
    if (integerBits > e && (remainder & (1 << (fractionalBits + e))) !== 0) {
      result = fpMul(result, k.barrel[i] as number, bits);
    }
  }
  if (integerBits > 5) {
    const clamp = fpConstant(-(1 << (36 - integerBits)), bits); // -32
    if (a < clamp) result = 0;
  }
  return a === 0 ? rawMax(bits) : result;
}

/** Newton-Raphson reciprocal shared by the two functions below: returns 1/(1+a) in Q2. */
function halfDenominatorReciprocal(halfDenominator: number, bits: RawBits): number {
  const k = bits === 32 ? CONSTANTS_32 : CONSTANTS_16;
  const oneQ2 = fpOne(2, bits);
  let x = fpAdd(k.fortyEightOver17, fpMul(halfDenominator, k.minusThirtyTwoOver17, bits), bits);
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = fpMul(halfDenominator, x, bits);
    const oneMinusHalfDenominatorTimesX = fpSub(oneQ2, halfDenominatorTimesX, bits);
    // Q2 * Q2 = Q4, rescaled to Q2.
    x = fpAdd(x, saturatingRoundingMultiplyByPOT(fpMul(x, oneMinusHalfDenominatorTimesX, bits), 2, bits), bits);
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: 1/(1+a) for a in [0, 1), Q0 in and out. */
export function oneOverOnePlusXForXIn01(a: number, bits: RawBits = 32): number {
  const x = halfDenominatorReciprocal(roundingHalfSum(a, rawMax(bits)), bits);
  // ExactMulByPot<-1> turns Q2 into Q1; Rescale<0> from Q1 is a saturating doubling.
  return saturatingRoundingMultiplyByPOT(x, 1, bits);
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: (1-a)/(1+a) for a in [0, 1), Q0 in and out. */
export function oneMinusXOverOnePlusXForXIn01(a: number, bits: RawBits = 32): number {
  const x = halfDenominatorReciprocal(roundingHalfSum(a, rawMax(bits)), bits);
  return saturatingRoundingMultiplyByPOT(fpSub(x, fpOne(2, bits), bits), 2, bits);
}

/** gemmlowp tanh: input in Q(integerBits), result in Q0. */
export function tanhFixedPoint(a: number, integerBits: number, bits: RawBits = 32): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : fpSub(0, a, bits);
  // neg_tanh_on_negative_values: ExactMulByPot<1> reinterprets n with one more integer bit.
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1, bits), bits);
  return negative ? fpSub(0, t, bits) : t;
}

/** gemmlowp logistic: input in Q(integerBits), result in Q0. */
export function logisticFixedPoint(a: number, integerBits: number, bits: RawBits = 32): number {
  if (a === 0) return (bits === 32 ? CONSTANTS_32 : CONSTANTS_16).oneHalf;
  const positive = a > 0;
  const absInput = positive ? a : fpSub(0, a, bits);
  const resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(fpSub(0, absInput, bits), integerBits, bits), bits);
  return positive ? resultIfPositive : fpSub(rawMax(bits), resultIfPositive, bits);
}

/**
 * TFLite GetReciprocal: 1/x for a positive x in Q(xIntegerDigits), returned as a Q0 value
 * `reciprocal` scaled by 2^-numBitsOverUnit (the true reciprocal is reciprocal * 2^-numBitsOverUnit).
 */
export function getReciprocal(x: number, xIntegerDigits: number): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  // (uint32(x) << headroom_plus_one) - 2^31, reinterpreted as int32.
  const shiftedSumMinusOne = ((x << headroomPlusOne) - 0x80000000) | 0;
  return {
    reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne, 32),
    numBitsOverUnit: xIntegerDigits - headroomPlusOne,
  };
}

/**
 * TFLite GetInvSqrtQuantizedMultiplierExp: a multiplier and shift for 1/sqrt(input), by Newton-Raphson
 * in Q3. reverseShift is -1 (kReverseShift) or 1 and flips the sign convention of the shift.
 */
export function getInvSqrtQuantizedMultiplierExp(input: number, reverseShift: number): { multiplier: number; shift: number } {
  if (input <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let shift = 11;
  while (input >= 1 << 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const maxLeftShiftBitPairs = (Math.clz32(input) - 1) >>> 1;
  const leftShiftBitPairs = maxLeftShiftBitPairs - 1;
  shift -= leftShiftBitPairs;
  input <<= 2 * leftShiftBitPairs;
  const fixedpointInput = input >> 1; // Q3
  const halfInput = roundingDivideByPOT(fixedpointInput, 1);
  const halfThree = (1 << 28) + (1 << 27); // 1.5 in Q3
  let x = 1 << 28; // 1.0 in Q3
  for (let i = 0; i < 5; i++) {
    // x*x*x is Q9; back to Q3.
    const x3 = saturatingRoundingMultiplyByPOT(saturatingRoundingDoublingHighMul(saturatingRoundingDoublingHighMul(x, x), x), 6);
    // Q3*Q3 = Q6, back to Q3.
    x = saturatingRoundingMultiplyByPOT(
      (saturatingRoundingDoublingHighMul(halfThree, x) - saturatingRoundingDoublingHighMul(halfInput, x3)) | 0,
      3,
    );
  }
  let multiplier = saturatingRoundingDoublingHighMul(x, 1518500250); // * sqrt(2)/2
  if (shift < 0) {
    multiplier <<= -shift;
    shift = 0;
  }
  return { multiplier, shift: shift * reverseShift };
}

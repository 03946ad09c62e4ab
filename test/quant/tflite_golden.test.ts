// Bit-exactness against outputs of the C++ code itself: fixtures/tflite_golden.json holds results
// of TFLite (LiteRT) and gemmlowp functions on pseudo-random inputs (see its "_about").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  expOnNegativeValues,
  frexp,
  getInvSqrtQuantizedMultiplierExp,
  getReciprocal,
  hardSwishQuantized,
  logisticFixedPoint,
  logisticInt16,
  lutLookupInt16,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  oneMinusXOverOnePlusXForXIn01,
  oneOverOnePlusXForXIn01,
  populateLutInt8,
  populateLutInt16,
  populateLutUint8,
  prepareHardSwish,
  prepareSoftmaxInt16,
  prepareSoftmaxQuantized,
  quantizeMultiplier,
  type RawBits,
  saturatingRoundingMultiplyByPOT,
  sigmoidFloat32,
  softmaxInt16Luts,
  softmaxInt16Row,
  softmaxQuantizedRow,
  tanhFixedPoint,
  tanhFloat32,
  tanhInt16,
} from '../../src/quant/index.js';

const golden: Record<string, unknown> = JSON.parse(readFileSync(new URL('./fixtures/tflite_golden.json', import.meta.url), 'utf8'));
const g = (key: string): number[] => {
  const v = golden[key];
  if (!Array.isArray(v)) throw new Error(`fixture key ${key} missing`);
  return v as number[];
};

/** Maps inputs through f and reports the first difference from the expected outputs. */
function firstMismatch(inputs: number[], expected: number[], f: (x: number, i: number) => number): string {
  expect(inputs.length).toBe(expected.length);
  for (let i = 0; i < inputs.length; i++) {
    const got = f(inputs[i] as number, i);
    if (got !== expected[i]) return `#${i}: f(${inputs[i]}) = ${got}, want ${expected[i]}`;
  }
  return '';
}

const FNV_OFFSET = 2166136261;
/** FNV-1a over the little-endian bytes of int32 values, as the generator hashes them. */
function fnvStep(h: number, v: number): number {
  for (let b = 0; b < 4; b++) {
    h ^= (v >> (8 * b)) & 0xff;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/** Checks an int16-domain function on every input in [from, to] against the fixture's hash and sample. */
function expectFullRange(name: string, from: number, to: number, f: (x: number) => number): void {
  let h = FNV_OFFSET;
  const sample: number[] = [];
  const sampleInputs: number[] = [];
  for (let x = from, i = 0; x <= to; x++, i++) {
    const v = f(x);
    h = fnvStep(h, v);
    if (i % 509 === 0) {
      sample.push(v);
      sampleInputs.push(x);
    }
  }
  const want = g(`${name}_sample`);
  const diff = sample.findIndex((v, i) => v !== want[i]);
  expect(diff === -1 ? '' : `${name}(${sampleInputs[diff]}) = ${sample[diff]}, want ${want[diff]}`).toBe('');
  expect(h, name).toBe(golden[`${name}_hash`]);
}

describe('gemmlowp fixed point (int32) against the C++', () => {
  const neg = g('neg32_in');
  const all = g('all32_in');
  for (const ib of [0, 2, 5, 6, 12]) {
    it(`exp_on_negative_values<int32, ${ib}>`, () => {
      expect(firstMismatch(neg, g(`exp32_ib${ib}`), (x) => expOnNegativeValues(x, ib))).toBe('');
    });
  }
  for (const ib of [0, 4]) {
    it(`logistic and tanh <int32, ${ib}>`, () => {
      expect(firstMismatch(all, g(`logistic32_ib${ib}`), (x) => logisticFixedPoint(x, ib))).toBe('');
      expect(firstMismatch(all, g(`tanh32_ib${ib}`), (x) => tanhFixedPoint(x, ib))).toBe('');
    });
  }
  it('one_over_one_plus_x and one_minus_x_over_one_plus_x', () => {
    expect(firstMismatch(g('pos32_in'), g('one_over32'), (x) => oneOverOnePlusXForXIn01(x))).toBe('');
    expect(firstMismatch(g('pos32_in'), g('one_minus_over32'), (x) => oneMinusXOverOnePlusXForXIn01(x))).toBe('');
  });
  it('GetReciprocal', () => {
    const bits = g('recip_bits');
    expect(firstMismatch(g('recip_in'), g('recip_out'), (x) => getReciprocal(x, 12).reciprocal)).toBe('');
    expect(firstMismatch(g('recip_in'), bits, (x) => getReciprocal(x, 12).numBitsOverUnit)).toBe('');
  });
  it('GetInvSqrtQuantizedMultiplierExp', () => {
    const reverse = (i: number) => (i % 2 ? 1 : -1);
    expect(firstMismatch(g('invsqrt_in'), g('invsqrt_mult'), (x, i) => getInvSqrtQuantizedMultiplierExp(x, reverse(i)).multiplier)).toBe(
      '',
    );
    expect(firstMismatch(g('invsqrt_in'), g('invsqrt_shift'), (x, i) => getInvSqrtQuantizedMultiplierExp(x, reverse(i)).shift)).toBe('');
  });
});

describe('gemmlowp fixed point (int16) against the C++, every input', () => {
  const bits: RawBits = 16;
  it('exp_on_negative_values<int16, 0|3|6>', () => {
    for (const ib of [0, 3, 6]) expectFullRange(`exp16_ib${ib}`, -32768, 0, (x) => expOnNegativeValues(x, ib, bits));
  });
  it('logistic and tanh <int16, ...>', () => {
    expectFullRange('logistic16_ib3', -32768, 32767, (x) => logisticFixedPoint(x, 3, bits));
    expectFullRange('logistic16_ib0', -32768, 32767, (x) => logisticFixedPoint(x, 0, bits));
    expectFullRange('tanh16_ib3', -32768, 32767, (x) => tanhFixedPoint(x, 3, bits));
    expectFullRange('tanh16_ib6', -32768, 32767, (x) => tanhFixedPoint(x, 6, bits));
    expectFullRange('tanh16_opt_shift1', -32768, 32767, (x) => tanhFixedPoint(saturatingRoundingMultiplyByPOT(x, 1, bits), 3, bits));
  });
  it('one_over_one_plus_x<int16>', () => {
    expectFullRange('one_over16', 0, 32767, (x) => oneOverOnePlusXForXIn01(x, bits));
  });
});

describe('int16 LOGISTIC / TANH (reference_integer_ops) against the C++, every input', () => {
  const mults = g('int16act_mult');
  const shifts = g('int16act_shift');
  for (let p = 0; p < mults.length; p++) {
    it(`params #${p}: multiplier ${mults[p]}, shift ${shifts[p]}`, () => {
      const params = { inputMultiplier: mults[p] as number, inputLeftShift: shifts[p] as number };
      expectFullRange(`ref_logistic16_${p}`, -32768, 32767, (x) => logisticInt16(x, params));
      expectFullRange(`ref_tanh16_${p}`, -32768, 32767, (x) => tanhInt16(x, params));
    });
  }
});

describe('QuantizeMultiplier, frexp and MultiplyByQuantizedMultiplier against the C++', () => {
  it('QuantizeMultiplier and frexp', () => {
    const inputs = g('qm_in');
    expect(firstMismatch(inputs, g('qm_mult'), (x) => quantizeMultiplier(x).multiplier)).toBe('');
    expect(firstMismatch(inputs, g('qm_shift'), (x) => quantizeMultiplier(x).shift)).toBe('');
    expect(firstMismatch(inputs, g('frexp_fraction'), (x) => frexp(x).fraction)).toBe('');
    expect(firstMismatch(inputs, g('frexp_exponent'), (x) => frexp(x).exponent)).toBe('');
  });
  it('int32 and int64 MultiplyByQuantizedMultiplier', () => {
    const [mm, ms] = [g('mbqm_m'), g('mbqm_s')];
    expect(firstMismatch(g('mbqm_x'), g('mbqm_out'), (x, i) => multiplyByQuantizedMultiplier(x, mm[i] as number, ms[i] as number))).toBe(
      '',
    );
    const [lm, ls] = [g('mbqm64_m'), g('mbqm64_s')];
    expect(
      firstMismatch(g('mbqm64_x'), g('mbqm64_out'), (x, i) => multiplyByQuantizedMultiplierInt64(x, lm[i] as number, ls[i] as number)),
    ).toBe('');
  });
});

describe('lookup tables against the C++ LUTPopulate', () => {
  // The C++ tables were filled with correctly rounded expf/tanhf (see lut.ts on libm).
  const params = g('lut8_params');
  const sets = params.length / 4;
  const check = (key: string, build: (i: number) => ArrayLike<number>) => {
    const want = g(key);
    for (let i = 0; i < sets; i++) {
      const lut = Array.from(build(i));
      const bad = lut.findIndex((v, k) => v !== want[i * 256 + k]);
      expect(bad === -1 ? '' : `${key} set ${i} entry ${bad}: ${lut[bad]}, want ${want[i * 256 + bad]}`).toBe('');
    }
  };
  const p = (i: number) => params.slice(i * 4, i * 4 + 4) as [number, number, number, number];
  it('int8 LOGISTIC and TANH tables', () => {
    check('lut8_sigmoid', (i) => populateLutInt8(...p(i), sigmoidFloat32));
    check('lut8_tanh', (i) => populateLutInt8(...p(i), tanhFloat32));
  });
  it('uint8 LOGISTIC and TANH tables', () => {
    const pu = (i: number): [number, number, number, number] => {
      const [a, b, c, d] = p(i);
      return [a, b + 128, c, d + 128];
    };
    check('lutu8_sigmoid', (i) => populateLutUint8(...pu(i), sigmoidFloat32));
    check('lutu8_tanh', (i) => populateLutUint8(...pu(i), tanhFloat32));
  });
  it('int16 tables in float32 (odd sets LOGISTIC, even sets TANH)', () => {
    const p16 = g('lut16_params');
    const want = g('lut16_float');
    for (let i = 0; i < p16.length / 4; i++) {
      const [a, b, c, d] = p16.slice(i * 4, i * 4 + 4) as [number, number, number, number];
      const lut = Array.from(populateLutInt16(a, b, c, d, i % 2 ? sigmoidFloat32 : tanhFloat32, 'float32'));
      const bad = lut.findIndex((v, k) => v !== want[i * 513 + k]);
      expect(bad === -1 ? '' : `set ${i} entry ${bad}: ${lut[bad]}, want ${want[i * 513 + bad]}`).toBe('');
    }
  });
  it('int16 SOFTMAX tables (double) and LUTLookup on every input', () => {
    const { expLut, oneOverOnePlusXLut } = softmaxInt16Luts();
    expect(Array.from(expLut)).toEqual(g('softmax_exp_lut'));
    expect(Array.from(oneOverOnePlusXLut)).toEqual(g('softmax_recip_lut'));
    expectFullRange('lut16_lookup', -32768, 32767, (x) => lutLookupInt16(x, expLut));
  });
});

describe('SOFTMAX rows against the C++', () => {
  it('reference_ops::Softmax, int8 -> int8 / int16 and uint8 -> uint8', () => {
    const params = g('softmax8_params');
    const rows = g('softmax8_rows');
    const want8 = g('softmax8_out_int8');
    const want16 = g('softmax8_out_int16');
    const wantU8 = g('softmax8_out_uint8');
    let offset = 0;
    for (let r = 0; r < params.length / 3; r++) {
      const [beta, scale, depth] = params.slice(r * 3, r * 3 + 3) as [number, number, number];
      const p = prepareSoftmaxQuantized(beta, scale);
      const out8 = new Int8Array(depth);
      const out16 = new Int16Array(depth);
      const outU8 = new Uint8Array(depth);
      const inputU8 = rows.slice(offset, offset + depth).map((v) => v + 128);
      softmaxQuantizedRow(rows, offset, depth, out8, 0, p, 'int8');
      softmaxQuantizedRow(rows, offset, depth, out16, 0, p, 'int16');
      softmaxQuantizedRow(inputU8, 0, depth, outU8, 0, p, 'uint8');
      expect(Array.from(out8), `row ${r}`).toEqual(want8.slice(offset, offset + depth));
      expect(Array.from(out16), `row ${r}`).toEqual(want16.slice(offset, offset + depth));
      expect(Array.from(outU8), `row ${r}`).toEqual(wantU8.slice(offset, offset + depth));
      offset += depth;
    }
    expect(offset).toBe(rows.length);
  });

  it('reference_ops::SoftmaxInt16', () => {
    const params = g('softmax16_params');
    const rows = g('softmax16_rows');
    const want = g('softmax16_out');
    let offset = 0;
    for (let r = 0; r < params.length / 3; r++) {
      const [beta, scale, depth] = params.slice(r * 3, r * 3 + 3) as [number, number, number];
      const out = new Int16Array(depth);
      softmaxInt16Row(rows, offset, depth, out, 0, prepareSoftmaxInt16(beta, scale));
      expect(Array.from(out), `row ${r}`).toEqual(want.slice(offset, offset + depth));
      offset += depth;
    }
    expect(offset).toBe(rows.length);
  });
});

describe('HARD_SWISH against the C++', () => {
  it('reference_ops::HardSwish, int8 and uint8, every input', () => {
    const params = g('hardswish_params');
    const want8 = g('hardswish_int8');
    const wantU8 = g('hardswish_uint8');
    for (let s = 0; s < params.length / 4; s++) {
      const [inScale, inZp, outScale, outZp] = params.slice(s * 4, s * 4 + 4) as [number, number, number, number];
      const p8 = prepareHardSwish(inScale, inZp, outScale, outZp);
      const pU8 = prepareHardSwish(inScale, inZp + 128, outScale, outZp + 128);
      for (let k = 0; k < 256; k++) {
        expect(hardSwishQuantized(k - 128, p8, -128, 127), `set ${s} int8 input ${k - 128}`).toBe(want8[s * 256 + k]);
        expect(hardSwishQuantized(k, pU8, 0, 255), `set ${s} uint8 input ${k}`).toBe(wantU8[s * 256 + k]);
      }
    }
  });
});

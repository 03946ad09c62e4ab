// Parts of the delegate that need no GPU: the generated shader index, templates, uniform
// packing by reflection, buffer planning, half floats, slice layout and dimension collapsing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sameSliceLayout, sliceLayout, toSlices } from '../../delegate/layout.js';
import { collapseDims } from '../../delegate/ops/common.js';
import { packConvWeights } from '../../delegate/ops/conv_common.js';
import { planBuffers, sizeClass } from '../../delegate/plan/planner.js';
import { reflectEntry, shaderSource, templatePlaceholders } from '../../delegate/runtime/pipeline_cache.js';
import { packUniforms } from '../../delegate/runtime/uniforms.js';
import { instantiate } from '../../delegate/runtime/wgsl_template.js';
import { renderIndex } from '../../shaders/generate.mjs';
import { WGSL_SOURCES } from '../../shaders/index.js';
import { floatToHalfSaturating as halfBits, halfToFloat as halfValue } from '../../src/kernels/dequantize.js';

describe('shaders/sources.json', () => {
  it('is generated from the current .wgsl files (run `node shaders/generate.mjs` after editing one)', () => {
    const current = readFileSync(new URL('../../shaders/sources.json', import.meta.url), 'utf8');
    expect(current === renderIndex()).toBe(true);
  });

  it('every op template parses and reflects in every precision', () => {
    const values: Record<string, number | boolean | string> = {
      ACTIVATION: 'ACT_RELU6',
      PIXELS_PER_INVOCATION: 4,
      ROWS_PER_INVOCATION: 4,
      MULTIPLIER_ONE: false,
      SLIDING: true,
      OP: 0,
      OUTER_RANK: 2,
      A_SPLAT: true,
      B_SPLAT: false,
      SAME_SHAPE: true,
      IS_MAX: true,
      REDUCE_LAST: true,
      KEPT_RANK: 1,
      REDUCED_RANK: 2,
      MODE: 1,
      LANEWISE: true,
      BILINEAR: true,
      LOG_SOFTMAX: false,
      SPACE_TO_DEPTH: true,
      ELEMENT_BYTES: 2,
      SIGNED: true,
      RESCALE: true,
      INT16: false,
      UNSIGNED: false,
      WIDE: true,
      REQUANT_MODE: 'REQUANT_XNNPACK',
      IN_TYPE: 0,
      OUT_TYPE: 0,
      DOT_I8: 'dot4_i8_plain',
      // Every epilogue step and binding (shaders/epilogue.wgsl).
      EPI_PRE: 'EPI_PRELU',
      EPI_RESIDUAL: true,
      EPI_RESIDUAL_ACT: 'ACT_RELU',
      EPI_POST: 'EPI_LOGISTIC',
      EPI_ALPHA: true,
      EPI_RESIDUAL_NARROW: true,
      DOT_U8: 'dot4_u8_plain',
      ELEMENT: 'ELEM_U8',
      FILTER_ZERO_POINT: 3,
      PAD_BYTE: 5,
      OUT_SLICES_PER_INVOCATION: 2,
      DOT: 'dot4_u8_plain',
      MATH: 'MATH_ADD_SUB_POT',
      IS_SUB: true,
      ASYMMETRIC: true,
      FOLD: false,
      HAS_BIAS: true,
      IN_ELEMENT: 'ELEM_I8',
      OUT_ELEMENT: 'ELEM_I16',
    };
    // Where templates give one name different types.
    const perTemplate: Record<string, Record<string, number | boolean | string>> = { hybrid_conv: { RESCALE: 0 } };
    // Op templates: the files with entry points (not the preludes, common.wgsl or libraries).
    const templates = Object.keys(WGSL_SOURCES).filter(
      (n) => !n.startsWith('prelude_') && WGSL_SOURCES[n as keyof typeof WGSL_SOURCES].includes('@compute'),
    ) as (keyof typeof WGSL_SOURCES)[];
    for (const template of templates) {
      const wanted = templatePlaceholders(template);
      const own = { ...values, ...perTemplate[template] };
      const missing = [...wanted].filter((n) => own[n] === undefined);
      expect(missing, `${template}: placeholders without a test value`).toEqual([]);
      const constants = Object.fromEntries([...wanted].map((n) => [n, own[n] as number | boolean | string]));
      const entryPoints = [...WGSL_SOURCES[template].matchAll(/@compute[^\n]*\nfn ([a-z0-9_]+)/g)].map((m) => m[1] as string);
      expect(entryPoints.length, `${template} has entry points`).toBeGreaterThan(0);
      for (const entryPoint of entryPoints) {
        for (const precision of ['fp32', 'fp16-storage', 'fp16'] as const) {
          const code = shaderSource({ template, entryPoint, constants }, precision);
          const r = reflectEntry(code, entryPoint, template);
          expect(r.workgroupSize).toBe(64);
          expect(r.uniforms?.members[0]?.name, `${template}: Params starts with invocations`).toBe('invocations');
          // With the plain dot products chosen, no code (comments aside) names the packed builtins,
          // which implementations without packed_4x8_integer_dot_product do not compile.
          const codeOnly = code.replace(/\/\/[^\n]*/g, '');
          expect(/dot4[IU]8Packed/.test(codeOnly), `${template}.${entryPoint} names a packed dot builtin`).toBe(false);
        }
      }
    }
  });
});

describe('templates', () => {
  const src = 'const A: u32 = {{A}};\nconst B: bool = {{B}};\nconst C: u32 = {{C}};';
  it('fills numbers, booleans and identifiers', () => {
    expect(instantiate('t', src, { A: 3, B: true, C: 'ACT_RELU' })).toBe(
      'const A: u32 = 3;\nconst B: bool = true;\nconst C: u32 = ACT_RELU;',
    );
  });
  it('rejects missing and unknown values, and code in place of an identifier', () => {
    expect(() => instantiate('t', src, { A: 1, B: false })).toThrow(/missing C/);
    expect(() => instantiate('t', src, { A: 1, B: false, C: 'X', D: 2 })).toThrow(/unknown D/);
    expect(() => instantiate('t', src, { A: 1, B: false, C: '1u + f()' })).toThrow(/not a WGSL identifier/);
  });
  it('keeps a conditional block only when its boolean is true', () => {
    const block = 'a\n// #if R\nvar<storage> r: array<u32>;\n// #endif\nb\n';
    expect(instantiate('t', block, { R: true })).toBe('a\nvar<storage> r: array<u32>;\nb\n');
    expect(instantiate('t', block, { R: false })).toBe('a\nb\n');
    expect(() => instantiate('t', block, {})).toThrow(/missing R/);
    expect(() => instantiate('t', block, { R: 1 })).toThrow(/needs a boolean/);
  });
});

describe('uniforms', () => {
  const code = `
struct Params { invocations: u32, a: f32, b: i32, v: vec2<u32>, dims: array<vec4<u32>, 3> }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64) fn main() { y[0] = params.a; }`;
  const layout = reflectEntry(code, 'main', 'test').uniforms as NonNullable<ReturnType<typeof reflectEntry>['uniforms']>;

  it('are packed at the offsets WGSL gives them', () => {
    const view = new DataView(new ArrayBuffer(layout.size + 16));
    packUniforms(layout, { invocations: 7, a: 1.5, b: -3, v: [1, 2], dims: [1, 2, 3, 4, 5, 6, 7, 8] }, view, 16, 'test');
    expect(view.getUint32(16, true)).toBe(7);
    expect(view.getFloat32(20, true)).toBe(1.5);
    expect(view.getInt32(24, true)).toBe(-3);
    expect([view.getUint32(32, true), view.getUint32(36, true)]).toEqual([1, 2]);
    expect(view.getUint32(48 + 16 + 12, true)).toBe(8); // dims[1].w
  });

  it('must all be given, and only those', () => {
    const view = new DataView(new ArrayBuffer(256));
    expect(() => packUniforms(layout, { invocations: 1, a: 1, b: 1, v: [1, 2] }, view, 0, 't')).toThrow(/dims has no value/);
    expect(() => packUniforms(layout, { invocations: 1, a: 1, b: 1, v: [1, 2], dims: [], c: 1 }, view, 0, 't')).toThrow(
      /c are not members/,
    );
    expect(() => packUniforms(layout, { invocations: -1, a: 1, b: 1, v: [1, 2], dims: [] }, view, 0, 't')).toThrow(/not a u32/);
    expect(() => packUniforms(layout, { invocations: 1, a: 1, b: 1, v: [1], dims: [] }, view, 0, 't')).toThrow(/takes 2/);
  });
});

describe('buffer planning', () => {
  it('reuses the buffer of a dead tensor of the same size class, never one still read', () => {
    const plan = planBuffers([
      { id: 0, bytes: 1000, first: 0, last: 1 },
      { id: 1, bytes: 1000, first: 1, last: 2 }, // overlaps 0 at step 1
      { id: 2, bytes: 900, first: 2, last: 3 }, // 0 is dead: reuse
      { id: 3, bytes: 5000, first: 3, last: 4 }, // other class
      { id: 4, bytes: 1024, first: 4, last: 9 }, // 1 is dead: reuse
    ]);
    expect(plan.bufferOf.get(0)).not.toBe(plan.bufferOf.get(1));
    expect(plan.bufferOf.get(2)).toBe(plan.bufferOf.get(0));
    expect(plan.bufferOf.get(4)).toBe(plan.bufferOf.get(1));
    expect(plan.buffers).toEqual([1024, 1024, 8192]);
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(257)).toBe(512);
  });
});

describe('half floats', () => {
  it('round to nearest even and saturate', () => {
    expect(halfBits(1)).toBe(0x3c00);
    expect(halfBits(-2)).toBe(0xc000);
    expect(halfBits(0.1)).toBe(0x2e66);
    expect(halfBits(65504)).toBe(0x7bff);
    expect(halfBits(1e6)).toBe(0x7bff);
    expect(halfBits(-Infinity)).toBe(0xfbff);
    expect(halfBits(1 + 2 ** -11)).toBe(0x3c00); // tie, to even
    expect(halfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, to even (up)
    expect(halfBits(2 ** -24)).toBe(1); // smallest subnormal
    expect(halfBits(2 ** -26)).toBe(0);
    expect(Number.isNaN(halfValue(halfBits(Number.NaN)))).toBe(true);
    for (const v of [0.333, -7.25, 1234.5, 6.1e-5, 3e-7])
      expect(Math.abs(halfValue(halfBits(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
  });
});

describe('slice layout', () => {
  it('pads the last dimension to whole slices', () => {
    expect(sliceLayout([2, 3, 5])).toEqual({ rows: 6, channels: 5, slices: 2, sliceCount: 12 });
    expect(sliceLayout([])).toEqual({ rows: 1, channels: 1, slices: 1, sliceCount: 1 });
    expect(Array.from(toSlices([1, 2, 3, 4, 5, 6], [2, 3]))).toEqual([1, 2, 3, 0, 4, 5, 6, 0]);
  });
  it('shares storage between shapes with the same last dimension or both multiples of 4', () => {
    expect(sameSliceLayout([1, 6, 5, 3], [30, 3])).toBe(true);
    expect(sameSliceLayout([2, 8], [4, 4])).toBe(true);
    expect(sameSliceLayout([1, 7, 5, 3], [1, 105])).toBe(false);
  });
});

describe('helpers', () => {
  it('collapse broadcast dimensions', () => {
    // [2, 3, 4] walked by a (contiguous) and b (broadcast over the first dim): 3x4 merge, 2 stays.
    expect(
      collapseDims(
        [2, 3, 4],
        [
          [12, 4, 1],
          [0, 4, 1],
        ],
      ),
    ).toEqual([
      [12, 1, 1],
      [2, 12, 0],
    ]);
    expect(collapseDims([1, 5, 1], [[5, 1, 1]])).toEqual([[5, 1]]);
  });
  it('pack conv weights as 4x4 blocks, zero-padded', () => {
    // 1 output channel, 1 tap, 2 input channels: block [ic][oc lane].
    const packed = packConvWeights(new Float32Array([3, 5]), 1, 1, 2);
    expect(Array.from(packed)).toEqual([3, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

// The wasm SIMD fast paths against the JS reference loops they replace: every case runs the
// kernel twice, with the wasm kernels on and off, and the outputs must be bit-identical
// (float32 compared by bit pattern). Cases are random with odd sizes, padding, strides,
// dilation, groups, biases, activations and weights that change between evals.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/gen-wasm.mjs';
import { setWasmKernelsEnabled, wasmKernels } from '../../src/kernels/wasm/module.js';
import type { Quantization } from '../../src/model/types.js';
import { type OpCase, type OpTensor, runOp } from '../support/run_op.js';

const SAME = 0;
const VALID = 1;
const RELU = 1;
const RELU_N1_TO_1 = 2;
const RELU6 = 3;

/** Deterministic values in [lo, hi) (an LCG, so failures reproduce). */
function rand(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (s / 2 ** 32) * (hi - lo));
  }
  return out;
}

function ints(n: number, seed: number, lo: number, hi: number): number[] {
  return rand(n, seed, lo, hi + 1).map(Math.floor);
}

/**
 * Output bits of each run: float32 as uint32 patterns (every NaN as one pattern: which NaN an
 * operation returns is the CPU's choice, in JS and wasm alike), integers as they are.
 */
function bits(c: OpCase): number[][] {
  return runOp(c).map((o) => {
    if (!(o.data instanceof Float32Array)) return Array.from(o.data as ArrayLike<number>);
    const f = o.data;
    const u = new Uint32Array(f.buffer, f.byteOffset, f.length);
    return Array.from(u, (v, i) => (Number.isNaN(f[i]) ? 0x7fc00000 : v));
  });
}

/** Runs the case with the wasm kernels and with the JS loops; the outputs must match bit for bit. */
function expectSame(c: OpCase): void {
  setWasmKernelsEnabled(true);
  const fast = bits(c);
  setWasmKernelsEnabled(false);
  const reference = bits(c);
  setWasmKernelsEnabled(true);
  expect(fast.length).toBe(reference.length);
  for (let i = 0; i < fast.length; i++) {
    expect(fast[i]!.length).toBeGreaterThan(0);
    expect(fast[i]).toEqual(reference[i]);
  }
}

afterEach(() => setWasmKernelsEnabled(true));

describe('wasm kernels module', () => {
  it('loads in Node (WebAssembly SIMD), so these comparisons exercise it', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  it('is off when switched off', () => {
    setWasmKernelsEnabled(false);
    expect(wasmKernels()).toBeNull();
  });

  it('the committed kernels_wasm.ts is what kernels.wat compiles to', async () => {
    const root = new URL('../../', import.meta.url);
    const wat = readFileSync(new URL('src/kernels/wasm/kernels.wat', root), 'utf8');
    const committed = readFileSync(new URL('src/kernels/wasm/kernels_wasm.ts', root), 'utf8');
    expect(await generate(wat)).toBe(committed);
  });
});

interface Window {
  padding: number;
  stride: [number, number];
  dilation: [number, number];
  activation: number;
}

function windowOptions(w: Window) {
  return {
    padding: w.padding,
    strideH: w.stride[0],
    strideW: w.stride[1],
    dilationHFactor: w.dilation[0],
    dilationWFactor: w.dilation[1],
    fusedActivationFunction: w.activation,
  };
}

const windows: Window[] = [
  { padding: SAME, stride: [1, 1], dilation: [1, 1], activation: 0 },
  { padding: SAME, stride: [2, 2], dilation: [1, 1], activation: RELU6 },
  { padding: VALID, stride: [1, 2], dilation: [1, 1], activation: RELU },
  { padding: SAME, stride: [1, 1], dilation: [2, 3], activation: RELU_N1_TO_1 },
  { padding: VALID, stride: [3, 1], dilation: [2, 1], activation: 0 },
];

describe('float CONV_2D: wasm = JS', () => {
  const shapes: { inShape: number[]; filter: [number, number, number, number] }[] = [
    { inShape: [1, 7, 9, 3], filter: [5, 3, 3, 3] },
    { inShape: [2, 6, 5, 8], filter: [13, 1, 1, 8] }, // pointwise (stride 1 only)
    { inShape: [1, 9, 8, 6], filter: [6, 3, 2, 2] }, // 3 groups
    { inShape: [1, 5, 70, 4], filter: [9, 2, 3, 4] }, // rows past one tile
    { inShape: [1, 6, 4, 17], filter: [1, 3, 3, 17] },
  ];
  shapes.forEach((s, i) => {
    windows.forEach((w, j) => {
      for (const withBias of [true, false]) {
        it(`input [${s.inShape}] filter [${s.filter}] window ${j} bias ${withBias}`, () => {
          const seed = 100 * i + 10 * j + (withBias ? 1 : 0);
          const n = s.inShape.reduce((a, d) => a * d, 1);
          const m = s.filter.reduce((a, d) => a * d, 1);
          expectSame({
            op: 'CONV_2D',
            options: windowOptions(w),
            inputs: [
              { dtype: 'float32', shape: s.inShape, data: rand(n, seed, -2, 3) },
              { dtype: 'float32', shape: s.filter, data: rand(m, seed + 1), constant: true },
              withBias ? { dtype: 'float32', shape: [s.filter[0]], data: rand(s.filter[0], seed + 2), constant: true } : null,
            ],
            outputs: [{ dtype: 'float32' }],
          });
        });
      }
    });
  });

  it('a filter that is not constant is re-read at every eval', () => {
    for (const seed of [1, 2]) {
      expectSame({
        op: 'CONV_2D',
        options: windowOptions(windows[1]!),
        inputs: [
          { dtype: 'float32', shape: [1, 6, 6, 3], data: rand(108, seed) },
          { dtype: 'float32', shape: [7, 3, 3, 3], data: rand(189, seed + 10) },
          { dtype: 'float32', shape: [7], data: rand(7, seed + 20) },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    }
  });
});

describe('float DEPTHWISE_CONV_2D: wasm = JS', () => {
  const shapes: { inShape: number[]; filter: number[] }[] = [
    { inShape: [1, 9, 7, 8], filter: [1, 3, 3, 8] },
    { inShape: [2, 6, 6, 7], filter: [1, 3, 3, 7] }, // channels not a multiple of 4
    { inShape: [1, 9, 8, 3], filter: [1, 5, 2, 3] },
    { inShape: [1, 7, 6, 12], filter: [1, 3, 3, 12] }, // eight channels, then four
    { inShape: [1, 6, 7, 21], filter: [1, 2, 3, 21] }, // eight, eight, four, one
    { inShape: [1, 6, 5, 2], filter: [1, 3, 3, 6] }, // multiplier 3 (JS path both times)
  ];
  shapes.forEach((s, i) => {
    windows.forEach((w, j) => {
      it(`input [${s.inShape}] filter [${s.filter}] window ${j}`, () => {
        const seed = 1000 + 100 * i + 10 * j;
        const n = s.inShape.reduce((a, d) => a * d, 1);
        const m = s.filter.reduce((a, d) => a * d, 1);
        const c = s.filter[3]!;
        expectSame({
          op: 'DEPTHWISE_CONV_2D',
          options: { ...windowOptions(w), depthMultiplier: c / s.inShape[3]! },
          inputs: [
            { dtype: 'float32', shape: s.inShape, data: rand(n, seed, -3, 2) },
            { dtype: 'float32', shape: s.filter, data: rand(m, seed + 1), constant: j !== 2 },
            j === 4 ? null : { dtype: 'float32', shape: [c], data: rand(c, seed + 2), constant: true },
          ],
          outputs: [{ dtype: 'float32' }],
        });
      });
    });
  });
});

describe('float FULLY_CONNECTED: wasm = JS', () => {
  const shapes = [
    [1, 37, 11],
    [3, 64, 16],
    [5, 9, 1],
    [70, 20, 7],
  ] as const;
  shapes.forEach(([batch, inputSize, units], i) => {
    for (const activation of [0, RELU, RELU6]) {
      it(`batch ${batch}, ${inputSize} -> ${units}, activation ${activation}`, () => {
        const seed = 2000 + 10 * i + activation;
        expectSame({
          op: 'FULLY_CONNECTED',
          options: { fusedActivationFunction: activation },
          inputs: [
            { dtype: 'float32', shape: [batch, inputSize], data: rand(batch * inputSize, seed, -2, 2) },
            { dtype: 'float32', shape: [units, inputSize], data: rand(units * inputSize, seed + 1), constant: activation !== RELU },
            activation === RELU6 ? null : { dtype: 'float32', shape: [units], data: rand(units, seed + 2), constant: true },
          ],
          outputs: [{ dtype: 'float32' }],
        });
      });
    }
  });
});

describe('hybrid (int8 weights, float activations): wasm = JS', () => {
  function int8Weights(shape: number[], seed: number, channels: number, axis: number, perChannel: boolean): OpTensor {
    const n = shape.reduce((a, d) => a * d, 1);
    const scale = perChannel ? rand(channels, seed + 5, 0.002, 0.03) : [0.0137];
    const quantization: Quantization = { scale, zeroPoint: scale.map(() => 0), quantizedDimension: axis };
    return { dtype: 'int8', shape, data: ints(n, seed, -127, 127), constant: true, quantization };
  }
  for (const perChannel of [false, true]) {
    it(`FULLY_CONNECTED, per-channel ${perChannel}, asymmetric inputs ${perChannel}`, () => {
      expectSame({
        op: 'FULLY_CONNECTED',
        options: { fusedActivationFunction: RELU, asymmetricQuantizeInputs: perChannel },
        inputs: [
          { dtype: 'float32', shape: [3, 45], data: rand(135, 31, -2, 5) },
          int8Weights([10, 45], 32, 10, 0, perChannel),
          { dtype: 'float32', shape: [10], data: rand(10, 33), constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    });
    it(`CONV_2D, per-channel ${perChannel}`, () => {
      expectSame({
        op: 'CONV_2D',
        options: windowOptions(windows[1]!),
        inputs: [
          { dtype: 'float32', shape: [2, 7, 6, 5], data: rand(420, 41, -1, 3) },
          int8Weights([6, 3, 3, 5], 42, 6, 0, perChannel),
          { dtype: 'float32', shape: [6], data: rand(6, 43), constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    });
    it(`DEPTHWISE_CONV_2D, per-channel ${perChannel}`, () => {
      expectSame({
        op: 'DEPTHWISE_CONV_2D',
        options: { ...windowOptions(windows[0]!), depthMultiplier: 1 },
        inputs: [
          { dtype: 'float32', shape: [1, 7, 6, 9], data: rand(378, 51, -1, 3) },
          int8Weights([1, 3, 3, 9], 52, 9, 3, perChannel),
          { dtype: 'float32', shape: [9], data: rand(9, 53), constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
      });
    });
  }
});

function quant(scale: number[] | number, zeroPoint: number[] | number = 0, quantizedDimension = 0): Quantization {
  const scales = Array.isArray(scale) ? scale : [scale];
  const zps = Array.isArray(zeroPoint) ? zeroPoint : scales.map(() => zeroPoint);
  return { scale: scales, zeroPoint: zps, quantizedDimension };
}

type Int8Kind = 'int8' | 'uint8';

/** An 8-bit activation tensor with a zero point, random values over the whole range. */
function activation(dtype: Int8Kind, shape: number[], seed: number, scale: number, zp: number): OpTensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
  return { dtype, shape, data: ints(n, seed, lo, hi), quantization: quant(scale, zp) };
}

/** 8-bit weights: int8 per-channel (zero points 0) along `axis`, or uint8 per-tensor with a zero point. */
function weights8(dtype: Int8Kind, shape: number[], seed: number, axis: number, constant = true): OpTensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const channels = shape[axis]!;
  if (dtype === 'int8') {
    return { dtype, shape, data: ints(n, seed, -127, 127), constant, quantization: quant(rand(channels, seed + 1, 0.002, 0.02), 0, axis) };
  }
  return { dtype, shape, data: ints(n, seed, 0, 255), constant, quantization: quant(0.011, 119) };
}

function bias32(filter: OpTensor, inScale: number, count: number, seed: number): OpTensor {
  const fs = filter.quantization!.scale;
  const scale = Array.from({ length: count }, (_, c) => inScale * (fs.length > 1 ? fs[c]! : fs[0]!));
  return { dtype: 'int32', shape: [count], data: ints(count, seed, -3000, 3000), constant: true, quantization: quant(scale, 0) };
}

for (const integerRounding of ['reference', 'xnnpack'] as const) {
  describe(`8-bit CONV_2D (${integerRounding} rounding): wasm = JS`, () => {
    const shapes: { inShape: number[]; filter: number[] }[] = [
      { inShape: [1, 7, 9, 3], filter: [5, 3, 3, 3] }, // K = 27, not a multiple of 8
      { inShape: [2, 5, 6, 16], filter: [9, 1, 1, 16] }, // pointwise, K = 16
      { inShape: [1, 8, 7, 6], filter: [6, 3, 2, 3] }, // 2 groups
      { inShape: [1, 3, 70, 5], filter: [7, 2, 2, 5] }, // rows past one tile
    ];
    for (const dtype of ['int8', 'uint8'] as const) {
      shapes.forEach((s, i) => {
        windows.slice(0, 4).forEach((w, j) => {
          it(`${dtype} input [${s.inShape}] filter [${s.filter}] window ${j}`, () => {
            if (dtype === 'uint8' && s.inShape[3] !== s.filter[3]) return; // TFLite's uint8 conv has no groups
            const seed = 3000 + 100 * i + 10 * j + (dtype === 'int8' ? 0 : 5);
            const filter = weights8(dtype, s.filter, seed + 1, 0, j !== 3);
            const zp = dtype === 'int8' ? -7 : 131;
            expectSame({
              op: 'CONV_2D',
              integerRounding,
              options: windowOptions(w),
              inputs: [activation(dtype, s.inShape, seed, 0.05, zp), filter, j === 2 ? null : bias32(filter, 0.05, s.filter[0]!, seed + 2)],
              outputs: [{ dtype, quantization: quant(0.09, dtype === 'int8' ? 3 : 120) }],
            });
          });
        });
      });
    }
  });

  describe(`8-bit DEPTHWISE_CONV_2D (${integerRounding} rounding): wasm = JS`, () => {
    const shapes: { inShape: number[]; filter: number[] }[] = [
      { inShape: [1, 9, 7, 8], filter: [1, 3, 3, 8] },
      { inShape: [2, 6, 6, 13], filter: [1, 3, 3, 13] }, // eight, four, one
      { inShape: [1, 9, 8, 3], filter: [1, 5, 2, 3] },
      { inShape: [1, 6, 5, 2], filter: [1, 3, 3, 4] }, // multiplier 2 (JS path both times)
    ];
    for (const dtype of ['int8', 'uint8'] as const) {
      shapes.forEach((s, i) => {
        windows.forEach((w, j) => {
          it(`${dtype} input [${s.inShape}] filter [${s.filter}] window ${j}`, () => {
            const seed = 4000 + 100 * i + 10 * j + (dtype === 'int8' ? 0 : 5);
            const c = s.filter[3]!;
            const filter = weights8(dtype, s.filter, seed + 1, 3, j !== 1);
            const zp = dtype === 'int8' ? 5 : 100;
            expectSame({
              op: 'DEPTHWISE_CONV_2D',
              integerRounding,
              options: { ...windowOptions(w), depthMultiplier: c / s.inShape[3]! },
              inputs: [activation(dtype, s.inShape, seed, 0.04, zp), filter, j === 4 ? null : bias32(filter, 0.04, c, seed + 2)],
              outputs: [{ dtype, quantization: quant(0.07, dtype === 'int8' ? -2 : 128) }],
            });
          });
        });
      });
    }
  });

  describe(`8-bit FULLY_CONNECTED (${integerRounding} rounding): wasm = JS`, () => {
    const shapes = [
      [1, 37, 11],
      [3, 64, 16],
      [70, 20, 7],
    ] as const;
    for (const dtype of ['int8', 'uint8'] as const) {
      shapes.forEach(([batch, inputSize, units], i) => {
        for (const activationFn of [0, RELU]) {
          it(`${dtype} batch ${batch}, ${inputSize} -> ${units}, activation ${activationFn}`, () => {
            const seed = 5000 + 10 * i + activationFn + (dtype === 'int8' ? 0 : 5);
            // TFLite's int8 FULLY_CONNECTED takes per-tensor or per-channel weights; uint8 per-tensor.
            const filter = weights8(dtype, [units, inputSize], seed + 1, 0, activationFn === 0);
            const zp = dtype === 'int8' ? 9 : 77;
            expectSame({
              op: 'FULLY_CONNECTED',
              integerRounding,
              options: { fusedActivationFunction: activationFn },
              inputs: [activation(dtype, [batch, inputSize], seed, 0.03, zp), filter, bias32(filter, 0.03, units, seed + 2)],
              outputs: [{ dtype, quantization: quant(0.2, dtype === 'int8' ? -4 : 125) }],
            });
          });
        }
      });
    }
  });
}

describe('8-bit requantization edge cases: wasm = JS', () => {
  for (const integerRounding of ['reference', 'xnnpack'] as const) {
    for (const outScale of [0.0002, 0.0011, 3.7]) {
      it(`FULLY_CONNECTED int8, output scale ${outScale} (multipliers above and below 1, saturation), ${integerRounding}`, () => {
        // Small inputs and weights, so multipliers above 1 (left shifts) leave most outputs unsaturated.
        const scale = rand(13, 64, 0.002, 0.02);
        const filter: OpTensor = {
          dtype: 'int8',
          shape: [13, 29],
          data: ints(13 * 29, 61, -4, 4),
          constant: true,
          quantization: quant(scale, 0, 0),
        };
        expectSame({
          op: 'FULLY_CONNECTED',
          integerRounding,
          options: { fusedActivationFunction: outScale === 3.7 ? RELU_N1_TO_1 : 0 },
          inputs: [
            { dtype: 'int8', shape: [4, 29], data: ints(4 * 29, 62, -7, 1), quantization: quant(0.03, -3) },
            filter,
            outScale === 3.7 ? bias32(filter, 0.03, 13, 63) : null,
          ],
          outputs: [{ dtype: 'int8', quantization: quant(outScale, 1) }],
        });
      });
    }
  }
});

describe('float TRANSPOSE_CONV: wasm = JS', () => {
  // [input shape, weights [O, H, W, I], stride, padding]; output sizes from TF's rules.
  const cases: { inShape: number[]; wShape: number[]; stride: [number, number]; padding: number }[] = [
    { inShape: [1, 4, 5, 3], wShape: [6, 3, 3, 3], stride: [2, 2], padding: SAME },
    { inShape: [2, 3, 3, 5], wShape: [5, 2, 2, 5], stride: [2, 2], padding: VALID },
    { inShape: [1, 5, 4, 2], wShape: [9, 4, 3, 2], stride: [1, 2], padding: SAME },
    { inShape: [1, 3, 4, 1], wShape: [3, 3, 3, 1], stride: [3, 1], padding: VALID },
  ];
  const outSize = (n: number, f: number, s: number, padding: number) => (padding === SAME ? n * s : (n - 1) * s + f);
  cases.forEach((c, i) => {
    for (const activation of [0, RELU6]) {
      it(`input [${c.inShape}] weights [${c.wShape}] stride [${c.stride}] activation ${activation}`, () => {
        const seed = 6000 + 10 * i + activation;
        const [n, h, w, ic] = c.inShape as [number, number, number, number];
        const [oc, fh, fw] = c.wShape as [number, number, number];
        const outShape = [n, outSize(h, fh, c.stride[0], c.padding), outSize(w, fw, c.stride[1], c.padding), oc];
        expectSame({
          op: 'TRANSPOSE_CONV',
          version: 4,
          options: { padding: c.padding, strideH: c.stride[0], strideW: c.stride[1], fusedActivationFunction: activation },
          inputs: [
            { dtype: 'int32', shape: [4], data: outShape, constant: true },
            { dtype: 'float32', shape: c.wShape, data: rand(oc * fh * fw * ic, seed), constant: activation === 0 },
            { dtype: 'float32', shape: c.inShape, data: rand(n * h * w * ic, seed + 1, -2, 2) },
            { dtype: 'float32', shape: [oc], data: rand(oc, seed + 2), constant: true },
          ],
          outputs: [{ dtype: 'float32' }],
        });
      });
    }
  });
});

/** Random floats with the special values the JS loops treat carefully: NaN, ±0, ±Infinity, huge. */
function specials(n: number, seed: number, scale = 8): number[] {
  const out = rand(n, seed, -scale, scale);
  const extra = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3e38, -3e38, 6, -3, 1, -1, 1e-40];
  for (let i = 0; i < n; i += 97) out[i] = extra[(i / 97) % extra.length] as number;
  return out;
}

describe('float activations: wasm = JS', () => {
  for (const op of ['RELU', 'RELU6', 'RELU_N1_TO_1', 'HARD_SWISH']) {
    for (const n of [4096, 6151, 100]) {
      it(`${op} on ${n} values (special values included)`, () => {
        expectSame({
          op,
          inputs: [{ dtype: 'float32', shape: [1, n], data: specials(n, n + op.length) }],
          outputs: [{ dtype: 'float32' }],
        });
      });
    }
  }
});

describe('float ADD / SUB / MUL / PRELU: wasm = JS', () => {
  const shapes: [number[], number[]][] = [
    [
      [1, 40, 41, 3],
      [1, 40, 41, 3],
    ], // same shape, not a multiple of four
    [[1, 30, 30, 7], [7]], // rows of 7, one row repeated
    [
      [2, 32, 32, 16],
      [1, 1, 1, 16],
    ],
    [
      [1, 64, 1, 8],
      [1, 64, 64, 8],
    ], // other broadcasts: JS both times
  ];
  for (const op of ['ADD', 'SUB', 'MUL', 'PRELU']) {
    shapes.forEach(([sa, sb], i) => {
      for (const activation of [0, RELU6]) {
        it(`${op} [${sa}] and [${sb}], activation ${activation}`, () => {
          const na = sa.reduce((x, y) => x * y, 1);
          const nb = sb.reduce((x, y) => x * y, 1);
          if (op === 'PRELU' && activation !== 0) return; // PRELU has no fused activation
          expectSame({
            op,
            options: op === 'PRELU' ? {} : { fusedActivationFunction: activation },
            inputs: [
              { dtype: 'float32', shape: sa, data: specials(na, 7000 + i) },
              { dtype: 'float32', shape: sb, data: specials(nb, 7100 + i, 3e38) },
            ],
            outputs: [{ dtype: 'float32' }],
          });
        });
      }
    });
  }
});

describe('float MAX_POOL_2D / AVERAGE_POOL_2D: wasm = JS', () => {
  const cases: { inShape: number[]; filter: [number, number]; stride: [number, number]; padding: number }[] = [
    { inShape: [1, 65, 63, 8], filter: [3, 3], stride: [2, 2], padding: SAME },
    { inShape: [2, 40, 48, 7], filter: [2, 2], stride: [2, 2], padding: VALID }, // channels not a multiple of four
    { inShape: [1, 60, 30, 5], filter: [3, 2], stride: [1, 2], padding: SAME },
  ];
  for (const op of ['MAX_POOL_2D', 'AVERAGE_POOL_2D']) {
    cases.forEach((c, i) => {
      for (const activation of [0, RELU6]) {
        it(`${op} [${c.inShape}] filter [${c.filter}] stride [${c.stride}] activation ${activation}`, () => {
          const n = c.inShape.reduce((a, d) => a * d, 1);
          expectSame({
            op,
            options: {
              padding: c.padding,
              strideH: c.stride[0],
              strideW: c.stride[1],
              filterHeight: c.filter[0],
              filterWidth: c.filter[1],
              fusedActivationFunction: activation,
            },
            inputs: [{ dtype: 'float32', shape: c.inShape, data: specials(n, 8000 + i) }],
            outputs: [{ dtype: 'float32' }],
          });
        });
      }
    });
  }
});

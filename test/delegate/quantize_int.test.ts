// QUANTIZE and DEQUANTIZE on the GPU (delegate/ops/quantize.ts) against the CPU kernels, to the
// bit: float -> int8 / uint8 / int16 (AffineQuantize and XNNPACK's convert) on rounding ties,
// near-ties and out-of-range values; integer requantization (tables, int32 Requantize);
// int8 / uint8 / int16 -> float at the type extremes, per tensor and per channel.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import type { IntegerRounding } from '../../src/kernels/kernel.js';
import type { DType } from '../../src/model/dtype.js';
import type { Quantization } from '../../src/model/types.js';
import { expectGpuMatchesCpu } from './int_support.js';
import { testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

const quant = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const count = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** Floats on and next to the rounding ties of scale (k + 1/2 and its float neighbours), zeros, extremes. */
function tieValues(scale: number, n: number): number[] {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const out: number[] = [0, -0, 1e30, -1e30, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, 3.4e38];
  for (let i = 0; out.length < n; i++) {
    const k = ((i * 37) % 400) - 200 + (i % 3 === 0 ? 0.5 : (i % 7) / 7);
    f[0] = k * scale;
    const step = (i % 5) - 2; // the float itself and up to two neighbours each side
    u[0] = (u[0] as number) + step;
    out.push(f[0] as number);
  }
  return out.slice(0, n);
}

function run(t: { skip: () => void }, c: Parameters<typeof expectGpuMatchesCpu>[0], what: string) {
  if (!delegate) return t.skip();
  return expectGpuMatchesCpu(c, delegate, what);
}

describe('QUANTIZE float32 -> integer', () => {
  const cases: [DType, number[], number, number][] = [
    ['int8', [3, 5], 0.25, -128], // ties on exact quarters, zero point at the limit
    ['int8', [2, 2, 7], 0.1, 127],
    ['uint8', [4, 6], 0.0625, 0],
    ['uint8', [5, 3], 0.3, 255],
    ['int16', [3, 9], 2 ** -10, 0],
    ['int16', [2, 8], 0.0007, 0],
    ['int16', [1, 5], 1.5, -32768],
  ];
  for (const rounding of ['reference', 'xnnpack'] as IntegerRounding[]) {
    for (const [dtype, shape, scale, zp] of cases) {
      it(`${dtype} scale ${scale} zp ${zp} [${shape}] ${rounding}`, (t) =>
        run(
          t,
          {
            op: 'QUANTIZE',
            integerRounding: rounding,
            inputs: [{ dtype: 'float32', shape, data: tieValues(scale, count(shape)) }],
            outputs: [{ dtype, quantization: quant(scale, zp) }],
          },
          `QUANTIZE ${dtype}`,
        ));
    }
  }
});

describe('QUANTIZE integer -> integer', () => {
  const values = (dtype: DType, n: number) => {
    const [lo, hi] =
      dtype === 'int8' ? [-128, 127] : dtype === 'uint8' ? [0, 255] : dtype === 'int16' ? [-32768, 32767] : [-2147483648, 2147483647];
    return Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === 1 ? hi : lo + ((Math.imul(i, 0x9e3779b1) >>> 0) % (hi - lo + 1))));
  };
  const cases: [DType, number, number, DType, number, number][] = [
    ['int8', 0.1, -128, 'int8', 0.03, 127],
    ['int8', 0.1, 5, 'uint8', 0.2, 128],
    ['uint8', 0.5, 255, 'int8', 0.25, 0],
    ['uint8', 0.02, 3, 'int16', 0.001, 0],
    ['int16', 0.001, 0, 'int8', 0.05, -3],
    ['int16', 0.0002, 0, 'int16', 0.0003, 0],
    ['int16', 0.5, 0, 'int32', 0.0001, 0],
    ['int32', 0.0001, 7, 'int8', 0.5, -100],
    ['int32', 0.001, -3, 'int16', 0.0005, 0],
  ];
  for (const rounding of ['reference', 'xnnpack'] as IntegerRounding[]) {
    for (const [xt, xs, xz, yt, ys, yz] of cases) {
      it(`${xt} -> ${yt} ${rounding}`, (t) =>
        run(
          t,
          {
            op: 'QUANTIZE',
            integerRounding: rounding,
            inputs: [{ dtype: xt, shape: [3, 7], data: values(xt, 21), quantization: quant(xs, xz) }],
            outputs: [{ dtype: yt, quantization: quant(ys, yz) }],
          },
          `QUANTIZE ${xt} -> ${yt}`,
        ));
    }
  }
});

describe('DEQUANTIZE', () => {
  const cases: [DType, number[], Quantization][] = [
    ['int8', [3, 5], quant(0.1, -128)],
    ['int8', [2, 8], quant(3.3e-5, 127)],
    ['uint8', [4, 3], quant(0.07, 255)],
    ['uint8', [2, 2, 2], quant(1e10, 0)],
    ['int16', [3, 7], quant(2 ** -15, 0)],
    ['int16', [5, 2], quant(0.00123, -32768)],
    ['int8', [2, 3, 5], { scale: [0.1, 0.02, 3], zeroPoint: [0, -128, 127], quantizedDimension: 1 }],
    ['uint8', [2, 5], { scale: [0.1, 0.2, 0.3, 0.4, 0.5], zeroPoint: [0, 1, 2, 255, 128], quantizedDimension: 1 }],
  ];
  for (const [dtype, shape, q] of cases) {
    it(`${dtype} [${shape}] scale ${q.scale.join('/')}`, (t) => {
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : dtype === 'uint8' ? [0, 255] : [-32768, 32767];
      const n = count(shape);
      const data = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? lo : i % 3 === 1 ? hi : lo + ((i * 7919) % (hi - lo))));
      return run(
        t,
        { op: 'DEQUANTIZE', inputs: [{ dtype, shape, data, quantization: q }], outputs: [{ dtype: 'float32' }] },
        `DEQUANTIZE ${dtype}`,
      );
    });
  }
});

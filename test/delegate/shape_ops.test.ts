// GPU vs reference (and vs the CPU kernel where one is registered) for pooling, reductions,
// PAD / MIRROR_PAD, CONCATENATION, RESHAPE, RESIZE_*, SOFTMAX and DEPTH_TO_SPACE on small odd
// shapes.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGpuDelegate } from '../../delegate/index.js';
import * as ref from './reference.js';
import { checkCase, type GpuCase, randomValues, testDelegate } from './support.js';

let delegate: WebGpuDelegate | null = null;
beforeAll(async () => {
  delegate = await testDelegate();
});
afterAll(() => delegate?.dispose());

const SAME = 0;
const VALID = 1;
const count = (s: number[]) => s.reduce((a, d) => a * d, 1);

describe('pooling', () => {
  const cases = [
    { name: 'MAX 3x3 stride 2 SAME on 7x5x3', isMax: true, input: [1, 7, 5, 3], f: [3, 3], s: [2, 2], padding: SAME, act: 0 },
    {
      name: 'AVERAGE 3x3 stride 2 SAME on 7x5x3 (edge windows average fewer pixels)',
      isMax: false,
      input: [1, 7, 5, 3],
      f: [3, 3],
      s: [2, 2],
      padding: SAME,
      act: 0,
    },
    { name: 'AVERAGE 2x2 VALID, relu6', isMax: false, input: [2, 6, 4, 6], f: [2, 2], s: [2, 2], padding: VALID, act: 3 },
    { name: 'MAX global 7x5 VALID', isMax: true, input: [1, 7, 5, 9], f: [7, 5], s: [1, 1], padding: VALID, act: 0 },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      if (!delegate) return t.skip();
      const x = randomValues(count(c.input), 41, -3, 3);
      const expected = ref.pool2d(
        x,
        c.input,
        c.isMax,
        c.f[0] as number,
        c.f[1] as number,
        c.s[0] as number,
        c.s[1] as number,
        c.padding,
        c.act,
      );
      const gc: GpuCase = {
        op: c.isMax ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
        options: {
          padding: c.padding,
          filterHeight: c.f[0] as number,
          filterWidth: c.f[1] as number,
          strideH: c.s[0] as number,
          strideW: c.s[1] as number,
          fusedActivationFunction: c.act,
        },
        inputs: [{ dtype: 'float32', shape: c.input, data: x }],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [expected.shape],
      };
      await checkCase(gc, [expected.data], delegate);
    });
  }
});

describe('reductions', () => {
  const cases: { op: string; kind: 'sum' | 'mean' | 'max' | 'min' | 'prod'; input: number[]; axes: number[]; keep: boolean }[] = [
    { op: 'MEAN', kind: 'mean', input: [1, 7, 5, 6], axes: [1, 2], keep: true },
    { op: 'MEAN', kind: 'mean', input: [2, 7, 5, 3], axes: [1, 2], keep: false },
    { op: 'MEAN', kind: 'mean', input: [2, 3, 7], axes: [-1], keep: false },
    { op: 'MEAN', kind: 'mean', input: [3, 5, 6], axes: [0, 2], keep: true },
    { op: 'MEAN', kind: 'mean', input: [9], axes: [0], keep: false },
    { op: 'SUM', kind: 'sum', input: [2, 3, 4, 5], axes: [1, 3], keep: false },
    { op: 'REDUCE_MAX', kind: 'max', input: [2, 5, 7], axes: [2], keep: true },
    { op: 'REDUCE_MIN', kind: 'min', input: [2, 5, 7], axes: [0, 1], keep: false },
    { op: 'REDUCE_PROD', kind: 'prod', input: [3, 2, 3], axes: [1, 2], keep: false },
  ];
  for (const c of cases) {
    it(`${c.op} [${c.input}] axes [${c.axes}] keep_dims ${c.keep}`, async (t) => {
      if (!delegate) return t.skip();
      const x = c.kind === 'prod' ? randomValues(count(c.input), 42, 0.5, 1.5) : randomValues(count(c.input), 42);
      const expected = ref.reduce(x, c.input, c.axes, c.keep, c.kind);
      const gc: GpuCase = {
        op: c.op,
        options: { keepDims: c.keep },
        inputs: [
          { dtype: 'float32', shape: c.input, data: x },
          { dtype: 'int32', shape: [c.axes.length], data: c.axes, constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [expected.shape],
      };
      await checkCase(gc, [expected.data], delegate);
    });
  }
});

describe('padding', () => {
  const cases: { op: string; mode: 'constant' | 'reflect' | 'symmetric'; input: number[]; pads: [number, number][]; value?: number }[] = [
    {
      op: 'PAD',
      mode: 'constant',
      input: [1, 5, 3, 3],
      pads: [
        [0, 0],
        [1, 2],
        [2, 1],
        [0, 0],
      ],
    },
    {
      op: 'PAD',
      mode: 'constant',
      input: [1, 3, 3, 3],
      pads: [
        [0, 0],
        [0, 1],
        [0, 1],
        [1, 4],
      ],
    },
    {
      op: 'PADV2',
      mode: 'constant',
      input: [2, 3, 5],
      pads: [
        [1, 0],
        [0, 2],
        [3, 1],
      ],
      value: 0.75,
    },
    {
      op: 'MIRROR_PAD',
      mode: 'reflect',
      input: [1, 4, 5, 3],
      pads: [
        [0, 0],
        [2, 1],
        [1, 3],
        [0, 0],
      ],
    },
    {
      op: 'MIRROR_PAD',
      mode: 'symmetric',
      input: [1, 4, 5, 3],
      pads: [
        [0, 0],
        [1, 2],
        [3, 1],
        [2, 1],
      ],
    },
  ];
  for (const c of cases) {
    it(`${c.op} ${c.mode} [${c.input}] pads ${JSON.stringify(c.pads)}`, async (t) => {
      if (!delegate) return t.skip();
      const x = randomValues(count(c.input), 43);
      const expected = ref.pad(x, c.input, c.pads, c.mode, c.value ?? 0);
      const gc: GpuCase = {
        op: c.op,
        options: c.op === 'MIRROR_PAD' ? { mode: c.mode === 'reflect' ? 0 : 1 } : {},
        inputs: [
          { dtype: 'float32', shape: c.input, data: x },
          { dtype: 'int32', shape: [c.input.length, 2], data: c.pads.flat(), constant: true },
          ...(c.op === 'PADV2' ? [{ dtype: 'float32' as const, shape: [], data: [c.value ?? 0], constant: true }] : []),
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [expected.shape],
      };
      await checkCase(gc, [expected.data], delegate);
    });
  }
});

describe('CONCATENATION', () => {
  const cases: { name: string; shapes: number[][]; axis: number; constant?: number }[] = [
    {
      name: 'last axis, unaligned 3 + 5 + 2 + 6',
      shapes: [
        [1, 3, 2, 3],
        [1, 3, 2, 5],
        [1, 3, 2, 2],
        [1, 3, 2, 6],
      ],
      axis: 3,
    },
    {
      name: 'last axis, aligned 4 + 8',
      shapes: [
        [2, 3, 4],
        [2, 3, 8],
      ],
      axis: -1,
    },
    {
      name: 'axis 1 of rank 4, channels 3',
      shapes: [
        [1, 2, 3, 3],
        [1, 5, 3, 3],
        [1, 1, 3, 3],
      ],
      axis: 1,
    },
    {
      name: 'axis 0 with a constant input',
      shapes: [
        [2, 5],
        [3, 5],
      ],
      axis: 0,
      constant: 1,
    },
    {
      name: 'eleven inputs (more than the storage-buffer limit)',
      shapes: Array.from({ length: 11 }, (_, i) => [1, 2, 1 + (i % 3)]),
      axis: 2,
    },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      if (!delegate) return t.skip();
      const parts = c.shapes.map((s, i) => ({ shape: s, data: randomValues(count(s), 50 + i) }));
      const expected = ref.concat(parts, c.axis);
      const gc: GpuCase = {
        op: 'CONCATENATION',
        options: { axis: c.axis, fusedActivationFunction: 0 },
        inputs: parts.map((p, i) => ({ dtype: 'float32', shape: p.shape, data: p.data, constant: i === c.constant })),
        outputs: [{ dtype: 'float32' }],
        outputShapes: [expected.shape],
      };
      await checkCase(gc, [expected.data], delegate);
    });
  }
});

describe('RESHAPE', () => {
  const cases = [
    { name: 'same last dimension (alias)', from: [1, 6, 5, 3], to: [30, 3] },
    { name: 'both multiples of 4 (alias)', from: [1, 2, 3, 8], to: [1, 48] },
    { name: 'different last dimension (repack)', from: [1, 7, 5, 3], to: [1, 105] },
    { name: 'to rank 1 of an odd size (repack)', from: [3, 5], to: [15] },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      if (!delegate) return t.skip();
      const x = randomValues(count(c.from), 60);
      const gc: GpuCase = {
        op: 'RESHAPE',
        options: { newShape: c.to },
        inputs: [
          { dtype: 'float32', shape: c.from, data: x },
          { dtype: 'int32', shape: [c.to.length], data: c.to, constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [c.to],
      };
      await checkCase(gc, [x], delegate);
    });
  }
});

describe('resize', () => {
  const cases = [
    { bilinear: true, input: [1, 3, 4, 3], size: [7, 5], align: false, half: false },
    { bilinear: true, input: [1, 3, 4, 3], size: [7, 5], align: true, half: false },
    { bilinear: true, input: [2, 4, 5, 6], size: [8, 3], align: false, half: true },
    { bilinear: false, input: [1, 3, 4, 5], size: [7, 9], align: false, half: false },
    { bilinear: false, input: [1, 3, 4, 5], size: [7, 9], align: true, half: false },
    { bilinear: false, input: [1, 5, 3, 2], size: [2, 7], align: false, half: true },
  ];
  for (const c of cases) {
    it(`${c.bilinear ? 'BILINEAR' : 'NEAREST'} [${c.input}] -> ${c.size} align_corners ${c.align} half_pixel ${c.half}`, async (t) => {
      if (!delegate) return t.skip();
      const x = randomValues(count(c.input), 61);
      const [oh, ow] = c.size as [number, number];
      const expected = ref.resize(x, c.input, oh, ow, c.bilinear, c.align, c.half);
      const gc: GpuCase = {
        op: c.bilinear ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR',
        version: 3,
        options: { alignCorners: c.align, halfPixelCenters: c.half },
        inputs: [
          { dtype: 'float32', shape: c.input, data: x },
          { dtype: 'int32', shape: [2], data: c.size, constant: true },
        ],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [[c.input[0] as number, oh, ow, c.input[3] as number]],
      };
      await checkCase(gc, [expected], delegate);
    });
  }
});

describe('softmax', () => {
  const cases = [
    { op: 'SOFTMAX', shape: [1, 1001], beta: 1 },
    { op: 'SOFTMAX', shape: [2, 3, 7], beta: 0.5 },
    { op: 'LOG_SOFTMAX', shape: [5, 6], beta: 1 },
  ];
  for (const c of cases) {
    it(`${c.op} [${c.shape}] beta ${c.beta}`, async (t) => {
      if (!delegate) return t.skip();
      const x = randomValues(count(c.shape), 62, -4, 4);
      const expected = ref.softmax(x, c.shape[c.shape.length - 1] as number, c.beta, c.op === 'LOG_SOFTMAX');
      const gc: GpuCase = {
        op: c.op,
        options: c.op === 'SOFTMAX' ? { beta: c.beta } : {},
        inputs: [{ dtype: 'float32', shape: c.shape, data: x }],
        outputs: [{ dtype: 'float32' }],
        outputShapes: [c.shape],
      };
      await checkCase(gc, [expected], delegate);
    });
  }
});

describe('DEPTH_TO_SPACE / SPACE_TO_DEPTH', () => {
  it('DEPTH_TO_SPACE block 2, 12 -> 3 channels', async (t) => {
    if (!delegate) return t.skip();
    const shape = [1, 3, 5, 12];
    const x = randomValues(count(shape), 63);
    const expected = ref.depthToSpace(x, shape, 2);
    const gc: GpuCase = {
      op: 'DEPTH_TO_SPACE',
      options: { blockSize: 2 },
      inputs: [{ dtype: 'float32', shape, data: x }],
      outputs: [{ dtype: 'float32' }],
      outputShapes: [expected.shape],
    };
    await checkCase(gc, [expected.data], delegate);
  });

  it('SPACE_TO_DEPTH block 3, 2 -> 18 channels', async (t) => {
    if (!delegate) return t.skip();
    const shape = [2, 6, 3, 2];
    const x = randomValues(count(shape), 64);
    const expected = ref.spaceToDepth(x, shape, 3);
    const gc: GpuCase = {
      op: 'SPACE_TO_DEPTH',
      options: { blockSize: 3 },
      inputs: [{ dtype: 'float32', shape, data: x }],
      outputs: [{ dtype: 'float32' }],
      outputShapes: [expected.shape],
    };
    await checkCase(gc, [expected.data], delegate);
  });
});

// SELECT and SELECT_V2: out = condition ? x : y (tensorflow/lite/kernels/select.cc). SELECT_V2
// broadcasts all three; SELECT takes a condition of x's shape, a scalar, or a vector over x's first
// axis. Values are only copied, so any dtype works.
import { type BroadcastPlan, planBroadcast } from './binary.js';
import { fail, input, type Kernel, type NodeContext, output } from './kernel.js';
import { broadcastShapes } from './util.js';

/** Input slots of SELECT and SELECT_V2. */
export const SELECT_INPUTS = { condition: 0, x: 1, y: 2 } as const;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function prepareSelect(ctx: NodeContext, version: 1 | 2): BroadcastPlan {
  const cond = input(ctx, SELECT_INPUTS.condition);
  const x = input(ctx, SELECT_INPUTS.x);
  const y = input(ctx, SELECT_INPUTS.y);
  const out = output(ctx, 0);
  if (cond.dtype !== 'bool') fail(ctx, `condition must be bool, got ${cond.dtype}`);
  if (x.dtype !== y.dtype) fail(ctx, `x and y dtypes ${x.dtype} and ${y.dtype} differ`);
  if (out.dtype !== x.dtype) fail(ctx, `output dtype ${out.dtype} differs from x dtype ${x.dtype}`);
  let condShape: readonly number[] = cond.shape;
  if (sameShape(cond.shape, x.shape) && sameShape(x.shape, y.shape)) {
    out.shape = [...x.shape];
  } else if (version === 1) {
    if (!sameShape(x.shape, y.shape)) fail(ctx, `x [${x.shape}] and y [${y.shape}] must have the same shape`);
    const rankOne = cond.shape.length === 1 && x.shape.length >= 1 && cond.shape[0] === x.shape[0];
    if (cond.shape.length !== 0 && !rankOne) {
      fail(ctx, `condition [${cond.shape}] must match x [${x.shape}], be a scalar, or be a vector over x's first axis`);
    }
    // A vector picks whole slices along x's first axis: broadcast it as [n, 1, ..., 1].
    if (rankOne) condShape = [cond.shape[0], ...new Array<number>(x.shape.length - 1).fill(1)];
    out.shape = [...x.shape];
  } else {
    out.shape = broadcastShapes(ctx, broadcastShapes(ctx, cond.shape, x.shape), y.shape);
  }
  return planBroadcast([condShape, x.shape, y.shape], out.shape);
}

type Cells = { [index: number]: unknown };

function selectKernel(version: 1 | 2): Kernel<BroadcastPlan> {
  return {
    prepare: (ctx) => prepareSelect(ctx, version),
    eval(ctx, plan) {
      const c = input(ctx, SELECT_INPUTS.condition).data as Uint8Array;
      const xs = input(ctx, SELECT_INPUTS.x).data as unknown as Cells;
      const ys = input(ctx, SELECT_INPUTS.y).data as unknown as Cells;
      const o = output(ctx, 0).data as unknown as Cells;
      const { dims, strides, counter, total } = plan;
      if (total === 0) return;
      const r = dims.length - 1;
      const n = dims[r];
      const [cS, xS, yS] = strides as [number[], number[], number[]];
      const sc = cS[r];
      const sx = xS[r];
      const sy = yS[r];
      counter.fill(0);
      let ic = 0;
      let ix = 0;
      let iy = 0;
      for (let io = 0; io < total; io += n) {
        for (let i = 0, jc = ic, jx = ix, jy = iy; i < n; i++, jc += sc, jx += sx, jy += sy) o[io + i] = c[jc] ? xs[jx] : ys[jy];
        for (let d = r - 1; d >= 0; d--) {
          ic += cS[d];
          ix += xS[d];
          iy += yS[d];
          if (++counter[d] < dims[d]) break;
          counter[d] = 0;
          ic -= cS[d] * dims[d];
          ix -= xS[d] * dims[d];
          iy -= yS[d] * dims[d];
        }
      }
    },
  };
}

export const selectKernelV1 = selectKernel(1);
export const selectV2Kernel = selectKernel(2);

// verify's judgement of an fp16 result against the f16 storage references (withinF16Reference).
import { describe, expect, it } from 'vitest';
import { compareOutput, TOLERANCE, withinF16Reference } from '../../harness/compare.js';

const tol = TOLERANCE.fp16;
/** A float output of 100 elements, all 1, with one element off by `err`. */
const withError = (err: number, dtype = 'float32') => {
  const golden = new Float32Array(100).fill(1);
  const got = golden.slice();
  got[7] = 1 + err;
  return compareOutput(
    'out',
    dtype,
    [100],
    dtype === 'float32' ? got : Int8Array.from(got),
    [100],
    dtype === 'float32' ? golden : Int8Array.from(golden),
    tol,
  );
};

describe('withinF16Reference', () => {
  it('accepts a result that passes the bar by itself', () => {
    expect(withinF16Reference(withError(5e-3), withError(0), tol)).toBe(true);
  });
  it('refuses a miss when f16 storage can meet the bar', () => {
    expect(withinF16Reference(withError(1.5e-2), withError(5e-3), tol)).toBe(false);
  });
  it('accepts a miss within 2x of a reference that misses too, and refuses one beyond', () => {
    expect(withinF16Reference(withError(5.9e-2), withError(3e-2), tol)).toBe(true);
    expect(withinF16Reference(withError(6.1e-2), withError(3e-2), tol)).toBe(false);
  });
  it('never excuses non-finite values or integer outputs', () => {
    expect(withinF16Reference(withError(Number.NaN), withError(3e-1), tol)).toBe(false);
    expect(withinF16Reference(withError(3, 'int8'), withError(5, 'int8'), tol)).toBe(false);
  });
});

// Real-photo inputs: the PPM reader refuses what it cannot read, and the resize keeps values.
import { describe, expect, it } from 'vitest';
import { photoInput, readPpm } from '../../harness/photo.js';

const ppm = (header: string, pixels: number[]) => new Uint8Array([...new TextEncoder().encode(header), ...pixels]);

describe('readPpm', () => {
  it('reads a binary PPM with a comment', () => {
    const img = readPpm(ppm('P6\n# made by hand\n2 1\n255\n', [1, 2, 3, 4, 5, 6]));
    expect(img).toEqual({ width: 2, height: 1, pixels: new Uint8Array([1, 2, 3, 4, 5, 6]) });
  });
  it('says what is wrong with a file it cannot read', () => {
    expect(() => readPpm(ppm('P3\n1 1\n255\n', [0, 0, 0]))).toThrow(/not a binary PPM: starts with 'P3'/);
    expect(() => readPpm(ppm('P6\n1 x\n255\n', [0, 0, 0]))).toThrow(/PPM size '1 x' is not two positive integers/);
    expect(() => readPpm(ppm('P6\n1 1\n65535\n', [0, 0, 0]))).toThrow(/maxval is 65535/);
    expect(() => readPpm(ppm('P6\n2 2\n255\n', [0, 0, 0]))).toThrow(/2x2 needs 12 pixel bytes, the file has 3/);
  });
});

describe('photoInput', () => {
  const img = readPpm(ppm('P6\n2 2\n255\n', [0, 0, 0, 255, 255, 255, 51, 102, 153, 255, 0, 255]));
  it('maps [0, 255] to the model range and keeps the pixels at the same size', () => {
    expect(Array.from(photoInput(img, [1, 2, 2, 3], [-1, 1]))).toEqual(
      Array.from(new Float32Array([-1, -1, -1, 1, 1, 1, -0.6, -0.2, 0.2, 1, -1, 1])),
    );
  });
  it('interpolates bilinearly with half-pixel centres when resizing', () => {
    const [r, g, b] = photoInput(img, [1, 1, 1, 3], [0, 1]); // the mean of the four pixels
    expect([r, g, b].map((v) => Number(v?.toFixed(5)))).toEqual([0.55, 0.35, 0.65]);
  });
  it('refuses an input that is not [1, H, W, 3]', () => {
    expect(() => photoInput(img, [1, 4, 4], [0, 1])).toThrow(/shape \[1, H, W, 3\], not \[1,4,4\]/);
  });
});

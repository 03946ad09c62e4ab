// A real photo as a model input, for checks on realistic data beside verify's noise: a binary
// PPM (P6, 8-bit RGB) resized bilinearly (half-pixel centres) to an NHWC image input and scaled
// to the value range the model expects ([0, 1] for MediaPipe's segmentation and landmarks,
// [-1, 1] for its face detectors).

export interface RgbImage {
  width: number;
  height: number;
  /** Row-major RGB bytes. */
  pixels: Uint8Array;
}

/** Parses a binary PPM (P6, maxval 255); a TypeError says what is wrong. */
export function readPpm(bytes: Uint8Array): RgbImage {
  // Header: "P6", width, height, maxval, separated by whitespace (comments start with #), then one whitespace byte.
  const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const fields: string[] = [];
  let i = 0;
  while (fields.length < 4 && i < bytes.length) {
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
    } else if (isSpace(bytes[i])) i++;
    else {
      const start = i;
      while (i < bytes.length && !isSpace(bytes[i])) i++;
      fields.push(new TextDecoder().decode(bytes.subarray(start, i)));
    }
  }
  const [magic, w, h, max] = fields;
  if (magic !== 'P6') throw new TypeError(`not a binary PPM: starts with '${magic ?? ''}', not 'P6'`);
  const width = Number(w);
  const height = Number(h);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
    throw new TypeError(`PPM size '${w} ${h}' is not two positive integers`);
  if (max !== '255') throw new TypeError(`PPM maxval is ${max}; only 8-bit (255) is supported`);
  const start = i + 1;
  const need = width * height * 3;
  if (bytes.length - start < need)
    throw new TypeError(`PPM ${width}x${height} needs ${need} pixel bytes, the file has ${Math.max(0, bytes.length - start)}`);
  return { width, height, pixels: bytes.subarray(start, start + need) };
}

/** The image resized to an NHWC [1, H, W, 3] input, values mapped from [0, 255] to [lo, hi]. */
export function photoInput(image: RgbImage, shape: readonly number[], [lo, hi]: readonly [number, number]): Float32Array {
  const [n, outH, outW, channels] = shape;
  if (shape.length !== 4 || n !== 1 || channels !== 3) throw new TypeError(`a photo fills an input of shape [1, H, W, 3], not [${shape}]`);
  const H = outH as number;
  const W = outW as number;
  const out = new Float32Array(H * W * 3);
  const { width, height, pixels } = image;
  const at = (y: number, x: number, c: number) => pixels[(y * width + x) * 3 + c] as number;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * height) / H - 0.5, 0), height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const sx = Math.min(Math.max(((x + 0.5) * width) / W - 0.5, 0), width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, width - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top = at(y0, x0, c) * (1 - fx) + at(y0, x1, c) * fx;
        const bottom = at(y1, x0, c) * (1 - fx) + at(y1, x1, c) * fx;
        out[(y * W + x) * 3 + c] = lo + ((hi - lo) * (top * (1 - fy) + bottom * fy)) / 255;
      }
    }
  }
  return out;
}

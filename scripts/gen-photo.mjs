// Makes test/data/astronaut_256.ppm from scikit-image's astronaut.png (public domain):
//   apt-get download python3-skimage && dpkg -x python3-skimage_*.deb sk
//   node scripts/gen-photo.mjs sk/usr/lib/python3/dist-packages/skimage/data/astronaut.png test/data/astronaut_256.ppm 2
// A small PNG reader (8-bit RGB / RGBA, not interlaced) and an integer box downsampling.
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

const [src, dst, factorArg] = process.argv.slice(2);
if (!src || !dst) throw new Error('usage: node scripts/gen-photo.mjs <in.png> <out.ppm> [factor]');
const factor = Number(factorArg ?? 1);
const png = readFileSync(src);
let pos = 8;
let width = 0;
let height = 0;
let depth = 0;
let colorType = 0;
const idat = [];
while (pos < png.length) {
  const length = png.readUInt32BE(pos);
  const type = png.toString('latin1', pos + 4, pos + 8);
  const data = png.subarray(pos + 8, pos + 8 + length);
  if (type === 'IHDR') {
    width = data.readUInt32BE(0);
    height = data.readUInt32BE(4);
    depth = data[8];
    colorType = data[9];
    if (data[12]) throw new Error('interlaced PNGs are not supported');
  }
  if (type === 'IDAT') idat.push(data);
  pos += 12 + length;
}
if (depth !== 8 || (colorType !== 2 && colorType !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}`);
const bpp = colorType === 6 ? 4 : 3;
const stride = width * bpp;
const raw = inflateSync(Buffer.concat(idat));
const px = new Uint8Array(height * stride);
for (let y = 0; y < height; y++) {
  const filter = raw[y * (stride + 1)];
  const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
  for (let x = 0; x < stride; x++) {
    const left = x >= bpp ? px[y * stride + x - bpp] : 0;
    const up = y ? px[(y - 1) * stride + x] : 0;
    const corner = x >= bpp && y ? px[(y - 1) * stride + x - bpp] : 0;
    let v = line[x];
    if (filter === 1) v += left;
    else if (filter === 2) v += up;
    else if (filter === 3) v += (left + up) >> 1;
    else if (filter === 4) {
      const p = left + up - corner;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - corner)];
      v += pa <= pb && pa <= pc ? left : pb <= pc ? up : corner;
    }
    px[y * stride + x] = v & 255;
  }
}
const w = Math.floor(width / factor);
const h = Math.floor(height / factor);
const out = new Uint8Array(w * h * 3);
for (let y = 0; y < h; y++)
  for (let x = 0; x < w; x++)
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++)
        for (let dx = 0; dx < factor; dx++) sum += px[((y * factor + dy) * width + x * factor + dx) * bpp + c];
      out[(y * w + x) * 3 + c] = Math.round(sum / (factor * factor));
    }
writeFileSync(dst, Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), out]));
console.log(`${src}: ${width}x${height} -> ${dst}: ${w}x${h}`);

// The demo's image side: a procedurally drawn sample portrait (nothing to download or license),
// image → input tensor, the selfie segmentation mask overlay, and BlazeFace box decoding (SSD
// anchors as in MediaPipe's face_detection_{short,full}_range graphs).

/** Draws a head-and-shoulders portrait in front of a room wall, filling the canvas. */
export function drawSamplePortrait(canvas: HTMLCanvasElement): void {
  const w = canvas.width;
  const h = canvas.height;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  const s = (v: number) => (v * w) / 512;

  // Wall, floor line, a window and a shelf: texture the model should call background.
  const wall = g.createLinearGradient(0, 0, w, h);
  wall.addColorStop(0, '#c9d6df');
  wall.addColorStop(1, '#8fa3b3');
  g.fillStyle = wall;
  g.fillRect(0, 0, w, h);
  g.fillStyle = '#e8f1f7';
  g.fillRect(s(360), s(40), s(120), s(150));
  g.strokeStyle = '#6f7f8c';
  g.lineWidth = s(6);
  g.strokeRect(s(360), s(40), s(120), s(150));
  g.beginPath();
  g.moveTo(s(420), s(40));
  g.lineTo(s(420), s(190));
  g.moveTo(s(360), s(115));
  g.lineTo(s(480), s(115));
  g.stroke();
  g.fillStyle = '#7a5a3c';
  g.fillRect(s(20), s(150), s(110), s(10));
  g.fillStyle = '#b5483c';
  g.fillRect(s(30), s(118), s(16), s(32));
  g.fillStyle = '#3c6fb5';
  g.fillRect(s(50), s(124), s(14), s(26));
  g.fillStyle = '#d9b54a';
  g.fillRect(s(68), s(112), s(18), s(38));

  // Shoulders and torso.
  const shirt = g.createLinearGradient(0, s(330), 0, h);
  shirt.addColorStop(0, '#2f5d8a');
  shirt.addColorStop(1, '#1f3f60');
  g.fillStyle = shirt;
  g.beginPath();
  g.moveTo(s(70), h);
  g.bezierCurveTo(s(80), s(390), s(150), s(350), s(205), s(340));
  g.lineTo(s(307), s(340));
  g.bezierCurveTo(s(362), s(350), s(432), s(390), s(442), h);
  g.closePath();
  g.fill();

  // Neck.
  const skin = '#e0ac88';
  const skinShade = '#c48a66';
  g.fillStyle = skinShade;
  g.fillRect(s(222), s(290), s(68), s(62));
  g.fillStyle = skin;
  g.beginPath();
  g.moveTo(s(205), s(340));
  g.quadraticCurveTo(s(256), s(378), s(307), s(340));
  g.lineTo(s(290), s(330));
  g.lineTo(s(222), s(330));
  g.closePath();
  g.fill();

  // Hair behind the head.
  g.fillStyle = '#3b2618';
  g.beginPath();
  g.ellipse(s(256), s(195), s(92), s(112), 0, 0, Math.PI * 2);
  g.fill();

  // Face with soft shading.
  const face = g.createRadialGradient(s(240), s(190), s(20), s(256), s(215), s(105));
  face.addColorStop(0, '#f0c4a2');
  face.addColorStop(0.75, skin);
  face.addColorStop(1, skinShade);
  g.fillStyle = face;
  g.beginPath();
  g.ellipse(s(256), s(215), s(74), s(95), 0, 0, Math.PI * 2);
  g.fill();
  // Ears.
  g.fillStyle = skinShade;
  for (const x of [181, 331]) {
    g.beginPath();
    g.ellipse(s(x), s(220), s(11), s(20), 0, 0, Math.PI * 2);
    g.fill();
  }
  // Fringe.
  g.fillStyle = '#3b2618';
  g.beginPath();
  g.moveTo(s(178), s(190));
  g.bezierCurveTo(s(185), s(95), s(330), s(90), s(334), s(190));
  g.bezierCurveTo(s(300), s(140), s(230), s(135), s(178), s(190));
  g.fill();

  // Eyebrows, eyes, nose, mouth.
  g.strokeStyle = '#3b2618';
  g.lineWidth = s(6);
  g.lineCap = 'round';
  for (const [x0, x1] of [
    [206, 242],
    [270, 306],
  ] as const) {
    g.beginPath();
    g.moveTo(s(x0), s(176));
    g.quadraticCurveTo(s((x0 + x1) / 2), s(168), s(x1), s(176));
    g.stroke();
  }
  for (const x of [225, 287]) {
    g.fillStyle = '#ffffff';
    g.beginPath();
    g.ellipse(s(x), s(198), s(15), s(8), 0, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#4a3020';
    g.beginPath();
    g.arc(s(x), s(198), s(6.5), 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#000000';
    g.beginPath();
    g.arc(s(x), s(198), s(3), 0, Math.PI * 2);
    g.fill();
  }
  g.strokeStyle = skinShade;
  g.lineWidth = s(4);
  g.beginPath();
  g.moveTo(s(258), s(205));
  g.quadraticCurveTo(s(250), s(240), s(244), s(248));
  g.quadraticCurveTo(s(256), s(254), s(268), s(248));
  g.stroke();
  g.fillStyle = '#b5524a';
  g.beginPath();
  g.moveTo(s(226), s(272));
  g.quadraticCurveTo(s(256), s(296), s(286), s(272));
  g.quadraticCurveTo(s(256), s(280), s(226), s(272));
  g.fill();
}

/** The image scaled to the model's input (NHWC, 3 channels), values mapped to [lo, hi]. */
export function imageToTensor(image: CanvasImageSource, width: number, height: number, lo: number, hi: number): Float32Array {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d', { willReadFrequently: true });
  if (!g) throw new Error('no 2D canvas');
  g.drawImage(image, 0, 0, width, height);
  const px = g.getImageData(0, 0, width, height).data;
  const out = new Float32Array(width * height * 3);
  const k = (hi - lo) / 255;
  for (let i = 0, j = 0; i < px.length; i += 4, j += 3) {
    out[j] = lo + (px[i] ?? 0) * k;
    out[j + 1] = lo + (px[i + 1] ?? 0) * k;
    out[j + 2] = lo + (px[i + 2] ?? 0) * k;
  }
  return out;
}

/** Paints the mask (values in [0, 1], maskW × maskH) over the canvas's image; returns the share above 0.5. */
export function overlayMask(canvas: HTMLCanvasElement, mask: Float32Array, maskW: number, maskH: number): number {
  const m = document.createElement('canvas');
  m.width = maskW;
  m.height = maskH;
  const mg = m.getContext('2d');
  const g = canvas.getContext('2d');
  if (!mg || !g) throw new Error('no 2D canvas');
  const img = mg.createImageData(maskW, maskH);
  let fg = 0;
  for (let i = 0; i < maskW * maskH; i++) {
    const v = Math.min(1, Math.max(0, mask[i] ?? 0));
    if (v > 0.5) fg++;
    // Person: green tint; background: dark purple veil.
    const p = i * 4;
    img.data[p] = v > 0.5 ? 40 : 60;
    img.data[p + 1] = v > 0.5 ? 220 : 20;
    img.data[p + 2] = v > 0.5 ? 120 : 90;
    img.data[p + 3] = Math.round(255 * (v > 0.5 ? 0.45 * v : 0.55 * (1 - v)));
  }
  mg.putImageData(img, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(m, 0, 0, canvas.width, canvas.height);
  return fg / (maskW * maskH);
}

export interface Face {
  /** Normalized [0, 1] box. */
  xmin: number;
  ymin: number;
  width: number;
  height: number;
  score: number;
  /** Normalized keypoints (eyes, nose, mouth, ears). */
  keypoints: [number, number][];
}

export interface AnchorOptions {
  inputSize: number;
  strides: number[];
  /** Anchors per cell and layer: 1 + interpolated aspect (1 with fixed anchor size). */
  anchorsPerLayer: number;
}

/** MediaPipe's SsdAnchorsCalculator options for the two BlazeFace models, keyed by anchor count. */
export const BLAZEFACE_ANCHORS: Record<number, AnchorOptions> = {
  896: { inputSize: 128, strides: [8, 16, 16, 16], anchorsPerLayer: 2 },
  2304: { inputSize: 192, strides: [4], anchorsPerLayer: 1 },
};

/** SSD anchor centers (fixed anchor size: width = height = 1), in MediaPipe's order. */
export function ssdAnchors(o: AnchorOptions): [number, number][] {
  const out: [number, number][] = [];
  let layer = 0;
  while (layer < o.strides.length) {
    const stride = o.strides[layer] as number;
    let perCell = 0;
    // Consecutive layers with the same stride share one feature map.
    while (layer < o.strides.length && o.strides[layer] === stride) {
      perCell += o.anchorsPerLayer;
      layer++;
    }
    const size = Math.ceil(o.inputSize / stride);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) for (let k = 0; k < perCell; k++) out.push([(x + 0.5) / size, (y + 0.5) / size]);
  }
  return out;
}

function iou(a: Face, b: Face): number {
  const x0 = Math.max(a.xmin, b.xmin);
  const y0 = Math.max(a.ymin, b.ymin);
  const x1 = Math.min(a.xmin + a.width, b.xmin + b.width);
  const y1 = Math.min(a.ymin + a.height, b.ymin + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
}

/** Decodes BlazeFace outputs (regressors [1,N,16], classificators [1,N,1]) into faces, after NMS. */
export function decodeFaces(regressors: Float32Array, scores: Float32Array, minScore = 0.5, iouThreshold = 0.3): Face[] {
  const n = scores.length;
  const opts = BLAZEFACE_ANCHORS[n];
  if (!opts) throw new Error(`no anchor settings for ${n} anchors`);
  const anchors = ssdAnchors(opts);
  const scale = opts.inputSize;
  const found: Face[] = [];
  for (let i = 0; i < n; i++) {
    const score = 1 / (1 + Math.exp(-Math.min(100, Math.max(-100, scores[i] ?? 0))));
    if (score < minScore) continue;
    const [ax, ay] = anchors[i] as [number, number];
    const r = (k: number) => (regressors[i * 16 + k] ?? 0) / scale;
    const cx = r(0) + ax;
    const cy = r(1) + ay;
    const w = r(2);
    const h = r(3);
    const keypoints: [number, number][] = [];
    for (let k = 0; k < 6; k++) keypoints.push([r(4 + 2 * k) + ax, r(5 + 2 * k) + ay]);
    found.push({ xmin: cx - w / 2, ymin: cy - h / 2, width: w, height: h, score, keypoints });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  for (const f of found) if (kept.every((k) => iou(k, f) < iouThreshold)) kept.push(f);
  return kept;
}

/** Draws face boxes and keypoints on the canvas (normalized coordinates). */
export function drawFaces(canvas: HTMLCanvasElement, faces: Face[]): void {
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  const w = canvas.width;
  const h = canvas.height;
  g.lineWidth = Math.max(2, w / 160);
  for (const f of faces) {
    g.strokeStyle = '#2ee66b';
    g.strokeRect(f.xmin * w, f.ymin * h, f.width * w, f.height * h);
    g.fillStyle = '#ff3b6b';
    for (const [x, y] of f.keypoints) {
      g.beginPath();
      g.arc(x * w, y * h, Math.max(2, w / 128), 0, Math.PI * 2);
      g.fill();
    }
    g.fillStyle = '#2ee66b';
    g.font = `${Math.round(w / 28)}px system-ui, sans-serif`;
    g.fillText(`face ${(f.score * 100).toFixed(0)}%`, f.xmin * w, Math.max(12, f.ymin * h - 6));
  }
}

// The graph partition as a picture: the nodes that run per invoke, in execution order, wrapped
// into rows; coloured by backend; each delegated partition outlined; hovering a node shows its op,
// backend, partition and (for nodes left on the CPU) the delegate's reason. From Interpreter.placement().
import type { NodePlacement, Placement } from '../../src/index.js';

const SVG = 'http://www.w3.org/2000/svg';
const CELL_W = 46;
const CELL_H = 24;
const GAP = 6;
/** Outline colours, cycled over partitions so neighbours differ. */
const OUTLINES = ['#1b5e20', '#6a1b9a', '#e65100', '#0d47a1'];
const PAD = 8;

const COLORS: Record<string, string> = { cpu: '#5b7db8', webgpu: '#2e9e5b', folded: '#c9c9c9' };

export function backendColor(backend: string): string {
  return COLORS[backend] ?? (/gpu/i.test(backend) ? '#2e9e5b' : '#b86f2e');
}

/** A short label for a cell: CONV_2D → CONV, DEPTHWISE_CONV_2D → DWCONV, CUSTOM:Foo → Foo. */
export function shortOp(op: string): string {
  const named: Record<string, string> = {
    CONV_2D: 'CONV',
    DEPTHWISE_CONV_2D: 'DWCONV',
    FULLY_CONNECTED: 'FC',
    AVERAGE_POOL_2D: 'AVGPL',
    MAX_POOL_2D: 'MAXPL',
    CONCATENATION: 'CONCAT',
    RESIZE_BILINEAR: 'RSZBL',
    RESIZE_NEAREST_NEIGHBOR: 'RSZNN',
    TRANSPOSE_CONV: 'TCONV',
    'CUSTOM:Convolution2DTransposeBias': 'TCONV+B',
    HARD_SWISH: 'HSWISH',
    DEQUANTIZE: 'DEQ',
    QUANTIZE: 'QUANT',
    LOGISTIC: 'SIGM',
    STRIDED_SLICE: 'SSLICE',
  };
  return named[op] ?? op.replace(/^CUSTOM:/, '').slice(0, 7);
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** "#12 CONV_2D — webgpu, partition 0 (conv2d_1x1)" or "... — cpu — not delegated: <reason>". */
export function describeNode(n: NodePlacement, implementation?: string): string {
  const where = n.partition === null ? n.backend : `${n.backend}, partition ${n.partition}`;
  return `#${n.node} ${n.op} — ${where}${implementation ? ` (${implementation})` : ''}${n.reason ? ` — not delegated: ${n.reason}` : ''}`;
}

/** Node → kernel implementation, from the partitions' describe() `implementations` record when a delegate gives one. */
export function implementations(placement: Placement): Map<number, string> {
  const out = new Map<number, string>();
  for (const p of placement.partitions) {
    const impl = p.info.implementations;
    if (!impl || typeof impl !== 'object') continue;
    for (const [node, name] of Object.entries(impl as Record<string, unknown>)) if (typeof name === 'string') out.set(Number(node), name);
  }
  return out;
}

/**
 * The picture for a placement. Folded nodes (computed once at prepare) are left out of the grid
 * and summarised under it. `onHover` gets the node under the pointer (or null).
 */
export function renderPlacement(placement: Placement, onHover?: (text: string | null) => void): SVGSVGElement {
  const impl = implementations(placement);
  const nodes = placement.nodes.filter((n) => n.backend !== 'folded');
  const cols = Math.max(1, Math.min(20, Math.ceil(Math.sqrt(nodes.length * 2.5))));
  const rows = Math.max(1, Math.ceil(nodes.length / cols));
  const width = PAD * 2 + cols * (CELL_W + GAP);
  const height = PAD * 2 + rows * (CELL_H + GAP);
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  root.append(svg('title', {}));
  (root.firstChild as SVGTitleElement).textContent = placement.summary;
  const at = (i: number) => ({ x: PAD + (i % cols) * (CELL_W + GAP), y: PAD + Math.floor(i / cols) * (CELL_H + GAP) });

  // Partition outlines: one box per row-run of consecutive cells of the same partition.
  for (let i = 0; i < nodes.length; ) {
    const p = nodes[i]?.partition ?? null;
    let j = i + 1;
    while (j < nodes.length && j % cols !== 0 && (nodes[j]?.partition ?? null) === p && p !== null) j++;
    if (p !== null) {
      const a = at(i);
      const box = svg('rect', {
        x: a.x - GAP / 2,
        y: a.y - GAP / 2,
        width: (j - i) * (CELL_W + GAP),
        height: CELL_H + GAP,
        rx: 5,
        fill: 'none',
        stroke: OUTLINES[p % OUTLINES.length] as string,
        'stroke-width': 2,
        'stroke-dasharray': '4 2',
      });
      box.append(svg('title', {}));
      (box.lastChild as SVGTitleElement).textContent = `partition ${p}`;
      root.append(box);
    }
    i = j;
  }

  nodes.forEach((n, i) => {
    const { x, y } = at(i);
    const g = svg('g', {});
    const rect = svg('rect', {
      class: 'node',
      x,
      y,
      width: CELL_W,
      height: CELL_H,
      rx: 3,
      fill: backendColor(n.backend),
      'data-node': n.node,
      'data-backend': n.backend,
    });
    const title = svg('title', {});
    const text = describeNode(n, impl.get(n.node));
    title.textContent = text;
    rect.append(title);
    const label = svg('text', { x: x + CELL_W / 2, y: y + CELL_H / 2 + 3, 'text-anchor': 'middle', fill: '#fff' });
    label.textContent = shortOp(n.op);
    g.append(rect, label);
    if (n.reason) g.append(svg('circle', { cx: x + CELL_W - 4, cy: y + 4, r: 2.5, fill: '#ffd54f' }));
    if (onHover) {
      rect.addEventListener('mouseenter', () => onHover(text));
      rect.addEventListener('mouseleave', () => onHover(null));
    }
    root.append(g);
  });
  return root;
}

/** "DEQUANTIZE ×74, SHAPE ×2" for the folded nodes. */
export function foldedSummary(placement: Placement): string {
  const counts = new Map<string, number>();
  for (const n of placement.nodes) if (n.backend === 'folded') counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([op, c]) => `${op} ×${c}`)
    .join(', ');
}

// verify --culprit's report in words.

import type { OutputComparison } from './compare.js';
import type { CulpritNode, CulpritReport } from './culprit_report.js';
import { exp, table } from './text.js';

function errorOf(c: OutputComparison | undefined): string {
  if (!c) return '-';
  if (c.maxLsb !== undefined) return `${c.maxLsb} LSB, ${((c.exactShare ?? 0) * 100).toFixed(1)}% exact`;
  return `rel ${exp(c.maxRel)} (maxAbs ${exp(c.maxAbs)} of max|golden| ${exp(c.maxRel > 0 ? c.maxAbs / c.maxRel : 0)})${c.nonFinite ? `, ${c.nonFinite} non-finite` : ''}`;
}

function tensorLine(t: { index: number; name: string; dtype: string; shape: number[]; quantization?: string }): string {
  return `#${t.index} '${t.name}' ${t.dtype} [${t.shape.join(',')}]${t.quantization ? ` (${t.quantization})` : ''}`;
}

function nodeError(n: Pick<CulpritNode, 'maxRel' | 'maxLsb'>): string {
  return n.maxLsb !== undefined ? `${n.maxLsb} LSB${n.maxRel ? ` / rel ${exp(n.maxRel)}` : ''}` : exp(n.maxRel);
}

function inputError(n: CulpritNode): string {
  return n.inputLsb !== undefined ? `${n.inputLsb} LSB` : exp(n.inputRel);
}

/** The nodes the text table shows: around the culprit, every other node that diverges itself, the worst ones. */
function shortList(report: CulpritReport, around = 6, worstCount = 8): CulpritNode[] {
  const nodes = report.nodes;
  const keep = new Set<number>();
  const at = report.culprit ? nodes.indexOf(report.culprit) : -1;
  if (at >= 0) for (let k = Math.max(0, at - around); k <= Math.min(nodes.length - 1, at + around); k++) keep.add(k);
  nodes.forEach((n, k) => {
    if (n.status === 'diverges') keep.add(k);
  });
  const ratio = (n: CulpritNode) => (n.maxLsb !== undefined ? n.maxLsb / report.tolerance.maxLsb : n.maxRel / report.tolerance.maxRel);
  [...nodes.keys()]
    .sort((a, b) => ratio(nodes[b] as CulpritNode) - ratio(nodes[a] as CulpritNode))
    .slice(0, worstCount)
    .forEach((k) => {
      keep.add(k);
    });
  return [...keep].sort((a, b) => a - b).map((k) => nodes[k] as CulpritNode);
}

function isolatedVerdict(n: CulpritNode): string {
  const i = n.isolated;
  if (!i) return "not run alone on TFLite's inputs";
  if ('skip' in i) return `not run alone on TFLite's inputs: ${i.skip}`;
  const err = i.maxLsb !== undefined ? `${i.maxLsb} LSB` : `rel ${exp(i.maxRel)}`;
  if (!i.pass) return `alone, on TFLite's own input values, it still misses the bar (${err}): the node itself computes differently`;
  const gain =
    n.inputRel > 0 && n.maxLsb === undefined
      ? ` (×${(n.maxRel / n.inputRel).toFixed(1)} of the rel ${exp(n.inputRel)} its inputs carry)`
      : '';
  return `alone, on TFLite's own input values, it matches (${err}): the node is right; its inputs' in-bar error is amplified${gain}`;
}

/** The report in words: the culprit with its inputs and outputs, and a short per-node table. */
export function renderCulprit(report: CulpritReport): string {
  const tol = report.tolerance;
  const lines: string[] = [];
  const other = report.other
    ? report.other.error
      ? `; other runtime ${report.other.oracle} failed: ${report.other.error.slice(0, 80)}`
      : `; other runtime ${report.other.oracle}`
    : '';
  lines.push(
    `${report.model}: ours on ${report.backend} (${report.precision}) vs ${report.oracle}${other}; seed ${report.seed}; bar rel ${tol.maxRel} / ${tol.maxLsb} LSB & ${tol.minExactShare * 100}% exact`,
  );
  const reasons = new Map<string, number>();
  for (const s of report.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  const skipped = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ');
  lines.push(
    `${report.nodes.length} nodes compared, ${report.exposed} intermediates exposed${skipped ? `; not exposed: ${skipped}` : ''}; ${report.placement}`,
  );
  if (report.rewriteShift) {
    const s = report.rewriteShift;
    lines.push(
      `exposing intermediates moved ${s.oracle}'s model outputs by rel ${exp(s.maxRel)}${s.maxLsb !== undefined ? ` / ${s.maxLsb} LSB` : ''} (against the unmodified model)`,
    );
  }
  const c = report.culprit;
  if (c) {
    lines.push('');
    lines.push(
      `culprit: node ${c.node} ${c.op} v${c.version} on ${c.backend}: ${c.status === 'diverges' ? 'its inputs meet the bar, its output does not' : 'an input already misses the bar (an earlier node was not comparable)'}`,
    );
    for (const i of c.inputs) {
      if (i.source === 'omitted') continue;
      const where =
        i.source === 'node'
          ? `from node ${i.node}: ${i.check?.comparison ? errorOf(i.check.comparison) : (i.check?.skip ?? 'not compared')}`
          : i.source;
      lines.push(`  in   ${tensorLine(i)}  ${where}${i.check?.other !== undefined ? `; other runtime ${exp(i.check.other)}` : ''}`);
    }
    for (const o of c.outputs) {
      lines.push(
        `  out  ${tensorLine(o)}  ${o.comparison ? errorOf(o.comparison) : (o.skip ?? '')}${o.other !== undefined ? `; other runtime ${exp(o.other)}` : ''}`,
      );
    }
    lines.push(`  ${isolatedVerdict(c)}`);
    if (c.f16Reference !== undefined) {
      lines.push(
        `  f16 storage alone (our CPU kernels, every activation rounded to f16) is at ${exp(c.f16Reference)} here: ${c.maxRel <= 2 * Math.max(c.f16Reference, report.tolerance.maxRel) ? 'as far as f16 storage itself goes' : 'ours is further off than f16 storage explains'}`,
      );
    }
  }
  lines.push('');
  const withRef = report.nodes.some((n) => n.f16Reference !== undefined);
  const rows = shortList(report).map((n) => [
    String(n.node),
    n.op,
    n.backend,
    nodeError(n),
    inputError(n),
    exp(n.other),
    ...(withRef ? [exp(n.f16Reference)] : []),
    n.isolated ? ('skip' in n.isolated ? '?' : n.maxLsb !== undefined ? `${n.isolated.maxLsb ?? 0} LSB` : exp(n.isolated.maxRel)) : '',
    n.status === 'ok' ? '' : n.status.toUpperCase(),
    n.outputs
      .map((o) => o.name)
      .join(', ')
      .slice(0, 40),
  ]);
  lines.push(
    table([
      ['node', 'op', 'ran on', 'error', 'inputs', 'other rt', ...(withRef ? ['f16 ref'] : []), 'alone', 'status', 'outputs'],
      ...rows,
    ]),
  );
  if (rows.length < report.nodes.length)
    lines.push(
      `(${rows.length} of ${report.nodes.length} nodes: around the culprit, the worst, and every node that diverges itself; --json has all)`,
    );
  const failing = report.outputs.filter((o) => !o.pass);
  lines.push(
    `model outputs: ${report.outputs.map((o) => `'${o.name}' ${o.maxLsb !== undefined ? `${o.maxLsb} LSB` : `rel ${exp(o.maxRel)}`}`).join(', ')}`,
  );
  lines.push(
    c
      ? `first divergent node: ${c.node} ${c.op} (${nodeError(c)} > bar; inputs handed it ${inputError(c)})${failing.length ? '' : ' — the model outputs still pass'}`
      : `no node diverges beyond the bar${failing.length ? ' (yet some model output does: see above)' : ''}`,
  );
  return lines.join('\n');
}

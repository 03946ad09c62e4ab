// Plain-text rendering shared by the harness's reports and the CLI.

/** Renders rows as an aligned text table; the first row is the header. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A number in a report: 3 significant digits in exponent form ('' when absent, as is when not finite). */
export const exp = (x: number | undefined): string => (x === undefined ? '' : Number.isFinite(x) ? x.toExponential(2) : String(x));

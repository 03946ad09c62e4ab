// Plain-text rendering helpers for CLI output.

export { table } from '../harness/text.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** A progress bar on stderr (only when it is a terminal), so stdout stays clean for --json. */
export function progress(total: number, label: string): { tick(what: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let n = 0;
  const draw = (what: string) => {
    if (!tty) return;
    const width = 24;
    const filled = Math.round((n / Math.max(total, 1)) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total} ${what}`.slice(0, 120).padEnd(120));
  };
  return {
    tick(what: string) {
      n++;
      draw(what);
    },
    done() {
      if (tty) process.stderr.write(`\r${' '.repeat(120)}\r`);
    },
  };
}
